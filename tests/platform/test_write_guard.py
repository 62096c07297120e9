"""A request changes data only through actions: a stray write is refused before it reaches the
database; reads, actions and sessions go through."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from core import actions
from core.middleware import WritesOnlyInActionsMiddleware
from tenants.estates import services as estate_services
from tenants.estates.models import Estate


def _through_guard(view):
    request = RequestFactory().get("/api/v1/anything/")
    return WritesOnlyInActionsMiddleware(view)(request)


@pytest.mark.django_db
def test_a_write_outside_an_action_is_refused(company_a):
    def sloppy_view(request):
        Estate.objects.create(name="绕过审计")
        return HttpResponse("ok")

    with tenant_context(company_a):
        with pytest.raises(actions.OutsideAction), transaction.atomic():
            _through_guard(sloppy_view)
        assert not Estate.objects.filter(name="绕过审计").exists()


@pytest.mark.django_db
def test_reads_and_actions_pass_the_guard(company_a):
    def proper_view(request):
        list(Estate.objects.all())
        estate_services.create_estate(name="正规途径", actor=None)
        return HttpResponse("ok")

    with tenant_context(company_a):
        assert _through_guard(proper_view).status_code == 200
        assert Estate.objects.filter(name="正规途径").exists()


def test_the_guard_is_installed_after_authentication():
    from django.conf import settings

    chain = settings.MIDDLEWARE
    guard = chain.index("core.middleware.WritesOnlyInActionsMiddleware")
    assert guard > chain.index("django.contrib.auth.middleware.AuthenticationMiddleware")
