"""The dashboard's 开始使用 checklist: each first-run step, done or not, read from the company's own
data with one EXISTS query per step (never a stored tick that could drift from the facts)."""

from __future__ import annotations

from dataclasses import dataclass

from billing.models import Charge, FeeItem
from tenants.estates.models import Estate, House
from tenants.residents.models import BindingStatus, HouseBinding, Person

# The steps in the order a new company takes them (the web admin names and links each one).
STEPS = ("estate", "houses", "residents", "fee_items", "first_bills", "owners")


@dataclass(frozen=True)
class Step:
    key: str
    done: bool


def onboarding_steps() -> list[Step]:
    done = {
        "estate": Estate.objects.exists(),
        "houses": House.objects.exists(),
        "residents": Person.objects.exists(),
        "fee_items": FeeItem.objects.exists(),
        # any charge issued: by a committed bill run, or entered one by one
        "first_bills": Charge.objects.exists(),
        # an owner in the mini-program, linked to a house by staff (or by the house's code)
        "owners": HouseBinding.objects.filter(status=BindingStatus.APPROVED).exists(),
    }
    return [Step(key=key, done=done[key]) for key in STEPS]
