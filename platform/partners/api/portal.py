"""The partner portal's API, on the public host only (config.urls_public, /api/v1/partner/...): a
vendor signs up and in, uploads its qualification documents, applies to companies and reads its
admissions. Authenticated by partner tokens alone (partners.authentication), checked by
partners.permissions: a company's token or session means nothing here."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import PUBLIC
from accounts.validators import PhoneField
from core.client_ip import client_ip
from core.throttling import ClientScopedRateThrottle
from partners import selectors
from partners.authentication import PartnerTokenAuthentication
from partners.models import (
    Admission,
    DocumentKind,
    PartnerToken,
    QualificationDocument,
    Vendor,
    VendorAccount,
    VendorKind,
    VendorRole,
)
from partners.permissions import HasPartnerPermission
from partners.services import admissions, staff, vendors


class PartnerView(APIView):
    """A signed-in vendor's endpoint: partner tokens only, the partner permission check only."""

    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [HasPartnerPermission]


class PartnerPublicView(APIView):
    """Signup and sign-in: anyone, rate-limited per client."""

    required_permission = PUBLIC
    authentication_classes: list = []
    permission_classes = [HasPartnerPermission]
    throttle_classes = [ClientScopedRateThrottle]


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = [
            "code",
            "name",
            "kind",
            "contact_name",
            "phone_masked",
            "listings_suspended_at",
            "listings_suspended_reason",
        ]


class PartnerAccountSerializer(serializers.ModelSerializer):
    vendor = VendorSerializer()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = VendorAccount
        fields = ["id", "name", "phone_masked", "role", "permissions", "vendor"]

    def get_permissions(self, account: VendorAccount) -> list[str]:
        return sorted(account.permissions)


class PartnerTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    account = PartnerAccountSerializer()


def _token_response(raw: str, token: PartnerToken, *, created: bool = False) -> Response:
    body = {"token": raw, "expires_at": token.expires_at, "account": PartnerAccountSerializer(token.account).data}
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PartnerSignupSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label=_("名称"))
    kind = serializers.ChoiceField(choices=VendorKind.choices, label=_("类型"))
    contact_name = serializers.CharField(max_length=50, label=_("联系人"))
    phone = PhoneField(label=_("手机号"))
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    invitation = serializers.CharField(
        max_length=64, required=False, allow_blank=True, write_only=True, help_text=_("物业邀请短信中的链接令牌")
    )


class PartnerSignupView(PartnerPublicView):
    """A vendor signs up: the vendor and its manager's account, signed in at once. With a company's
    invitation (the link's token) it applies to that company in the same transaction."""

    throttle_scope = "signup"

    @extend_schema(request=PartnerSignupSerializer, responses={201: PartnerTokenSerializer})
    def post(self, request):
        form = PartnerSignupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        _vendor, account = vendors.sign_up_vendor(**form.validated_data)
        raw, token = vendors.issue_token(account=account)
        return _token_response(raw, token, created=True)


class PartnerLoginSerializer(serializers.Serializer):
    phone = PhoneField()
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class PartnerLoginView(PartnerPublicView):
    throttle_scope = "login"
    error_statuses = {"post": [401, 403]}  # 403: the vendor was stopped by the platform

    @extend_schema(request=PartnerLoginSerializer, responses=PartnerTokenSerializer)
    def post(self, request):
        form = PartnerLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = vendors.authenticate(**form.validated_data, ip=client_ip(request))
        raw, token = vendors.issue_token(account=account)
        return _token_response(raw, token)


class PartnerLogoutView(PartnerView):
    required_permission = "partner.view"

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        vendors.revoke_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PartnerMeView(PartnerView):
    required_permission = "partner.view"

    @extend_schema(responses=PartnerAccountSerializer)
    def get(self, request):
        return Response(PartnerAccountSerializer(request.user).data)


class PartnerDocumentSerializer(serializers.ModelSerializer):
    expired = serializers.SerializerMethodField()

    class Meta:
        model = QualificationDocument
        fields = ["id", "kind", "number", "expires_on", "uploaded_at", "expired"]

    def get_expired(self, document: QualificationDocument) -> bool:
        return document.expires_on is not None and document.expires_on < timezone.localdate()


class PartnerDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    number = serializers.CharField(max_length=64)
    file = serializers.FileField()
    expires_on = serializers.DateField(required=False, allow_null=True)


class PartnerDocumentList(PartnerView, generics.ListAPIView):
    """The vendor's qualification documents (newest first); upload one (it replaces its kind's)."""

    required_permission = {"GET": "partner.view", "POST": "partner.manage"}
    serializer_class = PartnerDocumentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the API document, drawn without a vendor
            return QualificationDocument.objects.none()
        return selectors.vendor_documents(self.request.user.vendor)

    @extend_schema(
        request={"multipart/form-data": PartnerDocumentUploadSerializer}, responses={201: PartnerDocumentSerializer}
    )
    def post(self, request):
        form = PartnerDocumentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        document = vendors.add_document(
            account=request.user,
            kind=data["kind"],
            number=data["number"],
            file=data["file"],
            expires_on=data.get("expires_on"),
        )
        return Response(PartnerDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class PartnerAdmissionSerializer(serializers.ModelSerializer):
    """What a vendor sees of a company that invited or admitted it: its name, nothing of its data."""

    company = serializers.CharField(source="company.slug")
    company_name = serializers.SerializerMethodField()
    estates_count = serializers.SerializerMethodField()

    class Meta:
        model = Admission
        fields = ["id", "company", "company_name", "status", "commission_rate", "estates_count", "note", "updated_at"]

    def get_company_name(self, admission: Admission) -> str:
        return admission.company.display_name or admission.company.name

    def get_estates_count(self, admission: Admission) -> int:
        return len(admission.estate_ids)


class PartnerApplySerializer(serializers.Serializer):
    company = serializers.SlugField(max_length=30, help_text=_("物业公司的域名前缀"))


class PartnerAdmissionList(PartnerView, generics.ListAPIView):
    """The companies the vendor applied to, was invited by or serves; apply to one (or accept)."""

    required_permission = {"GET": "partner.view", "POST": "partner.manage"}
    serializer_class = PartnerAdmissionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Admission.objects.none()
        return selectors.vendor_admissions(self.request.user.vendor)

    @extend_schema(request=PartnerApplySerializer, responses={201: PartnerAdmissionSerializer})
    def post(self, request):
        form = PartnerApplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = admissions.apply_to_company(account=request.user, company_slug=form.validated_data["company"])
        return Response(PartnerAdmissionSerializer(admission).data, status=status.HTTP_201_CREATED)


class PartnerStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = VendorAccount
        fields = ["id", "name", "phone_masked", "role", "is_active", "last_login", "created_at"]
        read_only_fields = fields


class PartnerStaffAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = PhoneField()
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    role = serializers.ChoiceField(choices=VendorRole.choices, required=False, default=VendorRole.STAFF)


class PartnerStaffActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


class PartnerStaffList(PartnerView, generics.ListAPIView):
    """员工账号: the vendor's people in the portal; the manager adds one (staff see and move orders)."""

    required_permission = {"GET": "partner.manage", "POST": "partner.manage"}
    serializer_class = PartnerStaffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VendorAccount.objects.none()
        return selectors.vendor_accounts(self.request.user.vendor)

    @extend_schema(request=PartnerStaffAddSerializer, responses={201: PartnerStaffSerializer})
    def post(self, request):
        form = PartnerStaffAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = staff.add_account(manager=request.user, **form.validated_data)
        return Response(PartnerStaffSerializer(account).data, status=status.HTTP_201_CREATED)


class PartnerStaffDetail(PartnerView):
    """Switch one of the vendor's accounts off (its tokens revoked at once) or on again."""

    required_permission = {"PATCH": "partner.manage"}
    error_statuses = {"patch": [404, 409]}

    @extend_schema(request=PartnerStaffActiveSerializer, responses=PartnerStaffSerializer)
    def patch(self, request, pk):
        form = PartnerStaffActiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = staff.set_account_active(
            manager=request.user, account_id=pk, is_active=form.validated_data["is_active"]
        )
        return Response(PartnerStaffSerializer(account).data)
