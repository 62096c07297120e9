"""Every table of the web admin fits a laptop screen (issue 16: "table columns are cut off at 1440 px").

A company with demo-shaped data (the demo's residents, staff and year of billing, with long names and
addresses) is signed in as its admin at 1440×900 and 1280×800. Every page of the admin's router (read
from the running app, so a new page is covered without editing this test) is opened, and each of its
inner views (the radio buttons above a table: 押金/预存, 缴费/收据…); on every visible table:

- a header must fit on one line (no clipped or wrapped title, sort arrows included);
- a body cell without an overflow tooltip must show all of its content: nothing cut off, and no
  number, date or code broken across lines;
- buttons in a cell stay on one line inside it, and the operation column is fully in view (fixed to
  the right when the table scrolls sideways);
- the page itself never scrolls sideways.

A screenshot of every page/view goes to test-results/e2e/table-layout/<width>/.
"""

from __future__ import annotations

import json
from decimal import Decimal
from unittest import mock

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import RESULTS, TIMEOUT_MS, _context, login

pytestmark = pytest.mark.e2e

SLUG = "wide"
VIEWPORTS = [(1440, 900), (1280, 800)]
# Routes with parameters: how to fill them in (a new one fails the test until it is added here).
PARAMS = {"basic-data-house": lambda ids: {"id": ids["house"]}}

# Long, real-looking names: what a table must cope with.
LONG_ESTATE = (
    "杭州市西湖区翠湖苑二期高层住宅小区（西区）",
    "浙江省杭州市西湖区文三路与学院路交叉口东北角翠湖路 88 号（西门）",
)
SHORT_ESTATE = ("锦绣花园", "杭州市余杭区文一西路 1288 号")
LONG_PERSON = "欧阳买买提·阿不都热合曼"
LONG_FEE_ITEM = "住宅物业服务费（高层·含电梯运行维护）"


def _seed(django_db_blocker) -> dict[str, int]:
    """The company `wide` with demo-shaped data (idempotent: a reused database keeps it)."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from billing.models import FeeItem
    from companies.models import Company
    from core.outbox import relay
    from tenants.demo.billing_seed import seed_billing
    from tenants.demo.residents_seed import seed_residents
    from tenants.demo.staff_seed import seed_staff
    from tenants.estates import services as estates
    from tenants.estates.models import Estate, House
    from tenants.residents.models import Person
    from tests.conftest import _provision

    with django_db_blocker.unblock():
        try:
            company = Company.objects.filter(slug=SLUG).first()
            if company is None:
                with mock.patch.object(relay, "publish", lambda *args, **kwargs: None):
                    company = _provision(SLUG, "杭州翠湖苑物业服务有限责任公司")
            with tenant_context(company):
                if not Estate.objects.exists():
                    for (name, address), floors, units, per_floor in (
                        (LONG_ESTATE, 6, ["1单元", "2单元"], 2),
                        (SHORT_ESTATE, 4, ["1单元"], 3),
                    ):
                        estate = estates.create_estate(name=name, address=address)
                        building = estates.create_building(estate=estate, name="1栋", floors=floors, units=units)
                        estates.generate_houses(
                            building=building,
                            per_floor=per_floor,
                            building_area=Decimal("118.20"),
                            usable_area=Decimal("96.80"),
                            layout="3室2厅2卫",
                            status="occupied",
                        )
                    seed_residents()
                    seed_staff()
                    seed_billing(today=timezone.localdate())
                    person = Person.objects.order_by("pk").first()
                    Person.objects.filter(pk=person.pk).update(name=LONG_PERSON)
                    FeeItem.objects.filter(pk=FeeItem.objects.order_by("pk").first().pk).update(name=LONG_FEE_ITEM)
                    _seed_requests()
                return {"house": House.objects.order_by("pk").first().pk}
        finally:
            connection.set_schema_to_public()
            connection.close()


def _seed_requests() -> None:
    """What the demo's owners and staff leave waiting: bindings, a correction, an import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from billing.services import deposits
    from tenants.estates.models import House
    from tenants.imports import services as imports
    from tenants.residents import services as residents
    from tenants.residents.models import Person

    admin = User.objects.get(username="admin")
    houses = list(House.objects.order_by("-pk")[:3])
    for n, house in enumerate(houses):
        applicant = User.objects.create(username=f"wide-owner-{n}", roles=["resident"], phone=f"1390000{n:04d}")
        residents.request_binding(user=applicant, house=house, relation="owner", name=f"{LONG_PERSON}{n}"[:20])
    person = Person.objects.order_by("pk").first()
    residents.request_correction(person=person, actor=admin, name="欧阳买买提·阿不都热合曼·伊力哈木")
    upload = SimpleUploadedFile(
        "2026年12月翠湖苑二期西区住户资料导入（物业前台整理修订版）.csv",
        "姓名,手机号\n张三,13800000000\n".encode(),
        content_type="text/csv",
    )
    deposits.receive_deposit(
        house=houses[0],
        amount=Decimal("2000.00"),
        method="transfer",
        purpose="装修押金（含公共区域成品保护及垃圾清运）",
        idempotency_key="wide:deposit",
        actor=admin,
        payer_name=LONG_PERSON,
    )
    record = imports.start_import(kind="residents", upload=upload, actor=admin)
    imports.run_validation(import_id=record.pk)


@pytest.fixture(scope="module")
def wide_company(live_stack, django_db_blocker) -> dict[str, int]:
    return _seed(django_db_blocker)


# In-flight fetches, so a page is inspected once its data (and its lazy parts) have arrived.
COUNT_FETCHES = """
(() => {
  window.__inflight = 0
  const original = window.fetch
  window.fetch = (...args) => {
    window.__inflight += 1
    return original(...args).finally(() => { window.__inflight -= 1 })
  }
})()
"""

ROUTES = """() => {
  const router = document.querySelector('#app').__vue_app__.config.globalProperties.$router
  return router.getRoutes().map((r) => ({
    name: String(r.name ?? ''), path: r.path, public: !!r.meta.public,
    // A guard that only sends each user on (报修工单's index) is a redirect too.
    redirect: !!r.redirect || !!r.beforeEnter, component: !!(r.components && r.components.default),
  }))
}"""

PUSH = """async ([name, params]) => {
  const router = document.querySelector('#app').__vue_app__.config.globalProperties.$router
  await router.push({ name, params })
  return String(router.currentRoute.value.name ?? '')
}"""

# The radio buttons that switch a page's inner view (not those of a form or a dialog).
VIEW_SWITCHES = """() => [...document.querySelectorAll('.admin-content .el-radio-group')]
  .filter((g) => g.offsetParent && !g.closest('.el-form, .el-dialog, .el-drawer, .el-table'))
  .map((g) => [...g.querySelectorAll('.el-radio-button')].map((b) => b.textContent.trim()))"""

CLICK_VIEW = """([group, index]) => {
  const groups = [...document.querySelectorAll('.admin-content .el-radio-group')]
    .filter((g) => g.offsetParent && !g.closest('.el-form, .el-dialog, .el-drawer, .el-table'))
  groups[group].querySelectorAll('.el-radio-button')[index].click()
}"""

# Everything wrong with the tables in view, as sentences naming the table and column.
INSPECT = """() => {
  const problems = []
  const rows = []
  const vw = document.documentElement.clientWidth
  const doc = document.documentElement
  if (doc.scrollWidth > vw + 1) problems.push(`the page scrolls sideways (${doc.scrollWidth} px in ${vw})`)
  for (const el of document.querySelectorAll('.admin-main, .admin-content')) {
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${el.className.split(' ')[0]} scrolls sideways (${el.scrollWidth} px in ${el.clientWidth})`)
    }
  }
  const tokenRe = /[0-9A-Za-z¥$€%.,:;*\\-\\/@_+#()]{2,}/g
  const brokenToken = (cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(tokenRe)) {
        const range = document.createRange()
        range.setStart(node, m.index)
        range.setEnd(node, m.index + m[0].length)
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
        if (tops.size > 1) return m[0]
      }
    }
    return null
  }
  const tables = [...document.querySelectorAll('.el-table')].filter(
    (t) => t.offsetParent && !t.closest('.el-dialog, .el-drawer, .el-popper'),
  )
  tables.forEach((table, n) => {
    const where = table.closest('[data-testid]')
    const tableName = `table ${n + 1}` + (where ? ` (${where.dataset.testid})` : '')
    const tableRect = table.getBoundingClientRect()
    const visibleRight = Math.min(tableRect.right, vw)
    if (tableRect.right > vw + 1) problems.push(`${tableName}: its right edge is off screen (${Math.round(tableRect.right)} > ${vw})`)
    const labels = {}
    const columnId = (cell) => [...cell.classList].find((c) => /^el-table_\\d+_column_\\d+$/.test(c))
    for (const th of table.querySelectorAll('.el-table__header-wrapper th.el-table__cell')) {
      const cell = th.querySelector('.cell')
      const text = cell ? cell.textContent.trim() : ''
      labels[columnId(th)] = text || '(untitled)'
      if (!cell || !text) continue
      const saved = cell.style.whiteSpace
      cell.style.whiteSpace = 'nowrap'
      const [needs, has] = [cell.scrollWidth, cell.clientWidth]
      cell.style.whiteSpace = saved
      if (needs > has + 1) problems.push(`${tableName}: header "${text}" does not fit (${needs} px in ${has})`)
    }
    const bodyRows = [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].slice(0, 20)
    rows.push(bodyRows.length)
    const reported = new Set()
    const report = (column, kind, message) => {
      const key = `${column}|${kind}`
      if (reported.has(key)) return
      reported.add(key)
      problems.push(`${tableName}: column "${labels[column] ?? column}" ${message}`)
    }
    for (const tr of bodyRows) {
      for (const td of tr.querySelectorAll('td.el-table__cell')) {
        const cell = td.querySelector('.cell')
        if (!cell) continue
        const column = columnId(td)
        const buttons = [...cell.querySelectorAll('.el-button, .el-link')].filter((b) => b.offsetParent)
        const isOperation = buttons.length > 0 || /^(操作|Actions?)$/i.test(labels[column] ?? '')
        const rect = td.getBoundingClientRect()
        if (isOperation && (rect.right > visibleRight + 1 || rect.left < tableRect.left - 1)) {
          report(column, 'view', `is out of view: ${Math.round(rect.left)}–${Math.round(rect.right)} px, the table shows up to ${Math.round(visibleRight)} (fix it to the right)`)
        }
        if (buttons.length) {
          const tops = new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top)))
          const cellRect = cell.getBoundingClientRect()
          if (tops.size > 1) report(column, 'wrap', `wraps its buttons onto ${tops.size} lines`)
          if (buttons.some((b) => b.getBoundingClientRect().right > cellRect.right + 1)) {
            report(column, 'stick', `has buttons sticking out of the cell ("${cell.textContent.trim()}")`)
          }
          continue
        }
        if (cell.classList.contains('el-tooltip')) {
          // Ellipsis with the whole text on hover: for long text, not for a date, an amount, a
          // code or a few words.
          const text = cell.textContent.trim()
          const fixedFormat = !/[\\u3000-\\u9fff\\uff00-\\uffef]/.test(text) && text.length <= 20
          if (cell.scrollWidth > cell.clientWidth + 1 && (fixedFormat || [...text].length <= 8)) {
            report(column, 'short', `is too narrow for "${text}" (${cell.scrollWidth} px in ${cell.clientWidth})`)
          }
          continue
        }
        if (cell.scrollWidth > cell.clientWidth + 1 || cell.scrollHeight > cell.clientHeight + 1) {
          report(column, 'cut', `cuts off "${cell.textContent.trim()}" without a tooltip`)
          continue
        }
        const token = brokenToken(cell)
        if (token) report(column, 'break', `breaks "${token}" across lines`)
      }
    }
  })
  return { problems, rows }
}"""


def _settle(page) -> None:
    page.wait_for_timeout(250)
    page.wait_for_function("() => window.__inflight === 0", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent)", timeout=TIMEOUT_MS
    )
    page.wait_for_timeout(250)  # the tables lay out their columns after the rows arrive


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_every_table_fits_the_screen(browser, live_stack, wide_company, width, height, patient_expect):
    context = _context(browser, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.add_init_script(COUNT_FETCHES)
        login(page, live_stack, SLUG, "admin", PASSWORD)
        _settle(page)
        folder = RESULTS / "table-layout" / str(width)
        folder.mkdir(parents=True, exist_ok=True)

        routes = [
            r
            for r in page.evaluate(ROUTES)
            if r["name"] and r["component"] and not r["public"] and not r["redirect"] and "pathMatch" not in r["path"]
        ]
        assert len(routes) > 20, routes
        missing = [r["name"] for r in routes if ":" in r["path"] and r["name"] not in PARAMS]
        assert not missing, f"routes with parameters this test cannot fill in: {missing} (add them to PARAMS)"

        problems: list[str] = []
        seen: dict[str, list[int]] = {}

        def inspect(label: str) -> None:
            _settle(page)
            found = page.evaluate(INSPECT)
            if found["rows"]:
                seen[label] = found["rows"]
                page.screenshot(path=str(folder / f"{label}.png"), full_page=True, animations="disabled")
            problems.extend(f"{label}: {p}" for p in found["problems"])

        for route in routes:
            params = PARAMS[route["name"]](wide_company) if route["name"] in PARAMS else {}
            landed = page.evaluate(PUSH, [route["name"], params])
            if landed != route["name"]:
                problems.append(f"{route['name']}: the admin cannot open it (landed on {landed})")
                continue
            inspect(route["name"])
            for group, labels in enumerate(page.evaluate(VIEW_SWITCHES)):
                for index, view in enumerate(labels):
                    page.evaluate(CLICK_VIEW, [group, index])
                    inspect(f"{route['name']}~{view}")

        (folder / "tables.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1))
        (folder / "problems.txt").write_text("".join(f"{p}\n" for p in problems))
        empty = sorted(label for label, counts in seen.items() if not any(counts))
        print(f"\n{width}px: {len(seen)} pages/views with tables; empty: {empty}")
        assert len(seen) >= 20, f"too few tables found: {sorted(seen)}"
        assert not problems, f"{len(problems)} layout problems at {width}×{height}:\n" + "\n".join(problems)
    finally:
        context.close()
