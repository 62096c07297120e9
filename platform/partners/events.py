"""What partners tells people about (notifications.events): a company's partner managers hear of an
admitted vendor's document about to run out, before its listings are suspended."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

DOCUMENT_EXPIRING = register(
    Event(
        name="partners.document_expiring",
        label=_("服务商资质即将到期"),
        title=_("服务商资质即将到期"),
        body=_("%(vendor)s 的%(kind)s（%(number)s）将于 %(expires_on)s 到期，到期后其服务将自动暂停。"),
    )
)
