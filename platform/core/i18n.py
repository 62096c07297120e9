"""The language of what we store, as opposed to the language of the screen.

A request runs in the caller's language (Accept-Language / the user's choice), so `gettext` inside a
service answers in English for an English screen. Text that is then SAVED — a ledger or receipt note, a
waiver reason, a payment order's description, an invoice line sent to the tax service — is the
company's record and stays in the records language (settings.LANGUAGE_CODE, Chinese: the gettext
source), whoever happened to be looking at the screen. Render such text inside `records_language()`:

    with records_language():
        note = _("预存款充值")

Messages shown to the caller (errors, labels) stay outside it and follow the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation


@contextmanager
def records_language() -> Iterator[None]:
    """Translate in the language the company's records are kept in, not the caller's."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
