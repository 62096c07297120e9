"""E-invoice providers (电子发票服务) behind one interface: Nuonuo (诺诺开放平台) today, and a local
stand-in for tests and the demo. No tables: an invoice's state lives in billing, in the company's schema.
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

adapters.register("einvoice", "einvoice.binding")


class EInvoiceConfig(AppConfig):
    name = "einvoice"
    schema = Schema.COMPANY
    verbose_name = "E-invoices"
