"""Repair orders: filing (by the owner in the app, or by staff on an owner's behalf) and every move of
the state machine (tenants.repairs.machine), each one row of the timeline and one audit row in the
same action, serialised on the order's row."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications.services import notify
from tenants.estates.models import Estate, House
from tenants.repairs import selectors
from tenants.repairs.machine import TRANSITIONS, Party, Transition
from tenants.repairs.models import (
    DispatchMode,
    PhotoKind,
    RepairCategory,
    RepairOrder,
    Scope,
    Status,
    TimelineEntry,
    Urgency,
)
from tenants.repairs.services import dispatch_rules, fees, sla
from tenants.repairs.services import photos as photo_services
from tenants.residents.models import Occupancy, Person

RATING_TAGS_MAX = 5


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _next_number() -> str:
    """R20261203-0001: the day's counter, raised in this transaction (a concurrent filer waits on its row)."""
    day = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO repairs_daycounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = repairs_daycounter.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"R{day:%Y%m%d}-{last:04d}"


def _place(*, category: RepairCategory, house: House | None, estate: Estate | None, location: str) -> Estate:
    location = location.strip()
    if category.scope == Scope.IN_HOUSE:
        if house is None:
            raise _invalid("house", _("户内报修请选择房屋。"))
        return house.estate
    if house is not None:
        raise _invalid("house", _("公共区域报修不选房屋，请填写小区和位置。"))
    if estate is None:
        raise _invalid("estate", _("请选择小区。"))
    if not location:
        raise _invalid("location", _("请填写报修位置。"))
    return estate


def _owner_houses(user: Any) -> list[House]:
    person = Person.objects.filter(user=user).first()
    if person is None:
        return []
    return [
        occupancy.house
        for occupancy in Occupancy.objects.filter(person=person, moved_out__isnull=True).select_related("house")
    ]


def _owner_of(house: House, person_id: int | None) -> tuple[Any, str]:
    """(app account, name) of the resident staff file for: one living in `house`."""
    if person_id is None:
        return None, ""
    occupancy = (
        Occupancy.objects.filter(house=house, person_id=person_id, moved_out__isnull=True)
        .select_related("person__user")
        .first()
    )
    if occupancy is None:
        raise _invalid("resident", _("该住户不住在所选房屋。"))
    user = occupancy.person.user
    return (user if user is not None and user.is_active else None), occupancy.person.name


@action
def file_order(
    *,
    actor: Any,
    party: Party,
    category: RepairCategory,
    description: str,
    urgency: str = "",
    house: House | None = None,
    estate: Estate | None = None,
    location: str = "",
    preferred_visit_at: datetime | None = None,
    resident: int | None = None,
    contact_name: str = "",
    photos: list[int] | None = None,
) -> RepairOrder:
    """File a repair: `party` OWNER for the caller's own house or estate, DISPATCHER on a resident's behalf."""
    if not category.is_active or (category.parent is not None and not category.parent.is_active):
        raise _invalid("category", _("该报修类别已停用。"))
    description = description.strip()
    if not description:
        raise _invalid("description", _("请描述需要维修的问题。"))
    urgency = urgency or category.default_urgency
    if urgency not in Urgency.values:
        raise _invalid("urgency", _("请选择紧急程度。"))
    place_estate = _place(category=category, house=house, estate=estate, location=location)
    owner = None
    if party == Party.OWNER:
        houses = _owner_houses(actor)
        if house is not None and house.pk not in {h.pk for h in houses}:
            raise _invalid("house", _("只能为自己的房屋报修。"))
        if house is None and place_estate.pk not in {h.estate_id for h in houses}:
            raise _invalid("estate", _("只能为自己所在小区的公共区域报修。"))
        owner, contact_name = actor, contact_name or actor.name
    elif house is not None:
        owner, name = _owner_of(house, resident)
        contact_name = contact_name or name
    due_at, sla_warn_at = sla.timers(category=category, urgency=urgency, now=timezone.now())
    order = RepairOrder.objects.create(
        number=_next_number(),
        house=house,
        estate=place_estate,
        location=location.strip(),
        category=category,
        urgency=urgency,
        description=description,
        preferred_visit_at=preferred_visit_at,
        owner=owner,
        contact_name=contact_name.strip()[:50],
        filed_by=actor,
        due_at=due_at,
        sla_warn_at=sla_warn_at,
    )
    entry = TimelineEntry.objects.create(order=order, transition="file", to_status=Status.SUBMITTED, actor=actor)
    attached = photo_services.attach(actor=actor, photo_ids=photos, order=order, entry=entry, kind=PhotoKind.PROBLEM)
    account_services.record_audit(
        actor=actor,
        action="repair.file",
        object_type="repair_order",
        object_id=order.pk,
        after={
            "number": order.number,
            "category": category.pk,
            "urgency": urgency,
            "by": str(party),
            "photos": attached,
        },
    )
    notify(selectors.dispatchers(), "repair.filed", order_context(order), key=f"repair.filed:{order.pk}")
    return dispatch_rules.auto_dispatch(order)


def order_context(order: RepairOrder) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "number": order.number,
        "place": order.house.label if order.house else f"{order.estate.name} {order.location}",
        "category": order.category.path,
        "urgency": str(Urgency(order.urgency).label),
    }


def _forbidden(order: RepairOrder, rule: Transition) -> DomainError:
    return DomainError(
        _("报修单当前为「%(status)s」，不能%(action)s。")
        % {"status": Status(order.status).label, "action": _LABELS.get(rule.name, rule.name)},
        code="transition_not_allowed",
        status_code=409,
    )


_LABELS = {
    "dispatch": gettext_lazy("派单"),
    "grab": gettext_lazy("抢单"),
    "accept": gettext_lazy("接单"),
    "start": gettext_lazy("开始维修"),
    "complete": gettext_lazy("完工"),
    "confirm": gettext_lazy("确认评价"),
    "close": gettext_lazy("关闭"),
    "transfer": gettext_lazy("转派"),
    "return": gettext_lazy("退回调度"),
    "cancel": gettext_lazy("取消"),
    "reopen": gettext_lazy("重新打开"),
}


def _not_found() -> DomainError:
    return DomainError(_("报修单不存在。"), code="not_found", status_code=404)


@action
def transition(
    *,
    order_id: int,
    name: str,
    actor: Any,
    party: Party,
    note: str = "",
    worker: Any = None,
    rating: int | None = None,
    tags: list[str] | None = None,
    photos: list[int] | None = None,
    fee: Decimal | None = None,
    materials: str = "",
) -> RepairOrder:
    """Move an order by one transition of the table, as `party`. The order's row is locked first, so
    concurrent moves of one order run one after the other and the second sees the first's state.
    Completion records the materials and the fee, and charges a paid repair's fee (services.fees)."""
    rule = TRANSITIONS.get(name)
    if rule is None:
        raise DomainError(_("未知的操作。"), code="unknown_transition", status_code=404)
    order = (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("category__parent", "estate", "house__building", "house__unit")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise _not_found()
    _check_party(order, rule, actor=actor, party=party)
    if order.status not in rule.sources:
        raise _forbidden(order, rule)
    if rule.needs_worker:
        if worker is None or not selectors.is_worker(worker):
            raise _invalid("worker", _("请选择维修师傅。"))
        if rule.name == "transfer" and worker.pk == order.worker_id:
            raise _invalid("worker", _("请选择另一位维修师傅。"))
    if rule.name == "confirm":
        if rating is None or not 1 <= rating <= 5:
            raise _invalid("rating", _("请评 1 到 5 星。"))
        tags = [tag.strip() for tag in (tags or []) if tag.strip()]
        if len(tags) > RATING_TAGS_MAX or any(len(tag) > 20 for tag in tags):
            raise _invalid("tags", _("最多 5 个标签，每个不超过 20 个字。"))
        order.rating, order.rating_tags = rating, tags
    if rule.name == "reopen":
        days = selectors.repair_settings().reopen_days
        if order.completed_at is None or timezone.now() > order.completed_at + timedelta(days=days):
            raise DomainError(
                _("完工超过 %(days)s 天的报修单不能重新打开，请重新报修。") % {"days": days},
                code="reopen_expired",
                status_code=409,
            )
        order.rating, order.rating_tags = None, []
    if rule.name == "complete":
        checked = fees.check_fee(order, fee)
        order.fee = order.fee if checked is None else checked  # completed again without a fee: kept
        order.materials = materials.strip()[:500] or order.materials
    return apply_transition(order, rule, actor=actor, worker=worker, note=note, photos=photos)


def _check_party(order: RepairOrder, rule: Transition, *, actor: Any, party: Party) -> None:
    if party == Party.OWNER and order.owner_id != actor.pk:
        raise _not_found()
    if party == Party.WORKER:
        grabbable = (
            order.status == Status.SUBMITTED
            and order.worker_id is None
            and order.category.dispatch_mode == DispatchMode.GRAB
        )
        if order.worker_id != actor.pk and not grabbable:
            raise _not_found()
    if party not in rule.parties:
        raise DomainError(
            _("您不能对该报修单执行「%(action)s」。") % {"action": _LABELS.get(rule.name, rule.name)},
            code="transition_not_allowed",
            status_code=409,
        )


# The moves that take photos, and what the photos show.
PHOTO_KINDS = {"start": PhotoKind.PROGRESS, "complete": PhotoKind.RESULT}


def apply_transition(
    order: RepairOrder, rule: Transition, *, actor: Any, worker: Any, note: str, photos: list[int] | None = None
) -> RepairOrder:
    source = order.status
    before = {"status": source, "worker": order.worker_id}
    now = timezone.now()
    if rule.needs_worker:
        order.worker = worker
    elif rule.name == "grab":
        order.worker = actor
    elif rule.name == "return":
        order.worker = None
    if rule.name == "complete":
        order.completed_at = now
    if rule.target == Status.ACCEPTED and order.accepted_at is None:
        order.accepted_at = now
    order.status = rule.target
    order.save()
    entry = TimelineEntry.objects.create(
        order=order,
        transition=rule.name,
        from_status=source,
        to_status=order.status,
        actor=actor,
        worker=order.worker if rule.needs_worker or rule.name == "grab" else None,
        note=note.strip()[:500],
        at=now,
    )
    after: dict[str, Any] = {"status": order.status, "worker": order.worker_id}
    if photos:
        kind = PHOTO_KINDS.get(rule.name, "")
        after["photos"] = photo_services.attach(actor=actor, photo_ids=photos, order=order, entry=entry, kind=kind)
    if rule.name == "confirm":
        after.update(rating=order.rating, tags=order.rating_tags)
    if rule.name == "complete":
        after.update(fee=None if order.fee is None else str(order.fee), materials=order.materials)
        after.update(fees.charge_completed(order, actor=actor))
    account_services.record_audit(
        actor=actor,
        action=f"repair.{rule.name}",
        object_type="repair_order",
        object_id=order.pk,
        before=before,
        after=after,
    )
    if order.status == Status.DISPATCHED:
        notify([order.worker], "repair.dispatched", order_context(order), key=f"repair.dispatched:{entry.pk}")
    elif order.status == Status.COMPLETED and order.owner is not None:
        notify([order.owner], "repair.completed", order_context(order), key=f"repair.completed:{entry.pk}")
    return order
