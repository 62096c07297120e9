import json

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
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
