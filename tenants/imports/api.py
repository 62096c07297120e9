"""Imports API: upload (starts the dry run), poll, download the annotated report, commit; templates."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exports import XLSX, ExcelExportMixin
from core.input_guard import FormParser, MultiPartParser
from core.models import JobStatus
from tenants.imports import kinds, reports, selectors, services
from tenants.imports.models import Import, ImportStatus

logger = logging.getLogger(__name__)


def _kind_permission(kind: object) -> tuple[str, ...]:
    """What the template of `kind` needs: its registered permission; for an unknown kind, any import
    permission (then a 404 from the view: an unknown kind is never allowed by default)."""
    spec = kinds.find(kind) if isinstance(kind, str) else None
    return (spec.permission,) if spec is not None else kinds.permissions()


def _download(content: bytes, file_name: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    response["Cache-Control"] = "no-store"
    return response


class ImportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    message = serializers.CharField()


# What a file would do (after the dry run) or did (after the commit); empty while validating.
# `held`: meter readings written but held for review (a commit of meter_readings). An HC workbook
# (hc_assets) adds its houses' and residents' own counts, its fees and what it did not import; a
# fee history or arrears file what it posts to the ledger.
IMPORT_COUNTS = inline_serializer(
    "ImportCounts",
    {
        key: serializers.IntegerField(required=False)
        for key in (
            "rows",
            "create",
            "update",
            "unchanged",
            "errors",
            "blank_rows",
            "held",
            "houses_create",
            "houses_update",
            "houses_unchanged",
            "residents_create",
            "residents_update",
            "residents_unchanged",
            "new_estates",
            "new_buildings",
            "new_units",
            "new_persons",
            "updated_persons",
            "parking_spaces",
            "fee_items",
            "house_fee_links",
            "temporary_people",
            "placeholder_phones",
            "placeholder_ids",
            "people_without_house",
            "houses_without_people",
            "ended",
            "warnings",
            "fee_items_create",
            "fee_items_unchanged",
            "fee_items_not_imported",
            "fee_assignments_create",
            "fee_assignments_unchanged",
            "unsold_with_people",
            "houses_kept_without_people",
            "charges",
            "payments",
            "assignments_created",
            "assignments_moved",
            "vehicles_not_imported",
            "assignments",
            "meters",
        )
    },
)


@extend_schema_field(IMPORT_COUNTS)
class ImportCountsField(serializers.JSONField):
    """The stored counts as they are; the document names their keys."""


def may_download(user, record: Import) -> bool:
    """An import's file and report hold whole phone and ID numbers, which lists only show masked:
    the uploader may have them back; others need the role that may reveal them."""
    return record.created_by_id == user.pk or user.has_permission("pii.reveal")


class ImportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    job = ImportJobSerializer(read_only=True, allow_null=True)
    counts = ImportCountsField(read_only=True)
    created_by_name = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()
    can_commit = serializers.SerializerMethodField()
    estate = serializers.IntegerField(source="estate_id", read_only=True, allow_null=True, help_text="上传时选择的小区")
    estate_name = serializers.CharField(source="estate.name", default=None, read_only=True, allow_null=True)
    notes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="计数之外的说明：未导入的工作表及原因、未识别的列等"
    )
    # The counts one by one, for the spreadsheet export of the history.
    create_count = serializers.IntegerField(source="counts.create", default=0, read_only=True)
    update_count = serializers.IntegerField(source="counts.update", default=0, read_only=True)
    unchanged_count = serializers.IntegerField(source="counts.unchanged", default=0, read_only=True)

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "file_name",
            "file_size",
            "counts",
            "create_count",
            "update_count",
            "unchanged_count",
            "error_total",
            "message",
            "notes",
            "estate",
            "estate_name",
            "job",
            "report_url",
            "can_commit",
            "created_by_name",
            "created_at",
            "validated_at",
            "committed_at",
        ]

    def get_created_by_name(self, record: Import) -> str:
        user = record.created_by
        return (user.name or user.username) if user else ""

    def get_report_url(self, record: Import) -> str | None:
        request = self.context.get("request")
        if not record.report or (request is not None and not may_download(request.user, record)):
            return None  # no link where the download would be refused
        return reverse("import-report", args=[record.pk])

    def get_can_commit(self, record: Import) -> bool:
        return record.status == ImportStatus.READY


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="行号（与 Excel 显示一致）；文件级问题为 null")
    column = serializers.CharField(allow_null=True, help_text="列（中文表头）；整行或文件级问题为 null")
    message = serializers.CharField()
    sheet = serializers.CharField(required=False, help_text="工作表（多工作表的文件，如 HC 资产表）")


class ImportDetailSerializer(ImportSerializer):
    # stubs: a serializer is a Field, and this field hides Field.errors
    errors = ImportProblemSerializer(many=True, read_only=True, help_text="前 1000 个问题；总数见 error_total")  # type: ignore[assignment]
    warnings = ImportProblemSerializer(
        many=True, read_only=True, help_text="提醒（不阻止导入）：占位值、一格多人、将结束的关系等；前 1000 条"
    )

    class Meta(ImportSerializer.Meta):
        fields = [*ImportSerializer.Meta.fields, "errors", "warnings"]


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="houses（房屋）、residents（住户；还需 pii.reveal）、"
        "hc_assets（HC 资产表：房屋和住户，还需 pii.reveal，并选择小区）、"
        "meter_readings（抄表数据；需 meters.read）；各类型需其权限，否则 403"
    )
    file = serializers.FileField(help_text=".xlsx / .xls / .csv，最大 20 MB、100,000 行", required=False)
    estate = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="导入到哪个小区：hc_assets（HC 资产表）必填；fee_history、fee_arrears、meters 可选"
        "（选择后房屋在该小区中查找，“小区”列可不填）；其他类型不填",
    )


class ImportViewSet(ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data migration in. Upload a file → the dry run (a Celery job) validates every row → when the
    status is `ready`, commit → the commit job writes everything or nothing. Poll the import (or its
    job) for progress; an import with problems has an annotated report to download.

    Each kind has its permission (kinds.py): uploading, reading and committing an import need the
    permission of its kind; the list shows the kinds the user holds the permission of."""

    lookup_value_regex = r"\d+"
    error_statuses = {"commit": [409]}  # not ready to commit
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status"]
    search_fields = ["file_name"]
    ordering_fields = ["created_at"]
    export_title = gettext_lazy("导入记录")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("created_at", gettext_lazy("上传时间")),
        ("kind_label", gettext_lazy("类型")),
        ("file_name", gettext_lazy("文件名")),
        ("status_label", gettext_lazy("状态")),
        ("create_count", gettext_lazy("新增")),
        ("update_count", gettext_lazy("更新")),
        ("unchanged_count", gettext_lazy("不变")),
        ("error_total", gettext_lazy("错误")),
        ("created_by_name", gettext_lazy("上传人")),
        ("committed_at", gettext_lazy("导入时间")),
    ]

    # Any import permission opens the endpoints (the body is not parsed to check one: a stranger's
    # request is refused before that); the kind's own permission is then checked by the service
    # (upload, commit) or by get_object (an import's record, file and report).
    @property
    def required_permission(self) -> tuple[str, ...]:
        return kinds.permissions()

    def get_queryset(self):
        queryset = selectors.imports()
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            queryset = queryset.filter(kind__in=kinds.allowed(self.request.user))
        return queryset

    def get_object(self) -> Import:
        record = super().get_object()
        if record.kind not in kinds.allowed(self.request.user):
            raise PermissionDenied(_("没有查看或确认该类导入的权限。"))
        return record

    def get_serializer_class(self):
        return ImportSerializer if self.action == "list" else ImportDetailSerializer

    def _detail(self, pk: int, status: int = 200) -> Response:
        record = selectors.imports().get(pk=pk)  # the action already checked the kind
        return Response(ImportDetailSerializer(record, context={"request": self.request}).data, status=status)

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = ImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.start_import(
            kind=form.validated_data["kind"],
            upload=form.validated_data.get("file"),
            actor=request.user,
            estate_id=form.validated_data.get("estate"),
        )
        return self._detail(record.pk, status=202)

    @extend_schema(request=None, responses={202: ImportDetailSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        self.get_object()  # 404 for an id that is not this company's
        record = services.request_commit(import_id=int(pk), actor=request.user)
        return self._detail(record.pk, status=202)

    def _downloadable(self, request) -> Import:
        record = self.get_object()
        if not may_download(request.user, record):
            raise PermissionDenied(_("导入文件含完整的手机号和身份证号，只有上传人和可查看完整信息的角色能下载。"))
        return record

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The uploaded rows with a 错误说明 column and the bad cells marked (only when there are problems)."""
        record = self._downloadable(request)
        if not record.report:
            raise NotFound(_("该导入没有错误报告。"))
        services.record_download(record=record, actor=request.user, what="report")
        with record.report.open("rb") as stored:
            content = stored.read()
        stem = record.file_name.rsplit(".", 1)[0]
        return _download(content, _("%(name)s-错误报告.xlsx") % {"name": stem})

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """The file as uploaded."""
        record = self._downloadable(request)
        services.record_download(record=record, actor=request.user, what="file")
        with record.file.open("rb") as stored:
            content = stored.read()
        return _download(content, record.file_name, "application/octet-stream")


class ImportTemplateView(APIView):
    """The .xlsx template of an import kind: Chinese headers, an example row, a sheet of notes.
    Needs the kind's permission."""

    @property
    def required_permission(self) -> tuple[str, ...]:
        return _kind_permission(getattr(self, "kwargs", {}).get("kind"))

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, kind: str):
        spec = kinds.find(kind)
        if spec is None:
            raise NotFound(_("未知的导入类型。"))
        if spec.read is not None:  # e.g. HC's workbooks: uploaded as the other system wrote them
            raise NotFound(_("该类导入直接上传原系统导出的文件，没有模板。"))
        name = _("%(kind)s导入模板-%(date)s.xlsx") % {"kind": spec.label, "date": f"{timezone.localdate():%Y%m%d}"}
        return _download(reports.template(kind), name)
