from typing import Any, ClassVar

from django.db import models

def __getattr__(name: str) -> Any: ...

class TenantMixin(models.Model):
    auto_drop_schema: ClassVar[bool]
    auto_create_schema: ClassVar[bool]
    clone_mode: ClassVar[str]
    schema_name: models.CharField[str | int, str]
    domain_url: str | None
    domain_subfolder: str | None
    def save(self, verbosity: int = 1, *args: Any, **kwargs: Any) -> None: ...
    # django-tenants' own signature: force_drop comes before Model.delete's arguments
    def delete(  # type: ignore[override]
        self, force_drop: bool = False, *args: Any, **kwargs: Any
    ) -> tuple[int, dict[str, int]]: ...
    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool | None: ...
    def _drop_schema(self, force_drop: bool = False) -> None: ...
    def get_primary_domain(self) -> DomainMixin | None: ...
    def activate(self) -> None: ...
    @classmethod
    def deactivate(cls) -> None: ...

class DomainMixin(models.Model):
    domain: models.CharField[str | int, str]
    tenant: models.ForeignKey[Any, Any]
    is_primary: models.BooleanField[bool, bool]
