"""Provisioning a signed-up company, delivered by the outbox (public schema). The signup's status is
the guard, so a second delivery does nothing; a transient database error raises and is retried
with backoff; once every try is used the signup is marked failed instead of left spinning."""

from __future__ import annotations

import contextlib

from django.utils.translation import gettext as _

from companies import services
from core.errors import DomainError
from core.outbox.registry import handles


def _given_up(*, signup_id: str, error: str) -> None:
    services.fail_signup(signup_id=signup_id, message=_("开通多次失败，请稍后重试或联系客服。"))


@handles(services.TOPIC_PROVISION, on_dead=_given_up)
def provision_company(*, signup_id: str) -> None:
    # A DomainError is final, and already said on the signup: retrying would fail the same way.
    with contextlib.suppress(DomainError):
        services.provision_company(signup_id=signup_id)
