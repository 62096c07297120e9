import json
import logging
import threading

import requests
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from core import returns
from standins import stripe as stripe_standin
from standins import stripe_account, stripe_events, stripe_payments, wechat

logger = logging.getLogger(__name__)


@csrf_exempt
def wechat_api(request: HttpRequest, path: str) -> JsonResponse:
    # Routed only in the demo; checked again here so a stand-in never answers outside it (its
    # device endpoints mint logins and set app secrets without authentication).
    if not settings.DEMO:
        raise Http404
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errcode": 47001, "errmsg": "data format error"})
    status, payload = wechat.handle(request.method or "GET", path, request.GET.dict(), body)
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


_PAY_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>微信支付（演示）</title>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto;text-align:center">
<p>微信支付替身 · 演示</p><h1>¥{amount}</h1><p>{description}</p>
<form method="post"><input type="hidden" name="mode" value="once">
<input type="hidden" name="redirect_url" value="{redirect_url}">
<button style="font-size:1.2em" data-testid="standin-pay-confirm">确认支付</button></form>
{cancel}
</body></html>"""


def _return_to(request: HttpRequest, *names: str) -> str:
    """Where a provider's page sends the payer back once paid (WeChat Pay H5's `redirect_url`; the
    card page also takes `return_url`): only into this deployment's own hosts — WeChat Pay checks the
    merchant's registered H5 domain — never an open redirect."""
    for name in names or ("redirect_url",):
        url = request.POST.get(name) or request.GET.get(name) or ""
        if url:
            return returns.safe_return(url)
    return ""


@csrf_exempt
def wechatpay_pay_page(request: HttpRequest, prepay_id: str) -> HttpResponse:
    """The payer's phone, for the H5 demo: confirm and the order is paid, its notification sent to
    our notify URL — once, `twice`, `late` (after 10 s) or `forged` first (?mode= / form field)."""
    if not settings.DEMO:
        raise Http404
    from standins import wechatpay_notify

    order = wechatpay_notify.order_by_prepay(prepay_id)
    if order is None:
        raise Http404
    back = _return_to(request)
    if request.method != "POST":
        cancel = f'<p><a data-testid="standin-pay-cancel" href="{escape(back)}">取消支付</a></p>' if back else ""
        page = _PAY_PAGE.format(
            amount=f"{order['total'] / 100:.2f}",
            description=escape(order["content"][1]),
            redirect_url=escape(back),
            cancel=cancel,
        )
        return HttpResponse(page)
    mode = request.POST.get("mode") or request.GET.get("mode") or "once"
    delivery = wechatpay_notify.pay(sub_mchid=order["sub_mchid"], out_trade_no=order["out_trade_no"])
    if mode == "forged":
        forged = wechatpay_notify.notification(
            url=delivery.url,
            event_type="TRANSACTION.SUCCESS",
            resource={"out_trade_no": order["out_trade_no"], "trade_state": "SUCCESS"},
            original_type="transaction",
            forged=True,
        )
        wechatpay_notify.deliver(forged)
    wechatpay_notify.deliver(delivery, delay=10.0 if mode == "late" else 0.0)
    if mode == "twice":
        wechatpay_notify.deliver(delivery, delay=1.0)
    if back:
        return HttpResponseRedirect(back)
    return JsonResponse({"paid": True, "out_trade_no": order["out_trade_no"], "mode": mode})


# --- Stripe (demo only): its API over HTTP, and the pages a customer would see on stripe.com -------


def _demo_only() -> None:
    if not settings.DEMO:
        raise Http404


@csrf_exempt
def stripe_api(request: HttpRequest, path: str) -> HttpResponse:
    _demo_only()
    headers = {name.lower(): value for name, value in request.headers.items()}
    status, payload, extra = stripe_standin.handle(
        request.method or "GET",
        f"/{path}",
        headers,
        request.body.decode(),
        host=request.build_absolute_uri("/")[:-1],
        query=request.META.get("QUERY_STRING", ""),
    )
    response = JsonResponse(payload, status=status)
    for name, value in extra.items():
        response[name] = value
    return response


_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:520px;margin:48px auto;color:#1a1f36}}
button{{padding:10px 18px;margin:6px 6px 0 0;border:0;border-radius:6px;background:#635bff;color:#fff;cursor:pointer}}
button.secondary{{background:#e3e8ee;color:#1a1f36}}.note{{color:#697386;font-size:13px}}</style></head>
<body><h2>{title}</h2>{body}<p class="note">Stripe 替身（演示环境，不会产生真实扣款）</p></body></html>"""


def _page(title: str, body: str) -> HttpResponse:
    return HttpResponse(_PAGE.format(title=escape(title), body=body))


def _deliver_soon(customer: str) -> None:
    """Send the customer's (or PaymentIntent's) queued events to our webhook, as Stripe would, a moment
    after the answer."""
    events = stripe_account.take_events(customer)
    url = f"http://127.0.0.1:{settings.PUBLIC_PORT}/api/v1/stripe/webhook/"

    def send() -> None:
        # Delivered twice and newest first, as Stripe may: the product must not care.
        for body, signature in stripe_events.deliveries(events, twice=True, reverse=True):
            try:
                requests.post(
                    url,
                    data=body,
                    headers={
                        "Stripe-Signature": signature,
                        "Host": settings.BASE_DOMAIN,
                        "Content-Type": "application/json",
                    },
                    timeout=10,
                )
            except requests.RequestException:
                logger.warning("stripe stand-in: a delivery to %s failed", url)

    threading.Timer(0.5, send).start()


@csrf_exempt
def stripe_checkout_page(request: HttpRequest, session_id: str) -> HttpResponse:
    _demo_only()
    session = stripe_account.get_object(session_id, "checkout.session")
    if session is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("outcome") == "pay" and session["status"] == "open":
            subscription = stripe_events.complete_checkout(session_id)
            _deliver_soon(subscription["customer"])
            return HttpResponseRedirect(session["success_url"])
        return HttpResponseRedirect(session.get("cancel_url") or session["success_url"])
    amount = f"¥{session['amount_total'] / 100:,.2f} / 月"
    body = (
        f"<p>订阅金额：<b>{escape(amount)}</b></p><p>测试卡 4242 4242 4242 4242</p>"
        '<form method="post"><button name="outcome" value="pay">支付并订阅</button>'
        '<button class="secondary" name="outcome" value="cancel">返回</button></form>'
    )
    return _page("Stripe Checkout", body)


@csrf_exempt
def stripe_portal_page(request: HttpRequest, portal_id: str) -> HttpResponse:
    _demo_only()
    portal = stripe_account.get_object(portal_id, "billing_portal.session")
    if portal is None:
        raise Http404
    subscriptions = stripe_account.subscriptions_of(portal["customer"])
    if request.method == "POST":
        action, subscription_id = request.POST.get("action", ""), request.POST.get("subscription", "")
        if subscription_id in {s["id"] for s in subscriptions}:
            {
                "fail": stripe_events.fail_renewal,
                "pay": stripe_events.pay_open_invoice,
                "cancel": stripe_events.cancel,
            }[action](subscription_id)
            _deliver_soon(portal["customer"])
        return HttpResponseRedirect(request.path)
    rows = "".join(
        f'<form method="post"><p>{escape(s["id"])}：<b>{escape(s["status"])}</b></p>'
        f'<input type="hidden" name="subscription" value="{escape(s["id"])}">'
        '<button name="action" value="fail">模拟续费扣款失败</button>'
        '<button name="action" value="pay">更新银行卡并支付</button>'
        '<button class="secondary" name="action" value="cancel">取消订阅</button></form>'
        for s in subscriptions
    )
    back = f'<p><a href="{escape(portal.get("return_url") or "/")}">返回物业云</a></p>'
    return _page("Stripe 客户门户", (rows or "<p>暂无订阅。</p>") + back)


_DECLINES = {
    "generic_decline": "银行卡被拒绝（测试卡 4000 0000 0000 0002）。",
    "insufficient_funds": "余额不足（测试卡 4000 0000 0000 9995）。",
    "incorrect_number": "卡号不正确。",
}


@csrf_exempt
def stripe_card_page(request: HttpRequest, intent_id: str) -> HttpResponse:
    """What Stripe.js's card form is in production: the owner types a test card and the PaymentIntent
    is confirmed at the stand-in, whose events then reach our webhook (twice, newest first). Back to
    the app (`return_url`, our own hosts only) once paid."""
    _demo_only()
    intent = stripe_account.get_object(intent_id, "payment_intent")
    if intent is None:
        raise Http404
    back = _return_to(request, "redirect_url", "return_url")
    note = ""
    if request.method == "POST":
        intent, decline = stripe_payments.confirm_with_card(intent_id, request.POST.get("number", ""))
        _deliver_soon(intent_id)
        if intent["status"] == "succeeded" and back:
            return HttpResponseRedirect(back)
        note = f'<p style="color:#c0392b">{escape(_DECLINES.get(decline, ""))}</p>' if decline else ""
    amount = f"¥{intent['amount'] / 100:,.2f}"
    status = {"succeeded": "支付成功", "canceled": "已取消"}.get(intent["status"], "")
    form = (
        '<form method="post"><p><label>卡号 <input name="number" value="4242 4242 4242 4242" '
        'inputmode="numeric" autocomplete="cc-number" style="font-size:16px;padding:6px"></label></p>'
        f'<input type="hidden" name="return_url" value="{escape(back)}">'
        '<button name="outcome" value="pay">确认支付</button></form>'
        '<p class="note">测试卡：4242 4242 4242 4242 成功；4000 0000 0000 0002 被拒；4000 0000 0000 9995 余额不足</p>'
    )
    link = f'<a href="{escape(back)}">返回</a>' if back else '<a href="javascript:history.back()">返回</a>'
    body = (
        f"<p>金额：<b>{escape(amount)}</b></p><p>{escape(str(intent.get('description') or ''))}</p>{note}"
        + (f"<p><b>{status}</b></p>" if status else form)
        + f"<p>{link}</p>"
    )
    return _page("银行卡支付", body)


stripe_urls = [
    path("_standins/stripe/pay/<str:intent_id>/", stripe_card_page),
    path("_standins/stripe/checkout/<str:session_id>/", stripe_checkout_page),
    path("_standins/stripe/portal/<str:portal_id>/", stripe_portal_page),
    path("_standins/stripe/<path:path>", stripe_api),
]
