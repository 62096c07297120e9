"""The portal's 消息 (public host, /api/v1/partner/notices/): what the vendor was told — new orders,
cancellations, payments, ratings, companies' decisions, documents running out — newest first, each
rendered in the reader's language; marking them read; and whether they also go by text message.
And the join page's invitation (/api/v1/partner/invitations/): what a company's link offers, and
taking it up once signed in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.errors import NotFound
from partners.api.portal import PartnerAdmissionSerializer, PartnerPublicView, PartnerView
from partners.models import NoticeKind, NoticeSms, VendorNotice
from partners.notices import render
from partners.services import invitations, notices


class PartnerNoticeSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    company_label = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    sms = serializers.ChoiceField(choices=NoticeSms.choices)
    read = serializers.SerializerMethodField()

    class Meta:
        model = VendorNotice
        fields = ["id", "kind", "title", "text", "company_label", "portal_order", "created_at", "read", "sms"]

    def get_title(self, notice: VendorNotice) -> str:
        return render(notice)[0]

    def get_text(self, notice: VendorNotice) -> str:
        return render(notice)[1]

    def get_company_label(self, notice: VendorNotice) -> str:
        return notice.company.brand_name if notice.company is not None else ""

    def get_read(self, notice: VendorNotice) -> bool:
        return notice.read_at is not None


UNREAD = OpenApiParameter("unread", bool, required=False, description="Only the unread ones (count = the badge)")


class PartnerNoticeList(PartnerView, generics.ListAPIView):
    """消息: newest first; ?unread=1 for those not read yet."""

    required_permission = "partner.view"
    serializer_class = PartnerNoticeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VendorNotice.objects.none()
        rows = VendorNotice.objects.filter(vendor_id=self.request.user.vendor_id).select_related("company")
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return rows.order_by("-created_at", "-id")

    @extend_schema(parameters=[UNREAD])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NoticeReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=200,
        help_text=_("要标记为已读的消息；不填则全部标记为已读"),
    )


class NoticesMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PartnerNoticeRead(PartnerView):
    required_permission = "partner.view"

    @extend_schema(request=NoticeReadSerializer, responses=NoticesMarkedSerializer)
    def post(self, request):
        form = NoticeReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        marked = notices.mark_read(account=request.user, ids=form.validated_data.get("ids"))
        return Response({"marked": marked})


class NoticeSettingsSerializer(serializers.Serializer):
    sms_alerts = serializers.BooleanField(help_text=_("新订单、订单取消、合作状态和证件到期时发短信到联系电话"))


class PartnerNoticeSettings(PartnerView):
    """Whether the vendor's contact phone also gets texts; the manager decides."""

    required_permission = {"GET": "partner.view", "PATCH": "partner.manage"}

    @extend_schema(responses=NoticeSettingsSerializer)
    def get(self, request):
        return Response({"sms_alerts": request.user.vendor.sms_alerts})

    @extend_schema(request=NoticeSettingsSerializer, responses=NoticeSettingsSerializer)
    def patch(self, request):
        form = NoticeSettingsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        vendor = notices.set_sms_alerts(account=request.user, on=form.validated_data["sms_alerts"])
        return Response({"sms_alerts": vendor.sms_alerts})


class PartnerInvitationSerializer(serializers.Serializer):
    company = serializers.CharField(help_text=_("邀请方物业公司"))
    name = serializers.CharField(help_text=_("物业填写的服务商名称"))
    contact_name = serializers.CharField()
    phone_masked = serializers.CharField()
    expires_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["pending", "accepted", "expired", "revoked"])


class PartnerInvitationView(PartnerPublicView):
    """What an invitation link offers, before signing up or in: 404 for a link that names none."""

    throttle_scope = "login"

    @extend_schema(responses=PartnerInvitationSerializer)
    def get(self, request, token: str):
        invitation = invitations.by_token(token)
        if invitation is None:
            raise NotFound()
        body: dict[str, Any] = {
            "company": invitation.company.brand_name,
            "name": invitation.name,
            "contact_name": invitation.contact_name,
            "phone_masked": invitation.phone_masked,
            "expires_at": invitation.expires_at,
            "state": invitations.state(invitation),
        }
        return Response(body)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class PartnerInvitationAccept(PartnerView):
    """The signed-in vendor takes up a company's invitation: it applies to that company."""

    required_permission = "partner.manage"

    @extend_schema(request=InvitationAcceptSerializer, responses={201: PartnerAdmissionSerializer})
    def post(self, request):
        form = InvitationAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = invitations.accept(account=request.user, token=form.validated_data["token"])
        return Response(PartnerAdmissionSerializer(admission).data, status=201)
