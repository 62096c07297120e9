"""Fee formulas (自定义公式): a small arithmetic language over a house's figures, in Decimal.

HC evaluates formula text with the JVM's JavaScript engine, turns every error into a charge of 0 and
clamps negative results to 0. Here a formula is checked when it is saved (`check_formula`) and a
formula that cannot be computed raises `FormulaError` with the reason, never a silent 0.

The language, checked node by node against an explicit whitelist before anything is evaluated:
- numbers written plainly (`12`, `2.5`, `.5`), read as exact Decimal — `0.1 + 0.2` is 0.3;
  no exponents (`1e5`), hex, underscores or imaginary numbers;
- the variables of FORMULA_VARIABLES, by English name or by Chinese label (`建筑面积 * 单价`);
- `+ - * /`, unary `-`/`+`, parentheses, and `x ** n` with n a whole-number literal 0..10;
- `a if condition else b`, where the condition is a comparison (`< <= > >= == !=`, chains allowed),
  joined with `and` / `or` / `not`; a comparison anywhere else is refused (no `(floor > 6) * 5`);
- the functions `min(a, b, …)` and `max(a, b, …)` with at least two arguments. `round` is left out on
  purpose: a charge line is rounded once, by the fee item's rounding setting, not inside the formula;
- at most 500 characters.

Evaluation runs on simpleeval (a maintained AST evaluator) restricted to the same nodes, operators and
functions, with its number constants replaced by a Decimal reader of the literal's source text (Python
parses `0.1` to a float, which is never used), under a 60-digit Decimal context that traps division
by zero and any value of 10^31 or more. The whitelist walk comes first because it gives readable
Chinese errors and enforces shapes simpleeval cannot express (comparisons only in conditions, literal
exponents).
"""

from __future__ import annotations

import ast
import decimal
import functools
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import simpleeval
from django.utils.translation import gettext as _

FORMULA_VARIABLES: dict[str, str] = {
    "building_area": "建筑面积",
    "usable_area": "套内面积",
    "floor": "楼层",
    "coefficient": "收费系数",
    "usage": "用量",
    "months": "月数",
    "unit_price": "单价",
    "count": "数量",
    "days": "天数",
}
_BY_LABEL = {label: name for name, label in FORMULA_VARIABLES.items()}

MAX_FORMULA_LENGTH = 500
MAX_EXPONENT = 10
MAX_LITERAL_DIGITS = 30
FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max}
_LITERAL = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)")
# No real figure reaches 10^30; a result past it (x ** 10 ** …) is a mistake, reported as "too large".
_CONTEXT = decimal.Context(
    prec=60,
    Emax=30,
    Emin=-60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_VALUE_OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_COMPARISONS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


class FormulaError(ValueError):
    """A formula that is not valid or cannot be computed; the message says why, in Chinese first."""


def _variable_list() -> str:
    return "、".join(f"{label}（{name}）" for name, label in FORMULA_VARIABLES.items())


def _parse(formula: str) -> ast.expr:
    if not isinstance(formula, str):
        raise FormulaError(_("公式必须是文本。"))
    if not formula.strip():
        raise FormulaError(_("公式不能为空。"))
    if len(formula) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            _("公式太长：%(length)s 个字符，最多 %(max)s 个。") % {"length": len(formula), "max": MAX_FORMULA_LENGTH}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "1if x" warns as a literal; it is refused or fine on its own
            return ast.parse(formula, mode="eval").body
    except SyntaxError as error:
        raise FormulaError(_("公式写法有误（第 %(column)s 个字符附近）。") % {"column": error.offset or 1}) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError(_("公式写法有误。")) from None


class _Checker:
    """Walks a parsed formula against the whitelist; collects the variables it uses."""

    def __init__(self, formula: str) -> None:
        self.formula = formula
        self.variables: set[str] = set()

    def value(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            self.literal(node)
        elif isinstance(node, ast.Name):
            name = _BY_LABEL.get(node.id, node.id)
            if name not in FORMULA_VARIABLES:
                if node.id in FUNCTIONS:
                    raise FormulaError(_("函数 %(name)s 需要带括号调用，如 %(name)s(a, b)。") % {"name": node.id})
                raise FormulaError(
                    _("未知变量“%(name)s”。可用变量：%(variables)s。")
                    % {"name": node.id, "variables": _variable_list()}
                )
            self.variables.add(name)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _VALUE_OPERATORS:
                raise FormulaError(_("不支持运算符 %(op)s：只能用 + - * / 和 **。") % {"op": _op_text(node.op)})
            if isinstance(node.op, ast.Pow):
                self.exponent(node.right)
            else:
                self.value(node.right)
            self.value(node.left)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                raise FormulaError(_("not 只能用在 “x if 条件 else y” 的条件里。"))
            if type(node.op) not in _VALUE_OPERATORS:
                raise FormulaError(_("不支持运算符 %(op)s。") % {"op": _op_text(node.op)})
            self.value(node.operand)
        elif isinstance(node, ast.IfExp):
            self.condition(node.test)
            self.value(node.body)
            self.value(node.orelse)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, ast.Compare | ast.BoolOp):
            raise FormulaError(_("比较和 and/or 只能用在 “x if 条件 else y” 的条件里。"))
        else:
            raise FormulaError(_describe_refused(node))

    def literal(self, node: ast.Constant) -> None:
        if isinstance(node.value, str | bytes):
            raise FormulaError(_("公式里不能有字符串。"))
        if isinstance(node.value, bool) or node.value is None or node.value is Ellipsis:
            raise FormulaError(_("公式里不能有 %(value)s。") % {"value": node.value})
        text = ast.get_source_segment(self.formula, node) or ""
        if not _LITERAL.fullmatch(text):
            raise FormulaError(_("数字“%(text)s”的写法不支持：请写成 12 或 2.5 这样的形式。") % {"text": text})
        if len(text.replace(".", "")) > MAX_LITERAL_DIGITS:
            raise FormulaError(_("数字“%(text)s”位数太多。") % {"text": text})

    def exponent(self, node: ast.AST) -> None:
        text = ast.get_source_segment(self.formula, node) if isinstance(node, ast.Constant) else None
        if text is None or not text.isdigit() or int(text) > MAX_EXPONENT:
            raise FormulaError(_("乘方的指数只能是 0 到 %(max)s 的整数。") % {"max": MAX_EXPONENT})

    def condition(self, node: ast.AST) -> None:
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARISONS:
                    raise FormulaError(_("条件里不支持 %(op)s：只能用 < <= > >= == !=。") % {"op": _op_text(op)})
            self.value(node.left)
            for comparator in node.comparators:
                self.value(comparator)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.condition(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.condition(node.operand)
        else:
            raise FormulaError(_("“if” 后面的条件必须是比较，如 楼层 > 6。"))

    def call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            raise FormulaError(_("公式里不能访问属性（.%(attr)s）。") % {"attr": node.func.attr})
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "?"
            raise FormulaError(_("不能调用函数“%(name)s”：只允许 min 和 max。") % {"name": name})
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(_("%(name)s 只接受用逗号分隔的数值。") % {"name": node.func.id})
        if len(node.args) < 2:
            raise FormulaError(_("%(name)s 至少需要两个数值。") % {"name": node.func.id})
        for arg in node.args:
            self.value(arg)


_OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.MatMult: "@",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def _op_text(op: ast.AST) -> str:
    return _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)


def _describe_refused(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return _("公式里不能访问属性（.%(attr)s）。") % {"attr": node.attr}
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return _("公式里不能使用推导式。")
    if isinstance(node, ast.Subscript):
        return _("公式里不能使用下标（[...]）。")
    if isinstance(node, ast.Lambda):
        return _("公式里不能定义函数（lambda）。")
    if isinstance(node, ast.JoinedStr | ast.FormattedValue):
        return _("公式里不能有字符串。")
    if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
        return _("公式里不能使用列表、元组或字典。")
    if isinstance(node, ast.NamedExpr):
        return _("公式里不能赋值。")
    return _("公式里不支持这种写法（%(kind)s）。") % {"kind": type(node).__name__}


def _check(formula: str) -> tuple[ast.expr, frozenset[str]]:
    """The formula's checked tree and the variables it uses. A bill run evaluates one item's formula
    for every house, so the check is done once per formula text (the tree is only read afterwards)."""
    if not isinstance(formula, str):
        raise FormulaError(_("公式必须是文本。"))
    return _checked(formula)


@functools.lru_cache(maxsize=256)  # refusals are raised, never cached: their message is in the caller's language
def _checked(formula: str) -> tuple[ast.expr, frozenset[str]]:
    tree = _parse(formula)
    checker = _Checker(formula)
    try:
        checker.value(tree)
    except RecursionError:
        raise FormulaError(_("公式嵌套太深。")) from None
    return tree, frozenset(checker.variables)


class _DecimalEval(simpleeval.SimpleEval):
    """simpleeval limited to the formula language, reading number literals as Decimal from their text."""

    def __init__(self, formula: str, names: dict[str, Decimal]) -> None:
        operators: dict[type[ast.AST], Callable[..., Any]] = {**_VALUE_OPERATORS, **_COMPARISONS}
        operators[ast.Not] = operator.not_
        super().__init__(operators=operators, functions=dict(FUNCTIONS), names=names)
        self.formula = formula
        self.nodes = {
            ast.Name: self.nodes[ast.Name],
            ast.UnaryOp: self.nodes[ast.UnaryOp],
            ast.BinOp: self.nodes[ast.BinOp],
            ast.BoolOp: self.nodes[ast.BoolOp],
            ast.Compare: self.nodes[ast.Compare],
            ast.IfExp: self.nodes[ast.IfExp],
            ast.Call: self.nodes[ast.Call],
            ast.Constant: self._decimal_literal,
        }

    def _decimal_literal(self, node: ast.Constant) -> Decimal:
        text = ast.get_source_segment(self.formula, node)
        if text is None or not _LITERAL.fullmatch(text):
            raise FormulaError(_("数字写法不支持。"))
        return Decimal(text)


def _run(formula: str, tree: ast.expr, names: dict[str, Decimal]) -> Decimal:
    evaluator = _DecimalEval(formula, names)
    try:
        with decimal.localcontext(_CONTEXT):
            result = evaluator.eval(formula, previously_parsed=tree)
    except FormulaError:
        raise
    except ZeroDivisionError:  # decimal.DivisionByZero is one
        raise FormulaError(_("公式计算时出现除以 0。")) from None
    except decimal.InvalidOperation:  # 0 / 0 among others
        raise FormulaError(_("公式计算时出现无意义的运算（如 0/0）。")) from None
    except decimal.Overflow:
        raise FormulaError(_("公式计算结果太大。")) from None
    except simpleeval.InvalidExpression as error:
        raise FormulaError(_("公式无法计算：%(reason)s") % {"reason": error}) from None
    if not isinstance(result, Decimal) or not result.is_finite():
        raise FormulaError(_("公式的结果不是一个数。"))
    return result


def check_formula(formula: str) -> None:
    """Raise FormulaError unless the formula is valid, and compute it once with every variable = 1 so
    errors such as division by zero are reported when it is saved. A negative sample result is not an
    error here (it depends on the real figures); evaluate_formula refuses it."""
    tree, _variables = _check(formula)
    _run(formula, tree, {name: Decimal(1) for name in FORMULA_VARIABLES} | dict.fromkeys(_BY_LABEL, Decimal(1)))


def evaluate_formula(formula: str, variables: Mapping[str, Decimal | int]) -> Decimal:
    """The formula's exact (unrounded) Decimal value for these figures.

    Raises FormulaError when the formula is invalid, uses a variable that was not given, divides by
    zero, or gives a negative result — a negative charge is an error to fix, not a 0 to hide (HC).
    """
    tree, used = _check(formula)
    names: dict[str, Decimal] = {}
    for name, value in variables.items():
        if name not in FORMULA_VARIABLES:
            raise FormulaError(_("未知变量“%(name)s”。") % {"name": name})
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise FormulaError(
                _("变量 %(label)s（%(name)s）必须是 Decimal 或整数，不能是 %(type)s。")
                % {"label": FORMULA_VARIABLES[name], "name": name, "type": type(value).__name__}
            )
        if isinstance(value, Decimal) and not value.is_finite():
            raise FormulaError(
                _("变量 %(label)s（%(name)s）不是有限的数。") % {"label": FORMULA_VARIABLES[name], "name": name}
            )
        names[name] = Decimal(value)
    missing = sorted(used - names.keys())
    if missing:
        raise FormulaError(
            _("缺少变量：%(names)s。") % {"names": "、".join(f"{FORMULA_VARIABLES[n]}（{n}）" for n in missing)}
        )
    names |= {label: names[name] for label, name in _BY_LABEL.items() if name in names}
    result = _run(formula, tree, names)
    if result < 0:
        raise FormulaError(_("公式的结果是负数（%(result)s），请检查公式或数据。") % {"result": result})
    return result
