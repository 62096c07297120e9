"""Billing reports (收费报表) for staff: arrears and ageing (with the 催缴 spreadsheet), the
collection rate (and its monthly series for the dashboard), income, the cashier's day.

Reads only: each view checks its query string (a bad one is a 400 naming the field), asks a report
selector (billing.selectors.arrears, collection, income, cashier) and renders what it answers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors import arrears, cashier, collection, income
from core.exports import ExcelExportMixin
from core.pagination import PagePagination

MAX_ID = 2**31 - 1
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MAX_DAYS_BY_DAY = 366
VIEW_FEES = "fees.view"
VIEW_ANALYTICS = "analytics.view"


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _date_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(_("日期须在 2000-01-01 至 2100-12-31 之间。"))
    return value


class _Params(serializers.Serializer[Any]):
    """A report's query string."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name, value in attrs.items():
            if isinstance(value, date):
                try:
                    _date_in_range(value)
                except serializers.ValidationError as error:
                    raise serializers.ValidationError({name: error.detail}) from None
        return attrs


def _params(request: Request, params: type[_Params]) -> dict[str, Any]:
    form = params(data=request.query_params)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


def _place_id(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=label)


# --- arrears ----------------------------------------------------------------------------------------


class ArrearsParams(_Params):
    as_of = serializers.DateField(required=False, help_text="The ledger at this day's end; today.")
    estate = _place_id("Only this estate.")
    building = _place_id("Only this building.")
    group_by = serializers.ChoiceField(choices=list(arrears.ARREARS_GROUPS), default="house")


class _AgeingSerializer(serializers.Serializer[Any]):
    not_yet_due = _money(help_text="Issued, not yet due.")
    days_0_30 = _money(help_text="0–30 days past due (the due day itself is 0).")
    days_31_90 = _money()
    days_91_180 = _money()
    days_over_180 = _money()
    overdue = _money(help_text="Past due: the four overdue buckets.")
    total = _money(help_text="Everything outstanding: not yet due + overdue.")


class ArrearsLineSerializer(_AgeingSerializer):
    id = serializers.IntegerField(help_text="The house, building or estate (by group_by).")
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    estate_id = serializers.IntegerField()
    estate_name = serializers.CharField()
    building_id = serializers.IntegerField(allow_null=True)
    building_name = serializers.CharField(allow_blank=True)
    house_id = serializers.IntegerField(allow_null=True)
    payer_name = serializers.CharField(allow_blank=True, help_text="The current primary payer (houses only).")


class ArrearsTotalsSerializer(_AgeingSerializer):
    as_of = serializers.DateField()
    group_by = serializers.ChoiceField(choices=list(arrears.ARREARS_GROUPS))
    lines = serializers.IntegerField(help_text="How many payers (buildings, estates) owe something.")


def _arrears_query(request: Request) -> dict[str, Any]:
    params = _params(request, ArrearsParams)
    params.setdefault("as_of", timezone.localdate())
    return params


class ArrearsPagination(PagePagination):
    """The site's ?page / ?page_size, with the page and the count from one query (a count first would
    aggregate the estate's ledger twice)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: APIView | None = None) -> list[Any]:
        rows: arrears.ArrearsRows = queryset
        size = self.get_page_size(request) or self.page_size
        raw = request.query_params.get(self.page_query_param) or "1"
        number = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        if number < 1:
            raise NotFound(_("页码无效。"))
        lines, count = rows.page_and_count(offset=(number - 1) * size, limit=size)
        if count is None and number > 1:
            raise NotFound(_("页码无效。"))
        self.request = request
        self.page = Page(lines, number, Paginator(range(count or 0), size))
        return lines


@extend_schema(parameters=[ArrearsParams])
class ArrearsView(ExcelExportMixin, generics.ListAPIView[Any]):
    """欠费明细 / 催缴: outstanding per payer (or building, estate) with ageing, most owed first.
    `?format=xlsx` downloads the whole list for dunning."""

    serializer_class = ArrearsLineSerializer
    pagination_class = ArrearsPagination
    required_permission = VIEW_FEES
    filter_backends: list[Any] = []
    error_statuses = {"get": [404]}  # a page past the last
    export_title = gettext_lazy("欠费催缴")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", gettext_lazy("小区")),
        ("building_name", gettext_lazy("楼栋")),
        ("label", gettext_lazy("房屋/名称")),
        ("payer_name", gettext_lazy("主缴费人")),
        ("not_yet_due", gettext_lazy("未到期")),
        ("days_0_30", gettext_lazy("逾期0–30天")),
        ("days_31_90", gettext_lazy("逾期31–90天")),
        ("days_91_180", gettext_lazy("逾期91–180天")),
        ("days_over_180", gettext_lazy("逾期180天以上")),
        ("overdue", gettext_lazy("已逾期合计")),
        ("total", gettext_lazy("欠费合计")),
    ]

    def get_queryset(self) -> Any:  # an ArrearsRows: counted, paged and iterated by SQL, not a QuerySet
        return arrears.arrears(**_arrears_query(self.request))


class ArrearsSummaryView(APIView):
    """欠费汇总: the arrears lines summed (each figure equals the sum of the lines')."""

    required_permission = VIEW_FEES

    @extend_schema(parameters=[ArrearsParams], responses=ArrearsTotalsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ArrearsTotalsSerializer(arrears.arrears_totals(**_arrears_query(request))).data)


# --- collection rate --------------------------------------------------------------------------------


class CollectionParams(_Params):
    period_start = serializers.DateField(required=False, help_text="With period_end: one period [start, end).")
    period_end = serializers.DateField(required=False, help_text="Exclusive.")
    months = serializers.IntegerField(
        required=False, min_value=1, max_value=36, help_text="The last N months, one line each (12 if no period)."
    )
    as_of = serializers.DateField(required=False, help_text="Count the ledger as it stood at this day's end; today.")
    estate = _place_id("Only this estate.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if (start is None) != (end is None):
            missing = "period_end" if end is None else "period_start"
            raise serializers.ValidationError({missing: [_("请同时给出 period_start 和 period_end。")]})
        if start is not None and end is not None:
            if "months" in attrs:
                raise serializers.ValidationError({"months": [_("按期间或按最近几个月查询，二选一。")]})
            if end <= start:
                raise serializers.ValidationError({"period_end": [_("结束日期须晚于开始日期。")]})
        return attrs


class CollectionSerializer(serializers.Serializer[Any]):
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Exclusive.")
    due = _money(help_text="Charges whose cycle starts in the period, net of adjustments.")
    paid = _money(help_text="Allocated to them (reversals included).")
    outstanding = _money()
    charges = serializers.IntegerField()
    rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        allow_null=True,
        help_text="paid ÷ due (0.9512 is 95.12 %); null: nothing due.",
    )


class CollectionReportSerializer(serializers.Serializer[Any]):
    series = CollectionSerializer(many=True, help_text="One line per month (?months), or the one period.")
    total = CollectionSerializer(help_text="The whole range.")


class CollectionRateView(APIView):
    """收缴率: of the charges whose cycle starts in a period (or each of the last N months)."""

    required_permission = VIEW_ANALYTICS

    @extend_schema(parameters=[CollectionParams], responses=CollectionReportSerializer)
    def get(self, request: Request) -> Response:
        params = _params(request, CollectionParams)
        estate, as_of = params.get("estate"), params.get("as_of")
        if "period_start" in params:
            total = collection.collection_rate(params["period_start"], params["period_end"], estate, as_of=as_of)
            series = [total]
        else:
            series = collection.collection_by_month(params.get("months", 12), as_of=as_of, estate=estate)
            total = collection.collection_rate(series[0].period_start, series[-1].period_end, estate, as_of=as_of)
        return Response(CollectionReportSerializer({"series": series, "total": total}).data)


# --- income -----------------------------------------------------------------------------------------


class IncomeParams(_Params):
    date_from = serializers.DateField(required=False, help_text="First business day; the 1st of this month.")
    date_to = serializers.DateField(required=False, help_text="Last business day (inclusive); today.")
    estate = _place_id("Only this estate.")
    by = serializers.ChoiceField(choices=list(income.INCOME_BY), default="fee_item")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        today = timezone.localdate()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", min(today.replace(day=1), attrs["date_to"]))
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("结束日期不能早于开始日期。")]})
        if attrs["by"] == "day" and (attrs["date_to"] - attrs["date_from"]).days >= MAX_DAYS_BY_DAY:
            raise serializers.ValidationError({"date_to": [_("按日统计最多 366 天，请缩小范围或按月统计。")]})
        return attrs


class _IncomeParts(serializers.Serializer[Any]):
    received = _money(help_text="Received from outside, on the payments' business days.")
    refunded = _money(help_text="Refunds whose money went back on these days (refunded_at).")
    reversed = _money(help_text="Payments received whose receipts were voided on these days.")


class IncomeLineSerializer(_IncomeParts):
    key = serializers.CharField(
        help_text='A fee item ("12", "12:late_fee"), "prepaid", "deposit"; a method; a day; a month.'
    )
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    amount = _money(help_text="Net: received − refunded − reversed.")
    count = serializers.IntegerField(help_text="Payments received in this line.")


class IncomeSerializer(_IncomeParts):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    by = serializers.ChoiceField(choices=list(income.INCOME_BY))
    lines = IncomeLineSerializer(many=True)
    total = _money(help_text="Net income, received − refunded − reversed: the sum of the lines' amounts.")
    count = serializers.IntegerField(help_text="Payments received.")
    refunding = _money(help_text="Refunds approved by date_to still going back through the channel (not in the net).")
    refunding_count = serializers.IntegerField()
    refund_failed = _money(help_text="Refunds approved by date_to the channel failed to pay (not in the net).")
    refund_failed_count = serializers.IntegerField()


class IncomeView(APIView):
    """收入: money received from outside (not draws on prepaid balances or deposits), less refunds and
    voided receipts, each on its own business day, by fee item, method, day or month."""

    required_permission = VIEW_FEES

    @extend_schema(parameters=[IncomeParams], responses=IncomeSerializer)
    def get(self, request: Request) -> Response:
        params = _params(request, IncomeParams)
        result = income.income(params["date_from"], params["date_to"], params.get("estate"), params["by"])
        return Response(IncomeSerializer(result).data)


# --- the cashier's day ------------------------------------------------------------------------------


class CashierDayParams(_Params):
    business_date = serializers.DateField(required=False, help_text="Today if omitted.")
    cashier = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="One cashier (a user id); everyone if omitted."
    )


class DayLineSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text='A method; a fee item ("12", "12:late_fee"), "prepaid", "deposit".')
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    amount = _money()
    count = serializers.IntegerField(help_text="Payments in this line.")


class MethodLineSerializer(DayLineSerializer):
    received = serializers.BooleanField(help_text="Money from outside; false for balance or deposit draws.")


class RefundLineSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The refund method (for voids: the payments' method).")
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    amount = _money()
    count = serializers.IntegerField()


class CashierDaySerializer(serializers.Serializer[Any]):
    business_date = serializers.DateField()
    cashier = serializers.IntegerField(allow_null=True)
    by_method = MethodLineSerializer(many=True)
    by_fee_item = DayLineSerializer(many=True)
    refunds = RefundLineSerializer(many=True, help_text="Refunds approved that day, by refund method.")
    voids = RefundLineSerializer(many=True, help_text="Payments received whose receipts were voided that day.")
    count = serializers.IntegerField(help_text="Payments.")
    amount = _money(help_text="Every payment: the sum of by_method, and of by_fee_item.")
    received = _money(help_text="Money from outside: the by_method lines marked received.")
    refunded = _money(help_text="The sum of refunds.")
    reversed = _money(help_text="The sum of voids.")
    net_received = _money(help_text="received − refunded − reversed.")


class CashierDailyView(APIView):
    """收银日报: a business day's payments by method and fee item, and the day's refunds and voids."""

    required_permission = VIEW_FEES

    @extend_schema(parameters=[CashierDayParams], responses=CashierDaySerializer)
    def get(self, request: Request) -> Response:
        params = _params(request, CashierDayParams)
        day = cashier.cashier_daily(params.get("business_date") or timezone.localdate(), params.get("cashier"))
        return Response(CashierDaySerializer(day).data)


PATHS = [
    path("billing/arrears/", ArrearsView.as_view(), name="billing-arrears"),
    path("billing/arrears/summary/", ArrearsSummaryView.as_view(), name="billing-arrears-summary"),
    path("billing/collection-rate/", CollectionRateView.as_view(), name="billing-collection-rate"),
    path("billing/income/", IncomeView.as_view(), name="billing-income"),
    path("billing/cashier-daily/", CashierDailyView.as_view(), name="billing-cashier-daily"),
]
