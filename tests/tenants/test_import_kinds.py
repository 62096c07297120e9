"""The registry of import kinds: one place that says what can be imported, how and by whom."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.core.management import call_command

from tenants.imports import builtin_kinds, kinds
from tenants.imports.models import Import


def test_the_kinds_of_every_app_are_registered_once_ready():
    assert kinds.keys()[:2] == ["houses", "residents"]
    assert kinds.find("meter_readings") is not None  # billing's, registered from BillingConfig.ready
    readings = kinds.get("meter_readings")
    assert (readings.permission, readings.upload_permission) == ("meters.read", None)
    assert [c.header for c in readings.columns] == ["表号", "表具类型", "抄表日期", "本期读数", "计度器"]
    assert kinds.get("residents").upload_permission == "pii.reveal"
    assert kinds.get("houses").lock == kinds.get("residents").lock != readings.lock
    assert set(kinds.permissions()) == {"basic_data.manage", "meters.read", "fees.manage"}
    assert kinds.find("parking") is None
    with pytest.raises(kinds.UnknownKind):
        kinds.get("parking")


def test_registering_is_idempotent_and_a_taken_key_or_bad_key_is_refused():
    kinds.register(builtin_kinds.HOUSES)  # the same spec again: harmless
    assert kinds.keys().count("houses") == 1
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(dataclasses.replace(builtin_kinds.HOUSES, permission="meters.read"))
    for key in ("Houses", "houses-2", "", "x" * 33):
        with pytest.raises(ValueError):
            kinds.register(dataclasses.replace(builtin_kinds.HOUSES, key=key))
    with pytest.raises(ValueError, match="no permission"):
        kinds.register(dataclasses.replace(builtin_kinds.HOUSES, key="other", permission=""))
    assert kinds.find("other") is None


def test_the_model_takes_its_choices_from_the_registry():
    field = Import._meta.get_field("kind")
    assert [value for value, _label in field.choices] == kinds.keys()
    assert Import(kind="meter_readings").get_kind_display() == "抄表数据"
    assert field.deconstruct()[3]["choices"] is kinds.choices  # no migration per kind


def test_allowed_kinds_follow_the_users_permissions():
    class Holder:
        def __init__(self, *held):
            self.held = held

        def has_permission(self, permission):
            return permission in self.held

    assert kinds.allowed(Holder("meters.read")) == ["meter_readings"]
    assert kinds.allowed(Holder("basic_data.manage")) == ["houses", "residents", "hc_assets"]
    assert kinds.allowed(Holder()) == []


def test_the_api_document_names_every_kind_in_kind_enum(tmp_path, django_db_blocker):
    with django_db_blocker.block():
        call_command("openapi_documents", "--out", str(tmp_path))
    document = json.loads((tmp_path / "company.json").read_text())
    schemas = document["components"]["schemas"]
    assert schemas["KindEnum"]["enum"] == kinds.keys()
    assert schemas["ImportDetail"]["properties"]["kind"] == {"$ref": "#/components/schemas/KindEnum"}
    listed = {p["name"]: p for p in document["paths"]["/api/v1/imports/"]["get"]["parameters"]}
    assert set(listed["kind"]["schema"]["enum"]) == set(kinds.keys())  # the list's filter
