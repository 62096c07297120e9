"""What the service-desk browser tests set up the same way: a small estate of fresh houses in company
alpha, and an owner signed in to the H5 app and bound to one of them (the binding approved as a
genuine owner's would be, so the test starts where the owner's day does)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.test_owner_h5 import H5_INDEX, _owner_logs_in


def require_h5_build() -> None:
    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")


def small_estate(in_company_db, name: str, *, building: str = "1栋", floors: int = 2, per_floor: int = 1):
    """An estate `name` with one building of `floors` × `per_floor` houses; (estate, houses by id)."""
    from accounts.models import User
    from tenants.estates import services as estate_services
    from tenants.estates.models import House

    with in_company_db("alpha"):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name=name, actor=admin)
        block = estate_services.create_building(
            estate=estate, name=building, floors=floors, units=["1单元"], actor=admin
        )
        estate_services.generate_houses(
            building=block, per_floor=per_floor, building_area=Decimal("90"), usable_area=Decimal("80"), actor=admin
        )
        return estate, list(House.objects.filter(estate=estate).order_by("pk"))


def bound_owner(page, live_stack, in_company_db, *, phone: str, house, name: str):
    """Sign `phone` in to the H5 app on `page` and bind them to `house` as its owner; the user."""
    from accounts.models import User
    from accounts.services import phone_indexes
    from tenants.residents.services import bindings as binding_services

    _owner_logs_in(page, live_stack, phone)
    with in_company_db("alpha"):
        user = User.objects.get(phone_index__in=phone_indexes(phone), roles__contains=["resident"])
        binding = binding_services.request_binding(user=user, house=house, relation="owner", name=name)
        binding_services.approve_binding(binding_id=binding.pk, actor=None)
    return user
