from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import PUBLIC
from companies import agreements, selectors, services
from companies.models import Company, Plan, Signup, SignupStatus
from core.api_views import PublicThrottledView
from core.input_guard import MultiPartParser


def _text(max_length: int, **kwargs) -> serializers.CharField:
    # Presence and format are checked by services.validate_signup, so that one answer lists
    # every problem at once (a missing name and a bad phone together, not one per round trip).
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


class SignupSerializer(serializers.Serializer):
    company_name = _text(200)
    slug = _text(60)
    admin_name = _text(100)
    admin_phone = _text(20)
    admin_email = _text(254)
    admin_username = _text(
        60, help_text="The first admin's username (lower-case letters, digits, . _ -; not admin, root…)."
    )
    password = _text(128, trim_whitespace=False, write_only=True)


class SignupStatusSerializer(serializers.ModelSerializer):
    admin_url = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Signup
        fields = [
            "id",
            "slug",
            "company_name",
            "status",
            "error",
            "admin_url",
            "status_url",
            "created_at",
            "finished_at",
        ]

    def get_admin_url(self, signup: Signup) -> str | None:
        return services.company_url(signup.slug) if signup.status == SignupStatus.READY else None

    def get_status_url(self, signup: Signup) -> str:
        return reverse("signup-status", args=[signup.pk])


class SignupCreateView(PublicThrottledView):
    """Self-service signup: validates, records, queues provisioning, and answers at once (202)."""

    throttle_scope = "signup"

    @extend_schema(request=SignupSerializer, responses={202: SignupStatusSerializer})
    def post(self, request):
        form = SignupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signup = services.create_signup(data=form.validated_data)
        return Response(SignupStatusSerializer(signup).data, status=status.HTTP_202_ACCEPTED)


class SignupStatusView(generics.RetrieveAPIView):
    """Poll this until status is ready (then go to admin_url) or failed."""

    required_permission = PUBLIC
    authentication_classes: list = []
    serializer_class = SignupStatusSerializer

    def get_object(self):
        signup = selectors.signup_by_id(str(self.kwargs["pk"]))
        if signup is None:
            raise NotFound()
        return signup


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "max_houses", "max_staff", "monthly_price", "trial_days", "is_trial"]


class PlanList(generics.ListAPIView):
    required_permission = PUBLIC
    authentication_classes: list = []
    serializer_class = PlanSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.public_plans()


class BrandingSerializer(serializers.ModelSerializer):
    logo_url = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ["display_name", "logo_url", "primary_color", "miniprogram_title"]

    def get_logo_url(self, company: Company) -> str | None:
        return company.logo.url if company.logo else None


class PublicSiteSerializer(serializers.Serializer):
    surface = serializers.CharField()
    base_domain = serializers.CharField()


class SiteCompanySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    branding = BrandingSerializer()


class CompanySiteSerializer(serializers.Serializer):
    surface = serializers.CharField()
    company = SiteCompanySerializer()


# The answer's shape depends on `surface`: the document says so (oneOf with a discriminator).
SiteSerializer = PolymorphicProxySerializer(
    component_name="Site",
    serializers={"public": PublicSiteSerializer, "company": CompanySiteSerializer},
    resource_type_field_name="surface",
)


class SiteView(APIView):
    """Who answers on this host: the public platform, or a company with its branding."""

    required_permission = PUBLIC
    authentication_classes: list = []

    @extend_schema(responses=SiteSerializer)
    def get(self, request):
        company = request.tenant
        if company.schema_name == get_public_schema_name():
            return Response({"surface": "public", "base_domain": settings.BASE_DOMAIN})
        return Response(
            {
                "surface": "company",
                "company": {"slug": company.slug, "name": company.name, "branding": BrandingSerializer(company).data},
            }
        )


class BrandingView(APIView):
    required_permission = {"GET": "authenticated", "PATCH": "settings.manage"}

    @extend_schema(responses=BrandingSerializer)
    def get(self, request):
        return Response(BrandingSerializer(request.tenant).data)

    @extend_schema(request=BrandingSerializer, responses=BrandingSerializer)
    def patch(self, request):
        form = BrandingSerializer(request.tenant, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        company = services.update_branding(company=request.tenant, actor=request.user, **form.validated_data)
        return Response(BrandingSerializer(company).data)


# A logo is shown at a few hundred pixels. Pillow reads the size from the header without decoding
# the pixels (and refuses outright past 2 x Image.MAX_IMAGE_PIXELS); a small file can declare a
# huge image that would take gigabytes to decode wherever it is shown or resized.
MAX_LOGO_PIXELS = 20_000_000


class LogoSerializer(serializers.Serializer):
    file = serializers.ImageField()

    def validate_file(self, file):
        if file.size > 2 * 1024 * 1024:
            raise serializers.ValidationError("图片不能超过 2 MB。")
        width, height = file.image.size
        if width * height > MAX_LOGO_PIXELS:
            raise serializers.ValidationError(_("图片尺寸过大（不能超过 2000 万像素）。"))
        if (file.image.format or "").upper() not in {"PNG", "JPEG", "WEBP"}:
            raise serializers.ValidationError("仅支持 PNG、JPEG、WEBP 图片。")
        return file


class BrandingLogoView(APIView):
    required_permission = "settings.manage"
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": LogoSerializer}, responses=BrandingSerializer)
    def post(self, request):
        form = LogoSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        company = services.update_branding(company=request.tenant, actor=request.user, logo=form.validated_data["file"])
        return Response(BrandingSerializer(company).data)


class AgreementSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=agreements.KINDS)
    title = serializers.CharField()
    company_name = serializers.CharField()
    is_default = serializers.BooleanField()
    text = serializers.CharField()


class AgreementView(APIView):
    """用户协议 / 隐私政策 of this host's company, for anyone (the owner app shows them before login)."""

    required_permission = PUBLIC
    authentication_classes: list = []

    @extend_schema(responses=AgreementSerializer)
    def get(self, request, kind: str):
        if kind not in agreements.KINDS:
            raise NotFound()
        return Response(AgreementSerializer(selectors.agreement(request.tenant, kind)).data)  # type: ignore[arg-type]


class AgreementSettingsSerializer(serializers.Serializer):
    # The length cap and control characters are checked by the service (agreements.clean_text), so
    # the form and the service give one message; this bound only stops a body far past it early.
    user_agreement = serializers.CharField(
        allow_blank=True, required=False, trim_whitespace=False, max_length=agreements.MAX_LENGTH * 2
    )
    privacy_policy = serializers.CharField(
        allow_blank=True, required=False, trim_whitespace=False, max_length=agreements.MAX_LENGTH * 2
    )
    default_user_agreement = serializers.CharField(read_only=True)
    default_privacy_policy = serializers.CharField(read_only=True)


class AgreementSettingsView(APIView):
    """The company's own 用户协议 / 隐私政策 for its admin; a blank text means the default template."""

    required_permission = "settings.manage"

    @extend_schema(responses=AgreementSettingsSerializer)
    def get(self, request):
        return Response(AgreementSettingsSerializer(selectors.agreement_settings(request.tenant)).data)

    @extend_schema(request=AgreementSettingsSerializer, responses=AgreementSettingsSerializer)
    def patch(self, request):
        form = AgreementSettingsSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        company = services.update_agreements(company=request.tenant, actor=request.user, **form.validated_data)
        return Response(AgreementSettingsSerializer(selectors.agreement_settings(company)).data)
