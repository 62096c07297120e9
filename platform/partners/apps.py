"""Partners: merchants (周边商家) and housekeeping vendors (家政服务) — one vendor, one portal, for all
the property companies that admitted it. Vendors, their staff's accounts and tokens, their
qualification documents and each company's admission of a vendor belong to no one company.

Tables live in the PUBLIC schema only. A company's side (admitting, reviewing, suspending) runs on
its own host, reads only the admissions carrying its own company, and is audited on its own trail.
"""

from django.apps import AppConfig

from core.schemas import Schema


class PartnersConfig(AppConfig):
    name = "partners"
    schema = Schema.PUBLIC
    verbose_name = "Partners"

    def ready(self) -> None:
        from partners import events, openapi  # noqa: F401  (the notification events, the API docs' security scheme)
