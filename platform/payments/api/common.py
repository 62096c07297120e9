"""What the payments API's modules share: the money field and the order line as the owner sees it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

OWNER = "owner.self"
MERCHANT_SETTINGS = "payments.merchant"


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount in yuan, to the fen, as a decimal string ("89.50")."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class OrderLineSerializer(serializers.Serializer[Any]):
    item_id = serializers.IntegerField()
    name = serializers.CharField(source="label")
    amount = money_field()
    late_fee = money_field()
