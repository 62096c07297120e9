# The part of simpleeval 1.0.8 that billing.formulas uses (the package ships no type information).
import ast
from collections.abc import Callable
from typing import Any

class InvalidExpression(Exception): ...
class FeatureNotAvailable(InvalidExpression): ...
class NumberTooHigh(InvalidExpression): ...
class IterableTooLong(InvalidExpression): ...

class FunctionNotDefined(InvalidExpression):
    def __init__(self, func_name: str, expression: str) -> None: ...

class NameNotDefined(InvalidExpression):
    def __init__(self, name: str, expression: str) -> None: ...

class OperatorNotDefined(InvalidExpression):
    def __init__(self, attr: object, expression: str) -> None: ...

class SimpleEval:
    expr: str
    operators: dict[type[ast.AST], Callable[..., Any]]
    functions: dict[str, Callable[..., Any]]
    names: Any
    nodes: dict[type[ast.AST], Callable[[Any], Any]]
    def __init__(
        self,
        operators: dict[type[ast.AST], Callable[..., Any]] | None = None,
        functions: dict[str, Callable[..., Any]] | None = None,
        names: Any = None,
        allowed_attrs: Any = None,
    ) -> None: ...
    def eval(self, expr: str, previously_parsed: ast.AST | None = None) -> Any: ...
