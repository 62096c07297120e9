"""The write kernel and its outbox: one transaction per action with its audit row and its outgoing
work; relayed on commit; a lost message found by the sweeper and delivered exactly once; a failing
one retried with backoff, then dead-lettered — never looping forever."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent
from core import actions
from core import services as core_services
from core.actions import action, emit
from core.models import Job
from core.outbox import registry
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage, OutboxStatus
from core.schemas import Schema
from tenants.estates.models import Estate

effects: list[tuple[str, str]] = []
failures = {"left": 0}
buried: list[dict] = []


@registry.handles("tests.effect")
def _effect(*, marker: str) -> None:
    """Deliberately NOT idempotent: each run leaves a job, so a double delivery would show."""
    effects.append((connection.schema_name, marker))
    core_services.create_job(kind="tests.effect", params={"marker": marker})


def _bury(*, marker: str, error: str) -> None:
    buried.append({"marker": marker, "error": error, "schema": connection.schema_name})


@registry.handles("tests.flaky", on_dead=_bury, max_attempts=3)
def _flaky(*, marker: str) -> None:
    if failures["left"] > 0:
        failures["left"] -= 1
        raise OperationalError("server closed the connection unexpectedly")
    effects.append((connection.schema_name, marker))


@registry.handles("tests.sloppy", max_attempts=1)
def _sloppy(*, marker: str) -> None:
    """Writes in a transaction of its own, as a handler that forgot its action would (no audit row)."""
    with transaction.atomic():
        Job.objects.create(kind="tests.sloppy", params={"marker": marker})


second_copies: list[str] = []


def _bury_while_a_second_copy_arrives(*, marker: str, error: str) -> None:
    """Told once the message is given up; meanwhile a second copy of it reaches another worker."""
    buried.append({"marker": marker, "error": error, "schema": connection.schema_name})
    if not second_copies:
        second_copies.append("arriving")
        second_copies[0] = outbox.deliver(message_id=_message(f"racing:{marker}").pk)


@registry.handles("tests.racing-bury", on_dead=_bury_while_a_second_copy_arrives, max_attempts=1)
def _never_reports(*, marker: str) -> None:
    raise AssertionError("the worker running this died: it is never run again")


@action(schema=Schema.COMPANY)
def make_estate(*, name: str, fail_after_write: bool = False, audit: bool = True) -> Estate:
    estate = Estate.objects.create(name=name)
    if audit:
        account_services.record_audit(actor=None, action="estate.create", object_type="estate", object_id=estate.pk)
    emit("tests.effect", {"marker": name}, key=f"estate:{name}")
    if fail_after_write:
        raise RuntimeError("boom after the business row")
    return estate


@action(schema=Schema.COMPANY, audit=False)
def emit_flaky(*, marker: str) -> None:
    emit("tests.flaky", {"marker": marker}, key=f"flaky:{marker}")


@pytest.fixture(autouse=True)
def _clean():
    effects.clear()
    buried.clear()
    second_copies.clear()
    failures["left"] = 0


def _message(key: str) -> OutboxMessage:
    with schema_context("public"):
        return OutboxMessage.objects.get(key=key)


def _age(message: OutboxMessage, **fields) -> None:
    """Move a message's clocks into the past, as if minutes had gone by."""
    past = timezone.now() - timedelta(minutes=30)
    with schema_context("public"):
        OutboxMessage.objects.filter(pk=message.pk).update(**{field: past for field in fields})


@pytest.mark.django_db
def test_an_action_commits_its_row_audit_and_message_together(company_a, outbox_sent):
    with tenant_context(company_a):
        estate = make_estate(name="和平苑")
        assert AuditEvent.objects.filter(action="estate.create", object_id=str(estate.pk)).count() == 1
    message = _message("estate:和平苑")
    assert message.schema_name == "c_alpha" and message.status == OutboxStatus.PENDING
    assert outbox_sent == [message.pk]  # relayed once the transaction committed


@pytest.mark.django_db
def test_an_exception_after_the_business_row_leaves_nothing(company_a, outbox_sent):
    with tenant_context(company_a):
        with pytest.raises(RuntimeError):
            make_estate(name="半途而废", fail_after_write=True)
        assert not Estate.objects.filter(name="半途而废").exists()
        assert not AuditEvent.objects.filter(action="estate.create").exists()
    with schema_context("public"):
        assert not OutboxMessage.objects.filter(key="estate:半途而废").exists()
    assert outbox_sent == []


@pytest.mark.django_db
def test_an_action_without_its_audit_row_is_refused(company_a):
    with tenant_context(company_a):
        with pytest.raises(actions.NotAudited):
            make_estate(name="无审计", audit=False)
        assert not Estate.objects.filter(name="无审计").exists()


@pytest.mark.django_db
def test_an_action_that_finds_nothing_to_change_owes_no_audit_row(company_a):
    @action(schema=Schema.COMPANY)
    def rename_if_there(*, name: str) -> int:
        return Estate.objects.filter(name=name).update(name=f"{name}（新）")  # an UPDATE, even of no rows

    @action(schema=Schema.COMPANY)
    def nothing_to_do(*, name: str) -> bool:
        return Estate.objects.filter(name=name).exists()  # reads only: already done, say

    with tenant_context(company_a):
        assert nothing_to_do(name="不存在") is False
        with pytest.raises(actions.NotAudited):
            rename_if_there(name="不存在")


@pytest.mark.django_db
def test_audit_and_emit_outside_an_action_are_refused(company_a):
    with tenant_context(company_a):
        with pytest.raises(actions.OutsideAction):
            account_services.record_audit(actor=None, action="x")
        with pytest.raises(actions.OutsideAction):
            emit("tests.effect", {"marker": "x"}, key="x")


@pytest.mark.django_db
def test_an_unknown_topic_fails_in_the_action_not_later(company_a):
    @action(schema=Schema.COMPANY, audit=False)
    def typo() -> None:
        emit("tests.no-such-topic", {}, key="k")

    with tenant_context(company_a), pytest.raises(registry.UnknownTopic):
        typo()


@pytest.mark.django_db
def test_the_same_key_emits_once_per_company(company_a, company_b):
    @action(schema=Schema.COMPANY, audit=False)
    def twice() -> list:
        return [emit("tests.effect", {"marker": "m"}, key="same"), emit("tests.effect", {"marker": "m"}, key="same")]

    with tenant_context(company_a):
        first, second = twice()
    with tenant_context(company_b):
        other, _ = twice()
    assert first and second is None and other and other != first


@pytest.mark.django_db
def test_a_message_lost_after_commit_is_delivered_once_by_the_sweeper(company_a, company_b, outbox_sent):
    with tenant_context(company_a):
        make_estate(name="丢失的消息")
    message = _message("estate:丢失的消息")
    assert effects == []  # the broker lost it: nothing ran
    outbox_sent.clear()
    outbox.sweep()
    assert message.pk not in outbox_sent  # just sent: the sweeper leaves it to the worker for now
    _age(message, sent_at=True)
    outbox.sweep()
    assert outbox_sent.count(message.pk) == 1
    assert outbox.deliver(message_id=message.pk) == "done"
    # A second copy (the broker's own redelivery, another sweep) finds it done.
    assert outbox.deliver(message_id=message.pk) == "skipped"
    _age(message, sent_at=True)
    outbox.sweep()
    assert outbox_sent.count(message.pk) == 1
    assert effects == [("c_alpha", "丢失的消息")]
    with tenant_context(company_a):
        assert Job.objects.filter(kind="tests.effect", params__marker="丢失的消息").count() == 1
    with tenant_context(company_b):
        assert not Job.objects.filter(kind="tests.effect").exists()
    assert _message("estate:丢失的消息").status == OutboxStatus.DONE


@pytest.mark.django_db
def test_two_workers_never_run_one_message_at_once(company_a):
    with tenant_context(company_a):
        make_estate(name="并发")
    message = _message("estate:并发")
    claimed = outbox._claim(message.pk)
    assert claimed is not None and claimed.attempts == 1
    assert outbox.deliver(message_id=message.pk) == "skipped"  # held by the first worker's lease
    assert effects == []


@pytest.mark.django_db
def test_a_failing_message_backs_off_then_succeeds(company_a):
    failures["left"] = 1
    with tenant_context(company_a):
        emit_flaky(marker="once")
    message = _message("flaky:once")
    assert outbox.deliver(message_id=message.pk) == "retry"
    retried = _message("flaky:once")
    assert retried.status == OutboxStatus.PENDING and retried.attempts == 1
    assert "server closed" in retried.last_error
    assert retried.available_at > timezone.now()  # backing off
    assert outbox.deliver(message_id=message.pk) == "skipped"  # not due yet
    _age(message, available_at=True)
    assert outbox.deliver(message_id=message.pk) == "done"
    assert effects == [("c_alpha", "once")]


@pytest.mark.django_db
def test_a_message_that_keeps_failing_is_dead_lettered_and_its_waiter_told(company_a, outbox_sent):
    failures["left"] = 99
    with tenant_context(company_a):
        emit_flaky(marker="poison")
    message = _message("flaky:poison")
    outcomes = []
    for _ in range(6):
        outcomes.append(outbox.deliver(message_id=message.pk))
        _age(message, available_at=True, sent_at=True)
    assert outcomes == ["retry", "retry", "dead", "skipped", "skipped", "skipped"]
    dead = _message("flaky:poison")
    assert dead.status == OutboxStatus.DEAD and dead.attempts == 3 and dead.finished_at
    assert buried == [{"marker": "poison", "error": dead.last_error, "schema": "c_alpha"}]
    outbox_sent.clear()
    outbox.sweep()
    assert message.pk not in outbox_sent  # the dead are not swept
    assert effects == []


@pytest.mark.django_db
def test_a_worker_that_dies_mid_message_does_not_loop_forever(company_a, outbox_sent):
    """A message whose run kills the worker (a file that exhausts memory) is claimed, never reported
    on, found again when its lease runs out — and given up once its tries are used."""
    with tenant_context(company_a):
        emit_flaky(marker="crash")
    message = _message("flaky:crash")
    for attempt in range(1, 4):
        claimed = outbox._claim(message.pk)  # the worker takes it … and dies
        assert claimed is not None and claimed.attempts == attempt
        _age(message, leased_until=True, sent_at=True)
        outbox_sent.clear()
        outbox.sweep()
        assert message.pk in outbox_sent  # the lease ran out: sent again
    assert outbox.deliver(message_id=message.pk) == "dead"
    assert _message("flaky:crash").status == OutboxStatus.DEAD
    assert [b["marker"] for b in buried] == ["crash"]
    assert effects == []


@pytest.mark.django_db
def test_the_operator_can_retry_a_dead_message(company_a, outbox_sent, django_capture_on_commit_callbacks):
    failures["left"] = 3
    with tenant_context(company_a):
        emit_flaky(marker="fixed-later")
    message = _message("flaky:fixed-later")
    for _ in range(3):
        outbox.deliver(message_id=message.pk)
        _age(message, available_at=True)
    assert _message("flaky:fixed-later").status == OutboxStatus.DEAD
    outbox_sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_dead(message_id=message.pk) is True
    assert outbox_sent == [message.pk]  # once the retry committed
    assert outbox.deliver(message_id=message.pk) == "done"
    assert effects == [("c_alpha", "fixed-later")]


@pytest.mark.django_db
def test_done_messages_are_pruned_after_a_week(company_a):
    with tenant_context(company_a):
        make_estate(name="旧消息")
    message = _message("estate:旧消息")
    assert outbox.deliver(message_id=message.pk) == "done"
    with schema_context("public"):
        OutboxMessage.objects.filter(pk=message.pk).update(finished_at=timezone.now() - timedelta(days=8))
    outbox.sweep()
    with schema_context("public"):
        assert not OutboxMessage.objects.filter(pk=message.pk).exists()


@pytest.mark.django_db
def test_a_transient_database_error_during_provisioning_is_retried(monkeypatch):
    from companies import services as company_services
    from companies.models import Signup, SignupStatus

    signup = company_services.create_signup(
        data={
            "company_name": "重试物业",
            "slug": "retry-co",
            "admin_name": "管理员",
            "admin_phone": "13800000001",
            "admin_email": "admin@retry.example.com",
            "password": "Retry-pass-2026",
        }
    )
    message = _message(f"signup:{signup.pk}")
    real = company_services._create_company
    calls = {"n": 0}

    def flaky_create(signup):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("could not connect to server")
        return real(signup)

    monkeypatch.setattr(company_services, "_create_company", flaky_create)
    assert outbox.deliver(message_id=message.pk) == "retry"
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.PROVISIONING  # not failed
    _age(message, available_at=True)
    assert outbox.deliver(message_id=message.pk) == "done"
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.READY


@pytest.mark.django_db
def test_provisioning_given_up_marks_the_signup_failed(monkeypatch):
    from companies import services as company_services
    from companies.models import Signup, SignupStatus

    signup = company_services.create_signup(
        data={
            "company_name": "放弃物业",
            "slug": "given-up",
            "admin_name": "管理员",
            "admin_phone": "13800000002",
            "admin_email": "admin@given-up.example.com",
            "password": "Given-up-2026",
        }
    )

    def down(signup):
        raise OperationalError("the database is down")

    monkeypatch.setattr(company_services, "_create_company", down)
    message = _message(f"signup:{signup.pk}")
    for _ in range(message.max_attempts):
        outbox.deliver(message_id=message.pk)
        _age(message, available_at=True)
    assert _message(f"signup:{signup.pk}").status == OutboxStatus.DEAD
    failed = Signup.objects.get(pk=signup.pk)
    assert failed.status == SignupStatus.FAILED and failed.error


@pytest.mark.django_db
def test_a_web_host_whose_clock_runs_ahead_does_not_hold_messages_back(company_a):
    """Times are the database's: a message written by a host whose clock is a few seconds ahead of the
    worker's is due at once, not 'not due yet' until the sweeper's next round minutes later."""
    ahead = timezone.now() + timedelta(seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=ahead), tenant_context(company_a):
        make_estate(name="快钟")
    assert outbox.deliver(message_id=_message("estate:快钟").pk) == "done"
    assert effects == [("c_alpha", "快钟")]


@pytest.mark.django_db
def test_a_worker_whose_clock_runs_ahead_does_not_take_a_leased_message(company_a):
    with tenant_context(company_a):
        make_estate(name="抢租约")
    message = _message("estate:抢租约")
    assert outbox._claim(message.pk) is not None  # a worker holds it for LEASE
    ahead = timezone.now() + outbox.LEASE + timedelta(seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=ahead):
        assert outbox.deliver(message_id=message.pk) == "skipped"
    assert effects == []


def test_a_handler_is_stopped_before_its_lease_runs_out():
    """Past its lease a message is handed to another worker: were the first still running (a long
    import), both would run it at once. The task's time limits end the first run before that."""
    from django.conf import settings

    from core.outbox.tasks import deliver_message

    hard = deliver_message.time_limit or settings.CELERY_TASK_TIME_LIMIT
    soft = deliver_message.soft_time_limit or getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    assert hard is not None and hard < outbox.LEASE.total_seconds()
    assert soft is not None and soft < hard  # the handler gets a chance to fail cleanly (retried, backed off)


@pytest.mark.django_db
def test_a_message_given_up_tells_its_waiter_once_though_two_copies_arrive(company_a):
    """Its last try's worker died; when the lease runs out two copies arrive (the sweeper's, the
    broker's redelivery): one worker gives it up and runs on_dead, the other leaves it alone."""

    @action(schema=Schema.COMPANY, audit=False)
    def emit_racing() -> None:
        emit("tests.racing-bury", {"marker": "m"}, key="racing:m")

    with tenant_context(company_a):
        emit_racing()
    message = _message("racing:m")
    assert outbox._claim(message.pk) is not None  # the only try: its worker dies
    _age(message, leased_until=True)
    assert outbox.deliver(message_id=message.pk) == "dead"
    assert second_copies == ["skipped"]
    assert len(buried) == 1
    assert _message("racing:m").status == OutboxStatus.DEAD


@pytest.mark.django_db
def test_a_handler_that_writes_outside_an_action_is_refused(company_a):
    """Handlers are held to the rule requests are held to: a write with no action (no audit row, not
    one transaction with the rest of the work) is refused, and the message fails like any error."""

    @action(schema=Schema.COMPANY, audit=False)
    def emit_sloppy() -> None:
        emit("tests.sloppy", {"marker": "m"}, key="sloppy:m")

    with tenant_context(company_a):
        emit_sloppy()
    message = _message("sloppy:m")
    assert outbox.deliver(message_id=message.pk) == "dead"
    assert "OutsideAction" in _message("sloppy:m").last_error
    with tenant_context(company_a):
        assert not Job.objects.filter(kind="tests.sloppy").exists()


def _cannot_tell(*, marker: str, error: str) -> None:
    raise OperationalError("the database went away while telling the import")


@registry.handles("tests.untold", on_dead=_cannot_tell, max_attempts=1)
def _always_fails(*, marker: str) -> None:
    raise ValueError("bad file")


@pytest.mark.django_db
def test_a_dead_message_whose_waiter_could_not_be_told_says_so(company_a):
    """on_dead failing leaves what waited (an import in `validating`) waiting: the dead message says
    so, for the operator who will retry it."""

    @action(schema=Schema.COMPANY, audit=False)
    def emit_untold() -> None:
        emit("tests.untold", {"marker": "m"}, key="untold:m")

    with tenant_context(company_a):
        emit_untold()
    message = _message("untold:m")
    assert outbox.deliver(message_id=message.pk) == "dead"
    dead = _message("untold:m")
    assert dead.status == OutboxStatus.DEAD
    assert "bad file" in dead.last_error and "on_dead failed" in dead.last_error
    assert "the database went away" in dead.last_error
