"""A company's invitations of vendors by text message, on its own host (config.urls_tenant,
/api/v1/partner-invitations/): send one to a phone, see whether it went and was taken up, send it
again with a new link, revoke it. Its own invitations only (invitations.company_invitations)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.validators import PhoneField
from partners.models import VendorInvitation
from partners.services import invitations

MANAGE = "partners.manage"


class VendorInvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    vendor_name = serializers.SerializerMethodField()

    class Meta:
        model = VendorInvitation
        fields = [
            "id",
            "name",
            "contact_name",
            "phone_masked",
            "invited_by",
            "created_at",
            "sent_at",
            "sms_error",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "state",
            "vendor_name",
        ]

    def get_state(self, invitation: VendorInvitation) -> str:
        return invitations.state(invitation)

    def get_vendor_name(self, invitation: VendorInvitation) -> str:
        return invitation.vendor.name if invitation.vendor is not None else ""


class VendorInviteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label=_("名称"))
    contact_name = serializers.CharField(max_length=50, default="", allow_blank=True, label=_("联系人"))
    phone = PhoneField(label=_("手机号"))


class PartnerInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """邀请服务商入驻: a text with a link to the partner portal's join page, good for seven days."""

    required_permission = MANAGE
    serializer_class = VendorInvitationSerializer
    error_statuses = {"create": [400, 429], "resend": [404, 409, 429], "revoke": [404, 409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VendorInvitation.objects.none()
        return invitations.company_invitations()

    @extend_schema(request=VendorInviteSerializer, responses={201: VendorInvitationSerializer})
    def create(self, request):
        form = VendorInviteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = invitations.invite(**form.validated_data, actor=request.user)
        return Response(VendorInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VendorInvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        return Response(
            VendorInvitationSerializer(invitations.resend(invitation_id=self.get_object().pk, actor=request.user)).data
        )

    @extend_schema(request=None, responses=VendorInvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return Response(
            VendorInvitationSerializer(invitations.revoke(invitation_id=self.get_object().pk, actor=request.user)).data
        )
