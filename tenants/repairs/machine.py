"""The repair order's state machine: the only transitions there are, in one table.

Each transition names the states it leaves, the state it reaches and who may take it: the
dispatcher (repairs.dispatch), the worker (the one assigned; for `grab`, any worker while the
category is in grab mode), the owner who filed (or on whose behalf staff filed), or the system —
auto-dispatch at filing (services.dispatch_rules) and auto-close (services.sla), with no actor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tenants.repairs.models import Status


class Party(StrEnum):
    DISPATCHER = "dispatcher"
    WORKER = "worker"
    OWNER = "owner"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status
    parties: frozenset[Party]
    needs_worker: bool = False  # the caller names the worker it goes to


def _t(
    name: str, sources: set[Status], target: Status, parties: set[Party], *, needs_worker: bool = False
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(parties), needs_worker)


S, P = Status, Party
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("dispatch", {S.SUBMITTED}, S.DISPATCHED, {P.DISPATCHER, P.SYSTEM}, needs_worker=True),
        _t("grab", {S.SUBMITTED}, S.ACCEPTED, {P.WORKER}),
        _t("accept", {S.DISPATCHED}, S.ACCEPTED, {P.WORKER}),
        _t("start", {S.ACCEPTED}, S.IN_PROGRESS, {P.WORKER}),
        _t("complete", {S.IN_PROGRESS}, S.COMPLETED, {P.WORKER}),
        _t("confirm", {S.COMPLETED}, S.CONFIRMED, {P.OWNER}),
        _t("close", {S.CONFIRMED}, S.CLOSED, {P.DISPATCHER}),
        _t("auto_close", {S.COMPLETED}, S.CLOSED, {P.SYSTEM}),  # not confirmed within auto_close_days
        _t("transfer", {S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}, S.DISPATCHED, {P.DISPATCHER}, needs_worker=True),
        _t("return", {S.DISPATCHED, S.ACCEPTED}, S.SUBMITTED, {P.WORKER}),
        _t("cancel", {S.SUBMITTED, S.DISPATCHED, S.ACCEPTED}, S.CANCELLED, {P.OWNER, P.DISPATCHER}),
        _t("reopen", {S.COMPLETED, S.CONFIRMED, S.CLOSED}, S.DISPATCHED, {P.OWNER, P.DISPATCHER}),
    )
}


def allowed(status: str, party: Party) -> list[str]:
    """The transitions `party` may take from `status` (what a screen offers)."""
    return [t.name for t in TRANSITIONS.values() if status in t.sources and party in t.parties]
