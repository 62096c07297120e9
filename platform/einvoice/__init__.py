"""E-invoice providers behind one interface, found by name in a registry.

A provider turns our request into its calls and its answers into `InvoiceResult`s; it knows nothing
of billing's invoices or their states. Issuing is asynchronous everywhere in China's e-invoice
services: `issue` hands the request over and returns the provider's serial (流水号); `query` (by our
order number, so a retry after a lost answer finds the first submission instead of issuing twice)
tells whether it was issued, is still being issued or failed, with the invoice code and number and
where its PDF is. `void` issues the red-letter invoice (红字发票) against an issued one, asynchronous
in the same way (queried by its own order number).

settings.EINVOICE_BACKEND chooses: "nuonuo" (the real API), "standin" (demo and tests only; refused
in production by core.adapters) or "disabled" (no e-invoices: staff record paper ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

from core.adapters import Binding


class EInvoiceError(Exception):
    """The provider refused or could not be reached; `code` is the provider's own."""

    def __init__(self, code: str, message: str = "", *, status: int | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @property
    def unreachable(self) -> bool:
        """Nobody knows whether the provider acted (timeout, 5xx): ask it again later."""
        return self.status is None or self.status >= 500


@dataclass(frozen=True)
class InvoiceItem:
    name: str  # 商品名称, e.g. 物业管理费
    amount: Decimal  # tax included, to the fen


@dataclass(frozen=True)
class IssueRequest:
    order_no: str  # ours, unique: the provider refuses a second submission under it
    buyer_name: str
    buyer_tax_number: str  # "" for a personal title
    email: str  # "" for no delivery by e-mail
    seller_tax_number: str
    seller_address: str
    seller_phone: str
    items: tuple[InvoiceItem, ...]
    issued_on: datetime


@dataclass(frozen=True)
class VoidRequest:
    order_no: str  # the red invoice's own order number
    original: InvoiceResult  # the issued (blue) invoice
    reason: str
    request: IssueRequest  # what the original was issued for (the red one mirrors it, negated)


@dataclass(frozen=True)
class InvoiceResult:
    """What the provider says of one submission."""

    state: str  # issuing | issued | failed
    order_no: str
    serial: str
    invoice_code: str = ""
    invoice_number: str = ""
    issued_at: datetime | None = None
    pdf_url: str = ""
    failure_code: str = ""
    failure_message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def issue(self, request: IssueRequest) -> str: ...

    def query(self, *, order_no: str, seller_tax_number: str) -> InvoiceResult | None: ...

    def void(self, request: VoidRequest) -> str: ...

    def fetch_pdf(self, url: str) -> bytes: ...


_providers: dict[str, Callable[[], Provider]] = {}


def register(backend: str, factory: Callable[[], Provider]) -> None:
    _providers[backend] = factory


def _load() -> None:
    # The known providers register on import; the stand-in only when asked for (never in production).
    from einvoice import nuonuo  # noqa: F401

    if settings.EINVOICE_BACKEND == "standin":
        from standins import einvoice  # noqa: F401


def enabled() -> bool:
    return str(settings.EINVOICE_BACKEND) != "disabled"


def provider() -> Provider:
    backend = str(settings.EINVOICE_BACKEND)
    if backend == "disabled":
        raise EInvoiceError("DISABLED", "e-invoices are not configured on this deployment")
    _load()
    try:
        return _providers[backend]()
    except KeyError:
        raise EInvoiceError("UNKNOWN_BACKEND", backend) from None


def binding() -> Binding:
    """core.adapters' probe."""
    backend = str(settings.EINVOICE_BACKEND)
    if backend == "standin":
        return Binding(adapter="einvoice", backend=backend, standin=True)
    if backend == "disabled":
        return Binding(adapter="einvoice", backend=backend, standin=False)
    if backend == "nuonuo":
        from einvoice.nuonuo import NuonuoConfig

        config = NuonuoConfig.from_settings()
        return Binding(adapter="einvoice", backend=config.api_base, standin=False, missing=config.missing())
    return Binding(adapter="einvoice", backend=backend, standin=False, missing=("WUYE_EINVOICE_BACKEND",))
