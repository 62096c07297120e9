"""The houses and residents writers: a validated plan carried out in bulk (bulk_create / bulk_update in
batches, a few statements per thousand rows). The caller holds the transaction; per-row services
would be two orders slower. The import's own audit row (import.commit) names who committed it.

Values were checked by the validation that made the plan (the same checks the forms use); the
database constraints still stand behind them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import Model
from django.utils import timezone

from accounts import services as account_services
from subscriptions.services import limits
from tenants.estates.models import Building, Estate, House, Unit
from tenants.estates.services import new_binding_code
from tenants.imports.check_houses import HousePlan
from tenants.imports.check_residents import PersonPlan, ResidentPlan
from tenants.imports.kinds import Progress
from tenants.residents.models import DocumentType, Occupancy, Person

BATCH = 2_000  # on_progress(done, total) is called after each batch


def _batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _counter(on_progress: Progress, total: int) -> Callable[[int], None]:
    """on_progress as rows are written: `advance(count)` after each batch of `count`."""
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        on_progress(done, total)

    return advance


def _update_by_fields(
    model: type[Model], changed: Iterable[tuple[tuple[str, ...], Model]], advance: Callable[[int], None]
) -> None:
    """Changed rows written 500 at a time, the rows changing the same fields in one statement."""
    by_fields: dict[tuple[str, ...], list[Model]] = defaultdict(list)
    for fields, row in changed:
        by_fields[fields].append(row)
    for fields, rows in by_fields.items():
        for batch in _batches(rows, 500):
            model._default_manager.bulk_update(batch, list(fields))
            advance(len(batch))


def _binding_codes(count: int) -> list[str]:
    """Fresh house codes, none already taken (8 characters of 32: a clash is rare, never fatal)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {new_binding_code() for _ in range(count - len(codes))} - codes
        taken = set(House.objects.filter(binding_code__in=wanted).values_list("binding_code", flat=True))
        codes |= wanted - taken
    return list(codes)


def write_houses(plan: HousePlan, on_progress: Progress, *, committed_by: Any = None) -> None:
    total = len(plan.new_houses) + len(plan.changed_houses)
    limits.hold(limits.HOUSES, adding=len(plan.new_houses))
    estate_ids = dict(plan.estate_ids)
    for new_estate in Estate.objects.bulk_create([Estate(name=name) for name in plan.new_estates]):
        estate_ids[new_estate.name] = new_estate.pk
    building_ids = dict(plan.building_ids)
    created = Building.objects.bulk_create(
        [
            Building(estate_id=estate_ids[estate], name=name, floors=floors, basement_floors=basement)
            for estate, name, floors, basement in plan.new_buildings
        ]
    )
    for (estate, name, _f, _b), building in zip(plan.new_buildings, created, strict=True):
        building_ids[(estate, name)] = building.pk
    unit_ids = dict(plan.unit_ids)
    created_units = Unit.objects.bulk_create(
        [Unit(building_id=building_ids[(estate, building)], name=name) for estate, building, name in plan.new_units],
        batch_size=BATCH,
    )
    for key, unit in zip(plan.new_units, created_units, strict=True):
        unit_ids[key] = unit.pk

    advance = _counter(on_progress, total)
    for batch in _batches(plan.new_houses):
        codes = _binding_codes(len(batch))
        House.objects.bulk_create(
            [
                House(
                    estate_id=estate_ids[key[0]],
                    building_id=building_ids[key[:2]],
                    unit_id=unit_ids[key[:3]],
                    number=key[3],
                    binding_code=code,
                    **fields,
                )
                for (key, fields), code in zip(batch, codes, strict=True)
            ]
        )
        advance(len(batch))
    changed = ((tuple(sorted(changes)), House(pk=pk, **changes)) for pk, changes in plan.changed_houses)
    _update_by_fields(House, changed, advance)


def _person(plan: PersonPlan) -> Person:
    person = Person(name=plan.name, gender=plan.gender or "")
    person.set_emergency_contact(plan.emergency_contact or "")
    if plan.phone:
        person.set_phone(plan.phone, plan.phone_index)
    if plan.id_number:
        person.set_id_number(plan.id_number, plan.id_number_index, plan.id_type or DocumentType.ID_CARD)
    return person


def _changed_person(plan: PersonPlan, now: Any) -> tuple[Person, tuple[str, ...]]:
    person = Person(pk=plan.pk, updated_at=now)
    fields = ["updated_at"]
    for name in sorted(plan.changes or ()):
        if name == "phone":
            person.set_phone(plan.phone or "", plan.phone_index)
            fields += ["phone", "phone_index", "phone_masked"]
        elif name == "id_number":
            person.set_id_number(plan.id_number or "", plan.id_number_index, plan.id_type or DocumentType.ID_CARD)
            fields += ["id_number", "id_number_index", "id_number_masked", "id_type"]
        elif name == "emergency_contact":
            person.set_emergency_contact(plan.emergency_contact or "")
            fields += ["emergency_contact", "emergency_contact_masked"]
        else:
            setattr(person, name, getattr(plan, name))
            fields.append(name)
    return person, tuple(fields)


def write_residents(plan: ResidentPlan, on_progress: Progress, *, committed_by: Any = None) -> None:
    total = (
        len(plan.new_persons)
        + len(plan.changed_persons)
        + len(plan.new_occupancies)
        + len(plan.changed_occupancies)
        + len(plan.ended_occupancies)
    )
    advance = _counter(on_progress, total)
    for batch in _batches(plan.new_persons):
        created = Person.objects.bulk_create([_person(person) for person in batch])
        for person, row in zip(batch, created, strict=True):
            person.pk = row.pk
        advance(len(batch))
    now = timezone.now()
    changed_people = ((fields, person) for person, fields in (_changed_person(p, now) for p in plan.changed_persons))
    _update_by_fields(Person, changed_people, advance)

    # Relations the file no longer lists end first (their primary payer flag with them), each on
    # the audit trail beside the import's own row.
    for batch in _batches(plan.ended_occupancies, 500):
        Occupancy.objects.bulk_update(
            [Occupancy(pk=pk, moved_out=moved_out, is_primary_payer=False) for pk, moved_out in batch],
            ["moved_out", "is_primary_payer"],
        )
        advance(len(batch))
    if plan.ended_occupancies:
        account_services.record_audit(
            actor=committed_by,
            action="import.relations_ended",
            object_type="occupancy",
            after={"ended": [{"occupancy": pk, "moved_out": day.isoformat()} for pk, day in plan.ended_occupancies]},
        )

    # A house's primary payer may move within the file: flags are cleared before any is set, so
    # the one-primary-payer index never sees two at once.
    clearing = [(pk, changes) for pk, changes in plan.changed_occupancies if changes.get("is_primary_payer") is False]
    setting = [
        (pk, changes) for pk, changes in plan.changed_occupancies if changes.get("is_primary_payer") is not False
    ]
    for group in (clearing, setting):
        changed = ((tuple(sorted(changes)), Occupancy(pk=pk, **changes)) for pk, changes in group)
        _update_by_fields(Occupancy, changed, advance)
        if group is clearing:
            for batch in _batches(plan.new_occupancies):
                Occupancy.objects.bulk_create(
                    [
                        Occupancy(
                            house_id=item.house_id,
                            person_id=item.person.pk,
                            relation=item.relation,
                            share=item.share,
                            is_primary_payer=item.is_primary_payer,
                            moved_in=item.moved_in,
                        )
                        for item in batch
                    ]
                )
                advance(len(batch))
