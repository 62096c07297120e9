"""Discounts: prepayment rules exact to the fen, each charge issued once, vacancy discounts applied once
whatever runs again, reductions never below what is paid, and the API's roles, field errors and tenancy."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from billing import money
from billing.models import Allocation, BillingSettings, Charge, DiscountRule, FeeItem, Prepayment, VacancyDiscount
from billing.services import discount_rules, payments, prepay, vacancies
from core.errors import DomainError
from tenants.estates.models import House
from tests.billing.test_bill_runs import _estate, _fee, _run

pytestmark = pytest.mark.django_db

_names = itertools.count()
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
NEXT_MONTH = money.add_months(THIS_MONTH, 1)
UNIT = {"fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal("1")}
MODE = {"half_up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}


def _people(company):
    with tenant_context(company):
        return User.objects.get(username="cashier"), User.objects.get(username="admin")


def _house(company, *, price="2.5000", rounding="half_up", place="fen", billed=True):
    """A house on a monthly area fee from two months ago, billed up to this month unless told."""
    estate = _estate(company, name=f"优惠小区{next(_names)}", floors=1, per_floor=1)
    start = money.add_months(THIS_MONTH, -2)
    with tenant_context(company):
        house = House.objects.get(estate=estate)
        item = _fee(name=f"物业费{estate.pk}", houses=[house], start=start, price=price, rounding=rounding)
        FeeItem.objects.filter(pk=item.pk).update(rounding_place=place)
        item.refresh_from_db()
        if billed:
            _run(estate, TODAY)
    return estate, house, item


def _rule(admin, item, **values):
    values.setdefault("name", f"规则{next(_names)}")
    values.setdefault("valid_from", THIS_MONTH - timedelta(days=40))
    return discount_rules.create_rule(actor=admin, fee_items=[item], **values)


def _prepay(house, item, cycles, actor, key=None):
    q = prepay.quote(house=house, fee_item=item, cycles=cycles)
    taken = prepay.take_prepayment(
        house=house,
        fee_item=item,
        cycles=cycles,
        method="cash",
        idempotency_key=key or f"pre-{next(_names)}",
        expected_total=q.total,
        actor=actor,
    )
    return q, taken


def _round(value: Decimal, mode: str, place: str) -> Decimal:
    return value.quantize(UNIT[place], rounding=MODE[mode]).quantize(Decimal("0.01"))


# --- prepayment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "place"),
    [("half_up", "fen"), ("up", "fen"), ("down", "fen"), ("half_up", "jiao"), ("up", "yuan"), ("down", "jiao")],
)
def test_twelve_cycles_at_five_percent_off_are_exact_to_the_fen(company_a, outbox_sent, rounding, place):
    cashier, admin = _people(company_a)
    _e, house, item = _house(company_a, price="2.5111", rounding=rounding, place=place)
    with tenant_context(company_a):
        rule = _rule(admin, item, kind="prepay_percent", percent=Decimal("5"), min_cycles=12)
        q, taken = _prepay(house, item, 12, cashier)
        per_cycle = _round(Decimal("89.50") * Decimal("2.5111"), rounding, place)
        gross = per_cycle * 12
        to_pay = _round(gross * Decimal("0.95"), rounding, place)
        assert (q.rule, q.gross, q.total) == (rule, gross, to_pay)
        principals = Charge.objects.filter(house=house, fee_item=item, cycle_start__gte=NEXT_MONTH, kind="regular")
        assert principals.count() == 12 and {c.amount for c in principals} == {per_cycle}
        lines = list(Charge.objects.filter(principal__in=principals, kind="adjustment"))
        assert len(lines) == 12
        assert -sum(c.amount for c in lines) == gross - to_pay  # the lines add up exactly
        assert all(c.amount % UNIT[place] == 0 and -c.amount <= per_cycle for c in lines)
        assert max(c.amount for c in lines) - min(c.amount for c in lines) <= UNIT[place]
        assert all(rule.name in c.reason and c.calculation["rule"] == rule.pk for c in lines)
        assert taken.payment.amount == to_pay == taken.total
        assert sum(a.amount for a in Allocation.objects.filter(payment=taken.payment)) == to_pay
        assert not {c.pk for c, _owing in payments.open_lines(house.pk)} & {c.pk for c in principals}


def test_pay_twelve_get_one_free_beats_a_smaller_percent(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        _rule(admin, item, kind="prepay_percent", percent=Decimal("5"), min_cycles=12)
        free = _rule(admin, item, kind="prepay_free_cycles", min_cycles=12, free_cycles=1)
        _rule(admin, item, kind="prepay_percent", percent=Decimal("50"), min_cycles=24)  # not reached
        q, taken = _prepay(house, item, 12, cashier)
        assert (q.rule, q.cycles, q.free_cycles, len(q.lines)) == (free, 12, 1, 13)
        assert q.lines[-1].free and q.lines[-1].to_pay == 0
        assert taken.total == Decimal("223.75") * 12
        last = Charge.objects.filter(house=house, fee_item=item, kind="regular").order_by("-cycle_start").first()
        assert last.cycle_start == money.add_months(NEXT_MONTH, 12)
        assert sum(c.amount for c in Charge.objects.filter(principal=last)) == -last.amount


def test_prepaying_twice_issues_the_next_cycles_and_a_retry_takes_nothing_more(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    estate, house, item = _house(company_a)
    with tenant_context(company_a):
        _q, first = _prepay(house, item, 3, cashier, key="k1")
        again = prepay.take_prepayment(
            house=house,
            fee_item=item,
            cycles=3,
            method="cash",
            idempotency_key="k1",
            expected_total=first.total,
            actor=cashier,
        )
        assert again.pk == first.pk
        _q, second = _prepay(house, item, 3, cashier)
        assert second.period_start == first.period_end
        starts = list(
            Charge.objects.filter(house=house, fee_item=item, kind="regular").values_list("cycle_start", flat=True)
        )
        assert len(starts) == len(set(starts)) == 3 + 6
        run = _run(estate, NEXT_MONTH)  # next month's bill run skips the prepaid cycle
        assert run.result["charges"] == 0
        assert Charge.objects.filter(house=house, fee_item=item, kind="regular").count() == 9


def test_a_changed_quote_takes_no_money_and_writes_nothing(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        before = Charge.objects.count()
        with pytest.raises(DomainError) as refused:
            prepay.take_prepayment(
                house=house,
                fee_item=item,
                cycles=2,
                method="cash",
                idempotency_key="stale",
                expected_total=Decimal("1.00"),
                actor=cashier,
            )
        assert refused.value.status_code == 409
        assert Charge.objects.count() == before and not Prepayment.objects.exists()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=st.decimals(min_value="0.0100", max_value="9.9999", places=4),
    cycles=st.integers(min_value=1, max_value=14),
    percent=st.decimals(min_value="0.01", max_value="99.99", places=2),
    rounding=st.sampled_from(["half_up", "up", "down"]),
)
def test_discount_lines_stay_within_their_principals_and_the_payment_is_the_quote(
    company_a, outbox_sent, price, cycles, percent, rounding
):
    cashier, admin = _people(company_a)
    _e, house, item = _house(company_a, price=str(price), rounding=rounding)
    with tenant_context(company_a):
        _rule(admin, item, kind="prepay_percent", percent=percent, min_cycles=1)
        try:
            q, taken = _prepay(house, item, cycles, cashier)
        except DomainError as refused:  # a 99.99 % discount of a fen-sized fee rounds to nothing to pay
            assert refused.fields == {"cycles": ["预缴金额为 0，无需收款。"]}
            return
        for line in Charge.objects.filter(house=house, kind="adjustment").select_related("principal"):
            assert 0 < -line.amount <= line.principal.amount
        assert taken.payment.amount == q.total == q.gross - q.discount


@given(
    amounts=st.lists(st.decimals(min_value="0.01", max_value="5000.00", places=2), min_size=1, max_size=24),
    percent=st.decimals(min_value="0.01", max_value="100", places=2),
    rounding=st.sampled_from(["half_up", "up", "down"]),
)
def test_percent_shares_add_up_and_never_exceed_a_line(amounts, percent, rounding):
    item = FeeItem(rounding=rounding, rounding_place="fen")
    lines = [
        prepay.QuoteLine(date(2027, 1, 1), date(2027, 1, 1), date(2027, 2, 1), a, Decimal(0), {}, 1, 1) for a in amounts
    ]
    shares = prepay._percent_off(lines, percent, item)
    gross = sum(amounts)
    assert sum(shares) == gross - _round(gross * (100 - percent) / 100, rounding, "fen")
    assert all(Decimal(0) <= s <= a for s, a in zip(shares, amounts, strict=True))


# --- vacancy -------------------------------------------------------------------------------------


def test_an_approved_vacancy_discounts_existing_and_later_charges_exactly_once(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    estate, house, item = _house(company_a)
    with tenant_context(company_a):
        rule = _rule(admin, item, kind="vacancy", percent=Decimal("50"))
        start = money.add_months(THIS_MONTH, -2) + timedelta(days=10)
        vacancy = vacancies.request_vacancy(
            house=house,
            fee_item=item,
            rule=rule,
            start=start,
            end=money.add_months(THIS_MONTH, 3),
            reason="未入住",
            actor=cashier,
        )
        assert not Charge.objects.filter(kind="adjustment").filter(house=house).exists()  # nothing until approved
        with pytest.raises(DomainError) as own:
            vacancies.approve_vacancy(vacancy=vacancy, actor=cashier)
        assert own.value.status_code == 403
        vacancies.approve_vacancy(vacancy=vacancy, actor=admin)
        lines = Charge.objects.filter(house=house, kind="adjustment")
        assert lines.count() == 3  # the three months already issued
        first = lines.order_by("period_start").first()
        days = (first.period_end - first.period_start).days
        vacant = (first.period_end - start).days
        exact = Decimal("223.75") * (100 * days - 50 * vacant) / (100 * days)
        assert first.amount == -(Decimal("223.75") - _round(exact, "half_up", "fen"))
        assert lines.order_by("period_start")[1].amount == Decimal("-111.87")  # 223.75 − round(111.875) to pay
        _run(estate, NEXT_MONTH)
        _run(estate, NEXT_MONTH)  # run again: nothing new
        for run_id in set(
            Charge.objects.filter(house=house, bill_run__isnull=False).values_list("bill_run", flat=True)
        ):
            vacancies.apply_to_run_chunk(
                bill_run_id=run_id, item=item, house_from=house.pk, house_to=house.pk + 1, as_of=TODAY
            )
        assert lines.count() == 4
        per_principal = {c.principal_id for c in lines}
        assert len(per_principal) == 4
        assert vacancies.discounted_total(vacancy) == -sum(c.amount for c in lines)


def test_a_vacancy_over_a_paid_charge_is_a_400_and_writes_nothing(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        payments.record_payment(
            house=house, amount=Decimal("671.25"), method="cash", idempotency_key="all", actor=cashier
        )
        rule = _rule(admin, item, kind="vacancy", percent=Decimal("100"))
        vacancy = vacancies.request_vacancy(
            house=house, fee_item=item, rule=rule, start=THIS_MONTH, end=NEXT_MONTH, reason="空置", actor=cashier
        )
        with pytest.raises(DomainError) as refused:
            vacancies.approve_vacancy(vacancy=vacancy, actor=admin)
        assert refused.value.status_code == 400 and "charges" in refused.value.fields
        assert VacancyDiscount.objects.get(pk=vacancy.pk).status == "pending"
        assert not Charge.objects.filter(house=house, kind="adjustment").exists()


# --- the API -------------------------------------------------------------------------------------


def test_rules_are_managed_by_managers_with_field_errors(client_for, company_a, outbox_sent):
    _e, _h, item = _house(company_a, billed=False)
    cashier, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    good = {"name": "预缴95折", "kind": "prepay_percent", "fee_items": [item.pk], "percent": "5", "min_cycles": 12}
    good["valid_from"] = str(THIS_MONTH)
    assert cashier.post("/api/v1/discount-rules/", good, format="json").status_code == 403
    bad = admin.post("/api/v1/discount-rules/", {**good, "percent": "0", "min_cycles": None}, format="json")
    assert bad.status_code == 400 and {"percent", "min_cycles"} <= set(bad.json()["fields"])
    fixed = admin.post(
        "/api/v1/discount-rules/", {**good, "name": "x", "kind": "fixed", "amount": "10", "reason": ""}, format="json"
    )
    assert fixed.status_code == 400 and "reason" in fixed.json()["fields"]
    made = admin.post("/api/v1/discount-rules/", good, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["amount"] is None and made.json()["fee_item_names"] == [item.name]
    changed = admin.patch(f"/api/v1/discount-rules/{made.json()['id']}/", {"kind": "vacancy"}, format="json")
    assert changed.status_code == 400
    assert cashier.get("/api/v1/discount-rules/").json()["count"] == 1
    with tenant_context(company_a):
        assert DiscountRule.objects.count() == 1


def test_the_desk_quotes_then_takes_a_prepayment(client_for, company_a, outbox_sent):
    _cashier, admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        _rule(admin, item, kind="prepay_percent", percent=Decimal("5"), min_cycles=6)
    desk = client_for(company_a, "cashier")
    bad = desk.post(f"/api/v1/prepay/houses/{house.pk}/quote/", {"fee_item": item.pk, "cycles": 0}, format="json")
    assert bad.status_code == 400 and "cycles" in bad.json()["fields"]
    quote = desk.post(f"/api/v1/prepay/houses/{house.pk}/quote/", {"fee_item": item.pk, "cycles": 6}, format="json")
    assert quote.status_code == 200, quote.content
    body = quote.json()
    assert (body["gross"], body["discount"], body["total"]) == ("1342.50", "67.12", "1275.38")
    assert body["lines"][0]["explanation"].startswith("89.50㎡")
    with tenant_context(company_a):
        assert not Charge.objects.filter(cycle_start__gte=NEXT_MONTH).exists()  # a quote writes nothing
    order = {
        "fee_item": item.pk,
        "cycles": 6,
        "expected_total": body["total"],
        "method": "cash",
        "idempotency_key": "d1",
    }
    paid = desk.post(f"/api/v1/prepay/houses/{house.pk}/pay/", {**order, "tendered": "1300"}, format="json")
    assert paid.status_code == 201, paid.content
    assert paid.json()["result"]["payment"]["amount"] == "1275.38" and paid.json()["result"]["change"] == "24.62"
    assert desk.post(f"/api/v1/prepay/houses/{house.pk}/pay/", order, format="json").status_code == 200  # replay


def test_vacancy_requests_are_decided_by_someone_else_with_fees_approve(client_for, company_a, outbox_sent):
    _cashier, admin_user = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        rule = _rule(admin_user, item, kind="vacancy", percent=Decimal("30"))
    desk, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    form = {"house": house.pk, "fee_item": item.pk, "rule": rule.pk, "start": str(NEXT_MONTH), "end": str(THIS_MONTH)}
    bad = desk.post("/api/v1/vacancy-discounts/", {**form, "reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    bad = desk.post("/api/v1/vacancy-discounts/", {**form, "reason": "空置"}, format="json")
    assert bad.status_code == 400 and "end" in bad.json()["fields"]
    form.update(start=str(THIS_MONTH), end=str(NEXT_MONTH), reason="空置")
    made = desk.post("/api/v1/vacancy-discounts/", form, format="json")
    assert made.status_code == 201, made.content
    url = f"/api/v1/vacancy-discounts/{made.json()['id']}"
    assert desk.post(f"{url}/approve/", {}, format="json").status_code == 403
    assert admin.post(f"{url}/reject/", {"note": ""}, format="json").status_code == 400
    approved = admin.post(f"{url}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["discounted"] == "67.12"
    assert admin.post(f"{url}/approve/", {}, format="json").status_code == 409


def test_a_reduction_waits_for_approval_or_needs_fees_manage_and_never_goes_below_paid(
    client_for, company_a, outbox_sent
):
    cashier, _admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        charge = Charge.objects.filter(house=house, kind="regular").order_by("period_start").first()
        payments.record_payment(
            house=house,
            amount=Decimal("200.00"),
            method="cash",
            idempotency_key="part",
            actor=cashier,
            charge_ids=[charge.pk],
        )
    desk, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    url = f"/api/v1/reductions/charges/{charge.pk}/reduce/"
    assert desk.post(url, {"amount": "5.00"}, format="json").json()["fields"].keys() == {"reason"}
    pending = desk.post(url, {"amount": "5.00", "reason": "维修期间"}, format="json")
    assert pending.status_code == 201 and pending.json()["status"] == "pending"
    with tenant_context(company_a):
        BillingSettings.objects.update_or_create(pk=1, defaults={"reductions_need_approval": False})
        fixed = _rule(_admin, item, kind="fixed", amount=Decimal("3.00"), reason="老人优待")
        second = Charge.objects.filter(house=house, kind="regular").order_by("period_start")[1]
        before = Charge.objects.count()
    assert (
        desk.post(f"/api/v1/reductions/charges/{second.pk}/reduce/", {"rule": fixed.pk}, format="json").status_code
        == 403
    )
    below = admin.post(url, {"amount": "30.00", "reason": "多收"}, format="json")  # 23.75 is still owed
    assert below.status_code == 400 and "amount" in below.json()["fields"]
    direct = admin.post(f"/api/v1/reductions/charges/{second.pk}/reduce/", {"rule": fixed.pk}, format="json")
    assert direct.status_code == 201, direct.content
    assert (direct.json()["status"], direct.json()["amount"], direct.json()["reason"]) == (
        "approved",
        "3.00",
        "老人优待",
    )
    with tenant_context(company_a):
        assert Charge.objects.count() == before + 1


def test_another_companys_objects_are_404(client_for, company_a, company_b, outbox_sent):
    _c, admin_a = _people(company_a)
    cashier_a, _ = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        rule = _rule(admin_a, item, kind="vacancy", percent=Decimal("50"))
        vacancy = vacancies.request_vacancy(
            house=house, fee_item=item, rule=rule, start=THIS_MONTH, end=NEXT_MONTH, reason="空置", actor=cashier_a
        )
        charge = Charge.objects.filter(house=house).first()
    other = client_for(company_b, "admin")
    assert other.get(f"/api/v1/discount-rules/{rule.pk}/").status_code == 404
    assert other.patch(f"/api/v1/discount-rules/{rule.pk}/", {"active": False}, format="json").status_code == 404
    assert other.post(f"/api/v1/vacancy-discounts/{vacancy.pk}/approve/", {}, format="json").status_code == 404
    assert (
        other.post(
            f"/api/v1/reductions/charges/{charge.pk}/reduce/", {"amount": "1", "reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        other.post(
            f"/api/v1/prepay/houses/{house.pk}/quote/", {"fee_item": item.pk, "cycles": 1}, format="json"
        ).status_code
        == 404
    )


def test_the_owner_sees_each_discount_explained_on_its_line(client_for, company_a, outbox_sent):
    from tests.billing.test_ledger_api import _owner_client

    cashier, admin = _people(company_a)
    _e, house, item = _house(company_a)
    with tenant_context(company_a):
        rule = _rule(admin, item, kind="vacancy", percent=Decimal("30"))
        vacancy = vacancies.request_vacancy(
            house=house, fee_item=item, rule=rule, start=THIS_MONTH, end=NEXT_MONTH, reason="空置", actor=cashier
        )
        vacancies.approve_vacancy(vacancy=vacancy, actor=admin)
    owner = _owner_client(company_a, client_for, house=house)
    (bills,) = owner.get("/api/v1/owner/bills/").json()
    (line,) = [x for x in bills["due"] + bills["overdue"] if x["period_start"] == str(THIS_MONTH)]
    assert line["amount"] == "156.63"
    assert line["explanation"].startswith("89.50㎡") and f"空置房优惠「{rule.name}」" in line["explanation"]
    assert "−67.12 元" in line["explanation"]


def test_a_prepayment_over_an_approved_vacancy_pays_the_discounted_amount_to_the_fen(company_a, outbox_sent):
    """The vacancy comes off each prepaid cycle exactly as a bill run takes it off the same cycle of a
    twin house; the prepay rule's percent then comes off what is left."""
    cashier, admin = _people(company_a)
    estate = _estate(company_a, name=f"空置预缴{next(_names)}", floors=1, per_floor=2)
    with tenant_context(company_a):
        house, twin = House.objects.filter(estate=estate).order_by("pk")
        item = _fee(name=f"物业费{estate.pk}", houses=[house, twin], start=money.add_months(THIS_MONTH, -2))
        _run(estate, TODAY)
        vacancy_rule = _rule(admin, item, kind="vacancy", percent=Decimal("50"))
        prepay_rule = _rule(admin, item, kind="prepay_percent", percent=Decimal("5"), min_cycles=6)
        start, end = NEXT_MONTH + timedelta(days=10), money.add_months(NEXT_MONTH, 2)
        for payer in (house, twin):
            vacancy = vacancies.request_vacancy(
                house=payer, fee_item=item, rule=vacancy_rule, start=start, end=end, reason="未入住", actor=cashier
            )
            vacancies.approve_vacancy(vacancy=vacancy, actor=admin)
        q, taken = _prepay(house, item, 6, cashier)

        days = (money.add_months(NEXT_MONTH, 1) - NEXT_MONTH).days
        first = _round(Decimal("223.75") * (100 * days - 50 * (days - 10)) / (100 * days), "half_up", "fen")
        owed = [first, Decimal("111.88")] + [Decimal("223.75")] * 4  # 111.875 rounds half up
        total = _round(sum(owed) * Decimal("0.95"), "half_up", "fen")
        assert [line.amount - line.vacancy for line in q.lines] == owed
        assert (q.rule, q.gross, q.total) == (prepay_rule, Decimal("223.75") * 6, total)
        assert taken.payment.amount == taken.total == total and taken.discount == q.gross - total
        principals = Charge.objects.filter(house=house, fee_item=item, kind="regular", cycle_start__gte=NEXT_MONTH)
        vacancy_lines = Charge.objects.filter(principal__in=principals, calculation__vacancy__isnull=False)
        assert sorted(-c.amount for c in vacancy_lines) == sorted(Decimal("223.75") - o for o in owed[:2])
        assert sum(c.amount for c in Charge.objects.filter(house=house, cycle_start__gte=NEXT_MONTH)) == total
        assert not {c.pk for c, _owing in payments.open_lines(house.pk)} & {c.pk for c in principals}

        _run(estate, NEXT_MONTH)  # the twin's first cycle, issued by a bill run
        twin_line = Charge.objects.get(house=twin, kind="adjustment", cycle_start=NEXT_MONTH)
        assert -twin_line.amount == Decimal("223.75") - first == q.lines[0].vacancy
        # the bill run left the prepaid cycles alone
        assert not Charge.objects.filter(house=house, bill_run__isnull=False, cycle_start__gte=NEXT_MONTH).exists()
