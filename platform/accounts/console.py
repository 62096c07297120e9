"""The platform console's login (Django admin at /console/ on the public host), under the same
login backoff as a company's web admin: its counters live under the public schema's keys."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from accounts import login_throttle
from core.client_ip import client_ip


class ConsoleLoginForm(AdminAuthenticationForm):
    retry_after: int | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # the required-field errors, no password checked
        ip = client_ip(self.request)
        try:
            login_throttle.take_turn(username=username, ip=ip)
        except login_throttle.LoginThrottled as exc:
            self.retry_after = exc.retry_after
            raise ValidationError(exc.message, code="throttled") from exc
        cleaned = super().clean()  # raises on a wrong password, a disabled or a non-operator account
        login_throttle.succeeded(username=username, ip=ip)
        return cleaned


def login(request: HttpRequest) -> HttpResponse:
    """The admin's own login page and form, answering 429 + Retry-After when the backoff refuses."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    retry_after = getattr(form, "retry_after", None)
    if retry_after:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response
