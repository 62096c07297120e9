"""Plan limits (houses, staff), held at the point of write.

`hold(kind, adding=n)` is called inside the transaction that creates the rows: it takes the
company's lock for that kind (a transaction-scoped advisory lock), counts what exists now, and
refuses with a 400 naming the limit and the usage when the plan has no room. The lock is held until
the creating transaction ends, so two concurrent creates of the last slot run one after the other
and the second sees the first's row.

What counts is told by the side that owns the rows: platform apps never import a company app, so
tenants.estates registers the house counter here (`register_counter`) when it loads. Staff accounts
are the platform's own (accounts): active users with a staff role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Plan, Subscription
from core import locks
from core.db import current_schema
from core.errors import DomainError

HOUSES = "houses"
STAFF = "staff"
LABELS = {HOUSES: gettext_lazy("房屋"), STAFF: gettext_lazy("员工账号")}

_counters: dict[str, Callable[[], int]] = {}


def register_counter(kind: str, counter: Callable[[], int]) -> None:
    """`counter()` returns how many `kind` the current company has (run in its schema)."""
    _counters[kind] = counter


def _count_staff() -> int:
    from accounts.models import User
    from accounts.roles import STAFF_ROLES

    return User.objects.filter(is_active=True, roles__overlap=[r.value for r in STAFF_ROLES]).count()


register_counter(STAFF, _count_staff)


def count(kind: str) -> int:
    if kind not in _counters:
        # A kind nobody registered counts as nothing: say so loudly rather than let writes through.
        raise LookupError(f"no usage counter registered for {kind!r}")
    return _counters[kind]()


@dataclass(frozen=True)
class Usage:
    kind: str
    used: int
    limit: int


def _plan_of_current_company() -> Plan | None:
    """The current company's plan (None on the public schema or a company without a subscription)."""
    subscription = Subscription.objects.select_related("plan").filter(company__schema_name=current_schema()).first()
    return subscription.plan if subscription else None


def limit_of(plan: Plan, kind: str) -> int:
    return {HOUSES: plan.max_houses, STAFF: plan.max_staff}[kind]


def usage(kind: str, plan: Plan | None = None) -> Usage | None:
    plan = plan or _plan_of_current_company()
    if plan is None:
        return None
    return Usage(kind=kind, used=count(kind), limit=limit_of(plan, kind))


def hold(kind: str, *, adding: int = 1) -> None:
    """Refuse (DomainError, 400) unless the plan has room for `adding` more `kind`; call inside the
    transaction that writes them, before writing."""
    if adding <= 0:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("limits.hold must run inside the transaction that writes the rows")
    plan = _plan_of_current_company()
    if plan is None:
        return  # the public schema and the template company have no plan to hold to
    locks.lock_company(f"plan-limit:{kind}")
    used = count(kind)
    limit = limit_of(plan, kind)
    if used + adding > limit:
        raise DomainError(over_limit_message(kind=kind, plan=plan, used=used, adding=adding), code="plan_limit")


def over_limit_message(*, kind: str, plan: Plan, used: int, adding: int) -> str:
    return _(
        "已超出套餐上限：「%(plan)s」最多 %(limit)s 个%(what)s，目前已有 %(used)s 个，本次新增 %(adding)s 个。"
        "请在 系统设置 → 订阅与套餐 中升级套餐。"
    ) % {"plan": plan.name, "limit": limit_of(plan, kind), "what": LABELS[kind], "used": used, "adding": adding}


def fits(plan: Plan) -> list[str]:
    """Why the current company's usage does not fit `plan` (empty when it does)."""
    problems = []
    for kind in (HOUSES, STAFF):
        used = count(kind)
        if used > limit_of(plan, kind):
            problems.append(
                _("「%(plan)s」最多 %(limit)s 个%(what)s，目前已有 %(used)s 个。")
                % {"plan": plan.name, "limit": limit_of(plan, kind), "what": LABELS[kind], "used": used}
            )
    return problems
