from rest_framework.authentication import BaseAuthentication
from rest_framework.views import APIView

from core.throttling import ClientScopedRateThrottle


class PublicThrottledView(APIView):
    """An endpoint for callers who are not signed in yet (login, signup, codes), rate-limited per
    client by `throttle_scope` (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])."""

    required_permission = "public"
    authentication_classes: list[type[BaseAuthentication]] = []
    throttle_classes = [ClientScopedRateThrottle]
