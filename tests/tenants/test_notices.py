"""Announcements (社区公告): the body's sanitising, who sees which notice, scheduled publication run
twice, one notification per notice (essential ones not mutable), read receipts and unread houses,
permissions, and isolation between companies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from core import html
from core.errors import DomainError
from notifications.models import Delivery, Notification
from notifications.services.preferences import update_preferences
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.notices import selectors, services
from tenants.notices.models import Announcement, NoticeRead, Status
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


def _estate(company, name):
    with tenant_context(company):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name=name, actor=admin)
        buildings = []
        for label in ("1栋", "2栋"):
            building = estate_services.create_building(
                estate=estate, name=label, floors=1, units=["1单元"], actor=admin
            )
            estate_services.generate_houses(
                building=building, per_floor=1, building_area=Decimal("90"), usable_area=Decimal("80"), actor=admin
            )
            buildings.append(building)
        houses = {b.name: House.objects.get(building=b) for b in buildings}
        return estate, buildings, houses, admin


def _notice(admin, **fields):
    fields.setdefault("title", "停水通知")
    fields.setdefault("body", "<p>明天停水</p>")
    return services.create_notice(actor=admin, **fields)


# --- sanitising ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>ok<script>alert(1)</script></p>", "<p>ok</p>"),
        ('<img src="https://cdn.example.com/a.png" onerror="alert(1)">', '<img src="https://cdn.example.com/a.png">'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<p style="background:url(javascript:x)">x</p>', "<p>x</p>"),
        ('<img src="data:image/png;base64,AAAA">', "<img>"),
        ("<iframe src='https://x'></iframe><b>b</b>", "<b>b</b>"),
        (
            '<h3>标题</h3><ul><li><strong>粗</strong></li></ul><a href="https://x.cn/a">链接</a>',
            '<h3>标题</h3><ul><li><strong>粗</strong></li></ul><a href="https://x.cn/a" rel="noopener noreferrer">链接</a>',
        ),
    ],
)
def test_the_body_keeps_the_allowed_tags_and_loses_the_rest(dirty, clean):
    assert html.clean(dirty) == clean


def test_a_saved_body_is_sanitised(company_a):
    _estate(company_a, "公告苑")
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        notice = _notice(admin, body='<p onclick="x()">停水<script>x</script></p>')
        assert Announcement.objects.get(pk=notice.pk).body == "<p>停水</p>"
        assert AuditEvent.objects.filter(action="notice.create", object_id=str(notice.pk)).exists()


# --- targeting -----------------------------------------------------------------------------------


def test_an_owner_sees_the_company_their_estate_and_their_building_only(company_a, client_for):
    x, x_buildings, x_houses, admin = _estate(company_a, "X苑")
    y, _yb, _yh, _ = _estate(company_a, "Y苑")
    owner, _user = _owner(company_a, client_for, x_houses["1栋"])
    with tenant_context(company_a):
        everyone = _notice(admin, title="全公司")
        mine = _notice(admin, title="X苑", target="estates", estates=[x])
        theirs = _notice(admin, title="Y苑", target="estates", estates=[y])
        my_building = _notice(admin, title="X1栋", target="buildings", buildings=[x_buildings[0]], pinned=True)
        other_building = _notice(admin, title="X2栋", target="buildings", buildings=[x_buildings[1]])
        draft = _notice(admin, title="草稿")
        expired = _notice(admin, title="过期", expires_at=timezone.now() + timedelta(seconds=1))
        for n in (everyone, mine, theirs, my_building, other_building, expired):
            services.publish_notice(notice=n, actor=admin)
        Announcement.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    titles = [row["title"] for row in owner.get("/api/v1/owner/notices/").json()["results"]]
    assert titles[0] == "X1栋"  # pinned first
    assert sorted(titles) == sorted(["全公司", "X苑", "X1栋"])
    for hidden in (theirs, other_building, draft, expired):
        assert owner.get(f"/api/v1/owner/notices/{hidden.pk}/").status_code == 404


# --- publishing ----------------------------------------------------------------------------------


def test_a_scheduled_notice_is_published_when_due_and_once_when_run_twice(company_a, client_for):
    _x, _b, houses, admin = _estate(company_a, "定时苑")
    _owner(company_a, client_for, houses["1栋"])
    now = timezone.now()
    with tenant_context(company_a):
        notice = _notice(admin, kind="general")
        services.publish_notice(notice=notice, actor=admin, publish_at=now + timedelta(hours=2), now=now)
        notice.refresh_from_db()
        assert notice.status == Status.SCHEDULED
        assert services.publish_due(now=now + timedelta(hours=1)) == 0
        assert services.publish_due(now=now + timedelta(hours=2)) == 1
        assert services.publish_due(now=now + timedelta(hours=3)) == 0
        notice.refresh_from_db()
        assert notice.status == Status.PUBLISHED and notice.published_at == now + timedelta(hours=2)
        assert Notification.objects.filter(key=f"notice.published:{notice.pk}").count() == 1


def test_publishing_notifies_each_owner_once_and_outage_is_essential(company_a, client_for):
    _x, _b, houses, admin = _estate(company_a, "通知苑")
    _c, owner = _owner(company_a, client_for, houses["1栋"])
    _c2, other = _owner(company_a, client_for, houses["2栋"], username="owner-2")
    with tenant_context(company_a):
        notice = _notice(admin, kind="outage", target="buildings", buildings=[houses["1栋"].building])
        services.publish_notice(notice=notice, actor=admin)
        with pytest.raises(DomainError):
            services.publish_notice(notice=notice, actor=admin)
        sent = Notification.objects.get(key=f"notice.published:{notice.pk}")
        assert sent.event == "notice.published_urgent"
        inbox = Delivery.objects.filter(notification=sent, channel="inbox")
        assert [d.recipient_id for d in inbox] == [owner.pk]
        assert not Delivery.objects.filter(recipient=other).exists()
        with pytest.raises(DomainError):
            update_preferences(user=owner, muted_events=["notice.published_urgent"], quiet_start=None, quiet_end=None)
        update_preferences(user=owner, muted_events=["notice.published"], quiet_start=None, quiet_end=None)


def test_a_published_notice_can_only_be_pinned_or_expire_and_a_withdrawn_one_is_gone(company_a, client_for):
    _x, _b, houses, admin = _estate(company_a, "撤回苑")
    owner, _u = _owner(company_a, client_for, houses["1栋"])
    with tenant_context(company_a):
        notice = _notice(admin)
        services.publish_notice(notice=notice, actor=admin)
    staff = client_for(company_a, "service")
    changed = staff.patch(f"/api/v1/notices/{notice.pk}/", {"title": "改"}, format="json")
    assert changed.status_code == 400 and "title" in changed.json()["fields"]
    assert staff.patch(f"/api/v1/notices/{notice.pk}/", {"pinned": True}, format="json").json()["pinned"] is True
    assert staff.delete(f"/api/v1/notices/{notice.pk}/").status_code == 409
    assert owner.get(f"/api/v1/owner/notices/{notice.pk}/").status_code == 200
    assert staff.post(f"/api/v1/notices/{notice.pk}/withdraw/").json()["status"] == "withdrawn"
    assert owner.get(f"/api/v1/owner/notices/{notice.pk}/").status_code == 404


def test_bad_input_is_a_400_with_field_errors(company_a, client_for):
    staff = client_for(company_a, "service")
    assert "title" in staff.post("/api/v1/notices/", {"title": " "}, format="json").json()["fields"]
    answer = staff.post("/api/v1/notices/", {"title": "t", "target": "estates"}, format="json")
    assert answer.status_code == 400 and "estates" in answer.json()["fields"]
    assert "kind" in staff.post("/api/v1/notices/", {"title": "t", "kind": "x"}, format="json").json()["fields"]


# --- reads ---------------------------------------------------------------------------------------


def test_reads_are_counted_once_and_outage_lists_the_unread_houses(company_a, client_for):
    _x, _b, houses, admin = _estate(company_a, "已读苑")
    owner, user = _owner(company_a, client_for, houses["1栋"])
    _owner(company_a, client_for, houses["2栋"], username="owner-2")
    with tenant_context(company_a):
        notice = _notice(admin, kind="outage", target="estates", estates=[houses["1栋"].estate])
        services.publish_notice(notice=notice, actor=admin)
    staff = client_for(company_a, "service")
    before = staff.get(f"/api/v1/notices/{notice.pk}/stats/").json()
    assert before["read_count"] == 0 and before["recipient_count"] == 2 and before["unread_house_count"] == 2
    assert owner.get(f"/api/v1/owner/notices/{notice.pk}/").json()["body"] == "<p>明天停水</p>"
    owner.get(f"/api/v1/owner/notices/{notice.pk}/")
    after = staff.get(f"/api/v1/notices/{notice.pk}/stats/").json()
    assert after["read_count"] == 1
    assert [h["id"] for h in after["unread_houses"]] == [houses["2栋"].pk]
    assert staff.get(f"/api/v1/notices/{notice.pk}/").json()["read_count"] == 1
    with tenant_context(company_a):
        assert NoticeRead.objects.filter(notice=notice, user=user).count() == 1
        with CaptureQueriesContext(connection) as queries:
            list(selectors.unread_houses(notice))
        assert len(queries) == 1


# --- permissions and isolation --------------------------------------------------------------------


def test_only_notices_managers_reach_the_staff_routes(company_a, client_for):
    _x, _b, houses, _admin = _estate(company_a, "权限苑")
    owner, _u = _owner(company_a, client_for, houses["1栋"])
    for username in ("cashier", "repair", "guard"):
        assert client_for(company_a, username).get("/api/v1/notices/").status_code == 403
    assert owner.get("/api/v1/notices/").status_code == 403
    assert client_for(company_a, "service").get("/api/v1/notices/").status_code == 200
    assert client_for(company_a, "admin").post("/api/v1/notices/", {"title": "t"}, format="json").status_code == 201
    assert client_for(company_a, "service").get("/api/v1/owner/notices/").status_code == 403


def test_a_notice_of_a_is_invisible_and_unwritable_from_b(company_a, company_b, client_for):
    _x, _b, houses, admin = _estate(company_a, "甲苑")
    owner_a, _u = _owner(company_a, client_for, houses["1栋"])
    with tenant_context(company_a):
        notice = _notice(admin)
        services.publish_notice(notice=notice, actor=admin)
    admin_b = client_for(company_b, "admin")
    for method, path in [
        ("get", f"/api/v1/notices/{notice.pk}/"),
        ("patch", f"/api/v1/notices/{notice.pk}/"),
        ("delete", f"/api/v1/notices/{notice.pk}/"),
        ("post", f"/api/v1/notices/{notice.pk}/publish/"),
        ("post", f"/api/v1/notices/{notice.pk}/withdraw/"),
        ("get", f"/api/v1/notices/{notice.pk}/stats/"),
    ]:
        assert getattr(admin_b, method)(path, {}, format="json").status_code == 404, path
    assert admin_b.get("/api/v1/notices/").json()["results"] == []
    owner_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert owner_a.get("/api/v1/owner/notices/").status_code == 401
    assert owner_a.get(f"/api/v1/owner/notices/{notice.pk}/").status_code == 401
    with tenant_context(company_a):
        notice.refresh_from_db()
        assert notice.status == Status.PUBLISHED and not NoticeRead.objects.exists()
