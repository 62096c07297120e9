"""Partners' periodic work, in the public schema (beat: config.celery)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from core.outbox.registry import handles
from partners.services import console, expiry, invitations, notices


@shared_task
def suspend_lapsed_listings() -> dict[str, int]:
    """Idempotent: documents already marked and vendors already suspended are left alone."""
    run = expiry.suspend_lapsed_listings()
    reminded = expiry.remind_expiring_documents()
    return {
        "documents_expired": run.documents_expired,
        "vendors_suspended": run.vendors_suspended,
        "reminded": reminded,
    }


@handles(expiry.TOPIC_REMIND)
def tell_partner_managers(*, document_id: int) -> None:
    expiry.tell_partner_managers(document_id=document_id)


# Texts to vendors are the platform's (public schema), whichever company's action queued them.


def _in_public(give_up: Callable[..., None]) -> Callable[..., None]:
    """An on_dead runs in the emitting company's schema; what it marks is the platform's."""

    def run(**payload: Any) -> None:
        with schema_context(get_public_schema_name()):
            give_up(**payload)

    return run


@handles(notices.TOPIC_SMS, on_dead=_in_public(notices.sms_given_up))
def text_vendor(*, notice_id: int) -> None:
    with schema_context(get_public_schema_name()):
        notices.send_sms(notice_id=notice_id)


@handles(invitations.TOPIC_SMS, on_dead=_in_public(invitations.sms_given_up))
def text_invitation(*, invitation_id: int, secret: str) -> None:
    with schema_context(get_public_schema_name()):
        invitations.send_sms(invitation_id=invitation_id, secret=secret)


@handles(console.TOPIC_STOPPED)
def stop_vendor_in_company(*, vendor_id: int, stamp: str) -> None:
    console.stop_in_company(vendor_id=vendor_id, stamp=stamp)


@handles(console.TOPIC_BACK)
def vendor_back_in_company(*, vendor_id: int, stamp: str) -> None:
    console.back_in_company(vendor_id=vendor_id, stamp=stamp)
