"""A new company's first hour, in browsers against the real server and worker (issue 16).

From the public landing page: 免费注册 (the founder names the admin account), the company's own host,
the dashboard's 开始使用 checklist followed step by step through its links — an estate, a building of
generated houses, residents from an Excel file (dry run, then commit), a fee item assigned to the
estate, the first bills — then 退出, 忘记密码 with a code texted to the founder's phone, a new password,
sign in again; an owner on the phone signs in to the H5 app by texted code and binds the house with
its house code (verified at once: their phone is the imported resident's); the checklist is all ticked.

Every page is watched (tests/e2e/watch.py): a console error, a page error, an answer ≥ 400 or a
Latin word on a zh-CN screen fails the walk — all of them listed at the end.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_basic_data import RESIDENT_HEADER, _id_number
from tests.e2e.test_billing_flow import _pick_date
from tests.e2e.test_owner_h5 import H5_INDEX
from tests.e2e.test_passwords import _texted_code
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e

FIRST_PASSWORD = "Chuyi-first-2026"
NEW_PASSWORD = "Chuyi-again-2027"
ESTATE = "初一花园"
STEPS = ["estate", "houses", "residents", "fee_items", "first_bills", "owners"]


def _residents_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(RESIDENT_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _checklist(page, watch: Watch, done: int) -> None:
    """Back on the dashboard (through the side menu), the checklist counts `done` steps."""
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("onboarding-progress")).to_contain_text(f"{done}/6")
    watch.screen(page, f"dashboard {done}/6")


def _step(page, key: str, *, link: str = "link") -> None:
    """Follow a checklist step's link."""
    page.get_by_test_id(f"onboarding-{link}-{key}").click()


@pytest.fixture
def watch():
    """The walk's watch; what it saw is printed however the walk ends (shown when it fails)."""
    seen = Watch()
    yield seen
    print(seen.report())


def test_a_new_company_from_the_landing_page_to_its_first_owner_bound(
    new_context, live_stack, in_company_db, patient_expect, watch
):
    from django.utils import timezone

    from standins import sms as sms_standin

    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")
    tag = secrets.token_hex(3)
    slug = f"chuyi{tag}"
    founder = f"laozhang{tag}"
    founder_phone = f"1391{secrets.randbelow(10**7):07d}"
    owner_phone = f"1392{secrets.randbelow(10**7):07d}"
    sms_standin.reset(founder_phone)
    sms_standin.reset(owner_phone)
    # User-typed Latin: the company's slug (its host) and the founder's username.
    watch.allowed_words |= {slug, founder}
    first_of_month = timezone.localdate().replace(day=1).isoformat()

    # --- the public site: landing → 免费注册 → provisioning -----------------------------------
    page = new_context().new_page()
    watch.attach(page, "admin")
    page.goto(live_stack.url(path="/"))
    expect(page.get_by_test_id("landing")).to_be_visible()
    watch.screen(page, "landing")
    screenshot(page, "first-hour-01-landing")
    page.get_by_test_id("landing-signup").click()
    page.wait_for_url(re.compile(r"/signup$"))
    expect(page.get_by_test_id("signup-form")).to_be_visible()
    watch.screen(page, "signup form (empty)")
    page.get_by_test_id("signup-company-name").fill("初一物业")
    page.get_by_test_id("signup-slug").fill(slug)
    page.get_by_test_id("signup-admin-name").fill("张初一")
    page.get_by_test_id("signup-admin-phone").fill(founder_phone)
    page.get_by_test_id("signup-admin-email").fill(f"boss@{slug}.cn")
    page.get_by_test_id("signup-admin-username").fill(founder)
    page.get_by_test_id("signup-password").fill(FIRST_PASSWORD)
    watch.screen(page, "signup form")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("signup-status")).to_have_attribute("data-status", "ready", timeout=60_000)
    watch.screen(page, "signup ready")
    screenshot(page, "first-hour-02-signup-ready")

    # --- the company's host: sign in, the checklist empty ---------------------------------------
    page.get_by_test_id("signup-admin-link").click()
    page.wait_for_url(re.compile(rf"^http://{slug}\.localhost:{live_stack.port}/login"))
    expect(page.get_by_test_id("login-company-name")).to_have_text("初一物业")
    watch.screen(page, "login")
    page.get_by_test_id("login-username").fill(founder)
    page.get_by_test_id("login-password").fill(FIRST_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("onboarding")).to_be_visible()
    expect(page.get_by_test_id("onboarding-progress")).to_contain_text("0/6")
    watch.screen(page, "dashboard 0/6")
    screenshot(page, "first-hour-03-dashboard-empty")

    # --- 添加小区 ---------------------------------------------------------------------------------
    _step(page, "estate")
    expect(page.get_by_test_id("estates-page")).to_be_visible()
    watch.screen(page, "estates (empty)")
    page.get_by_test_id("estate-create").click()
    page.get_by_test_id("estate-name").fill(ESTATE)
    page.get_by_test_id("estate-address").fill("杭州市西湖区文三路 1 号")
    watch.screen(page, "estate dialog")
    page.get_by_test_id("estate-dialog-submit").click()
    expect(page.get_by_test_id("node-title")).to_have_text(ESTATE)
    watch.screen(page, "estate created")
    _checklist(page, watch, 1)

    # --- 添加楼栋与房屋: a building, its houses generated ----------------------------------------
    _step(page, "houses")
    page.locator("[data-testid^=tree-node-estate-]").filter(has_text=ESTATE).click()
    page.get_by_test_id("building-create").click()
    page.get_by_test_id("building-name").fill("1栋")
    page.get_by_test_id("building-floors").fill("6")
    expect(page.get_by_test_id("building-units")).to_contain_text("1单元")
    watch.screen(page, "building dialog")
    page.get_by_test_id("building-dialog-submit").click()
    expect(page.get_by_test_id("node-title")).to_contain_text("1栋")
    page.get_by_test_id("houses-generate").click()
    page.get_by_test_id("generate-per-floor").fill("2")
    page.get_by_test_id("generate-building-area").fill("89.50")
    page.get_by_test_id("generate-usable-area").fill("72.30")
    expect(page.get_by_test_id("generate-total")).to_contain_text("12")
    watch.screen(page, "generate dialog")
    page.get_by_test_id("generate-dialog-submit").click()
    expect(page.get_by_test_id("generate-result")).to_have_attribute("data-created", "12")
    watch.screen(page, "houses generated")
    screenshot(page, "first-hour-04-houses")
    _checklist(page, watch, 2)

    # --- 登记住户: an Excel file through 批量导入 (dry run, then commit) ----------------------------
    _step(page, "residents", link="import")
    expect(page.get_by_test_id("imports-page")).to_be_visible()
    page.get_by_test_id("import-kind-residents").click()
    watch.screen(page, "imports")
    rows = [
        [
            ESTATE,
            "1栋",
            "1单元",
            "101",
            "陈一鸣",
            owner_phone,
            _id_number("33010619800101123"),
            "男",
            "业主",
            "2024-05-01",
        ],
        [ESTATE, "1栋", "1单元", "102", "周佳", f"1393{secrets.randbelow(10**7):07d}", "", "女", "业主", ""],
    ]
    page.get_by_test_id("import-file-input").set_input_files(
        {
            "name": "住户.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": _residents_xlsx(rows),
        }
    )
    page.get_by_test_id("import-upload").click()
    current = page.get_by_test_id("import-current")
    expect(current).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.get_by_test_id("import-count-create")).to_contain_text("2")
    watch.screen(page, "import dry run")
    page.get_by_test_id("import-commit").click()
    expect(current).to_have_attribute("data-status", "done", timeout=30_000)
    assert page.evaluate("document.body.innerText").count("导入完成") == 1  # issue 16: it was said twice
    watch.screen(page, "import done")
    screenshot(page, "first-hour-05-import-done")
    _checklist(page, watch, 3)

    # --- 设置收费项目: a property fee by building area, assigned to the estate --------------------
    _step(page, "fee_items")
    expect(page.get_by_test_id("fee-items-page")).to_be_visible()
    watch.screen(page, "fee items (empty)")
    page.get_by_test_id("fee-item-create").click()
    page.get_by_test_id("fee-item-name").fill("物业费")
    page.get_by_test_id("fee-item-unit-price").fill("2.5")
    _pick_date(page.get_by_test_id("fee-item-dialog"), "生效日期", first_of_month)
    watch.screen(page, "fee item dialog")
    page.get_by_test_id("fee-item-dialog-submit").click()
    expect(page.get_by_test_id("fee-item-dialog")).to_be_hidden()
    expect(page.get_by_test_id("table").locator("tr").filter(has_text="物业费")).to_contain_text("¥2.5000")
    watch.screen(page, "fee item created")
    page.get_by_test_id("tab-fees-assignments").click()
    expect(page.get_by_test_id("assignments-page")).to_be_visible()
    page.get_by_test_id("assign-open").click()
    dialog = page.get_by_test_id("assign-dialog")
    dialog.get_by_test_id("assign-fee-item").click()
    page.locator("[data-testid^=assign-fee-item-]").filter(has_text="物业费").click()
    _pick_date(dialog, "开始计费日期", first_of_month)
    dialog.get_by_test_id("assign-location").locator("input").click()
    page.locator(".el-cascader-node").filter(has_text=ESTATE).locator(".el-radio").click()
    page.keyboard.press("Escape")
    dialog.get_by_test_id("assign-preview-button").click()
    expect(dialog.get_by_test_id("preview-to-assign")).to_have_text("12")
    watch.screen(page, "assignment preview")
    dialog.get_by_test_id("assign-confirm").click()
    expect(dialog).to_be_hidden()
    watch.screen(page, "assignments")
    _checklist(page, watch, 4)

    # --- 生成第一批账单: 出账 preview → confirm → done --------------------------------------------
    _step(page, "first_bills")
    expect(page.get_by_test_id("bill-runs-page")).to_be_visible()
    watch.screen(page, "bill runs (empty)")
    page.get_by_test_id("bill-run-new").click()
    wizard = page.get_by_test_id("bill-run-wizard")
    wizard.get_by_test_id("bill-run-location").locator("input").click()
    page.locator(".el-cascader-node").filter(has_text=ESTATE).locator(".el-radio").click()
    page.keyboard.press("Escape")
    wizard.get_by_test_id("bill-run-preview-button").click()
    expect(wizard.get_by_test_id("bill-run-grand-total")).to_contain_text("12 笔账单")
    watch.screen(page, "bill run preview")
    wizard.get_by_test_id("bill-run-confirm").click()
    expect(wizard.get_by_test_id("bill-run-done")).to_be_visible(timeout=60_000)
    watch.screen(page, "bill run done")
    screenshot(page, "first-hour-06-first-bills")
    wizard.get_by_test_id("bill-run-finish").click()
    _checklist(page, watch, 5)

    # --- 邀请业主绑定房屋: the bindings page, and the house code the owner is given ----------------
    _step(page, "owners")
    expect(page.get_by_test_id("bindings-page")).to_be_visible()
    watch.screen(page, "bindings (empty)")
    page.get_by_test_id("nav-basic_data").click()
    page.get_by_test_id("tab-basic-data-houses").click()
    page.locator("[data-testid^=house-row-][data-number='101']").click()
    house_code = page.get_by_test_id("house-binding-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6,12}", house_code), house_code
    watch.allowed_words.add(house_code)  # a code of random letters, handed to the owner as it is
    watch.screen(page, "house 101")

    # --- 退出, 忘记密码: a code texted to the founder's phone, a new password, sign in again ---------
    page.get_by_test_id("user-menu-button").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.get_by_test_id("login-forgot").click()
    expect(page.get_by_test_id("forgot-page")).to_be_visible()
    watch.screen(page, "forgot password")
    page.get_by_test_id("forgot-login").fill(founder)
    page.get_by_test_id("forgot-send").click()
    expect(page.get_by_test_id("forgot-sent")).to_be_visible()
    watch.screen(page, "forgot password: code sent")
    page.get_by_test_id("forgot-code").fill(_texted_code(founder_phone))
    page.get_by_test_id("forgot-new-password").fill(NEW_PASSWORD)
    page.get_by_test_id("forgot-confirm").fill(NEW_PASSWORD)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-done")).to_be_visible()
    watch.screen(page, "forgot password: done")
    screenshot(page, "first-hour-07-password-reset")
    page.get_by_test_id("forgot-back").click()
    page.get_by_test_id("login-username").fill(founder)
    page.get_by_test_id("login-password").fill(NEW_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("onboarding-progress")).to_contain_text("5/6")

    # --- the owner, on the phone: texted code, then the house code → verified at once ------------
    phone = new_context(**PHONE).new_page()
    watch.attach(phone, "owner")
    phone.goto(live_stack.url(slug, "/h5/"))
    expect(phone.get_by_test_id("login-company-name")).to_contain_text("初一物业")
    watch.screen(phone, "owner login")
    phone.locator("[data-testid=login-phone] input").fill(owner_phone)
    phone.get_by_test_id("login-send-code").click()
    expect(phone.get_by_test_id("login-debug-code")).to_be_visible()
    phone.locator("[data-testid=login-code] input").fill(sms_standin.outbox(owner_phone)[0]["params"][0])
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("bind-page").or_(phone.get_by_test_id("home-page"))).to_be_visible()
    watch.screen(phone, "owner after login")
    if phone.get_by_test_id("bind-page").count() == 0:
        phone.get_by_test_id("home-bind-banner").click()
    phone.get_by_test_id("bind-mode-code").click()
    expect(phone.get_by_test_id("bind-code-verify-hint")).to_be_visible()
    phone.locator("[data-testid=bind-house-code] input").fill(house_code)
    watch.screen(phone, "owner bind by code")
    phone.get_by_test_id("bind-submit").click()
    expect(phone.get_by_test_id("bind-status")).to_have_attribute("data-status", "approved")
    expect(phone.get_by_test_id("bind-pending-house")).to_contain_text("1栋1单元101")
    watch.screen(phone, "owner bound")
    screenshot(phone, "first-hour-08-owner-bound")
    phone.get_by_test_id("bind-go-home").click()
    expect(phone.get_by_test_id("home-houses-current")).to_contain_text("1栋1单元101")
    watch.screen(phone, "owner home")

    # --- every step ticked ---------------------------------------------------------------------
    page.reload()
    expect(page.get_by_test_id("onboarding-progress")).to_contain_text("6/6")
    for key in STEPS:
        expect(page.get_by_test_id(f"onboarding-step-{key}")).to_have_attribute("data-done", "true")
    watch.screen(page, "dashboard 6/6")
    screenshot(page, "first-hour-09-all-ticked")

    from tenants.residents.models import HouseBinding

    with in_company_db(slug):
        binding = HouseBinding.objects.get(house__number="101")
        assert (binding.status, binding.name, binding.relation, binding.via_code) == (
            "approved",
            "陈一鸣",
            "owner",
            True,
        )
    watch.assert_clean()
