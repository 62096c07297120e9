import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from standins import wechat


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
<button style="font-size:1.2em">确认支付</button></form>
</body></html>"""


@csrf_exempt
def wechatpay_pay_page(request: HttpRequest, prepay_id: str) -> HttpResponse:
    """The payer's phone, for the H5 demo: confirm and the order is paid, its notification sent to
    our notify URL — once, `twice`, `late` (after 10 s) or `forged` first (?mode= / form field)."""
    if not settings.DEMO:
        raise Http404
    from standins import wechatpay

    order = wechatpay.order_by_prepay(prepay_id)
    if order is None:
        raise Http404
    if request.method != "POST":
        page = _PAY_PAGE.format(amount=f"{order['total'] / 100:.2f}", description=escape(order["content"][1]))
        return HttpResponse(page)
    mode = request.POST.get("mode") or request.GET.get("mode") or "once"
    delivery = wechatpay.pay(sub_mchid=order["sub_mchid"], out_trade_no=order["out_trade_no"])
    if mode == "forged":
        forged = wechatpay.notification(
            url=delivery.url,
            event_type="TRANSACTION.SUCCESS",
            resource={"out_trade_no": order["out_trade_no"], "trade_state": "SUCCESS"},
            original_type="transaction",
            forged=True,
        )
        wechatpay.deliver(forged)
    wechatpay.deliver(delivery, delay=10.0 if mode == "late" else 0.0)
    if mode == "twice":
        wechatpay.deliver(delivery, delay=1.0)
    return JsonResponse({"paid": True, "out_trade_no": order["out_trade_no"], "mode": mode})
