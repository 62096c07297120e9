"""系统设置 › 通知模板 in a browser: the admin rewrites an event's inbox text with a placeholder chip,
previews it with sample values, saves it, sees it marked as the company's own, and resets it; the
bell's 通知设置 opens the staff member's own preferences with essential events not mutable."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_an_admin_edits_previews_saves_and_resets_a_template(desktop, live_stack, in_company_db):
    from notifications.models import TemplateOverride

    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/settings/notification-templates"))
    expect(page.get_by_test_id("notification-templates")).to_be_visible()
    page.get_by_test_id("template-event-bill.issued").click()
    title = page.get_by_test_id("template-title")
    expect(title).to_have_value("新账单：%(fee_item)s")

    title.fill("账单提醒：")
    title.focus()
    page.get_by_test_id("placeholder-house").click()
    expect(title).to_have_value("账单提醒：%(house)s")
    page.get_by_test_id("template-body").fill("%(house)s 应缴 %(amount)s 元")
    page.get_by_test_id("template-preview").click()
    preview = page.get_by_test_id("template-preview-result")
    expect(preview).to_contain_text("账单提醒：〔示例：house〕")
    expect(preview).to_contain_text("〔示例：house〕 应缴 〔示例：amount〕 元")
    expect(preview).to_contain_text("示例数据")

    # A placeholder the event does not have is refused with the field's error; nothing is saved.
    page.get_by_test_id("template-body").fill("%(owner)s 你好")
    page.get_by_test_id("template-save").click()
    expect(page.locator(".el-form-item__error")).to_contain_text("不是此通知的占位符")
    page.get_by_test_id("template-body").fill("%(house)s 应缴 %(amount)s 元")
    page.get_by_test_id("template-save").click()
    expect(page.get_by_test_id("template-reset")).to_be_enabled()
    screenshot(page, "notification-template-saved")
    with in_company_db("alpha"):
        saved = TemplateOverride.objects.get(event="bill.issued", channel="inbox", language="zh-hans")
        assert (saved.title, saved.body) == ("账单提醒：%(house)s", "%(house)s 应缴 %(amount)s 元")

    page.reload()
    page.get_by_test_id("template-event-bill.issued").click()
    expect(page.get_by_test_id("template-title")).to_have_value("账单提醒：%(house)s")
    page.get_by_test_id("template-reset").click()
    expect(page.get_by_test_id("template-title")).to_have_value("新账单：%(fee_item)s")
    with in_company_db("alpha"):
        assert not TemplateOverride.objects.filter(event="bill.issued").exists()

    page.get_by_test_id("notification-bell-button").click()
    page.get_by_test_id("notification-settings").click()
    dialog = page.get_by_test_id("notification-preferences")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("preference-security.alert")).to_have_class(re.compile("is-disabled"))
    expect(page.get_by_test_id("preference-bill.issued")).not_to_have_class(re.compile("is-disabled"))
