"""A world for the activity tests: two estates with a house each, owners bound to them, activities."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.activities import services
from tenants.estates import services as estate_services
from tenants.estates.models import House


def estate_with_houses(company: Any, name: str, count: int = 2) -> tuple[Any, list[House]]:
    with tenant_context(company):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name=name, actor=admin)
        building = estate_services.create_building(
            estate=estate, name="1栋", floors=count, units=["1单元"], actor=admin
        )
        estate_services.generate_houses(
            building=building, per_floor=1, building_area=Decimal("90"), usable_area=Decimal("80"), actor=admin
        )
        return estate, list(House.objects.filter(estate=estate).order_by("pk"))


def activity(company: Any, *, publish: bool = True, **fields: Any) -> Any:
    now = timezone.now()
    fields.setdefault("title", "中秋游园会")
    fields.setdefault("description", "<p>猜灯谜<script>x</script></p>")
    fields.setdefault("place", "中心花园")
    fields.setdefault("start_at", now + timedelta(days=3))
    fields.setdefault("end_at", fields["start_at"] + timedelta(hours=2))
    fields.setdefault("signup_deadline", now + timedelta(days=2))
    fields.setdefault("capacity", 2)
    fields.setdefault("max_people", 2)
    with tenant_context(company):
        admin = User.objects.get(username="admin")
        made = services.create_activity(actor=admin, **fields)
        if publish:
            made = services.publish_activity(activity=made, actor=admin)
        return made
