"""Repair orders made by hand for the statistics and performance tests: each at a chosen filing,
acceptance and completion time (the product's own moves stamp `now`)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import User
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.repairs import services as repair_services
from tenants.repairs.models import RepairOrder, Status, TimelineEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
FINISHED = (Status.COMPLETED, Status.CONFIRMED, Status.CLOSED)


def local(day: str, hhmm: str = "12:00") -> datetime:
    """A Beijing time: local("2026-03-31", "23:30")."""
    return datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(hhmm), tzinfo=SHANGHAI)


def repair_world(name: str = "统计苑") -> dict:
    """An estate with two buildings (two houses each) and three categories (two under 水电)."""
    admin = User.objects.get(username="admin")
    estate = estate_services.create_estate(name=name, actor=admin)
    buildings = []
    for building_name in ("1栋", "2栋"):
        building = estate_services.create_building(
            estate=estate, name=building_name, floors=1, units=["1单元"], actor=admin
        )
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("90"), usable_area=Decimal("80"), actor=admin
        )
        buildings.append(building)
    water = repair_services.create_category(actor=admin, name="水电")
    return {
        "admin": admin,
        "estate": estate,
        "buildings": buildings,
        "houses": list(House.objects.filter(estate=estate).order_by("building_id", "pk")),
        "leak": repair_services.create_category(actor=admin, name="管道漏水", parent=water),
        "lamp": repair_services.create_category(actor=admin, name="灯具更换", parent=water),
        "doors": repair_services.create_category(actor=admin, name="门窗"),
        "worker": User.objects.get(username="repair"),
    }


def make_order(
    world: dict,
    *,
    filed: datetime,
    status: Status = Status.COMPLETED,
    category: str = "leak",
    worker: User | None = None,
    house: int | None = 0,
    estate=None,
    accepted: datetime | None = None,
    completed: datetime | None = None,
    due: datetime | None = None,
    rating: int | None = None,
) -> RepairOrder:
    """An order filed at `filed`, in `status`; `accepted` writes the timeline's acceptance."""
    holds_worker = status not in (Status.SUBMITTED, Status.CANCELLED)
    order = RepairOrder.objects.create(
        number=f"S{RepairOrder.objects.count() + 1:07d}",
        house=world["houses"][house] if house is not None else None,
        location="" if house is not None else "小区大门",
        estate=estate or world["estate"],
        category=world[category],
        urgency="normal",
        description="统计用",
        filed_by=world["admin"],
        status=status,
        worker=(worker or world["worker"]) if holds_worker else None,
        due_at=due,
        completed_at=completed,
        rating=rating,
    )
    RepairOrder.objects.filter(pk=order.pk).update(created_at=filed)
    if accepted is not None:
        entry = TimelineEntry.objects.create(
            order=order, transition="accept", from_status=Status.DISPATCHED, to_status=Status.ACCEPTED
        )
        TimelineEntry.objects.filter(pk=entry.pk).update(at=accepted)
        RepairOrder.objects.filter(pk=order.pk).update(accepted_at=accepted)
    order.refresh_from_db()
    return order
