"""The HC kind's checks and writer: the translated houses and residents go through our own houses and
residents checks and writers (so every rule of theirs applies the same), and each problem they find
is reported at the HC sheet, row and column it came from, quoting the value there.

Residents can only be checked against houses that exist; so the dry run writes the file's buildings
and houses inside a savepoint, checks the residents against them, and rolls the savepoint back:
nothing stays written. The commit writes them for real, then checks the residents again under the
same lock and writes them (all in the commit's one transaction).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import locks
from core.actions import action
from core.errors import DomainError
from tenants.estates.models import Building
from tenants.imports import kinds, writers
from tenants.imports.check_houses import HousePlan, validate_houses
from tenants.imports.check_residents import validate_residents
from tenants.imports.columns import RESIDENT_COLUMNS, CellError
from tenants.imports.hc import fees
from tenants.imports.hc.reader import KIND, HcTable
from tenants.imports.hc.rows import HouseRow, PersonRow, Translation
from tenants.imports.reading import Table
from tenants.imports.validation import Outcome, Problem, Progress
from tenants.residents.models import Occupancy, Relation

# A row of the built table named in one of our checks' problems, in either language ("与第 2 行重复",
# "duplicates row 2"): pointed back at the HC sheet and row it came from.
_ROW_MENTION = re.compile(r"第 (\d+) 行|\b[Rr]ow (\d+)\b")
_PERSON_PARSERS = {
    column.key: column for column in RESIDENT_COLUMNS if column.key in ("name", "phone", "id_number", "gender")
}


@dataclass
class HcPlan:
    estate: str
    houses: HousePlan
    people: list[dict[str, Any]]
    buildings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # existing: name → changed fields
    elevators: dict[str, bool] = field(default_factory=dict)  # 电梯 of the file's buildings, for new ones
    fee_setup: fees.FeeSetupPlan | None = None  # 费用设置's items and 房屋费用's assignments


def _table(kind: str, rows: list[dict[str, Any]]) -> Table:
    columns = kinds.get(kind).columns
    return Table(
        kind=kind,
        header_row=0,
        index={column.key: position for position, column in enumerate(columns)},
        header_index={column.header: position for position, column in enumerate(columns)},
        expected_rows=max(len(rows), 1),
        rest=((number, [values.get(column.key) for column in columns]) for number, values in enumerate(rows, 1)),
    )


def _person_row(person: PersonRow, estate: str) -> dict[str, Any]:
    building, unit, number = person.house
    return {**person.values, "estate": estate, "building": building, "unit": unit, "number": number}


class _Mapper:
    """Our checks' problems (rows of a table built from the translation) back at their HC cells."""

    def __init__(self, translation: Translation, sources: list[Any]):
        self.translation = translation
        self.sources = sources

    def add(self, problems: list[Problem], *, warning: bool = False) -> set[int]:
        """Place `problems` (or warnings) at their HC cells; the rows with a problem."""
        bad: set[int] = set()
        for problem in problems:
            if problem.row is None:
                (self.translation.warnings if warning else self.translation.problems).append(problem)
                continue
            if not warning:
                bad.add(problem.row)
            source = self.sources[problem.row - 1].source

            def where(match: re.Match[str], source: Any = source) -> str:
                row = int(match[1] or match[2])
                other = self.sources[row - 1].source if 0 < row <= len(self.sources) else None
                return _("%(sheet)s 第 %(row)s 行") % {"sheet": other.sheet, "row": other.row} if other else match[0]

            self.translation.problem(
                source.of(problem.column), _ROW_MENTION.sub(where, problem.message), warning=warning
            )
        return bad


def _buildings(table: HcTable) -> list[tuple[str, dict[str, Any]]]:
    """Existing buildings' 总层数 and 电梯 as the file says; a 总层数 below a house already on file is
    a problem of that 总层数."""
    translation = table.translation
    existing = {
        name: (floors, lift, highest)
        for name, floors, lift, highest in Building.objects.filter(
            estate__name=table.estate, name__in=translation.buildings
        )
        .annotate(highest=Max("houses__floor"))
        .values_list("name", "floors", "has_elevator", "highest")
    }
    changes = []
    for name, facts in translation.buildings.items():
        if name not in existing:
            continue
        floors, lift, highest = existing[name]
        wanted: dict[str, Any] = {}
        if facts.floors is not None and facts.floors != floors:
            if highest is not None and facts.floors < highest and facts.floors_cell is not None:
                translation.problem(
                    facts.floors_cell,
                    _("低于楼栋 %(building)s 已有房屋的最高楼层 %(floor)s。") % {"building": name, "floor": highest},
                )
            else:
                wanted["floors"] = facts.floors
        if facts.elevator is not None and facts.elevator != lift:
            wanted["has_elevator"] = facts.elevator
        if wanted:
            changes.append((name, wanted))
    return changes


def _apply_buildings(estate: str, changes: list[tuple[str, dict[str, Any]]]) -> None:
    for name, fields in changes:
        Building.objects.filter(estate__name=estate, name=name).update(**fields)


def _new_buildings(plan: HousePlan, translation: Translation) -> None:
    """New buildings get the file's 总层数 (when higher than its highest house) and 电梯."""
    plan.new_buildings = [
        (
            estate,
            name,
            max(floors, translation.buildings[name].floors or 0) if name in translation.buildings else floors,
            basement,
        )
        for estate, name, floors, basement in plan.new_buildings
    ]


def _person_cells(translation: Translation, people: list[PersonRow]) -> None:
    """The people of houses with problems cannot be checked against them; their own cells still are."""
    for person in people:
        for key, column in _PERSON_PARSERS.items():
            try:
                column.parse(person.values.get(key))
            except CellError as exc:
                translation.problem(person.source.of(column.header), exc.message)


def _check_houses(houses: list[HouseRow]) -> Outcome | None:
    if not houses:
        return None
    return validate_houses(_table("houses", [house.values for house in houses]), lambda done, total: None)


@dataclass
class _Probe:
    checked: Outcome | None
    people: list[PersonRow]
    buildings: list[tuple[str, dict[str, Any]]]
    counts: Counter[str]
    fee_setup: fees.FeeSetupPlan | None


def _kept_without_people(
    translation: Translation, estate: str, houses: list[HouseRow], people: list[PersonRow], counts: Counter[str]
) -> None:
    """A house the file lists with nobody on it keeps the people on file: a blank 业主编号 may be a
    partial file's omission as well as a house sold back, so nothing ends; the dry run says who stays."""
    empty = {house.key: house for house in houses}
    for person in people:
        empty.pop(person.house, None)
    if not empty:
        return
    staying: dict[tuple[str, str, str], list[str]] = {}
    for building, unit, number, name, relation in Occupancy.objects.filter(
        house__estate__name=estate, house__building__name__in={key[0] for key in empty}, moved_out__isnull=True
    ).values_list("house__building__name", "house__unit__name", "house__number", "person__name", "relation"):
        if (building, unit, number) in empty:
            staying.setdefault((building, unit, number), []).append(f"{name}（{Relation(relation).label}）")
    for key, names in staying.items():
        translation.problem(
            empty[key].source.of("房号"),
            _("文件中该房屋没有住户；系统中的 %(people)s 保留不变（文件未列出的住户关系不会结束）。")
            % {"people": _("、").join(sorted(names))},
            warning=True,
        )
    counts["houses_kept_without_people"] = len(staying)


# A probe, not a write: whatever it writes is rolled back before it returns (the dry run writes
# nothing, and the commit's re-check leaves the commit's transaction as it found it). An action
# only because the buildings and houses it writes meanwhile are refused outside one.
@action(audit=False)
def _probe(table: HcTable, houses: list[HouseRow]) -> _Probe:
    translation = table.translation
    counts: Counter[str] = Counter()
    # The commits that write these tables wait meanwhile (the commit running this holds it already):
    # a building or house written by both at once would fail the probe on a unique key.
    locks.lock_company(locks.BASIC_DATA)
    with transaction.atomic():
        buildings = _buildings(table)
        _apply_buildings(table.estate, buildings)
        checked = _check_houses(houses)
        bad = _Mapper(translation, houses).add(checked.problems) if checked is not None else set()
        good = [house for number, house in enumerate(houses, 1) if number not in bad]
        if bad:
            checked = _check_houses(good)
        good_keys = {house.key for house in good}
        people = [person for person in translation.people if person.house in good_keys]
        _person_cells(translation, [person for person in translation.people if person.house not in good_keys])
        if checked is not None:
            counts.update({f"houses_{key}": checked.counts.get(key, 0) for key in ("create", "update", "unchanged")})
            counts.update({key: checked.counts.get(key, 0) for key in ("new_buildings", "new_units")})
        if checked is not None and checked.plan is not None:
            _new_buildings(checked.plan, translation)
            try:
                writers.write_houses(checked.plan, lambda done, total: None)
            except DomainError as refused:  # the plan's house limit
                translation.problems.append(Problem(None, None, refused.message))
            else:
                rows = [_person_row(person, table.estate) for person in people]
                if rows:
                    residents = validate_residents(
                        _table("residents", rows), lambda done, total: None, whole_houses=True
                    )
                    _Mapper(translation, people).add(residents.problems)
                    _Mapper(translation, people).add(residents.warnings, warning=True)
                    counts["ended"] = residents.counts.get("ended", 0)
                    for key in ("create", "update", "unchanged", "new_persons", "updated_persons"):
                        counts[key if key.endswith("persons") else f"residents_{key}"] = residents.counts.get(key, 0)
                _kept_without_people(translation, table.estate, good, people, counts)
        # After the houses (when they could be written): which of them hold which fee already.
        fee_plan, fee_counts = fees.check(translation, table.estate)
        counts.update(fee_counts)
        transaction.set_rollback(True)
    return _Probe(checked, people, buildings, counts, fee_plan)


def validate_hc(table: Table, on_progress: Progress) -> Outcome:
    assert isinstance(table, HcTable)
    translation = table.translation
    bad_places = {(problem.sheet, problem.row) for problem in translation.problems}
    houses = [house for house in translation.houses if (house.source.sheet, house.source.row) not in bad_places]
    on_progress(0, 1)  # progress is its own durable write: never inside the probe
    probe = _probe(table, houses)
    on_progress(1, 1)
    checked, counts = probe.checked, probe.counts
    # One person of several houses is checked once per house: the same problem is said once.
    unique = {(p.sheet, p.row, p.column, p.message): p for p in translation.problems}
    problems = sorted(unique.values(), key=lambda p: (p.sheet or "", p.row or 0))
    plan = None
    if not problems and checked is not None and checked.plan is not None:
        elevators = {
            name: facts.elevator for name, facts in translation.buildings.items() if facts.elevator is not None
        }
        people_rows = [_person_row(person, table.estate) for person in probe.people]
        plan = HcPlan(table.estate, checked.plan, people_rows, probe.buildings, elevators, probe.fee_setup)
    for key in ("create", "update", "unchanged"):
        counts[key] = counts[f"houses_{key}"] + counts[f"residents_{key}"]
    counts["rows"] = table.expected_rows
    counts["errors"] = len({(problem.sheet, problem.row) for problem in problems})
    counts.update(translation.counts)
    said = {(w.sheet, w.row, w.column, w.message): w for w in translation.warnings}
    warnings = sorted(said.values(), key=lambda w: (w.sheet or "", w.row or 0))
    return Outcome(KIND, problems, dict(counts), plan, notes=translation.notes, warnings=warnings)


def write_hc(plan: HcPlan, on_progress: Progress, *, committed_by: Any = None) -> kinds.WriteResult:
    """The plan of a clean dry run, in the commit's transaction: buildings, houses, then residents
    (checked again now their houses exist; a problem then means the data changed: nothing lands)."""
    _apply_buildings(plan.estate, plan.buildings)
    writers.write_houses(plan.houses, lambda done, total: on_progress(done, 2 * max(total, 1)))
    new = [name for _estate, name, _floors, _basement in plan.houses.new_buildings if name in plan.elevators]
    for name in new:
        Building.objects.filter(estate__name=plan.estate, name=name).update(has_elevator=plan.elevators[name])
    if plan.people:
        residents = validate_residents(_table("residents", plan.people), lambda done, total: None, whole_houses=True)
        if not residents.clean:
            raise DomainError(residents.problems[0].message)
        writers.write_residents(residents.plan, lambda done, total: on_progress(total + done, 2 * max(total, 1)))
    if plan.fee_setup is not None:
        fees.write(plan.fee_setup, plan.estate, committed_by=committed_by)
    return kinds.WriteResult()
