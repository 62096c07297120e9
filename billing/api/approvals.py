"""The approve / reject endpoints of a request someone else decides (billing.services.approvals).

A viewset gets both from `decision_actions` — two plain functions it binds as attributes, no base class:

    approve, reject = decision_actions(
        respond_with=WaiverSerializer,
        approve_with=lambda waiver, **kw: waiver_services.approve_waiver(waiver=waiver, **kw),
        reject_with=lambda waiver, **kw: waiver_services.reject_waiver(waiver=waiver, **kw),
    )

Each takes the object the viewset finds (so its queryset's scoping holds), the decision note, and
answers with the request re-read through the viewset's queryset. Both need `fees.approve`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_fields import TextField

Decide = Callable[..., models.Model]  # (request_obj, *, actor, note) -> the decided request
Endpoint = Callable[..., Response]


class DecisionSerializer(serializers.Serializer[Any]):
    note = TextField(max_length=200, required=False, allow_blank=True, default="")


class DecisionRejectSerializer(serializers.Serializer[Any]):
    note = TextField(max_length=200, help_text="Why (required).")


def decision_actions(
    *, respond_with: type[serializers.BaseSerializer[Any]], approve_with: Decide, reject_with: Decide
) -> tuple[Endpoint, Endpoint]:
    def run(view: viewsets.GenericViewSet[Any], request: Request, form_class: type[Any], decide: Decide) -> Response:
        obj = view.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        decided = decide(obj, actor=request.user, **form.validated_data)
        return Response(respond_with(view.get_queryset().get(pk=decided.pk)).data)

    @extend_schema(request=DecisionSerializer, responses=respond_with)
    @action(detail=True, methods=["post"], required_permission="fees.approve")
    def approve(self: viewsets.GenericViewSet[Any], request: Request, pk: str | None = None) -> Response:
        return run(self, request, DecisionSerializer, approve_with)

    @extend_schema(request=DecisionRejectSerializer, responses=respond_with)
    @action(detail=True, methods=["post"], required_permission="fees.approve")
    def reject(self: viewsets.GenericViewSet[Any], request: Request, pk: str | None = None) -> Response:
        return run(self, request, DecisionRejectSerializer, reject_with)

    return approve, reject
