"""The fee items a service charge may be posted under (billing.services.service_charges): the
active one-off items, for the pickers of the modules that charge for work — 报修设置's fee for paid
repairs, a paid activity's fee. Readable by whoever configures those, not only by the cashiers."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors.fees import service_fee_items


class ServiceFeeItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceFeeItemList(APIView):
    required_permission = ("fees.view", "repairs.manage", "activities.manage")

    @extend_schema(responses=ServiceFeeItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ServiceFeeItemSerializer(service_fee_items(), many=True).data)


PATHS = [path("service-fee-items/", ServiceFeeItemList.as_view(), name="service-fee-items")]
