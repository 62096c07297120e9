"""Rotating the data key: lookups keep working while old and new keys are both configured,
`rotate_data_keys` re-keys every encrypted column and blind index (resumable, idempotent), and the
old key can then be removed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import get_tenant_model, tenant_context

from core import crypto, rekey
from core.identity import check_character
from standins import sms as sms_standin
from tenants.residents.models import Person

pytestmark = pytest.mark.django_db

PHONE = "13522223333"
ID_NUMBER = "11010519491231002" + check_character("11010519491231002")


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _sms_login(client) -> int:
    sms_standin.reset(PHONE)
    assert client.post("/api/v1/auth/sms/send/", {"phone": PHONE}, format="json").status_code == 200
    code = sms_standin.outbox(PHONE)[0]["params"][0]
    login = client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")
    assert login.status_code == 200, login.content
    return login.json()["user"]["id"]


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_data_keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _raw_person(company, pk):
    with tenant_context(company), connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number, phone_index, id_number_index FROM residents_person WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def _everything_decrypts() -> int:
    """Reads every encrypted value of every schema; returns how many were read."""
    read = 0
    for tenant in get_tenant_model().objects.all():
        with tenant_context(tenant):
            for item in rekey.models_in_current_schema():
                for row in item.model._base_manager.values_list(*(f.attname for f in item.encrypted)):
                    read += sum(1 for value in row if value)
    return read


def test_lookups_work_mid_rotation_and_the_command_rekeys_everything(data_keys, client_for, company_a, limit_clock):
    data_keys("k1")
    admin = client_for(company_a, "admin")
    person = admin.post(
        "/api/v1/residents/", {"name": "张伟", "phone": PHONE, "id_number": ID_NUMBER}, format="json"
    ).json()
    owner_id = _sms_login(client_for(company_a))

    data_keys("k2", "k1")  # the rotation starts: the new key first, the old one still listed
    found = admin.get(f"/api/v1/residents/?phone={PHONE}").json()
    assert [p["id"] for p in found["results"]] == [person["id"]]
    again = admin.post("/api/v1/residents/", {"name": "张伟2", "id_number": ID_NUMBER}, format="json")
    assert again.status_code == 400 and "id_number" in again.json()["fields"]
    limit_clock.advance(61)  # one code a minute per number
    assert _sms_login(client_for(company_a)) == owner_id  # the same account, not a new one

    # Interrupted after one row, then resumed: the second run carries on, a third finds nothing.
    assert "stopped after 1 rows" in _rotate("--max-rows", "1", "--batch-size", "1")
    with pytest.raises(CommandError, match="not under the current key"):
        _rotate("--check")
    _rotate("--batch-size", "2")
    assert "0 rows not under k2" in _rotate("--check")
    assert "done: 0 rows rewritten" in _rotate()
    phone, id_number, phone_index, id_number_index = _raw_person(company_a, person["id"])
    assert crypto.key_id_of(phone) == crypto.key_id_of(id_number) == "k2"
    with tenant_context(company_a):
        assert phone_index == crypto.blind_index(PHONE, purpose="phone")
        assert id_number_index == crypto.blind_index(ID_NUMBER, purpose="id_number")

    data_keys("k2", keep_local=False)  # every old key removed
    assert _everything_decrypts() > 0
    found = admin.get(f"/api/v1/residents/?phone={PHONE}").json()
    assert [p["id"] for p in found["results"]] == [person["id"]]
    revealed = admin.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "id_number"}, format="json")
    assert revealed.json() == {"value": ID_NUMBER}
    limit_clock.advance(61)
    assert _sms_login(client_for(company_a)) == owner_id
    again = admin.post("/api/v1/residents/", {"name": "张伟2", "id_number": ID_NUMBER}, format="json")
    assert again.status_code == 400


def test_an_index_left_under_the_old_key_is_recomputed(data_keys, company_a):
    """A save during the rotation re-encrypts a row under the new key but leaves the index the
    service did not touch: the command judges indexes on their own, not by the ciphertext's key."""
    data_keys("k1")
    with tenant_context(company_a):
        person = Person(name="李娜")
        person.set_phone(PHONE, crypto.blind_index(PHONE, purpose="phone"))
        person.save()
    data_keys("k2", "k1")
    with tenant_context(company_a):
        Person.objects.get(pk=person.pk).save()  # e.g. a note edited mid-rotation
    phone, _id, phone_index, _id_index = _raw_person(company_a, person.pk)
    assert crypto.key_id_of(phone) == "k2"
    _rotate("--schema", company_a.schema_name)
    with tenant_context(company_a):
        assert _raw_person(company_a, person.pk)[2] == crypto.blind_index(PHONE, purpose="phone") != phone_index


def test_a_value_no_key_opens_is_reported_and_the_rest_is_rekeyed(data_keys, company_a):
    data_keys("k1")
    with tenant_context(company_a):
        lost = Person.objects.create(name="丢失")
        kept = Person.objects.create(name="保留", phone=PHONE)
    with tenant_context(company_a), connection.cursor() as cursor:  # a key dropped too early
        cursor.execute("UPDATE residents_person SET phone = 'v1:gone:AAAA' WHERE id = %s", [lost.pk])
    data_keys("k2", "k1")
    with pytest.raises(CommandError, match="could not be re-keyed"):
        _rotate("--schema", company_a.schema_name)
    assert crypto.key_id_of(_raw_person(company_a, kept.pk)[0]) == "k2"
    assert _raw_person(company_a, lost.pk)[0] == "v1:gone:AAAA"


def test_keys_are_read_strictly():
    with pytest.raises(ValueError):
        crypto.parse_keys("k1:" + "A" * 10)
    with pytest.raises(ValueError):
        crypto.parse_keys("k1:" + "A" * 43 + ",k1:" + "B" * 43)
    assert [kid for kid, _ in crypto.parse_keys("k1:" + "A" * 43 + ",local")] == ["k1", "local"]


def test_rekeying_keeps_a_document_indexed_by_its_type(data_keys, company_a):
    """A passport is indexed by type and number, a 15-digit ID card by its 18-digit form
    (core.identity.document_key): re-keying reads the type beside the number and keeps both so."""
    from tenants.residents import pii

    first_generation = "110105491231002"
    data_keys("k1")
    with tenant_context(company_a):
        passport = Person(name="John Smith")
        passport.set_id_number("E12345678", pii.id_number_index("E12345678", "passport"), "passport")
        passport.save()
        old_card = Person(name="张伟")
        old_card.set_id_number(first_generation, pii.id_number_index(first_generation), "id_card")
        old_card.save()
    data_keys("k2", "k1")
    _rotate("--schema", company_a.schema_name)
    assert "0 rows not under k2" in _rotate("--check", "--schema", company_a.schema_name)
    with tenant_context(company_a):
        assert _raw_person(company_a, passport.pk)[3] == pii.id_number_index("E12345678", "passport")
        assert _raw_person(company_a, passport.pk)[3] != crypto.blind_index("E12345678", purpose="id_number")
        assert _raw_person(company_a, old_card.pk)[3] == crypto.blind_index(ID_NUMBER, purpose="id_number")
        assert Person.objects.get(id_number_index__in=pii.id_number_indexes(ID_NUMBER)).pk == old_card.pk
