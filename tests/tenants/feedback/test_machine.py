"""The feedback state machine: every transition from every state, as the listed party and as the
other one; the timeline and audit row of each move."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from core.errors import DomainError
from tenants.feedback import services
from tenants.feedback.machine import TRANSITIONS, Party
from tenants.feedback.models import Status, TimelineEntry
from tests.tenants.feedback.world import feedback_world, make_item

pytestmark = pytest.mark.django_db

EXPECTED = {  # written out again here, so that a change to the table in code must be made twice
    "assign": ({"submitted", "assigned"}, "assigned", Party.STAFF),
    "reply": ({"submitted", "assigned", "replied"}, "replied", Party.STAFF),
    "resolve": ({"replied"}, "resolved", Party.STAFF),
    "close": ({"submitted", "assigned", "replied", "resolved"}, "closed", Party.STAFF),
    "withdraw": ({"submitted", "assigned", "replied"}, "withdrawn", Party.OWNER),
    "rate": ({"resolved"}, "closed", Party.OWNER),
}


def test_the_table_in_code_is_the_listed_one():
    in_code = {name: ({str(s) for s in t.sources}, str(t.target), t.party) for name, t in TRANSITIONS.items()}
    assert in_code == EXPECTED


def _extra(world, name):
    return {
        "assign": {"assignee": world["service"]},
        "reply": {"note": "已安排电工今天更换"},
        "close": {"note": "重复提交"},
        "rate": {"rating": 4},
    }.get(name, {"note": "表格测试"})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_transition_from_every_state(company_a, client_for, name):
    """From each of the six states: the listed ones move to the target with a timeline row (who,
    note) and an audit row; every other one is a 409 naming the state, and changes nothing."""
    world = feedback_world(company_a, client_for)
    sources, target, party = EXPECTED[name]
    wrong = []
    with tenant_context(company_a):
        actor = world["admin"] if party == Party.STAFF else world["owner"]
        for status in Status:
            item = make_item(world, status=status)
            try:
                moved = services.transition(
                    feedback_id=item.pk, name=name, actor=actor, party=party, **_extra(world, name)
                )
            except DomainError as error:
                if status in sources or error.status_code != 409 or str(status.label) not in error.message:
                    wrong.append((status.value, "refused", error.status_code, error.message))
                item.refresh_from_db()
                if item.status != status or item.timeline.exists():
                    wrong.append((status.value, "changed although refused"))
                continue
            if status not in sources:
                wrong.append((status.value, "allowed"))
                continue
            assert moved.status == target
            entry = TimelineEntry.objects.get(feedback=item)
            assert (entry.transition, entry.from_status, entry.to_status, entry.actor) == (
                name,
                status.value,
                target,
                actor,
            )
            assert entry.note == _extra(world, name).get("note", "")
            audit = AuditEvent.objects.get(action=f"feedback.{name}", object_id=str(item.pk))
            assert audit.before["status"] == status.value and audit.after["status"] == target
    assert wrong == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_other_party_may_never_take_a_transition(company_a, client_for, name):
    world = feedback_world(company_a, client_for)
    sources, _target, party = EXPECTED[name]
    other = Party.OWNER if party == Party.STAFF else Party.STAFF
    with tenant_context(company_a):
        actor = world["owner"] if other == Party.OWNER else world["admin"]
        item = make_item(world, status=sorted(sources)[0])
        with pytest.raises(DomainError) as refused:
            services.transition(feedback_id=item.pk, name=name, actor=actor, party=other, **_extra(world, name))
        assert refused.value.status_code == 409
        item.refresh_from_db()
        assert item.status == sorted(sources)[0] and not item.timeline.exists()


def test_closing_needs_a_reason_and_replying_a_text_and_rating_one_to_five(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        item = make_item(world)
        for name, extra, field in (("close", {"note": "  "}, "note"), ("reply", {}, "note")):
            with pytest.raises(DomainError) as refused:
                services.transition(feedback_id=item.pk, name=name, actor=world["admin"], party=Party.STAFF, **extra)
            assert field in refused.value.fields
        resolved = make_item(world, status=Status.RESOLVED)
        for rating in (None, 0, 6):
            with pytest.raises(DomainError) as refused:
                services.transition(
                    feedback_id=resolved.pk, name="rate", actor=world["owner"], party=Party.OWNER, rating=rating
                )
            assert "rating" in refused.value.fields
        assert not TimelineEntry.objects.filter(feedback__in=[item, resolved]).exists()


def test_an_owner_cannot_move_someone_elses_item(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        item = make_item(world)
        with pytest.raises(DomainError) as refused:
            services.transition(feedback_id=item.pk, name="withdraw", actor=world["other"], party=Party.OWNER)
        assert refused.value.status_code == 404
