"""The platform console's view of vendors: find one (by code or name), see its admissions and
documents, and stop it or let it back — with a reason, through partners.services.console, never by
editing its rows (what a vendor and the companies wrote stays theirs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partners.models import Admission, QualificationDocument, Vendor
from partners.services import console


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["is_active", "deactivated_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_active") and not (data.get("deactivated_reason") or "").strip():
            self.add_error("deactivated_reason", _("停用服务商须填写原因。"))
        return data


class AdmissionInline(admin.TabularInline):
    model = Admission
    fields = readonly_fields = ("company", "status", "commission_rate", "note", "updated_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = QualificationDocument
    fields = readonly_fields = ("kind", "number", "expires_on", "uploaded_at", "expired_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    form = VendorForm
    list_display = ["code", "name", "kind", "is_active", "listings_suspended_at", "created_at"]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "kind",
        "contact_name",
        "created_at",
        "listings_suspended_at",
        "listings_suspended_reason",
        "is_active",
        "deactivated_reason",
    ]
    readonly_fields = [
        "code",
        "name",
        "kind",
        "contact_name",
        "created_at",
        "listings_suspended_at",
        "listings_suspended_reason",
    ]
    inlines = [AdmissionInline, DocumentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # vendors sign up themselves

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its orders and settlements in the companies refer to it: stop it instead

    def save_model(self, request: HttpRequest, obj: Vendor, form: forms.ModelForm, change: bool) -> None:
        """Through the console's services: stopping cancels what it would not serve, everywhere."""
        if obj.is_active:
            console.reactivate_vendor(vendor_id=obj.pk, operator=request.user)
        else:
            console.deactivate_vendor(vendor_id=obj.pk, reason=obj.deactivated_reason, operator=request.user)
