"""Fair queuing of the sends across companies, in two lanes: urgent events and the rest (bulk).

Each lane is a Redis sorted set of the companies (schemas) with something to send, scored by when
each may next be served: 0 for one just told (it goes first), the time of its last turn once served,
later when its rate ran out, its next message waits (quiet hours, a backoff) or a dead worker's
lease has to lapse. A worker's turn (`drain_once`) takes the company with the lowest due score —
and moves it to the back — and sends one batch there. So with companies A (20,000 owners) and B
(one message) waiting, B is served after at most one batch of A per worker: never behind A's
backlog, which stays in A's rows, not in the broker.

Workers run the lane as a few chains (NOTIFY_SLOTS per lane): a chain is a Celery task that takes a
turn and queues itself again, on the lane's own queue (the urgent one: settings.
NOTIFY_URGENT_QUEUE, which every worker consumes besides the default). A chain holds its slot with a
token that lapses (NOTIFY_SLOT_SECONDS) when its worker dies; the beat sweep then starts another.
When no company is due but one soon will be (its rate, a backoff, a lease), the chain waits for it
with its slot held; for a longer wait (quiet hours) it lets go, and the sweep starts one when due.

Redis only schedules: the rows are the queue. Whatever Redis forgets, the hourly per-company check
(`requeue`) puts back.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django_tenants.utils import schema_context

from core import redis_client
from core.db import current_schema
from notifications.services import batches

logger = logging.getLogger(__name__)

URGENT, BULK = "urgent", "bulk"
LANES = (URGENT, BULK)
PREFIX = "notify:"
DRAIN_TASK = "notifications.tasks.drain_lane"  # by name: services do not import the tasks

# Take the due company with the lowest score and move it to the back: {schema, the score given}.
_PICK = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return nil end
redis.call('ZADD', KEYS[1], ARGV[1], due[1])
return {due[1], ARGV[1]}
"""
# After a turn: score the company for its next one, or drop it when nothing is left. When the
# score changed since the turn began (another worker's turn, or new messages), the earlier of the two
# stands: a turn that found every row leased by this one scored the company for when our lease
# lapses, but we know better — our rows are sent, or given back and due in a moment. Nothing left by
# our look and a score someone else set: theirs stands (their turn is running, or messages arrived).
_SETTLE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score ~= false and tonumber(score) == tonumber(ARGV[2]) then
  if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
  return 1
end
if ARGV[3] ~= '' and (score == false or tonumber(ARGV[3]) < tonumber(score)) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
"""
# New messages: the company is due now (first in line), whatever later score it had.
_READY = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score == false or tonumber(score) > 0 then redis.call('ZADD', KEYS[1], 0, ARGV[1]) end
return 1
"""
# A chain keeps its slot while its token is the slot's.
_HOLD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  return 1
end
return 0
"""


def _redis() -> Any:
    return redis_client.client()


def _ready_key(lane: str) -> str:
    return f"{PREFIX}ready:{lane}"


def _slot_key(lane: str, slot: int) -> str:
    return f"{PREFIX}slot:{lane}:{slot}"


def lane_of(*, urgent: bool) -> str:
    return URGENT if urgent else BULK


def queue_of(lane: str) -> str:
    return settings.NOTIFY_URGENT_QUEUE if lane == URGENT else settings.CELERY_TASK_DEFAULT_QUEUE


def mark_ready(lane: str, schema: str | None = None) -> None:
    """This company has new messages in the lane: due now."""
    _redis().register_script(_READY)(keys=[_ready_key(lane)], args=[schema or current_schema()])


def publish(lane: str, slot: int, token: str, *, countdown: float = 0) -> None:
    """Queue a chain's next turn on the lane's queue (tests replace this and run turns themselves)."""
    from celery import current_app

    with schema_context("public"):  # the task picks its company; it starts in none
        current_app.send_task(DRAIN_TASK, args=(lane, slot, token), queue=queue_of(lane), countdown=countdown)


def kick(lane: str) -> int:
    """Start a chain in every free slot of the lane; how many started."""
    started = 0
    for slot in range(settings.NOTIFY_SLOTS[lane]):
        token = uuid.uuid4().hex
        if _redis().set(_slot_key(lane, slot), token, nx=True, ex=settings.NOTIFY_SLOT_SECONDS):
            try:
                publish(lane, slot, token)
            except Exception:
                _redis().delete(_slot_key(lane, slot))
                logger.warning("notifications: lane %s slot %s not handed to the broker; the sweep will", lane, slot)
                continue
            started += 1
    return started


def hold(lane: str, slot: int, token: str) -> bool:
    """Is the slot still this chain's? (Refreshes its lapse.)"""
    script = _redis().register_script(_HOLD)
    return bool(script(keys=[_slot_key(lane, slot)], args=[token, settings.NOTIFY_SLOT_SECONDS]))


def let_go(lane: str, slot: int, token: str) -> None:
    _redis().register_script(_HOLD)(keys=[_slot_key(lane, slot)], args=[token, ""])


def due(lane: str) -> bool:
    return bool(_redis().zrangebyscore(_ready_key(lane), "-inf", time.time(), start=0, num=1))


def soonest(lane: str) -> float | None:
    """Seconds until the lane's first company is due (0 when one is); None when the lane is empty."""
    first = _redis().zrange(_ready_key(lane), 0, 0, withscores=True)
    return max(first[0][1] - time.time(), 0.0) if first else None


def drain_once(lane: str) -> bool:
    """One turn: the next due company's batch in the lane. False when no company is due."""
    picked = _redis().register_script(_PICK)(keys=[_ready_key(lane)], args=[repr(time.time())])
    if not picked:
        return False
    schema, score = picked
    urgent = lane == URGENT
    try:
        with schema_context(schema):
            ids = batches.claim(urgent=urgent, limit=settings.NOTIFY_BATCH)
            outcome = batches.send_batch(ids) if ids else batches.Outcome()
            upcoming = batches.next_due(urgent=urgent)
    except Exception:
        logger.exception("notifications: a batch of %s in lane %s failed", schema, lane)
        _settle(lane, schema, score, time.time() + settings.NOTIFY_RETRY_SECONDS)
        return True
    at = None if upcoming is None else _epoch(upcoming)
    if at is not None and outcome.wait:
        at = max(at, time.time() + outcome.wait)
    _settle(lane, schema, score, at)
    return True


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _settle(lane: str, schema: str, score: str, at: float | None) -> None:
    script = _redis().register_script(_SETTLE)
    script(keys=[_ready_key(lane)], args=[schema, score, "" if at is None else repr(at)])


def run_chain(lane: str, slot: int, token: str) -> bool:
    """A chain's task: one turn, then its next turn queued; when nothing is due, the slot let go.
    True when it queued itself again."""
    if not hold(lane, slot, token):
        return False  # the slot lapsed and another chain has it, or this one was redelivered late
    if drain_once(lane):
        publish(lane, slot, token)
        return True
    wait = soonest(lane)
    if wait is not None and wait <= settings.NOTIFY_SLOT_SECONDS / 2:
        # A company's rate, a backoff or a lease runs out soon: the chain waits for it, slot held.
        publish(lane, slot, token, countdown=max(wait, 0.01))
        return True
    let_go(lane, slot, token)
    if due(lane):  # told between our last look and letting go
        kick(lane)
    return False


def sweep() -> int:
    """Beat: chains for every lane with a company due and a free slot (the first after a worker died,
    a wait ran out, or a hand-over to the broker was lost)."""
    return sum(kick(lane) for lane in LANES if due(lane))


def requeue() -> None:
    """In one company's schema: put it back in the lanes it has messages in (Redis lost them)."""
    for lane in LANES:
        if batches.next_due(urgent=lane == URGENT) is not None:
            mark_ready(lane)


def run_until_idle(*, limit: int = 10_000) -> int:
    """Turns in this process, urgent lane first, until no company is due (tests, the demo seed)."""
    turns = 0
    while turns < limit and any(drain_once(lane) for lane in LANES):
        turns += 1
    return turns
