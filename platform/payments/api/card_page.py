"""银行卡支付页 — the owner's card page, served by us on the company's host: Stripe.js's Payment
Element confirms the order's PaymentIntent, then the payer goes back to the app.

GET /pay/card/<out_trade_no>/<key>/?redirect_url=… — the key is the link's proof (an HMAC of the
company and the order, payments.selectors); a wrong key and another company's order alike answer a
bare 404. The page only collects the card: whatever the browser does or says when it comes back, the
order is settled by the verified webhook or the gateway query (payments.services.card_events,
orders.settle), never by this page.

The response carries a strict Content-Security-Policy (no inline script or style: the page's logic is
the static module payments/card_page.mjs, its data in data- attributes) and is never cached (the
PaymentIntent's client_secret is in it).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import returns
from core.db import current_schema
from payments import selectors
from payments.models import OrderStatus, PaymentOrder

# What Stripe.js needs (https://docs.stripe.com/security/guide#content-security-policy) and nothing else.
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' https://js.stripe.com",
        "frame-src https://js.stripe.com https://hooks.stripe.com",
        "connect-src https://api.stripe.com",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAID = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})
DEFAULT_RETURN = "/h5/"  # the owner app on this host, when the link brought no (safe) way back


def _harden(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = CSP
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the link (its key) never leaves this host
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _state(order: PaymentOrder) -> str:
    """payable | paid | expired | closed — what the page can honestly offer now."""
    if order.status in PAID:
        return "paid"
    if order.status != OrderStatus.PENDING:
        return "closed"
    if order.expires_at <= timezone.now():
        return "expired"
    params = order.client_params or {}
    return "payable" if params.get("client_secret") and params.get("publishable_key") else "closed"


def _money(amount: Any) -> str:
    return f"¥{amount:,.2f}"


@require_safe
def card_page(request: HttpRequest, order: str, key: str) -> HttpResponse:
    found = selectors.card_page_order(current_schema(), order, key)
    if found is None:
        return _harden(HttpResponseNotFound(_("页面不存在。"), content_type="text/plain; charset=utf-8"))
    company: Any = request.tenant  # type: ignore[attr-defined]
    back = returns.safe_return(request.GET.get("redirect_url", ""), host=request.get_host()) or DEFAULT_RETURN
    state = _state(found)
    params = found.client_params or {}
    context = {
        "state": state,
        "company_name": company.display_name or company.name,
        "description": found.description,
        "amount": _money(found.amount),
        "lines": [
            {"label": line.label, "amount": _money(line.amount + line.late_fee), "late_fee": _money(line.late_fee)}
            if line.late_fee
            else {"label": line.label, "amount": _money(line.amount), "late_fee": ""}
            for line in found.lines.all()
        ],
        "back": back,
        "return_url": request.build_absolute_uri(back),
        "publishable_key": params.get("publishable_key", "") if state == "payable" else "",
        "client_secret": params.get("client_secret", "") if state == "payable" else "",
        "stripe_locale": "en" if (get_language() or "").startswith("en") else "zh",
    }
    return _harden(render(request, "payments/card_page.html", context))


PATHS = [path("pay/card/<str:order>/<str:key>/", card_page, name="card-page")]
