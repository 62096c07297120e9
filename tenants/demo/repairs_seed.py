"""Demo repairs (idempotent): a company's categories (two levels, each dispatch mode, in the home and
public areas) and a handful of repair orders filed by the front desk for residents, moved through the
real transitions to varied states. Nothing is invented: every order's timeline is what the services
wrote, at the time the seed ran.

A second run adds nothing: it stops when the company has any repair category.
"""

from __future__ import annotations

from typing import Any

from accounts import selectors as account_selectors
from accounts.roles import Role
from core.actions import action
from tenants.repairs import services
from tenants.repairs.machine import Party
from tenants.repairs.models import DispatchMode, RepairCategory, Scope, Urgency
from tenants.residents.models import Occupancy

# (top, [(child, default urgency, hours by urgency, dispatch mode, scope, paid)])
_FAST = {"normal": 24, "urgent": 8, "emergency": 2}
CATEGORIES: list[tuple[str, list[tuple[str, str, dict[str, int], str, str, bool]]]] = [
    (
        "水电",
        [
            ("管道漏水", Urgency.URGENT, _FAST, DispatchMode.ASSIGN, Scope.IN_HOUSE, False),
            ("电路跳闸", Urgency.URGENT, _FAST, DispatchMode.ASSIGN, Scope.IN_HOUSE, False),
            ("水龙头更换", Urgency.NORMAL, {"normal": 48}, DispatchMode.GRAB, Scope.IN_HOUSE, True),
        ],
    ),
    (
        "门窗",
        [
            ("门锁维修", Urgency.NORMAL, {"normal": 48, "urgent": 12}, DispatchMode.ROUND_ROBIN, Scope.IN_HOUSE, True),
            ("窗户密封", Urgency.NORMAL, {"normal": 72}, DispatchMode.ASSIGN, Scope.IN_HOUSE, False),
        ],
    ),
    (
        "公共设施",
        [
            ("公共照明", Urgency.NORMAL, {"normal": 24, "urgent": 8}, DispatchMode.ASSIGN, Scope.PUBLIC, False),
            ("电梯故障", Urgency.EMERGENCY, {"urgent": 4, "emergency": 1}, DispatchMode.ASSIGN, Scope.PUBLIC, False),
        ],
    ),
]

# (category, description, location for public ones, the moves after filing)
ORDERS: list[tuple[str, str, str, list[str]]] = [
    ("管道漏水", "厨房水槽下方管道漏水，地面有积水", "", []),
    ("电路跳闸", "卫生间插座一用就跳闸", "", ["dispatch"]),
    ("公共照明", "楼道 3 层声控灯不亮", "3栋1单元楼道", ["dispatch", "accept"]),
    ("窗户密封", "主卧窗户漏风，下雨渗水", "", ["dispatch", "accept", "start"]),
    ("管道漏水", "阳台地漏返水", "", ["dispatch", "accept", "start", "complete"]),
    ("电梯故障", "2 号电梯停在 5 层不动", "1栋电梯厅", ["dispatch", "accept", "start", "complete"]),
    ("水龙头更换", "厨房水龙头关不紧", "", []),  # grab mode: waits for a worker to take it
    ("电路跳闸", "客厅灯闪烁", "", ["cancel"]),
]
NOTES = {
    "dispatch": "请尽快联系住户",
    "complete": "已处理完毕，请住户确认",
    "cancel": "住户来电：已自行处理",
}


def _residents_houses() -> list[Any]:
    """Occupancies of residents (a house and its person), a stable order."""
    return list(
        Occupancy.objects.filter(moved_out__isnull=True, relation="owner")
        .select_related("house__estate", "person")
        .order_by("house_id")[: len(ORDERS)]
    )


@action(audit=False)
def seed_repairs() -> int:
    """Returns how many repair orders it filed."""
    if RepairCategory.objects.exists():
        return 0
    staff = account_selectors.staff_users()
    admin = staff.filter(roles__contains=[Role.ADMIN.value]).first()
    desk = staff.filter(roles__contains=[Role.DISPATCHER.value]).first() or admin
    workers = list(staff.filter(roles__contains=[Role.REPAIR_WORKER.value]).order_by("pk"))
    by_name: dict[str, RepairCategory] = {}
    for position, (top_name, children) in enumerate(CATEGORIES):
        top = services.create_category(actor=admin, name=top_name, sort_order=position)
        for child_order, (name, urgency, hours, mode, scope, paid) in enumerate(children):
            by_name[name] = services.create_category(
                actor=admin,
                name=name,
                parent=top,
                default_urgency=urgency,
                sla_hours=hours,
                dispatch_mode=mode,
                scope=scope,
                is_paid=paid,
                sort_order=child_order,
            )
    occupancies = _residents_houses()
    if not occupancies or not workers:
        return 0
    filed = 0
    for index, (category_name, description, location, moves) in enumerate(ORDERS):
        category = by_name[category_name]
        occupancy = occupancies[index % len(occupancies)]
        place: dict[str, Any] = (
            {"estate": occupancy.house.estate, "location": location}
            if category.scope == Scope.PUBLIC
            else {"house": occupancy.house, "resident": occupancy.person_id}
        )
        order = services.file_order(
            actor=desk,
            party=Party.DISPATCHER,
            category=category,
            description=description,
            contact_name=occupancy.person.name,
            **place,
        )
        worker = workers[index % len(workers)]
        for move in moves:
            party = Party.DISPATCHER if move in ("dispatch", "cancel") else Party.WORKER
            order = services.transition(
                order_id=order.pk,
                name=move,
                actor=desk if party == Party.DISPATCHER else worker,
                party=party,
                worker=worker if move == "dispatch" else None,
                note=NOTES.get(move, ""),
            )
        filed += 1
    return filed
