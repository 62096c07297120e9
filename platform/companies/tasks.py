"""Provisioning a signed-up company, delivered by the outbox (public schema). The signup's status is
the guard, so a second delivery does nothing; a transient database error raises and is retried
with backoff; once every try is used the signup is marked failed instead of left spinning.

The pool of spare schemas is topped up by beat (public schema); two runs at once are one run (the
refill's lock), and a run finds nothing to do once the pool is full."""

from __future__ import annotations

import contextlib

from celery import shared_task
from django.utils.translation import gettext as _

from companies import pool, services
from core.errors import DomainError
from core.outbox.registry import handles


def _given_up(*, signup_id: str, error: str) -> None:
    services.fail_signup(signup_id=signup_id, message=_("开通多次失败，请稍后重试或联系客服。"))


@handles(services.TOPIC_PROVISION, on_dead=_given_up)
def provision_company(*, signup_id: str) -> None:
    # A DomainError is final, and already said on the signup: retrying would fail the same way.
    with contextlib.suppress(DomainError):
        services.provision_company(signup_id=signup_id)


@shared_task
def refill_spare_schemas() -> dict[str, int]:
    return pool.refill()
