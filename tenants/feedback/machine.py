"""The feedback item's state machine: the only transitions there are, in one table.

Staff (feedback.handle) assign, reply, resolve and close (closing always with a reason); the owner
who filed withdraws before it is resolved, and rates it once resolved, which closes it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tenants.feedback.models import Status


class Party(StrEnum):
    STAFF = "staff"
    OWNER = "owner"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status
    party: Party
    needs_note: bool = False  # the reply, or the reason for closing


def _t(name: str, sources: set[Status], target: Status, party: Party, *, needs_note: bool = False) -> Transition:
    return Transition(name, frozenset(sources), target, party, needs_note)


S, P = Status, Party
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("assign", {S.SUBMITTED, S.ASSIGNED}, S.ASSIGNED, P.STAFF),
        _t("reply", {S.SUBMITTED, S.ASSIGNED, S.REPLIED}, S.REPLIED, P.STAFF, needs_note=True),
        _t("resolve", {S.REPLIED}, S.RESOLVED, P.STAFF),
        _t("close", {S.SUBMITTED, S.ASSIGNED, S.REPLIED, S.RESOLVED}, S.CLOSED, P.STAFF, needs_note=True),
        _t("withdraw", {S.SUBMITTED, S.ASSIGNED, S.REPLIED}, S.WITHDRAWN, P.OWNER),
        _t("rate", {S.RESOLVED}, S.CLOSED, P.OWNER),
    )
}


def allowed(status: str, party: Party) -> list[str]:
    """The transitions `party` may take from `status` (what a screen offers)."""
    return [t.name for t in TRANSITIONS.values() if status in t.sources and t.party == party]
