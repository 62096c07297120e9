"""Staff: an activity's sign-up list — who signed up, who came, and for a paid activity who has paid
(billing's facts: tenants.activities.selectors.signups) — filtered on the server, and the same rows
as an .xlsx download (`?format=xlsx`, core.exports)."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, serializers

from billing.selectors.service_charges import PaymentStatus
from core.exports import ExcelExportMixin
from tenants.activities import selectors
from tenants.activities.models import Activity, SignUp, SignUpStatus


class StaffSignUpSerializer(serializers.ModelSerializer):
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    owner_name = serializers.CharField(source="user.name", read_only=True)
    payment_status = serializers.ChoiceField(
        choices=PaymentStatus.CHOICES,
        read_only=True,
        allow_null=True,
        default=None,
        help_text="A paid activity's fee in billing; null: a free activity, or nothing charged (waiting).",
    )
    fee_charged = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, default=None, help_text="After adjustments."
    )
    fee_paid = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, default=None, help_text="Net of refunds."
    )

    class Meta:
        model = SignUp
        fields = [
            "id",
            "house",
            "house_label",
            "estate_name",
            "owner_name",
            "contact_name",
            "people",
            "status",
            "payment_status",
            "fee_charged",
            "fee_paid",
            "checked_in_at",
            "confirmed_at",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields


class SignUpFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SignUpStatus.choices)
    payment_status = django_filters.MultipleChoiceFilter(
        choices=PaymentStatus.CHOICES, help_text="Repeat for several: unpaid and partial are who still owe."
    )
    checked_in = django_filters.BooleanFilter(
        field_name="checked_in_at", lookup_expr="isnull", exclude=True, help_text="true: checked in; false: not yet."
    )

    class Meta:
        model = SignUp
        fields = ["status", "payment_status", "checked_in"]


class ActivitySignUpList(ExcelExportMixin, generics.ListAPIView):
    """报名名单: an activity's sign-ups in sign-up order, with payment status for a paid activity.
    `?format=xlsx` downloads the filtered list."""

    serializer_class = StaffSignUpSerializer
    required_permission = "activities.manage"
    filterset_class = SignUpFilter
    search_fields = ["contact_name", "user__name", "house__number"]
    export_title = _("活动报名名单")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", _("小区")),
        ("house_label", _("房屋")),
        ("owner_name", _("业主")),
        ("contact_name", _("联系人")),
        ("people", _("人数")),
        ("status", _("报名状态")),
        ("payment_status", _("缴费状态")),
        ("fee_charged", _("应缴金额（元）")),
        ("fee_paid", _("已缴金额（元）")),
        ("checked_in_at", _("签到时间")),
        ("created_at", _("报名时间")),
    ]
    export_labels = {"status": dict(SignUpStatus.choices), "payment_status": dict(PaymentStatus.CHOICES)}
    export_text_fields = ("house_label",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI document is built without a URL
            return SignUp.objects.none()
        activity = get_object_or_404(Activity.objects.all(), pk=self.kwargs["activity_id"])
        return selectors.signups(activity)
