"""The vendor's own people (服务商员工): its manager adds staff accounts for the portal (who see
orders and move them, but do not manage documents, the catalogue or applications) and switches them
off — a switched-off account's tokens are revoked at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.validators import normalise_phone
from core.actions import action
from core.errors import DomainError, NotFound
from partners import selectors
from partners.models import PartnerToken, VendorAccount, VendorRole
from partners.services.vendors import clean_text, phone_index, trail


@action
def add_account(
    *, manager: VendorAccount, name: str, phone: str, password: str, role: str = VendorRole.STAFF
) -> VendorAccount:
    if role not in VendorRole.values:
        raise DomainError(_("未知的角色。"), fields={"role": [_("未知的角色。")]})
    name = clean_text(name, field="name", limit=50)
    phone = normalise_phone(phone)
    if selectors.account_by_phone(phone) is not None:
        raise DomainError(_("该手机号已注册。"), fields={"phone": [_("该手机号已注册。")]})
    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), fields={"password": list(exc.messages)}) from exc
    account = VendorAccount(
        vendor_id=manager.vendor_id, name=name, phone=phone, phone_index=phone_index(phone), role=role
    )
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:  # the same phone added twice at once
        raise DomainError(_("该手机号已注册。"), fields={"phone": [_("该手机号已注册。")]}) from exc
    trail(manager, "partner.account_add", "vendor_account", account.pk, after={"name": name, "role": role})
    return account


@action
def set_account_active(*, manager: VendorAccount, account_id: Any, is_active: bool) -> VendorAccount:
    account = selectors.vendor_accounts(manager.vendor).select_for_update().filter(pk=account_id).first()
    if account is None:
        raise NotFound()
    if account.pk == manager.pk and not is_active:
        raise DomainError(_("不能停用自己的账号。"), code="self", status_code=409)
    if account.is_active == is_active:
        return account
    account.is_active = is_active
    account.save(update_fields=["is_active"])
    if not is_active:
        PartnerToken.objects.filter(account=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
    trail(manager, "partner.account_active", "vendor_account", account.pk, after={"is_active": is_active})
    return account
