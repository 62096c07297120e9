"""The platform console (Django admin at /console/ on the public host): its login, under the same
login backoff as a company's web admin (its counters live under the public schema's keys), and its
writes, which go through actions like everything else.

The admin saves and deletes models itself, so its views cannot call our services: instead each console
request that may write (any method but GET/HEAD/OPTIONS) runs as one action, and every change the admin
logs (its LogEntry: an addition, a change, a deletion) becomes a line of the platform's audit trail in
the same transaction. Without this the request guard (core.middleware.WritesOnlyInActionsMiddleware)
refuses every save an operator makes — suspending a company, correcting a plan.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from accounts import login_throttle, services
from accounts.models import User
from core.actions import action
from core.client_ip import client_ip
from core.schemas import Schema


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


_VERBS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
View = Callable[..., HttpResponseBase]
V = TypeVar("V", bound=View)


# audit=False: a POST that changes nothing (a form sent back with errors) has nothing to audit; every
# change the admin does make is audited below, from the admin's own log.
@action(audit=False, schema=Schema.PUBLIC)
def console_request(
    *, view: View, request: HttpRequest, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> HttpResponseBase:
    # The log entries this request writes are the ones past the newest committed one (another request
    # of the same operator committing meanwhile could be counted too: an extra line, never a missing one).
    newest = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = view(request, *args, **kwargs)
    actor = request.user if isinstance(request.user, User) else None
    for entry in LogEntry.objects.filter(pk__gt=newest, user=actor).order_by("pk"):
        kind = ContentType.objects.get_for_id(entry.content_type_id).model if entry.content_type_id else ""
        services.record_audit(
            actor=actor,
            action=f"console.{_VERBS.get(entry.action_flag, 'change')}",
            object_type=kind,
            object_id=(entry.object_id or "")[:64],
            after={"object": entry.object_repr, "change": entry.get_change_message()},
        )
    return response


def _through_an_action(view: V) -> V:
    @functools.wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in _READS:
            return view(request, *args, **kwargs)
        return console_request(view=view, request=request, args=args, kwargs=kwargs)

    return cast(V, run)


class ConsoleSite(admin.AdminSite):
    """The default admin site (config.apps.ConsoleAdminConfig): every view that may write runs as an action."""

    def admin_view(self, view: V, cacheable: bool = False) -> V:
        return super().admin_view(_through_an_action(view), cacheable)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Signing in may rewrite the stored password hash (a stronger hasher or more iterations after
        # an upgrade): a write like any other.
        return _through_an_action(super().login)(request, extra_context)
