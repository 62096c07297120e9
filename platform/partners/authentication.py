"""The partner portal's sign-in: its own bearer tokens, looked up in the public schema's partner
table only. A company's host never uses this class (its tokens are its own schema's accounts'), and
the partner endpoints use nothing else, so neither kind of token works on the other's endpoints."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from partners import selectors


class PartnerTokenAuthentication(authentication.BaseAuthentication):
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
        if token is None or not (token.account.is_active and token.account.vendor.is_active):
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期。"))
        return token.account, token

    def authenticate_header(self, request):
        return self.keyword
