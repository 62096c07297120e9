from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenants.residents.models import HouseBinding


def bindings() -> QuerySet[HouseBinding]:
    return HouseBinding.objects.select_related("house__unit", "house__building", "house__estate", "user")


def bindings_of(user: Any) -> QuerySet[HouseBinding]:
    return bindings().filter(user=user)
