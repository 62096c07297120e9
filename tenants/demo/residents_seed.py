"""Demo residents: about 1,500 people across the demo estates' houses, with owners (some sharing a
house), family members and renters, plausible Hangzhou ID numbers and mobile numbers.

Deterministic (a fixed random seed), so every fresh demo looks the same, and written in bulk
through the same PII helpers the forms and imports use.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from core.identity import check_character
from tenants.estates.models import House, HouseStatus
from tenants.residents import pii
from tenants.residents.models import Occupancy, Person, Relation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国建华志强海燕晓东雪梅欣怡子涵浩然宇轩梓萱一诺雨桐俊杰"
)
REGIONS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330122"]
MOBILE_PREFIXES = [
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "177",
    "180",
    "186",
    "187",
    "188",
    "189",
    "199",
]


def _name(rng: random.Random, surname: str | None = None) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return (surname or rng.choice(SURNAMES)) + given


def _id_number(rng: random.Random, born: date, female: bool) -> str:
    sequence = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (0 if female else 1)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def _person(rng: random.Random, used_phones: set[str], *, age: tuple[int, int], surname: str | None = None) -> Person:
    female = rng.random() < 0.5
    born = date(2026, 1, 1) - timedelta(days=rng.randrange(age[0] * 365, age[1] * 365))
    person = Person(name=_name(rng, surname), gender="female" if female else "male")
    if age[0] >= 18:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"
            if phone not in used_phones:
                used_phones.add(phone)
                break
        person.set_phone(phone, pii.phone_index(phone))
    if rng.random() < 0.85:
        id_number = _id_number(rng, born, female)
        person.set_id_number(id_number, pii.id_number_index(id_number))
    return person


def seed_residents(*, seed: int = 2026) -> int:
    """Create the demo's residents unless some exist; returns how many people were created."""
    if Person.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 — demo data must be repeatable, not secret
    used: set[str] = set()
    houses = list(House.objects.order_by("pk"))
    people: list[Person] = []
    links: list[tuple[int, int, str, Decimal | None, bool, date]] = []  # house, person index, …
    status_updates: list[House] = []
    for house in houses:
        roll = rng.random()
        if roll < 0.06:
            status = HouseStatus.UNSOLD
        elif roll < 0.12:
            status = HouseStatus.VACANT
        elif roll < 0.16:
            status = HouseStatus.DECORATING
        elif roll < 0.30:
            status = HouseStatus.RENTING
        else:
            status = HouseStatus.OCCUPIED
        if house.status != status:
            house.status = status
            status_updates.append(house)
        if status == HouseStatus.UNSOLD:
            continue
        moved_in = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 13 * 365))
        owner = _person(rng, used, age=(28, 70))
        people.append(owner)
        co_owned = rng.random() < 0.2
        share = Decimal("50.00") if co_owned else Decimal("100.00")
        links.append((house.pk, len(people) - 1, Relation.OWNER, share, True, moved_in))
        if co_owned:
            people.append(_person(rng, used, age=(28, 70)))
            links.append((house.pk, len(people) - 1, Relation.OWNER, share, False, moved_in))
        if status == HouseStatus.OCCUPIED and rng.random() < 0.45:
            people.append(_person(rng, used, age=(3, 17), surname=owner.name[0]))
            links.append((house.pk, len(people) - 1, Relation.FAMILY, None, False, moved_in))
        if status == HouseStatus.RENTING:
            renter_in = moved_in + timedelta(days=rng.randrange(30, 900))
            people.append(_person(rng, used, age=(22, 45)))
            links.append((house.pk, len(people) - 1, Relation.RENTER, None, False, renter_in))
    with transaction.atomic():
        House.objects.bulk_update(status_updates, ["status"], batch_size=1000)
        Person.objects.bulk_create(people, batch_size=1000)
        Occupancy.objects.bulk_create(
            [
                Occupancy(
                    house_id=house_id,
                    person=people[index],
                    relation=relation,
                    share=share,
                    is_primary_payer=primary,
                    moved_in=moved_in,
                )
                for house_id, index, relation, share, primary, moved_in in links
            ],
            batch_size=1000,
        )
    return len(people)
