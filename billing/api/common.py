"""What the ledger's API modules share: money fields, a house in brief, a user's display name."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from billing.services.common import CENT, MAX_AMOUNT
from tenants.estates.models import House

LEDGER_MAX = MAX_AMOUNT


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount in yuan, to the fen, as a decimal string ("89.50")."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return serializers.DecimalField(**kwargs)


def amount_input(**kwargs: Any) -> serializers.DecimalField:
    """An amount someone enters: positive, to the fen, within the ledger's columns."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=CENT, max_value=LEDGER_MAX, **kwargs)


class HouseBriefSerializer(serializers.Serializer[House]):
    id = serializers.IntegerField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    estate = serializers.IntegerField(source="estate_id")
    estate_name = serializers.CharField(source="estate.name")


def user_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "name", "") or getattr(user, "username", ""))
