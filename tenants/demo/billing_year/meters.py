"""The demo's meters and a year of readings."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from billing.models import Meter
from billing.services import meters
from tenants.estates.models import Building, House, HouseStatus, Unit

# More water and power in high summer and in winter.
SEASONS = {12: "1.1", 1: "1.2", 2: "1.15", 6: "1.15", 7: "1.35", 8: "1.4", 9: "1.1"}
WATER_FLOORS = 9  # of the metered unit


class MeterPlan:
    """Who has meters: the lower floors of the first building's first unit have water meters the
    property company reads (二次供水), its top floor a time-of-use power meter, and the building a
    shared meter for its lifts and corridors split by area. Readings follow the seasons and stay
    near the recent average, so none is held for review (except the one that should be)."""

    def __init__(self, building: Building, unit: Unit) -> None:
        houses = list(House.objects.filter(unit=unit).order_by("floor", "number"))
        self.building = building
        self.water_houses = [h for h in houses if h.floor <= WATER_FLOORS]
        top = max((h.floor for h in houses), default=0)
        self.power_houses = [h for h in houses if h.floor == top]
        self.water: list[tuple[Meter, Decimal, Decimal]] = []  # meter, last reading, typical use
        self.power: list[tuple[Meter, dict[str, Decimal], dict[str, Decimal]]] = []
        self.shared_meter: Meter | None = None
        self.shared_last = Decimal(0)

    def install(self, admin: Any, rng: random.Random) -> None:
        self.admin = admin
        self.rng = rng
        for house in self.water_houses:
            empty = house.status in (HouseStatus.UNSOLD, HouseStatus.VACANT)
            start = Decimal(rng.randint(120, 900))
            water = meters.create_meter(
                kind="water",
                number=f"SB{house.pk:06d}",
                actor=admin,
                house=house,
                rollover_at=Decimal("99999"),
                initial_reading=start,
            )
            self.water.append((water, start, Decimal(1) if empty else Decimal(rng.randint(7, 22))))
        for house in self.power_houses:
            empty = house.status in (HouseStatus.UNSOLD, HouseStatus.VACANT)
            power = meters.create_meter(
                kind="electricity", number=f"DB{house.pk:06d}", actor=admin, house=house, time_of_use=True
            )
            typical = (
                {"peak": Decimal(3), "valley": Decimal(2)}
                if empty
                else {"peak": Decimal(rng.randint(90, 200)), "valley": Decimal(rng.randint(50, 140))}
            )
            self.power.append((power, {"peak": Decimal(0), "valley": Decimal(0)}, typical))
        self.shared_meter = meters.create_meter(
            kind="electricity",
            number=f"GT{self.building.pk:04d}",
            actor=admin,
            building=self.building,
            split_by="area",
            multiplier=Decimal(10),
            initial_reading=Decimal(rng.randint(1000, 5000)),
        )
        self.shared_last = self.shared_meter.initial_reading

    @staticmethod
    def _season(day: date) -> Decimal:
        return Decimal(SEASONS.get(day.month, "1"))

    def _use(self, typical: Decimal, day: date) -> Decimal:
        if typical <= 3:
            return typical  # an empty flat: the same trickle every month
        noise = Decimal(self.rng.randint(80, 120)) / 100
        return (typical * self._season(day) * noise).quantize(Decimal(1))

    def read(self, day: date, *, spike: bool = False) -> None:
        """Every meter read on `day` (the reader's round near the month's end)."""
        for index, (meter, last, typical) in enumerate(self.water):
            use = self._use(typical, day) * (8 if spike and index == 5 else 1)
            last += use
            meters.record_reading(meter=meter, read_on=day, current=last, actor=self.admin, reader=self.admin)
            self.water[index] = (meter, last, typical)
        for meter, registers, usual in self.power:
            for register in ("peak", "valley"):
                registers[register] += self._use(usual[register], day)
                meters.record_reading(
                    meter=meter, read_on=day, current=registers[register], register=register, actor=self.admin
                )
        self.shared_last += (Decimal(self.rng.randint(250, 340)) * self._season(day)).quantize(Decimal(1))
        assert self.shared_meter is not None
        meters.record_reading(meter=self.shared_meter, read_on=day, current=self.shared_last, actor=self.admin)
