"""结算 — the monthly settlement between a company and its vendors: the vendor's report in the portal
(public host) and the company's (its own host) are the one selector, so both sides see alike."""

from __future__ import annotations

from datetime import MAXYEAR, date

from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import selectors
from partners.authentication import PartnerTokenAuthentication
from partners.permissions import HasPartnerPermission


class SettlementRowSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField()
    vendor_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    orders = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    commission = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)


MONTH = OpenApiParameter("month", str, required=True, description="YYYY-MM")


def parse_month(raw: str | None) -> date:
    text = (raw or "").strip()
    year, _sep, month = text.partition("-")
    # The calendar's last year is refused: its December has no next month to end the range at.
    if len(year) == 4 and year.isascii() and year.isdigit() and month.isascii() and month.isdigit():
        try:
            parsed = date(int(year), int(month), 1)
        except ValueError:
            pass
        else:
            if parsed.year < MAXYEAR:
                return parsed
    raise ValidationError({"month": [_("请按 YYYY-MM 填写月份。")]})


class CompanySettlement(APIView):
    """The company's settlement with each vendor for a month (orders completed in it)."""

    required_permission = ("partners.view", "partners.manage")

    @extend_schema(parameters=[MONTH], responses=SettlementRowSerializer(many=True))
    def get(self, request):
        month = parse_month(request.query_params.get("month"))
        rows = selectors.settlement(month_start=month, company=connection.tenant)
        return Response(SettlementRowSerializer(rows, many=True).data)


class PartnerSettlement(APIView):
    """The vendor's settlement with each company for a month: money of orders it served, so a company
    that suspended it since still shows (its orders do not: selectors.vendor_orders)."""

    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [HasPartnerPermission]
    required_permission = "partner.view"

    @extend_schema(parameters=[MONTH], responses=SettlementRowSerializer(many=True))
    def get(self, request):
        month = parse_month(request.query_params.get("month"))
        rows = selectors.settlement(month_start=month, vendor=request.user.vendor)
        return Response(SettlementRowSerializer(rows, many=True).data)
