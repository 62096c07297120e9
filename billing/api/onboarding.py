"""开始使用: the dashboard's first-run checklist — each step done or not (from the company's data)
and whether this user hid the card; hiding and showing it again are the user's own actions."""

from __future__ import annotations

from typing import Any, cast

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import preferences
from accounts.models import User
from billing.selectors.onboarding import STEPS, onboarding_steps

# Every staff member sees the dashboard; residents (owner-app accounts) never do.
PERMISSION = "dashboard.view"


class OnboardingStepSerializer(serializers.Serializer[Any]):
    key = serializers.ChoiceField(choices=list(STEPS))
    done = serializers.BooleanField()


class OnboardingSerializer(serializers.Serializer[Any]):
    steps = OnboardingStepSerializer(many=True)
    hidden = serializers.BooleanField(help_text="This user hid the checklist (POST …/show/ brings it back).")


def _staff(request: Request) -> User:
    return cast(User, request.user)  # the permission let only a signed-in staff member through


def _answer(request: Request) -> Response:
    body = {"steps": onboarding_steps(), "hidden": _staff(request).onboarding_hidden}
    return Response(OnboardingSerializer(body).data)


class OnboardingView(APIView):
    required_permission = PERMISSION

    @extend_schema(responses=OnboardingSerializer)
    def get(self, request: Request) -> Response:
        return _answer(request)


class OnboardingHideView(APIView):
    required_permission = PERMISSION

    @extend_schema(request=None, responses=OnboardingSerializer)
    def post(self, request: Request) -> Response:
        preferences.set_onboarding_hidden(user=_staff(request), hidden=True)
        return _answer(request)


class OnboardingShowView(APIView):
    required_permission = PERMISSION

    @extend_schema(request=None, responses=OnboardingSerializer)
    def post(self, request: Request) -> Response:
        preferences.set_onboarding_hidden(user=_staff(request), hidden=False)
        return _answer(request)


PATHS = [
    path("onboarding/", OnboardingView.as_view(), name="onboarding"),
    path("onboarding/hide/", OnboardingHideView.as_view(), name="onboarding-hide"),
    path("onboarding/show/", OnboardingShowView.as_view(), name="onboarding-show"),
]
