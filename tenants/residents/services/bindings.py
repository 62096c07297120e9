"""Owners' requests to bind their app account to a house, and staff's decisions on them. A request is
approved at once when the account's phone is on the company's record for that house and either the
house code (handed out by the property office) or the owner's name on that record comes with it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from notifications import selectors as notification_selectors
from notifications.services import notify
from tenants.estates.models import House
from tenants.residents import pii
from tenants.residents.models import BindingStatus, HouseBinding, Occupancy, Person, Relation
from tenants.residents.services.occupancies import add_occupancy
from tenants.residents.services.people import create_person


@action
def request_binding(*, user: Any, house: House, relation: str, name: str, via_code: bool = False) -> HouseBinding:
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), fields={"relation": [_("请选择与房屋的关系。")]})
    name = text.clean_name(name)
    # Phone + house code: the binding is the registered resident's, under that record's name — an
    # owner binding by code need not type one (the owner app's code form asks for none).
    by_code = _registered_occupant(house=house, user=user) if via_code else None
    if by_code is not None:
        name = by_code.person.name
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
    if via_code:
        # Verified by phone + house code: the code staff handed out, and the phone staff registered
        # for a resident of this very house. The binding takes that record's name and relation.
        registered = by_code
        matched = ["phone", "house_code"]
    else:
        # Verified by the company's own record: the account's (texted) phone is that of an owner
        # on record for this very house, and the name given is that owner's. A phone alone is not
        # enough: carriers hand numbers on.
        registered = _registered_occupant(house=house, user=user, owner_named=name)
        matched = ["phone", "name"]
    if registered is not None:
        HouseBinding.objects.filter(pk=binding.pk).update(name=registered.person.name, relation=registered.relation)
        account_services.record_audit(
            actor=user,
            action="binding.auto_verify",
            object_type="house_binding",
            object_id=binding.pk,
            after={
                "matched": matched,
                "resident": registered.person_id,
                "occupancy": registered.pk,
                "relation": registered.relation,
            },
        )
        binding = approve_binding(binding_id=binding.pk, actor=None)
    else:
        _tell_reviewers(binding)
    return binding


def _tell_reviewers(binding: HouseBinding) -> None:
    """The staff who review bindings (basic_data.manage) find the request in their bell."""
    notify(
        notification_selectors.staff_with_permission("basic_data.manage"),
        "binding.pending",
        {
            "binding_id": binding.pk,
            "name": binding.name,
            "house": binding.house.label,
            "relation": str(Relation(binding.relation).label),
        },
        key=f"binding.pending:{binding.pk}",
    )


def _registered_occupant(*, house: House, user: Any, owner_named: str | None = None) -> Occupancy | None:
    """The current resident record of `house` with the account's phone, not yet another account's;
    with `owner_named`, only an owner's record whose name is that name (compared as typed variants)."""
    if not user.phone:
        return None
    # From the phone itself, not by comparing the two stored indexes: during a key rotation the
    # account and the resident record may carry the number's index under different keys.
    candidates = (
        Occupancy.objects.select_related("person")
        .filter(house=house, moved_out__isnull=True, person__phone_index__in=pii.phone_indexes(user.phone))
        .filter(Q(person__user__isnull=True) | Q(person__user=user))
        .order_by("-is_primary_payer", "pk")
    )
    if owner_named is None:
        return candidates.first()
    wanted = pii.comparable_name(owner_named)
    return next(
        (
            occupancy
            for occupancy in candidates.filter(relation=Relation.OWNER)
            if pii.comparable_name(occupancy.person.name) == wanted
        ),
        None,
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
