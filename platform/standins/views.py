import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from standins import wechat


@csrf_exempt
def wechat_api(request: HttpRequest, path: str) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errcode": 47001, "errmsg": "data format error"})
    status, payload = wechat.handle(request.method, path, request.GET.dict(), body)
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
