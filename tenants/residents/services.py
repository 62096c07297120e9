"""Writes about residents: people and their relations to houses, owners' binding requests and
corrections, and staff decisions on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import locks
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from core.masking import mask_id_number, mask_phone
from tenants.estates.models import House
from tenants.residents import pii
from tenants.residents.models import (
    EMERGENCY_CONTACT_MAX_LENGTH,
    BindingStatus,
    CorrectionRequest,
    CorrectionStatus,
    Gender,
    HouseBinding,
    Occupancy,
    Person,
    Relation,
)


@action
def request_binding(*, user: Any, house: House, relation: str, name: str, via_code: bool = False) -> HouseBinding:
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), fields={"relation": [_("请选择与房屋的关系。")]})
    name = name.strip()
    if not 1 <= len(name) <= 50:
        raise DomainError(_("请填写姓名。"), fields={"name": [_("请填写姓名（不超过 50 个字）。")]})
    with conflict_as(
        DomainError(
            _("您已申请或已绑定该房屋。"), code="already_bound", fields={"house_id": [_("您已申请或已绑定该房屋。")]}
        )
    ):
        binding = HouseBinding.objects.create(user=user, house=house, relation=relation, name=name, via_code=via_code)
    account_services.record_audit(
        actor=user,
        action="binding.request",
        object_type="house_binding",
        object_id=binding.pk,
        after={"house": house.pk, "relation": relation},
    )
    registered = _registered_occupant(house=house, user=user) if via_code else None
    if registered is not None:
        # Verified by phone + house code: the code staff handed out, and the phone staff registered
        # for a resident of this very house. The binding takes that record's name and relation.
        HouseBinding.objects.filter(pk=binding.pk).update(name=registered.person.name, relation=registered.relation)
        binding = approve_binding(binding_id=binding.pk, actor=None)
    return binding


def _registered_occupant(*, house: House, user: Any) -> Occupancy | None:
    if not user.phone:
        return None
    # From the phone itself, not by comparing the two stored indexes: during a key rotation the
    # account and the resident record may carry the number's index under different keys.
    return (
        Occupancy.objects.select_related("person")
        .filter(house=house, moved_out__isnull=True, person__phone_index__in=pii.phone_indexes(user.phone))
        .filter(Q(person__user__isnull=True) | Q(person__user=user))
        .order_by("-is_primary_payer", "pk")
        .first()
    )


def _decide(*, binding_id: int, actor: Any, status: str, reason: str = "") -> HouseBinding:
    with transaction.atomic():
        binding = HouseBinding.objects.select_for_update().filter(pk=binding_id).first()
        if binding is None:
            raise DomainError(_("申请不存在。"), code="not_found", status_code=404)
        if binding.status != BindingStatus.PENDING:
            raise DomainError(_("该申请已处理。"), code="already_decided", status_code=409)
        binding.status = status
        binding.reason = reason
        binding.decided_by = actor
        binding.decided_at = timezone.now()
        binding.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        account_services.record_audit(
            actor=actor,
            action=f"binding.{status}",
            object_type="house_binding",
            object_id=binding.pk,
            before={"status": "pending"},
            after={"status": status, "reason": reason},
        )
    return binding


@action
def approve_binding(*, binding_id: int, actor: Any) -> HouseBinding:
    """Approving links the account to a resident record and registers the relation to the house."""
    with transaction.atomic():
        binding = _decide(binding_id=binding_id, actor=actor, status=BindingStatus.APPROVED)
        user = binding.user
        if not user.name:
            # An owner who signed in by phone has no name until staff accept the one they gave.
            account_services.update_user(user=user, actor=actor, name=binding.name)
        person = _person_for_account(user=user, name=binding.name, actor=actor)
        already = Occupancy.objects.filter(
            house_id=binding.house_id, person=person, relation=binding.relation, moved_out__isnull=True
        ).exists()
        if not already:
            # An owner moving into a house nobody pays for yet becomes its payer; otherwise staff decide.
            payer_missing = not Occupancy.objects.filter(
                house_id=binding.house_id, moved_out__isnull=True, is_primary_payer=True
            ).exists()
            add_occupancy(
                actor=actor,
                house=binding.house,
                person=person,
                relation=binding.relation,
                is_primary_payer=binding.relation == Relation.OWNER and payer_missing,
            )
    return binding


def _person_for_account(*, user: Any, name: str, actor: Any) -> Person:
    """The account's resident record: already linked; else the one staff registered with the same
    phone and name; else a new record."""
    linked = Person.objects.filter(user=user).first()
    if linked is not None:
        return linked
    if user.phone:
        # Same phone AND same name: carriers reassign numbers, so a phone alone must never hand
        # someone else's record (and houses) to a new holder of the number.
        match = (
            Person.objects.select_for_update()
            .filter(phone_index__in=pii.phone_indexes(user.phone), user__isnull=True, name=name.strip())
            .order_by("pk")
            .first()
        )
        if match is not None:
            match.user = user
            match.save(update_fields=["user", "updated_at"])
            return match
    fields = {"name": name}
    if user.phone:
        fields["phone"] = user.phone
    person = create_person(actor=actor, **fields)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return person


@action
def reject_binding(*, binding_id: int, actor: Any, reason: str) -> HouseBinding:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写驳回原因。"), fields={"reason": [_("请填写驳回原因。")]})
    return _decide(binding_id=binding_id, actor=actor, status=BindingStatus.REJECTED, reason=reason[:200])


# --- people -------------------------------------------------------------------------------------

_PERSON_FIELDS = {"name", "gender", "phone", "id_number", "emergency_contact", "note"}
NOTE_MAX_LENGTH = Person._meta.get_field("note").max_length


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


def _id_number_held(id_number: str, *, exclude_pk: int | None) -> bool:
    taken = Person.objects.filter(id_number_index__in=pii.id_number_indexes(id_number))
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _checked_person_fields(
    changes: dict[str, Any], *, actor: Any, exclude_pk: int | None = None, unique_id: bool = True
) -> dict[str, Any]:
    """Validate every given field at once; DomainError carries all problems together."""
    problems: dict[str, list[str]] = {}
    unknown = set(changes) - _PERSON_FIELDS
    for field in unknown:
        problems[field] = [_("不可修改。")]
    clean: dict[str, Any] = {}
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not 1 <= len(name) <= 50:
            problems["name"] = [_("请填写姓名（不超过 50 个字）。")]
        clean["name"] = name
    if "gender" in changes:
        if changes["gender"] not in Gender.values:
            problems["gender"] = [_("性别无效。")]
        clean["gender"] = changes["gender"]
    if "phone" in changes:
        phone = pii.normalise_phone(changes["phone"])
        if phone and (problem := pii.phone_problem(phone)):
            problems["phone"] = [problem]
        clean["phone"] = phone
    clash = False
    if "id_number" in changes:
        id_number = pii.clean_id_number(changes["id_number"])
        if id_number and (problem := pii.id_problem(id_number)):
            problems["id_number"] = [problem]
        elif id_number and unique_id and _id_number_held(id_number, exclude_pk=exclude_pk):
            problems["id_number"] = _id_number_taken(actor).fields["id_number"]
            clash = True
        clean["id_number"] = id_number
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
            person.set_id_number(value, pii.id_number_index(value))
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
        clean = _checked_person_fields(fields, actor=actor)
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
        clean = _checked_person_fields(changes, actor=actor, exclude_pk=person.pk)
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


# --- relations to houses -------------------------------------------------------------------------


def _check_owner_shares(*, house: House, relation: str, share: Decimal | None, exclude_pk: int | None = None) -> None:
    if share is None:
        return
    if relation != Relation.OWNER:
        raise DomainError(_("只有业主有产权份额。"), fields={"share": [_("只有业主有产权份额。")]})
    if not Decimal("0") < share <= Decimal("100"):
        raise DomainError(_("产权份额须在 0 到 100 之间。"), fields={"share": [_("产权份额须在 0 到 100 之间。")]})
    others = Occupancy.objects.filter(house=house, moved_out__isnull=True, share__isnull=False)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    taken = others.aggregate(total=Sum("share"))["total"] or Decimal("0")
    if taken + share > Decimal("100"):
        message = _("该房屋业主产权份额合计将超过 100%%（已有 %(taken)s%%）。") % {"taken": taken}
        raise DomainError(message, fields={"share": [message]})


def _lock_house(house_id: int) -> House:
    # Shares and the primary payer are per-house sums: serialise writers on the house row, and
    # wait for an import that is checking and writing relations.
    locks.lock_company(locks.BASIC_DATA, shared=True)
    return House.objects.select_for_update().get(pk=house_id)


def _occupancy_view(occupancy: Occupancy) -> dict[str, Any]:
    return {
        "house": occupancy.house_id,
        "person": occupancy.person_id,
        "relation": occupancy.relation,
        "share": str(occupancy.share) if occupancy.share is not None else None,
        "is_primary_payer": occupancy.is_primary_payer,
        "moved_in": occupancy.moved_in.isoformat(),
        "moved_out": occupancy.moved_out.isoformat() if occupancy.moved_out else None,
    }


@action
def add_occupancy(
    *,
    actor: Any,
    house: House,
    person: Person,
    relation: str,
    moved_in: date | None = None,
    share: Decimal | None = None,
    is_primary_payer: bool = False,
) -> Occupancy:
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), fields={"relation": [_("请选择与房屋的关系。")]})
    moved_in = moved_in or timezone.localdate()
    with transaction.atomic():
        house = _lock_house(house.pk)
        if Occupancy.objects.filter(house=house, person=person, relation=relation, moved_out__isnull=True).exists():
            raise DomainError(
                _("该住户已以此关系登记在该房屋。"), code="already_there", fields={"person": [_("已登记。")]}
            )
        _check_owner_shares(house=house, relation=relation, share=share)
        if is_primary_payer:
            Occupancy.objects.filter(house=house, moved_out__isnull=True, is_primary_payer=True).update(
                is_primary_payer=False
            )
        occupancy = Occupancy.objects.create(
            house=house,
            person=person,
            relation=relation,
            moved_in=moved_in,
            share=share,
            is_primary_payer=is_primary_payer,
        )
        account_services.record_audit(
            actor=actor,
            action="occupancy.create",
            object_type="occupancy",
            object_id=occupancy.pk,
            after=_occupancy_view(occupancy),
        )
    return occupancy


@action
def update_occupancy(*, occupancy: Occupancy, actor: Any, **changes: Any) -> Occupancy:
    unknown = set(changes) - {"share", "is_primary_payer"}
    if unknown:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in unknown})
    with transaction.atomic():
        _lock_house(occupancy.house_id)
        occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
        if occupancy.moved_out is not None:
            raise DomainError(_("已迁出的记录不能修改。"), code="moved_out", status_code=409)
        before = _occupancy_view(occupancy)
        if "share" in changes:
            _check_owner_shares(
                house=occupancy.house, relation=occupancy.relation, share=changes["share"], exclude_pk=occupancy.pk
            )
            occupancy.share = changes["share"]
        if changes.get("is_primary_payer"):
            Occupancy.objects.filter(
                house_id=occupancy.house_id, moved_out__isnull=True, is_primary_payer=True
            ).exclude(pk=occupancy.pk).update(is_primary_payer=False)
        if "is_primary_payer" in changes:
            occupancy.is_primary_payer = bool(changes["is_primary_payer"])
        occupancy.save(update_fields=["share", "is_primary_payer"])
        account_services.record_audit(
            actor=actor,
            action="occupancy.update",
            object_type="occupancy",
            object_id=occupancy.pk,
            before=before,
            after=_occupancy_view(occupancy),
        )
    return occupancy


@action
def move_out(*, occupancy: Occupancy, actor: Any, moved_out: date | None = None) -> Occupancy:
    """Closes the relation; the row stays as history. The primary-payer flag goes with the person."""
    moved_out = moved_out or timezone.localdate()
    with transaction.atomic():
        occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
        if occupancy.moved_out is not None:
            raise DomainError(_("该住户已迁出。"), code="moved_out", status_code=409)
        if moved_out < occupancy.moved_in:
            raise DomainError(_("迁出日期不能早于入住日期。"), fields={"moved_out": [_("迁出日期不能早于入住日期。")]})
        before = _occupancy_view(occupancy)
        occupancy.moved_out = moved_out
        occupancy.is_primary_payer = False
        occupancy.save(update_fields=["moved_out", "is_primary_payer"])
        account_services.record_audit(
            actor=actor,
            action="occupancy.move_out",
            object_type="occupancy",
            object_id=occupancy.pk,
            before=before,
            after=_occupancy_view(occupancy),
        )
    return occupancy


# --- owners' own data ----------------------------------------------------------------------------


@action
def update_own_contact(*, person: Person, actor: Any, **changes: Any) -> Person:
    """Contact details an owner may change at once; identity fields go through a correction request."""
    forbidden = set(changes) - {"phone", "emergency_contact"}
    if forbidden:
        raise DomainError(
            _("姓名和身份证号需提交修改申请，由物业审核。"), fields={k: [_("请提交修改申请。")] for k in forbidden}
        )
    return update_person(person=person, actor=actor, **changes)


@action
def request_correction(*, person: Person, actor: Any, name: str = "", id_number: str = "") -> CorrectionRequest:
    changes: dict[str, Any] = {}
    if name.strip() and name.strip() != person.name:
        changes["name"] = name
    if id_number.strip() and pii.clean_id_number(id_number) != person.id_number:
        changes["id_number"] = id_number
    if not changes:
        raise DomainError(_("没有需要修改的内容。"), fields={"name": [_("请填写要修改的姓名或身份证号。")]})
    # Uniqueness is checked when staff approve, not here: an owner must not be able to probe
    # whether an ID number belongs to some resident.
    clean = _checked_person_fields(changes, actor=actor, exclude_pk=person.pk, unique_id=False)
    with conflict_as(DomainError(_("您已有一个待审核的修改申请。"), code="correction_pending", status_code=409)):
        correction = CorrectionRequest.objects.create(
            person=person,
            name=clean.get("name", ""),
            id_number=clean.get("id_number", ""),
            id_number_masked=mask_id_number(clean.get("id_number", "")),
        )
    account_services.record_audit(
        actor=actor,
        action="correction.request",
        object_type="person",
        object_id=person.pk,
        after={"name": correction.name, "id_number": correction.id_number_masked},
    )
    return correction


def _decide_correction(*, correction_id: int, actor: Any, status: str, reason: str = "") -> CorrectionRequest:
    correction = CorrectionRequest.objects.select_for_update().select_related("person").filter(pk=correction_id).first()
    if correction is None:
        raise DomainError(_("申请不存在。"), code="not_found", status_code=404)
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(_("该申请已处理。"), code="already_decided", status_code=409)
    correction.status = status
    correction.reason = reason
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return correction


@action
def approve_correction(*, correction_id: int, actor: Any) -> CorrectionRequest:
    with transaction.atomic():
        correction = _decide_correction(correction_id=correction_id, actor=actor, status=CorrectionStatus.APPROVED)
        changes = {k: v for k, v in (("name", correction.name), ("id_number", correction.id_number)) if v}
        # Checked again: another person may have taken the ID number since the request.
        update_person(person=correction.person, actor=actor, **changes)
    return correction


@action
def reject_correction(*, correction_id: int, actor: Any, reason: str) -> CorrectionRequest:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写驳回原因。"), fields={"reason": [_("请填写驳回原因。")]})
    with transaction.atomic():
        correction = _decide_correction(
            correction_id=correction_id, actor=actor, status=CorrectionStatus.REJECTED, reason=reason[:200]
        )
        account_services.record_audit(
            actor=actor,
            action="correction.reject",
            object_type="person",
            object_id=correction.person_id,
            after={"reason": correction.reason},
        )
    return correction
