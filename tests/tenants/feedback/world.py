"""A company's feedback world for the tests: an estate with houses, two owners living in them, and
items put straight into any state."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.feedback.models import Feedback, Kind, Status
from tests.tenants.test_repairs import _owner


def feedback_world(company, client_for, name="意见苑") -> dict:
    with tenant_context(company):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name=name, actor=admin)
        building = estate_services.create_building(estate=estate, name="1栋", floors=1, units=["1单元"], actor=admin)
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("90"), usable_area=Decimal("80"), actor=admin
        )
        houses = list(House.objects.filter(estate=estate).order_by("pk"))
    owner_client, owner = _owner(company, client_for, houses[0], username=f"fb-owner-{company.slug}")
    other_client, other = _owner(company, client_for, houses[1], username=f"fb-other-{company.slug}")
    with tenant_context(company):
        return {
            "estate": estate,
            "houses": houses,
            "admin": admin,
            "service": User.objects.get(username="service"),
            "owner": owner,
            "owner_client": owner_client,
            "other": other,
            "other_client": other_client,
        }


def make_item(world, *, status=Status.SUBMITTED, kind=Kind.COMPLAINT, anonymous=False, due_in_hours=24, **extra):
    """An item put straight into `status` (run inside the company's schema)."""
    return Feedback.objects.create(
        kind=kind,
        house=world["houses"][0],
        estate=world["estate"],
        description="楼道灯坏了很久",
        owner=world["owner"],
        anonymous=anonymous,
        status=status,
        assignee=world["service"] if status != Status.SUBMITTED else None,
        reply_due_at=timezone.now() + timedelta(hours=due_in_hours),
        **extra,
    )
