"""A company's side of partners, on its own host (config.urls_tenant, /api/v1/partner-admissions/):
the vendors it invited, that applied to it or that it admitted — its own admissions only
(partners.selectors.company_admissions) — their documents for review, and every decision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from partners import selectors
from partners.models import Admission, QualificationDocument, Vendor
from partners.services import admissions

MANAGE = "partners.manage"


class AdmissionVendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "code", "name", "kind", "contact_name", "phone", "listings_suspended_at"]


class AdmissionDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualificationDocument
        fields = ["id", "kind", "number", "expires_on", "uploaded_at", "expired_at"]


class AdmissionSerializer(serializers.ModelSerializer):
    vendor = AdmissionVendorSerializer()

    class Meta:
        model = Admission
        fields = [
            "id",
            "vendor",
            "status",
            "estate_ids",
            "commission_rate",
            "documents_reviewed_at",
            "note",
            "created_at",
            "updated_at",
        ]


class AdmissionDetailSerializer(AdmissionSerializer):
    documents = serializers.SerializerMethodField()

    class Meta(AdmissionSerializer.Meta):
        fields = [*AdmissionSerializer.Meta.fields, "documents"]

    @extend_schema_field(AdmissionDocumentSerializer(many=True))
    def get_documents(self, admission: Admission) -> Any:
        return AdmissionDocumentSerializer(selectors.company_admission_documents(admission), many=True).data


class InviteSerializer(serializers.Serializer):
    vendor_code = serializers.CharField(max_length=12, help_text=_("服务商在合作伙伴平台上的编号"))


class ApproveSerializer(serializers.Serializer):
    estate_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=500)
    commission_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("0.9999")
    )


class AdmissionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class PartnerAdmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """服务商准入: invite by the vendor's code; review its documents; approve for estates at a
    commission; reject; suspend; reinstate. Each step is one audited action on this company's trail."""

    required_permission = MANAGE
    filterset_fields = ["status"]
    error_statuses = {"approve": [400, 404], "invite": [400], "terms": [400, 404]}

    def get_queryset(self):
        return selectors.company_admissions()

    def get_serializer_class(self):
        return AdmissionDetailSerializer if self.action == "retrieve" else AdmissionSerializer

    def _answer(self, admission: Admission, code: int = status.HTTP_200_OK) -> Response:
        return Response(AdmissionSerializer(admission).data, status=code)

    @extend_schema(request=InviteSerializer, responses={201: AdmissionSerializer})
    @action(detail=False, methods=["post"])
    def invite(self, request):
        form = InviteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = admissions.invite_vendor(vendor_code=form.validated_data["vendor_code"], actor=request.user)
        return self._answer(admission, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses=AdmissionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        form = ApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = admissions.approve_admission(
            admission_id=self.get_object().pk, actor=request.user, **form.validated_data
        )
        return self._answer(admission)

    @extend_schema(request=ApproveSerializer, responses=AdmissionSerializer)
    @action(detail=True, methods=["post"])
    def terms(self, request, pk=None):
        """编辑合作条款: an approved vendor's estates and commission, changed."""
        form = ApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = admissions.change_admission_terms(
            admission_id=self.get_object().pk, actor=request.user, **form.validated_data
        )
        return self._answer(admission)

    @extend_schema(request=AdmissionReasonSerializer, responses=AdmissionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        form = AdmissionReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            admissions.reject_admission(admission_id=self.get_object().pk, actor=request.user, **form.validated_data)
        )

    @extend_schema(request=AdmissionReasonSerializer, responses=AdmissionSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        form = AdmissionReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            admissions.suspend_admission(admission_id=self.get_object().pk, actor=request.user, **form.validated_data)
        )

    @extend_schema(request=None, responses=AdmissionSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._answer(admissions.reinstate_admission(admission_id=self.get_object().pk, actor=request.user))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9]+)/file")
    def document_file(self, request, pk=None, document_id=None):
        """A document's file, for review: only of a vendor this company has an admission with."""
        admission = self.get_object()
        document = selectors.company_admission_documents(admission).filter(pk=document_id).first()
        if document is None or not document.file:
            raise NotFound()
        return FileResponse(
            document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1]
        )
