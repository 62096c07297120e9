"""Resident records: creating and changing a person, the checks on phone and ID numbers (an ID
number another resident holds, counted against the caller's PII lookup budget), whole-number phone
searches and revealing a masked field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from core.masking import mask_id_number, mask_phone
from tenants.residents import pii
from tenants.residents.models import EMERGENCY_CONTACT_MAX_LENGTH, NOTE_MAX_LENGTH, DocumentType, Gender, Person

_PERSON_FIELDS = {"name", "gender", "phone", "id_type", "id_number", "emergency_contact", "note"}


def _id_number_taken(actor: Any) -> DomainError:
    """The refusal of an ID number another resident holds. To a role that cannot reveal ID numbers it
    does not say so: with the masked number in every list, "a resident already uses it" would
    confirm a guessed birth date. The refusal itself still tells something, so every check is also
    counted against the caller's lookup budget, and a clash is audited (create_person)."""
    if actor is None or actor.has_permission("pii.reveal"):
        message = _("已有住户使用该身份证号。")
    else:
        message = _("该身份证号无法登记，请核对后重试；如确认无误，请联系管理员处理。")
    return DomainError(message, code="id_number_unavailable", fields={"id_number": [message]})


class _IdNumberClash(DomainError):
    """Refused, among other problems perhaps, for an ID number another resident holds. The clash is
    audited inside the action, which hands the refusal back instead of raising it so that the audit
    row commits; its caller raises it then."""


def _id_number_held(id_number: str, id_type: str, *, exclude_pk: int | None) -> bool:
    taken = Person.objects.filter(id_number_index__in=pii.id_number_indexes(id_number, id_type))
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def checked_person_fields(
    changes: dict[str, Any], *, actor: Any, exclude_pk: int | None = None, unique_id: bool = True
) -> dict[str, Any]:
    """Validate every given field at once; DomainError carries all problems together. Public to the
    package: an owner's correction request (corrections) is checked here too, with unique_id=False."""
    problems: dict[str, list[str]] = {}
    unknown = set(changes) - _PERSON_FIELDS
    for field in unknown:
        problems[field] = [_("不可修改。")]
    clean: dict[str, Any] = {}
    if "name" in changes:
        name = text.clean_name(changes["name"])
        if not 1 <= len(name) <= 50:
            problems["name"] = [_("请填写姓名（不超过 50 个字）。")]
        clean["name"] = name
    if "gender" in changes:
        if changes["gender"] not in Gender.values:
            problems["gender"] = [_("性别无效。")]
        clean["gender"] = changes["gender"]
    if "phone" in changes:
        phone = pii.normalise_phone(changes["phone"])
        if phone and (problem := pii.contact_phone_problem(phone)):
            problems["phone"] = [problem]
        clean["phone"] = phone
    clash = False
    if changes.get("id_type") and changes["id_type"] not in DocumentType.values:
        problems["id_type"] = [_("证件类型无效。")]
    if "id_number" in changes:
        id_number = pii.clean_document_number(changes["id_number"])
        # The stated type, else the one the number's shape names (an 18- or 15-digit ID card number).
        id_type = changes.get("id_type") or pii.infer_document_type(id_number) or DocumentType.ID_CARD
        if id_number and (problem := pii.document_problem(id_type, id_number)):
            problems["id_number"] = [problem]
        elif id_number and unique_id and _id_number_held(id_number, id_type, exclude_pk=exclude_pk):
            problems["id_number"] = _id_number_taken(actor).fields["id_number"]
            clash = True
        clean["id_number"] = id_number
        clean["id_type"] = id_type if id_number else ""
    for field, max_length in (("emergency_contact", EMERGENCY_CONTACT_MAX_LENGTH), ("note", NOTE_MAX_LENGTH)):
        if field in changes:
            value = (changes[field] or "").strip()
            if len(value) > max_length:
                problems[field] = [_("内容过长。")]
            clean[field] = value
    if clash:
        account_services.record_audit(
            actor=actor,
            action="pii.id_number_conflict",
            object_type="person",
            object_id=exclude_pk or "",
            after={"id_number": mask_id_number(clean["id_number"])},
        )
        raise _IdNumberClash(_("请检查填写的内容。"), fields=problems)
    if problems:
        raise DomainError(_("请检查填写的内容。"), fields=problems)
    return clean


def _apply(person: Person, clean: dict[str, Any]) -> None:
    for field, value in clean.items():
        if field == "phone":
            person.set_phone(value, pii.phone_index(value))
        elif field == "id_number":
            id_type = clean.get("id_type") or DocumentType.ID_CARD
            person.set_id_number(value, pii.id_number_index(value, id_type), id_type)
        elif field == "id_type":
            continue  # set with its number
        elif field == "emergency_contact":
            person.set_emergency_contact(value)
        else:
            setattr(person, field, value)


def _audit_view(person: Person) -> dict[str, Any]:
    # Audit rows keep masked values only: the trail must not become a second copy of the PII.
    return {
        "name": person.name,
        "gender": person.gender,
        "phone": person.phone_masked,
        "id_number": person.id_number_masked,
        "emergency_contact": person.emergency_contact_masked,
        "note": person.note,
    }


def _spend_id_number_check(actor: Any, fields: dict[str, Any]) -> None:
    # Before the action: a refusal (and its audit row) must not depend on the write going through.
    if fields.get("id_number") and actor is not None and actor.pk:
        account_services.spend_pii_lookup(actor=actor, what="id_number_check")


def _raised_or_returned(outcome: tuple[Person, DomainError | None]) -> Person:
    person, refusal = outcome
    if refusal is not None:
        raise refusal
    return person


def create_person(*, actor: Any, **fields: Any) -> Person:
    """A new resident. A typed ID number is checked against everyone's: each check is a guess at a
    masked number (about 2,000 birth dates fit one), so it is counted against the caller's lookup
    budget (429 once spent), and a clash is audited, committed although nothing else is saved."""
    _spend_id_number_check(actor, fields)
    return _raised_or_returned(_create_person(actor=actor, fields=fields))


@action
def _create_person(*, actor: Any, fields: dict[str, Any]) -> tuple[Person, DomainError | None]:
    if "name" not in fields:
        raise DomainError(_("请填写姓名。"), fields={"name": [_("请填写姓名。")]})
    person = Person()
    try:
        clean = checked_person_fields(fields, actor=actor)
    except _IdNumberClash as refusal:
        return person, refusal
    _apply(person, clean)
    with conflict_as(_id_number_taken(actor)):  # a concurrent create with the same ID number
        person.save()
    account_services.record_audit(
        actor=actor, action="person.create", object_type="person", object_id=person.pk, after=_audit_view(person)
    )
    return person, None


def update_person(*, person: Person, actor: Any, **changes: Any) -> Person:
    """Staff's (or, for contact details, the owner's) changes; a typed ID number as in create_person."""
    _spend_id_number_check(actor, changes)
    return _raised_or_returned(_update_person(person=person, actor=actor, changes=changes))


@action
def _update_person(*, person: Person, actor: Any, changes: dict[str, Any]) -> tuple[Person, DomainError | None]:
    try:
        clean = checked_person_fields(changes, actor=actor, exclude_pk=person.pk)
    except _IdNumberClash as refusal:
        return person, refusal
    before = _audit_view(person)
    _apply(person, clean)
    with conflict_as(_id_number_taken(actor)):
        person.save()
    account_services.record_audit(
        actor=actor,
        action="person.update",
        object_type="person",
        object_id=person.pk,
        before=before,
        after=_audit_view(person),
    )
    return person, None


def record_phone_search(*, actor: Any, phone: str) -> None:
    """Staff look a resident up by whole phone number (a caller phones in). Lists show numbers
    masked, so each search is a guess at one: counted against the caller's lookup budget (429 once
    spent) and audited with the number masked and how many people it found."""
    account_services.spend_pii_lookup(actor=actor, what="phone_search")
    _audit_phone_search(actor=actor, phone=pii.normalise_phone(phone))


@action
def _audit_phone_search(*, actor: Any, phone: str) -> None:
    hits = Person.objects.filter(phone_index__in=pii.phone_indexes(phone)).count() if phone else 0
    account_services.record_audit(
        actor=actor, action="pii.search", object_type="person", after={"phone": mask_phone(phone), "hits": hits}
    )


REVEALABLE = ("phone", "id_number", "emergency_contact")


@action
def reveal(*, person: Person, field: str, actor: Any) -> str:
    """The whole phone, ID number or emergency contact, for a role that holds `pii.reveal`; every
    reveal is audited."""
    if field not in REVEALABLE:
        message = _("只能查看手机号、身份证号或紧急联系人。")
        raise DomainError(message, fields={"field": [message]})
    account_services.record_audit(
        actor=actor, action="pii.reveal", object_type="person", object_id=person.pk, after={"field": field}
    )
    return getattr(person, field) or ""
