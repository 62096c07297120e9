from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts import selectors, services


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` — tokens are looked up in the current company's schema only."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。"))
        token = selectors.active_token(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期。"))
        services.touch_token(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """Session login for the web admin; CSRF is enforced on unsafe methods (DRF's behaviour)."""
