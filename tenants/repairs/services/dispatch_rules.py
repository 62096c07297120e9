"""Auto-dispatch: the rules (category, optionally an estate or a building → a worker) kept by
repairs.manage, and their use when an order is filed.

An order is dispatched inside its filing transaction, so the owner's answer already shows the
worker and no dispatcher sees the order unassigned for a moment and assigns it by hand at the same
time; the work is two or three indexed reads. Grab mode leaves the order to the workers; otherwise
the most specific matching rules name the worker (several of one scope: the least loaded of them),
and without a rule round-robin mode sends it to the least loaded of all the workers while assign
mode leaves it to the dispatcher. The choice reads the workers' loads under a company lock held to
the end of the filing transaction, so two orders filed at once are counted one after the other and
do not both go to the same idle worker."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from core.locks import lock_company
from tenants.estates.models import Building, Estate
from tenants.repairs import selectors
from tenants.repairs.machine import TRANSITIONS
from tenants.repairs.models import DispatchMode, DispatchRule, RepairCategory, RepairOrder
from tenants.repairs.services import orders

LOCK = "repairs-dispatch"  # core.locks: one auto-dispatch choice at a time in a company


def auto_dispatch(order: RepairOrder) -> RepairOrder:
    """Dispatch a just-filed order as its category and the rules say (inside file_order's action)."""
    mode = order.category.dispatch_mode
    if mode == DispatchMode.GRAB:
        return order
    team = selectors.rule_team(order)
    if not team and mode != DispatchMode.ROUND_ROBIN:
        return order
    lock_company(LOCK)
    if team:
        worker, note = selectors.least_loaded(team), _("按派单规则自动派单")
    else:
        worker, note = selectors.least_loaded(list(selectors.workers())), _("按工作量自动派单")
    if worker is None:
        return order
    return orders.apply_transition(order, TRANSITIONS["dispatch"], actor=None, worker=worker, note=note)


def _view(rule: DispatchRule) -> dict[str, Any]:
    return {
        "category": rule.category_id,
        "estate": rule.estate_id,
        "building": rule.building_id,
        "worker": rule.worker_id,
    }


def _check(rule: DispatchRule) -> None:
    problems: dict[str, list[str]] = {}
    if rule.category.dispatch_mode == DispatchMode.GRAB:
        problems["category"] = [_("抢单类别由师傅抢单，不按规则派单；请先修改该类别的派单方式。")]
    if not selectors.is_worker(rule.worker):
        problems["worker"] = [_("请选择在职的维修师傅。")]
    if rule.building is not None:
        if rule.estate is None:
            rule.estate = rule.building.estate
        elif rule.building.estate_id != rule.estate.pk:
            problems["building"] = [_("楼栋不属于所选小区。")]
    if problems:
        raise DomainError(next(iter(problems.values()))[0], fields=problems)


def _taken() -> DomainError:
    message = _("已有相同的派单规则。")
    return DomainError(message, code="duplicate", fields={"worker": [message]})


@action
def create_rule(
    *,
    actor: Any,
    category: RepairCategory,
    worker: Any,
    estate: Estate | None = None,
    building: Building | None = None,
) -> DispatchRule:
    rule = DispatchRule(category=category, worker=worker, estate=estate, building=building)
    _check(rule)
    with conflict_as(_taken()):
        rule.save()
    account_services.record_audit(
        actor=actor,
        action="repair_dispatch_rule.create",
        object_type="repair_dispatch_rule",
        object_id=rule.pk,
        after=_view(rule),
    )
    return rule


@action
def update_rule(*, rule: DispatchRule, actor: Any, **changes: Any) -> DispatchRule:
    rule = (
        DispatchRule.objects.select_for_update(of=("self",))
        .select_related("category", "estate", "building")
        .get(pk=rule.pk)
    )
    before = _view(rule)
    for key in ("category", "worker", "estate", "building"):
        if key in changes:
            setattr(rule, key, changes[key])
    if "building" in changes and "estate" not in changes and rule.building is not None:
        rule.estate = None  # a new building brings its own estate
    _check(rule)
    with conflict_as(_taken()):
        rule.save()
    account_services.record_audit(
        actor=actor,
        action="repair_dispatch_rule.update",
        object_type="repair_dispatch_rule",
        object_id=rule.pk,
        before=before,
        after=_view(rule),
    )
    return rule


@action
def delete_rule(*, rule: DispatchRule, actor: Any) -> None:
    before, pk = _view(rule), rule.pk
    rule.delete()
    account_services.record_audit(
        actor=actor,
        action="repair_dispatch_rule.delete",
        object_type="repair_dispatch_rule",
        object_id=pk,
        before=before,
    )
