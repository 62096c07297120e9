"""The residents kind's checks: people found by document number or name and phone (blind indexes,
never decrypted) — or, with neither, by name within the same house only, so two namesakes are never
merged — and their relations to existing houses, with each house's shares and primary payer. The
file is the whole list of a house's relations of each kind it names: a current relation it no longer
lists (the previous owner of a sold house) is ended, shown first in the dry run's warnings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.estates.models import House
from tenants.imports.check_houses import PlaceKey
from tenants.imports.reading import Table
from tenants.imports.resident_rows import NAME_COLUMN, checked_document, people_of_row
from tenants.imports.validation import PROGRESS_EVERY, Findings, Outcome, Progress, chunks, parse_rows
from tenants.residents import pii
from tenants.residents.models import Gender, Occupancy, Person, Relation

PERSON_FIELDS = ("name", "phone", "id_number", "gender", "emergency_contact")


@dataclass(slots=True, eq=False)
class PersonPlan:
    """A person the file names: an existing row (pk and what to change) or a new one. Phone and ID
    numbers of existing people are compared by blind index, never decrypted."""

    pk: int | None
    name: str
    phone: str | None = None
    id_number: str | None = None
    id_type: str | None = None
    gender: str | None = None
    emergency_contact: str | None = None
    phone_index: str = ""
    id_number_index: str = ""
    given: dict[str, int] = field(default_factory=dict)  # field -> the first row that gives it
    changes: set[str] | None = None
    changed_rows: set[int] | None = None
    claimed: bool = False  # an existing person without ID number already matched by an ID-numbered row

    def _same(self, name: str, value: Any, phone_index: str, id_index: str) -> bool:
        if name == "phone":
            return self.phone_index == phone_index
        if name == "id_number":
            return self.id_number_index == id_index
        return getattr(self, name) == value

    def take(self, number: int, values: dict, phone_index: str, id_index: str) -> tuple[str, str] | None:
        """The row's values into this person; a clash with an earlier row of the file is a problem
        (returned as column, message)."""
        for name in PERSON_FIELDS:
            value = values.get(name)
            if value is None:
                continue
            earlier = self.given.get(name)
            if earlier is not None:
                if not self._same(name, value, phone_index, id_index):
                    return _LABELS[name], _(
                        "与第 %(row)s 行的同一人（同一身份证号或姓名加手机号）%(label)s不一致。"
                    ) % {"row": earlier, "label": _LABELS[name]}
                continue
            self.given[name] = number
            if self.pk is not None:
                if self._same(name, value, phone_index, id_index):
                    continue
                self.changes = (self.changes or set()) | {name}
                self.changed_rows = (self.changed_rows or set()) | {number}
            setattr(self, name, value)
            if name == "phone":
                self.phone_index = phone_index
            elif name == "id_number":
                self.id_number_index = id_index
                self.id_type = values.get("id_type")
        return None


@dataclass(slots=True)
class OccupancyPlan:
    house_id: int
    person: PersonPlan
    relation: str
    share: Decimal | None
    is_primary_payer: bool
    moved_in: date | None  # None: unknown (left blank in the file), never guessed


@dataclass
class ResidentPlan:
    new_persons: list[PersonPlan] = field(default_factory=list)
    changed_persons: list[PersonPlan] = field(default_factory=list)
    new_occupancies: list[OccupancyPlan] = field(default_factory=list)
    changed_occupancies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    ended_occupancies: list[tuple[int, date]] = field(default_factory=list)  # pk, moved out


def _load_houses(estate_names: set[str]) -> dict[PlaceKey, int]:
    rows = House.objects.filter(estate__name__in=estate_names).values_list(
        "id", "estate__name", "building__name", "unit__name", "number"
    )
    return {(estate, building, unit, number): pk for pk, estate, building, unit, number in rows}


_PERSON_COLUMNS = ("id", "name", "phone_index", "id_number_index", "gender", "emergency_contact")
_OCCUPANCY_COLUMNS = ("id", "house_id", "person_id", "relation", "share", "is_primary_payer", "moved_in")


def validate_residents(table: Table, on_progress: Progress, *, whole_houses: bool = False) -> Outcome:
    """`whole_houses`: a house the file lists anyone in is listed whole (HC's workbooks: every person
    of a house is on its rows), so any current relation of it the file does not name ends."""
    findings = Findings()
    parsed = parse_rows(table, findings, on_progress, passes=2)
    row_count = len(parsed)
    total = row_count * 2
    has_phone_column = "phone" in table.index

    houses = _load_houses({values["estate"] for _n, values in parsed if values.get("estate")})
    rows: list[tuple[int, dict, int]] = []
    as_current: dict[str, str] = {}  # a value's index under an older key -> under the current key
    ages = 0
    for number, values in parsed:
        ages += values.pop("age", None) is not None
        placeholders = values.pop("placeholders", set())
        if values.get("gender") == Gender.MALE and placeholders & {"phone", "id_number", "age"}:
            # HC's notes: gender "如果没有该信息固定写男" — beside a placeholder it is that default.
            del values["gender"]
            findings.warn(number, "性别", _("“男”是 HC 在没有信息时的默认性别（本行另有占位值）：按未填导入，请补录。"))
        if number in findings.bad_rows:
            continue
        house_id = houses.get((values["estate"], values["building"], values["unit"], values["number"]))
        if house_id is None:
            findings.add(number, "房号", _("房屋不存在：系统中没有这个小区、楼栋、单元和房号的房屋，请先导入房屋。"))
            continue
        if values.get("share") is not None and values["relation"] != Relation.OWNER:
            findings.add(number, "产权份额(%)", _("只有业主才有产权份额。"))
            continue
        if not checked_document(number, values, findings):
            continue
        if not values.get("phone") and not values.get("id_number") and not values.get("masked"):
            findings.warn(
                number,
                "手机号" if has_phone_column else "身份证号",
                _("没有手机号和证件号：只在本房屋内按姓名识别此人，不会与其他房屋的同名住户合并。"),
            )
        for entry in people_of_row(number, values, findings):
            # Blind indexes once per person (HMAC: microseconds), the keys existing people are found
            # by. During a key rotation a stored row may carry the index under an older key: those
            # are looked up too and read back as the current one, so the plan compares like with like.
            phone_indexes = pii.phone_indexes(entry.get("phone", ""))
            id_indexes = pii.id_number_indexes(entry.get("id_number", ""), entry.get("id_type", ""))
            entry["phone_index"] = phone_indexes[0] if phone_indexes else ""
            entry["id_index"] = id_indexes[0] if id_indexes else ""
            for indexes in (phone_indexes, id_indexes):
                for older in indexes[1:]:
                    as_current[older] = indexes[0]
            rows.append((number, entry, house_id))
    del parsed, houses
    if ages:
        findings.warn(None, "年龄", _("“年龄”列未导入：住户档案不记录年龄（%(n)s 行填了年龄）。") % {"n": ages})

    # Existing people and current relations: a few queries by the file's keys. Phone and ID numbers
    # stay encrypted; only the emergency contacts of people the file names are read, to tell a change.
    people: dict[int, tuple] = {}
    for column, key in (("phone_index", "phone_index"), ("id_number_index", "id_index")):
        wanted = {values[key] for _n, values, _h in rows} - {""}
        wanted |= {older for older, current in as_current.items() if current in wanted}
        for batch in chunks(wanted):
            for row in Person.objects.filter(**{f"{column}__in": batch}).values_list(*_PERSON_COLUMNS):
                pk, name, phone_index, id_index, *rest = row
                known = (pk, name, as_current.get(phone_index, phone_index), as_current.get(id_index, id_index), *rest)
                people.setdefault(pk, known)
    current: dict[int, list[tuple]] = defaultdict(list)  # house -> its current relations
    for batch in chunks({house_id for _n, _v, house_id in rows}):
        for row in Occupancy.objects.filter(house_id__in=batch, moved_out__isnull=True).values_list(
            *_OCCUPANCY_COLUMNS
        ):
            current[row[1]].append(row)
    occupancy_of = {(row[1], row[2], row[3]): row for relations in current.values() for row in relations}
    # The people living in the file's houses: found by name there when a row names no phone or
    # document, and named in the report when their relation ends.
    occupants = {row[2] for relations in current.values() for row in relations} - set(people)
    for batch in chunks(occupants):
        for row in Person.objects.filter(pk__in=batch).values_list(*_PERSON_COLUMNS):
            pk, name, phone_index, id_index, *rest = row
            people[pk] = (pk, name, as_current.get(phone_index, phone_index), as_current.get(id_index, id_index), *rest)
    by_id_index = {row[3]: row for row in people.values() if row[3]}
    by_name_phone: dict[tuple[str, str], tuple] = {}
    for pk in sorted(people):
        row = people[pk]
        if row[2]:
            by_name_phone.setdefault((row[1], row[2]), row)
    by_house_name: dict[tuple[int, str], tuple] = {}
    for house_id, relations in current.items():
        for row in sorted(relations, key=lambda item: item[2]):
            by_house_name.setdefault((house_id, pii.comparable_name(people[row[2]][1])), people[row[2]])
    names = {pk: row[1] for pk, row in people.items()}

    plans: dict[int, PersonPlan] = {}

    def plan_of(row: tuple) -> PersonPlan:
        known = plans.get(row[0])
        if known is None:
            known = plans[row[0]] = PersonPlan(
                pk=row[0],
                name=row[1],
                phone_index=row[2],
                id_number_index=row[3],
                gender=row[4],
                emergency_contact=row[5],
            )
        return known

    persons_by_id: dict[str, PersonPlan] = {}
    persons_by_name_phone: dict[tuple[str, str], PersonPlan] = {}
    persons_by_house_name: dict[tuple[int, str], PersonPlan] = {}
    resolved: dict[int, PersonPlan] = {}  # entry (its position in rows) -> person
    # Rows with a document first, then with a phone: the (name, phone) of a person they name is then
    # known to rows without a document, and their name in their house to rows with neither — the
    # same way on the first import and on every later one.
    ordered = sorted(
        enumerate(rows), key=lambda item: 0 if item[1][1]["id_index"] else 1 if item[1][1]["phone_index"] else 2
    )
    for step, (position, (number, values, house_id)) in enumerate(ordered, 1):
        if step % PROGRESS_EVERY == 0:
            on_progress(row_count + step // 2, total)
        phone_index, id_index = values["phone_index"], values["id_index"]
        name_phone = (values["name"], phone_index)
        house_name = (house_id, pii.comparable_name(values["name"]))
        if not id_index and not phone_index:
            # No phone, no document: the same name in the same house, never a namesake elsewhere.
            person = persons_by_house_name.get(house_name)
            if person is None:
                existing = by_house_name.get(house_name)
                person = plan_of(existing) if existing is not None else PersonPlan(pk=None, name=values["name"])
                persons_by_house_name[house_name] = person
        elif id_index:
            person = persons_by_id.get(id_index)
            if person is None:
                existing = by_id_index.get(id_index)
                if existing is None and phone_index:
                    # Someone already on file by name and phone, without an ID number: this is them.
                    candidate = by_name_phone.get(name_phone)
                    if candidate is not None and not candidate[3] and not plan_of(candidate).claimed:
                        existing = candidate
                if existing is not None:
                    person = plan_of(existing)
                    person.claimed = True
                else:
                    person = PersonPlan(pk=None, name=values["name"])
                persons_by_id[id_index] = person
        else:
            person = persons_by_name_phone.get(name_phone)
            if person is None:
                existing = by_name_phone.get(name_phone)
                person = plan_of(existing) if existing is not None else PersonPlan(pk=None, name=values["name"])
        clash = person.take(number, values, phone_index, id_index)
        if clash:
            findings.add(number, *clash)
            continue
        if phone_index:
            persons_by_name_phone.setdefault(name_phone, person)
        persons_by_house_name.setdefault(house_name, person)
        resolved[position] = person
    del ordered, people, by_id_index, by_name_phone, persons_by_id, persons_by_name_phone, as_current
    del by_house_name, persons_by_house_name

    # Relations, in file order; then each house's owners' shares and primary payers as they would be.
    plan = ResidentPlan()
    verdicts: dict[int, str] = {}
    seen: dict[tuple[int, int, str], int] = {}
    house_rows: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    touched: set[int] = set()
    shares: dict[int, Decimal] = defaultdict(Decimal)
    payers: dict[int, int] = defaultdict(int)
    today = timezone.localdate()
    for done, (number, values, house_id) in enumerate(rows, 1):
        if done % PROGRESS_EVERY == 0:
            on_progress(row_count + (len(rows) + done) // 2, total)
        person = resolved.get(done - 1)
        if person is None or number in findings.bad_rows:
            continue
        relation = values["relation"]
        stay = (house_id, id(person), relation)
        if stay in seen:
            findings.add(number, "关系", _("与第 %(row)s 行重复（同一房屋、同一人、同一关系）。") % {"row": seen[stay]})
            continue
        seen[stay] = number
        house_rows[house_id].append((number, values))
        existing = occupancy_of.get((house_id, person.pk, relation)) if person.pk is not None else None
        if existing is None:
            share, primary = values.get("share"), bool(values.get("primary_payer"))
            plan.new_occupancies.append(
                OccupancyPlan(house_id, person, relation, share, primary, values.get("moved_in"))
            )
            verdicts[number] = "create"
        else:
            changes = {
                name: values[source]
                for name, source, position in (
                    ("share", "share", 4),
                    ("is_primary_payer", "primary_payer", 5),
                    ("moved_in", "moved_in", 6),
                )
                if values.get(source) is not None and values[source] != existing[position]
            }
            share, primary = changes.get("share", existing[4]), changes.get("is_primary_payer", existing[5])
            touched.add(existing[0])
            if changes:
                plan.changed_occupancies.append((existing[0], changes))
            verdict = "update" if changes or number in (person.changed_rows or ()) else "unchanged"
            if verdicts.get(number) != "create":  # a row naming two people: its strongest verdict
                verdicts[number] = "update" if verdicts.get(number) == "update" else verdict
        if relation == Relation.OWNER and share:
            shares[house_id] += share
        payers[house_id] += primary
    for house_id, rows_of_house in house_rows.items():
        # A row of our own export (masked numbers) does not speak for the whole house: the export may
        # have been filtered, so only rows typed or brought from another system end relations.
        listed = {values["relation"] for _number, values in rows_of_house if not values.get("masked")}
        if whole_houses and listed:
            listed = set(Relation.values)
        for row in current.get(house_id, ()):
            if row[0] in touched:
                continue
            if row[3] in listed:
                # The file lists this house's relations of this kind, and not this one: it ends.
                moved_out = max(today, row[6]) if row[6] else today
                plan.ended_occupancies.append((row[0], moved_out))
                ending = {"name": names.get(row[2], ""), "relation": Relation(row[3]).label, "date": moved_out}
                message = _(
                    "将结束 %(name)s 的%(relation)s关系：文件中该房屋的%(relation)s已不含此人，迁出日期记为 %(date)s。"
                )
                findings.warn(rows_of_house[0][0], NAME_COLUMN, message % ending)
                continue
            shares[house_id] += row[4] if row[3] == Relation.OWNER and row[4] else 0
            payers[house_id] += row[5]
        if shares[house_id] > 100:
            total_share = f"{shares[house_id].normalize():f}"
            with_share = [number for number, values in rows_of_house if values.get("share") is not None]
            for number in with_share or [rows_of_house[0][0]]:
                findings.add(
                    number,
                    "产权份额(%)",
                    _("该房屋业主的产权份额合计为 %(total)s%%，超过 100%%。") % {"total": total_share},
                )
        if payers[house_id] > 1:
            marked = [number for number, values in rows_of_house if values.get("primary_payer")]
            message = (
                _("每套房屋只能有一位主缴费人，文件中该房屋标了 %(n)s 位。") % {"n": len(marked)}
                if len(marked) == payers[house_id]
                else _("该房屋已有主缴费人；每套房屋只能有一位，请把原主缴费人在文件中标为“否”。")
            )
            for number in marked or [rows_of_house[0][0]]:
                findings.add(number, "主缴费人", message)

    if findings.problems:
        plan.ended_occupancies = []
    people_in_file = {id(person): person for person in resolved.values()}.values()
    plan.new_persons = [person for person in people_in_file if person.pk is None]
    plan.changed_persons = [person for person in people_in_file if person.pk is not None and person.changes]
    return findings.outcome(
        "residents",
        plan,
        rows=row_count,
        verdicts=verdicts,
        blank_rows=table.blank_rows,
        new_persons=len(plan.new_persons),
        updated_persons=len(plan.changed_persons),
        ended=len(plan.ended_occupancies),
        warnings=len(findings.warnings),
    )


_LABELS = {
    "name": "姓名",
    "phone": "手机号",
    "id_number": "身份证号",
    "gender": "性别",
    "emergency_contact": "紧急联系人",
}
