"""The demo residents are valid data: checksummed ID numbers, mobiles, shares within 100%, one
primary payer per house, and a second run adds nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django_tenants.utils import tenant_context

from core.identity import id_number_problem
from tenants.demo.residents_seed import seed_residents
from tenants.estates import services as estate_services
from tenants.residents import pii
from tenants.residents.models import Occupancy, Person

pytestmark = pytest.mark.django_db


def test_demo_residents_are_valid_and_seeded_once(company_a):
    with tenant_context(company_a):
        estate = estate_services.create_estate(name="演示苑")
        building = estate_services.create_building(estate=estate, name="1栋", floors=10, units=["1单元", "2单元"])
        estate_services.generate_houses(
            building=building, per_floor=4, building_area=Decimal("90"), usable_area=Decimal("75"), status="occupied"
        )
        created = seed_residents()
        assert 100 <= created <= 160  # ~1.5 people per house over 80 houses
        assert seed_residents() == 0
        people = list(Person.objects.all())
        assert all(id_number_problem(p.id_number) is None for p in people if p.id_number)
        assert all(pii.phone_problem(p.phone) is None for p in people if p.phone)
        assert len({p.phone for p in people if p.phone}) == len([p for p in people if p.phone])
        shares = Occupancy.objects.values("house").annotate(total=Sum("share"))
        assert all(row["total"] is None or row["total"] <= 100 for row in shares)
        payers = Occupancy.objects.filter(is_primary_payer=True).values("house").annotate(n=Count("id"))
        assert all(row["n"] == 1 for row in payers)
        assert (
            Occupancy.objects.filter(relation="renter").exists()
            and Occupancy.objects.filter(relation="family").exists()
        )
