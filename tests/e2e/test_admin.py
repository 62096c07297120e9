"""The company web admin in a browser: sign-in, branding, roles and navigation, phone layout, staff."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

OTHER_MODULES = ["basic_data", "fees", "repairs", "community", "activities", "analytics", "settings"]


def fetch_json(page, path: str, method: str = "GET", body: dict | None = None) -> dict:
    """A request from inside the page (same origin, its cookies). Playwright's own request client
    resolves names itself and knows nothing of *.localhost, which only Chromium maps to loopback."""
    return page.evaluate(
        """async ([path, method, body]) => {
            const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]*)/) || [])[1] || ''
            const response = await fetch(path, {
                method,
                headers: body ? {'Content-Type': 'application/json', 'X-CSRFToken': csrf} : {},
                body: body ? JSON.stringify(body) : undefined,
                credentials: 'same-origin',
            })
            const text = await response.text()
            return {status: response.status, body: text ? JSON.parse(text) : null}
        }""",
        [path, method, body],
    )


def css_var(page, name: str) -> str:
    return page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{name}').trim()")


def png_bytes(color=(200, 40, 20)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def alpha_branding_restored(in_company_db):
    """Branding is committed by the server: put alpha's back as it was after the test."""
    from companies.models import Company

    with in_company_db("alpha") as company:
        before = {f: getattr(company, f) for f in ("display_name", "primary_color", "miniprogram_title", "logo")}
    yield before
    with in_company_db("alpha") as company:
        Company.objects.filter(pk=company.pk).update(**before)


def test_admin_changes_branding_live_and_it_persists(desktop, live_stack, alpha_branding_restored):
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    expect(page.get_by_test_id("header-company-name")).to_have_text(alpha_branding_restored["display_name"])

    page.get_by_test_id("nav-settings").click()
    page.wait_for_url(re.compile(r"/settings/branding$"))
    name_input = page.get_by_test_id("branding-display-name")
    expect(name_input).to_have_value(alpha_branding_restored["display_name"])
    name_input.fill("阿尔法物业（浏览器）")
    page.get_by_test_id("branding-primary-color").fill("#AA3300")
    with page.expect_response(lambda r: "/api/v1/settings/branding/" in r.url and r.request.method == "PATCH") as info:
        page.get_by_test_id("branding-save").click()
    assert info.value.status == 200, info.value.text()

    # Live: the header and Element Plus' primary colour follow without a reload.
    expect(page.get_by_test_id("header-company-name")).to_have_text("阿尔法物业（浏览器）")
    assert css_var(page, "--el-color-primary") == "#aa3300"
    expect(page.get_by_test_id("header-company-name")).to_have_css("color", "rgb(170, 51, 0)")

    page.reload()
    expect(page.get_by_test_id("header-company-name")).to_have_text("阿尔法物业（浏览器）")
    assert css_var(page, "--el-color-primary") == "#aa3300"
    site = fetch_json(page, "/api/v1/site/")["body"]
    assert site["company"]["branding"]["display_name"] == "阿尔法物业（浏览器）"
    assert site["company"]["branding"]["primary_color"].lower() == "#aa3300"

    # A logo: uploaded, stored, shown in the header (and actually served).
    expect(page.get_by_test_id("header-logo")).to_have_count(0)
    with page.expect_response(lambda r: "/api/v1/settings/branding/logo/" in r.url) as upload:
        page.get_by_test_id("image-upload-input").set_input_files(
            {"name": "logo.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
    assert upload.value.status == 200, upload.value.text()
    logo = page.get_by_test_id("header-logo")
    expect(logo).to_be_visible()
    expect(logo).to_have_attribute("src", re.compile(r"^/media/c_alpha/.+\.png$"))
    page.wait_for_function("el => el.complete && el.naturalWidth === 64", arg=logo.element_handle())
    screenshot(page, "branding")

    page.reload()
    expect(page.get_by_test_id("header-logo")).to_be_visible()
    logo_url = fetch_json(page, "/api/v1/site/")["body"]["company"]["branding"]["logo_url"]
    assert logo_url and logo_url.endswith(".png")
    # The public site's /api/v1/site/ is the platform's, not alpha's.
    page.goto(live_stack.url(path="/"))
    assert fetch_json(page, "/api/v1/site/")["body"]["surface"] == "public"


def test_guard_sees_only_security_and_settings_is_forbidden(desktop, live_stack):
    page = desktop
    login(page, live_stack, "alpha", "guard", PASSWORD)
    nav = page.get_by_test_id("side-nav")
    expect(nav.get_by_test_id("nav-security")).to_be_visible()
    for module in OTHER_MODULES:
        expect(page.get_by_test_id(f"nav-{module}")).to_have_count(0)

    page.get_by_test_id("nav-security").click()
    page.wait_for_url(re.compile(r"/security$"))
    expect(page.get_by_test_id("forbidden")).to_have_count(0)

    page.goto(live_stack.url("alpha", "/settings/branding"))
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("branding-page")).to_have_count(0)
    screenshot(page, "guard-forbidden")
    # The server agrees: the branding write is refused to a guard.
    assert fetch_json(page, "/api/v1/settings/branding/", "PATCH", {"display_name": "x"})["status"] == 403

    # Signing out ends the session on the server too.
    page.get_by_test_id("user-menu-button").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert fetch_json(page, "/api/v1/me/")["status"] == 401


def test_phone_layout_hides_the_side_nav_behind_a_drawer(phone, live_stack):
    page = phone
    login(page, live_stack, "alpha", "guard", PASSWORD)
    expect(page.get_by_test_id("side-nav")).to_have_count(0)
    toggle = page.get_by_test_id("nav-toggle")
    expect(toggle).to_be_visible()
    expect(page.get_by_test_id("nav-security")).to_have_count(0)  # the drawer is not rendered yet

    toggle.tap()
    drawer = page.locator(".nav-drawer")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_test_id("nav-security")).to_be_visible()
    for module in OTHER_MODULES:
        expect(drawer.get_by_test_id(f"nav-{module}")).to_have_count(0)
    screenshot(page, "phone-drawer")

    drawer.get_by_test_id("nav-security").tap()
    page.wait_for_url(re.compile(r"/security$"))
    expect(drawer).to_be_hidden()
    # Nothing overflows the 375 px viewport sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.fixture
def alpha_only_user(in_company_db):
    """A user that exists in alpha only (alpha and beta share the fixture usernames)."""
    from accounts import services
    from accounts.models import User

    with in_company_db("alpha"):
        User.objects.filter(username="alphaonly").delete()
        services.create_user(username="alphaonly", name="只在阿尔法", roles=["cashier"], password=PASSWORD)
    yield "alphaonly"
    with in_company_db("alpha"):
        User.objects.filter(username="alphaonly").delete()


def test_wrong_password_and_another_companys_host_are_refused(desktop, live_stack, alpha_only_user):
    page = desktop
    login(page, live_stack, "alpha", alpha_only_user, "Wrong-pass-2026", expect_success=False)
    error = page.get_by_test_id("login-error")
    expect(error).to_contain_text("用户名或密码错误")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    screenshot(page, "login-wrong-password")

    # Beta's host knows nothing of alpha's users.
    login(page, live_stack, "beta", alpha_only_user, PASSWORD, expect_success=False)
    expect(page.get_by_test_id("login-company-name")).to_have_text("贝塔物业")
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    assert urlparse(page.url).path == "/login"

    # On its own host the same credentials work; the session stays on that host.
    login(page, live_stack, "alpha", alpha_only_user, PASSWORD)
    assert fetch_json(page, "/api/v1/me/")["body"]["username"] == alpha_only_user
    page.goto(live_stack.url("beta", "/"))
    page.wait_for_url(re.compile(r"^http://beta\.localhost:\d+/login"))
    assert fetch_json(page, "/api/v1/me/")["status"] == 401


@pytest.fixture
def many_staff(in_company_db):
    """Enough staff in alpha for more than one page of the table."""
    from accounts import selectors, services
    from accounts.models import User
    from companies.models import Plan, Subscription

    with in_company_db("alpha") as company:
        User.objects.filter(username__startswith="e2e_staff_").delete()
        subscription = Subscription.objects.get(company=company)
        trial_plan = subscription.plan_id  # the trial allows 20 staff: room for 25 more on 专业版
        Subscription.objects.filter(pk=subscription.pk).update(plan=Plan.objects.get(code="pro"))
        for n in range(25):
            services.create_user(username=f"e2e_staff_{n:02d}", name=f"员工{n:02d}", roles=["cashier"])
        total = selectors.staff_users().count()
        guards = selectors.staff_users().filter(roles__contains=["guard"]).count()
    yield {"total": total, "guards": guards}
    with in_company_db("alpha"):
        User.objects.filter(username__startswith="e2e_staff_").delete()
        Subscription.objects.filter(pk=subscription.pk).update(plan_id=trial_plan)


def test_staff_table_pages_on_the_server_and_filters_by_role(desktop, live_stack, many_staff):
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    users_requests: list[dict] = []
    page.on(
        "request",
        lambda r: users_requests.append(parse_qs(urlparse(r.url).query)) if "/api/v1/users/" in r.url else None,
    )
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("tab-settings-staff").click()
    page.wait_for_url(re.compile(r"/settings/staff$"))

    table = page.get_by_test_id("table")
    rows = table.locator(".el-table__body-wrapper tr.el-table__row")
    expect(rows).to_have_count(20)
    pagination = page.get_by_test_id("table-pagination")
    expect(pagination.locator(".el-pagination__total")).to_contain_text(str(many_staff["total"]))
    assert users_requests[0]["page"] == ["1"] and users_requests[0]["page_size"] == ["20"]
    admin_row = rows.filter(has_text="admin").first
    expect(admin_row.locator(".el-tag").first).to_have_text("管理员")
    expect(admin_row.locator(".el-tag").last).to_have_text("启用")
    screenshot(page, "staff-table")

    with page.expect_response(lambda r: "/api/v1/users/" in r.url and "page=2" in r.url) as second:
        pagination.locator(".el-pager li", has_text=re.compile(r"^2$")).click()
    assert second.value.status == 200
    expect(rows).to_have_count(many_staff["total"] - 20)

    # The role filter asks the server and goes back to page 1.
    page.get_by_test_id("filter-role").click()
    with page.expect_response(lambda r: "/api/v1/users/" in r.url and "role=guard" in r.url) as filtered:
        page.locator(".el-select-dropdown__item:visible", has_text="保安").click()
    assert filtered.value.status == 200
    assert parse_qs(urlparse(filtered.value.url).query)["page"] == ["1"]
    expect(rows).to_have_count(many_staff["guards"])
    expect(rows.first).to_contain_text("guard")
    expect(pagination.locator(".el-pagination__total")).to_contain_text(str(many_staff["guards"]))
    screenshot(page, "staff-filtered")


def test_staff_export_downloads_an_excel_file(desktop, live_stack, tmp_path):
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/settings/staff"))
    expect(page.get_by_test_id("table").locator(".el-table__row").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_test_id("table-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("用户名", "姓名")
    assert "guard" in [row[0] for row in rows[1:]]
