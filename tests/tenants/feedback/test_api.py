"""Feedback API: the owner files, follows, withdraws and rates their own items; the handlers see
every item (an anonymous suggestion without its owner), filter, assign, reply, resolve and close;
notifications; roles and companies for every endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from notifications.models import Delivery
from tenants.feedback.models import Feedback, Kind, Status
from tests.tenants.feedback.world import feedback_world, make_item

pytestmark = pytest.mark.django_db


def _deliveries(event, user):
    return Delivery.objects.filter(notification__event=event, recipient=user, channel="inbox").count()


def test_the_owner_loop_through_the_api(company_a, client_for):
    world = feedback_world(company_a, client_for)
    owner, service = world["owner_client"], client_for(company_a, "service")
    filed = owner.post(
        "/api/v1/owner/feedback/",
        {"kind": "complaint", "description": "夜里装修噪音", "house": world["houses"][0].pk},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    item = filed.json()
    assert (item["status"], item["house_label"], item["actions"]) == (
        "submitted",
        world["houses"][0].label,
        ["withdraw"],
    )
    with tenant_context(company_a):
        assert _deliveries("feedback.filed", world["service"]) == 1
        assert _deliveries("feedback.filed", world["admin"]) == 1
    listed = service.get("/api/v1/feedback/").json()["results"]
    assert [row["id"] for row in listed] == [item["id"]] and listed[0]["owner_name"] == world["owner"].name
    service_id = world["service"].pk
    assigned = service.post(f"/api/v1/feedback/{item['id']}/assign/", {"assignee": service_id}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assignee_name"] == "service"
    replied = service.post(
        f"/api/v1/feedback/{item['id']}/reply/", {"note": "已联系装修户，晚十点后停工"}, format="json"
    )
    assert replied.json()["status"] == "replied"
    seen = owner.get(f"/api/v1/owner/feedback/{item['id']}/").json()
    assert seen["reply"] == "已联系装修户，晚十点后停工" and seen["actions"] == ["withdraw"]
    resolved = service.post(f"/api/v1/feedback/{item['id']}/resolve/", {}, format="json")
    assert resolved.json()["status"] == "resolved"
    with tenant_context(company_a):
        assert _deliveries("feedback.replied", world["owner"]) == 1
        assert _deliveries("feedback.resolved", world["owner"]) == 1
    rated = owner.post(f"/api/v1/owner/feedback/{item['id']}/rate/", {"rating": 5}, format="json")
    assert rated.status_code == 200 and rated.json()["status"] == "closed" and rated.json()["rating"] == 5
    steps = [(e["transition"], e["actor_name"]) for e in rated.json()["timeline"]]
    assert steps == [
        ("file", world["owner"].name),
        ("assign", "service"),
        ("reply", "service"),
        ("resolve", "service"),
        ("rate", world["owner"].name),
    ]


def test_anonymous_only_for_suggestions_and_hidden_from_staff_not_from_the_owner(company_a, client_for):
    world = feedback_world(company_a, client_for)
    owner, service = world["owner_client"], client_for(company_a, "service")
    refused = owner.post(
        "/api/v1/owner/feedback/", {"kind": "complaint", "description": "x", "anonymous": True}, format="json"
    )
    assert refused.status_code == 400 and "anonymous" in refused.json()["fields"]
    filed = owner.post(
        "/api/v1/owner/feedback/",
        {"kind": "suggestion", "description": "建议增加充电桩", "anonymous": True, "house": world["houses"][0].pk},
        format="json",
    ).json()
    staff_view = service.get(f"/api/v1/feedback/{filed['id']}/").json()
    assert (staff_view["owner_name"], staff_view["house"], staff_view["house_label"]) == (None, None, None)
    assert staff_view["timeline"][0]["actor_name"] is None and staff_view["timeline"][0]["by_owner"] is True
    assert world["owner"].name not in str(service.get("/api/v1/feedback/").content, "utf-8")
    mine = owner.get("/api/v1/owner/feedback/").json()["results"]
    assert mine[0]["anonymous"] is True and mine[0]["owner_name"] == world["owner"].name
    assert mine[0]["house_label"] == world["houses"][0].label


def test_an_owner_files_only_for_their_own_house_and_sees_only_their_own(company_a, client_for):
    world = feedback_world(company_a, client_for)
    owner, other = world["owner_client"], world["other_client"]
    theirs = owner.post(
        "/api/v1/owner/feedback/",
        {"kind": "praise", "description": "保安很负责", "house": world["houses"][1].pk},
        format="json",
    )
    assert theirs.status_code == 400 and "house" in theirs.json()["fields"]
    with tenant_context(company_a):
        item = make_item(world)
    assert other.get("/api/v1/owner/feedback/").json()["results"] == []
    assert other.get(f"/api/v1/owner/feedback/{item.pk}/").status_code == 404
    assert other.post(f"/api/v1/owner/feedback/{item.pk}/withdraw/", {}, format="json").status_code == 404
    withdrawn = owner.post(f"/api/v1/owner/feedback/{item.pk}/withdraw/", {"note": "已自行解决"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = owner.post(f"/api/v1/owner/feedback/{item.pk}/withdraw/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"


def test_close_without_reason_is_a_400_and_with_one_closes(company_a, client_for):
    world = feedback_world(company_a, client_for)
    service = client_for(company_a, "service")
    with tenant_context(company_a):
        item = make_item(world)
    bare = service.post(f"/api/v1/feedback/{item.pk}/close/", {}, format="json")
    assert bare.status_code == 400 and "note" in bare.json()["fields"]
    closed = service.post(f"/api/v1/feedback/{item.pk}/close/", {"note": "与 #3 重复"}, format="json")
    assert closed.json()["status"] == "closed" and closed.json()["timeline"][-1]["note"] == "与 #3 重复"


def test_staff_filters(company_a, client_for):
    world = feedback_world(company_a, client_for)
    service = client_for(company_a, "service")
    with tenant_context(company_a):
        late = make_item(world, due_in_hours=-1)
        praise = make_item(world, kind=Kind.PRAISE)
        Feedback.objects.filter(pk=praise.pk).update(description="感谢保洁阿姨")
        replied_late = make_item(world, status=Status.REPLIED, due_in_hours=-5)
    ids = lambda query: {row["id"] for row in service.get(f"/api/v1/feedback/{query}").json()["results"]}  # noqa: E731
    assert ids("?overdue=true") == {late.pk}
    assert ids("?overdue=false") == {praise.pk, replied_late.pk}
    assert ids("?kind=praise") == {praise.pk}
    assert ids("?search=保洁") == {praise.pk}
    assert ids("?status=replied") == {replied_late.pk}
    assert ids(f"?estate={world['estate'].pk}") == {late.pk, praise.pk, replied_late.pk}
    row = next(r for r in service.get("/api/v1/feedback/").json()["results"] if r["id"] == late.pk)
    assert row["overdue"] is True


def test_the_list_query_count_does_not_grow_with_its_page(company_a, client_for):
    world = feedback_world(company_a, client_for)
    service = client_for(company_a, "service")
    with tenant_context(company_a):
        for _ in range(3):
            make_item(world)
    with CaptureQueriesContext(connection) as few:
        service.get("/api/v1/feedback/")
    with tenant_context(company_a):
        for _ in range(12):
            make_item(world, kind=Kind.SUGGESTION, anonymous=True)
    with CaptureQueriesContext(connection) as many:
        service.get("/api/v1/feedback/")
    assert len(many) == len(few)


STAFF_ENDPOINTS = [
    ("get", "/api/v1/feedback/"),
    ("get", "/api/v1/feedback/{id}/"),
    ("post", "/api/v1/feedback/{id}/assign/"),
    ("post", "/api/v1/feedback/{id}/reply/"),
    ("post", "/api/v1/feedback/{id}/resolve/"),
    ("post", "/api/v1/feedback/{id}/close/"),
    ("get", "/api/v1/feedback-stats/"),
    ("get", "/api/v1/feedback-handlers/"),
    ("get", "/api/v1/feedback-settings/"),
    ("patch", "/api/v1/feedback-settings/"),
    ("get", "/api/v1/feedback-photos/{photo}/"),
    ("get", "/api/v1/feedback-photos/{photo}/thumbnail/"),
]
OWNER_ENDPOINTS = [
    ("get", "/api/v1/owner/feedback/"),
    ("post", "/api/v1/owner/feedback/"),
    ("get", "/api/v1/owner/feedback/{id}/"),
    ("post", "/api/v1/owner/feedback/{id}/withdraw/"),
    ("post", "/api/v1/owner/feedback/{id}/rate/"),
    ("post", "/api/v1/owner/feedback-photos/"),
    ("get", "/api/v1/owner/feedback-photos/{photo}/"),
    ("get", "/api/v1/owner/feedback-photos/{photo}/thumbnail/"),
]


@pytest.mark.parametrize("username", ["cashier", "dispatcher", "repair", "guard"])
def test_staff_without_the_permission_are_refused_everywhere(company_a, client_for, username):
    client = client_for(company_a, username)
    for method, path in STAFF_ENDPOINTS + OWNER_ENDPOINTS:
        response = getattr(client, method)(path.format(id=1, photo=1), {}, format="json")
        # the figures are also the analytics readers' (the cashier's analytics.view)
        expected = 200 if (username, path) == ("cashier", "/api/v1/feedback-stats/") else 403
        assert response.status_code == expected, (username, method, path, response.status_code)


def test_owners_are_refused_the_staff_endpoints_and_staff_the_owner_ones(company_a, client_for):
    world = feedback_world(company_a, client_for)
    service = client_for(company_a, "service")
    for method, path in STAFF_ENDPOINTS:
        response = getattr(world["owner_client"], method)(path.format(id=1, photo=1), {}, format="json")
        assert response.status_code == 403, (method, path)
    for method, path in OWNER_ENDPOINTS:
        response = getattr(service, method)(path.format(id=1, photo=1), {}, format="json")
        assert response.status_code == 403, (method, path)


def test_only_managers_change_the_reply_rule(company_a, client_for):
    service, admin = client_for(company_a, "service"), client_for(company_a, "admin")
    assert service.get("/api/v1/feedback-settings/").json() == {"reply_hours": 24}
    assert service.patch("/api/v1/feedback-settings/", {"reply_hours": 8}, format="json").status_code == 403
    assert admin.patch("/api/v1/feedback-settings/", {"reply_hours": 0}, format="json").status_code == 400
    assert admin.patch("/api/v1/feedback-settings/", {"reply_hours": 8}, format="json").json() == {"reply_hours": 8}
    # A PATCH that names no field changes nothing and writes no audit row (it once raised a 500).
    with tenant_context(company_a):
        audits = AuditEvent.objects.filter(action="feedback.settings").count()
    assert admin.patch("/api/v1/feedback-settings/", {}, format="json").json() == {"reply_hours": 8}
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="feedback.settings").count() == audits == 1


def test_another_companys_items_are_404_and_their_staff_are_refused(company_a, company_b, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        item = make_item(world)
    b_world = feedback_world(company_b, client_for, name="别家苑")
    b_service = client_for(company_b, "service")
    for method, path in STAFF_ENDPOINTS[1:6]:
        response = getattr(b_service, method)(path.format(id=item.pk), {"note": "x"}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    for method, path in OWNER_ENDPOINTS[2:5]:
        response = getattr(b_world["owner_client"], method)(path.format(id=item.pk), {"rating": 5}, format="json")
        assert response.status_code == 404, (method, path)
    # company A's own credentials on company B's host find nothing of A's
    a_service = client_for(company_a, "service")
    a_service.defaults["HTTP_HOST"] = b_service.defaults.get("HTTP_HOST", "")
    assert a_service.get("/api/v1/feedback/").status_code in (401, 403)
    with tenant_context(company_a):
        assert Feedback.objects.get(pk=item.pk).status == Status.SUBMITTED
