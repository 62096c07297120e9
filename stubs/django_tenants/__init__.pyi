# Type stubs for the parts of django-tenants Wuye uses (the package ships none). Incomplete on
# purpose: anything not declared here is Any (the module-level __getattr__).
from typing import Any

def __getattr__(name: str) -> Any: ...
