"""Roles and what each may do. The server checks these on every endpoint; menus are derived here.

A permission is "<area>.<action>"; a module is a top-level section of the web admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("公司管理员")
    CASHIER = "cashier", _("收银员")
    DISPATCHER = "dispatcher", _("调度员")
    REPAIR_WORKER = "repair_worker", _("维修工")
    GUARD = "guard", _("保安")
    CUSTOMER_SERVICE = "customer_service", _("客服")
    RESIDENT = "resident", _("住户")


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}

_ALL_STAFF = set(STAFF_ROLES)

# permission -> roles holding it. Company admins hold every permission (see permissions_for).
PERMISSIONS: dict[str, set[Role]] = {
    "settings.manage": set(),
    "payments.merchant": set(),  # the WeChat Pay sub-merchant: where the owners' money goes
    "payments.reconcile": set(),  # daily reconciliation with the gateways' bills, resolving differences
    "users.manage": set(),
    "audit.view": set(),
    "jobs.view_all": set(),
    "pii.reveal": set(),
    "basic_data.view": {Role.CASHIER, Role.DISPATCHER, Role.CUSTOMER_SERVICE},
    "basic_data.manage": {Role.CUSTOMER_SERVICE},
    "fees.view": {Role.CASHIER},
    "fees.collect": {Role.CASHIER},
    "fees.manage": set(),  # fee items, prices, assignments, bill runs
    "fees.approve": set(),  # refunds, waivers, vacancy discounts
    "payments.view": {Role.CASHIER},  # online payment orders and their evidence (read only)
    "fees.invoice": set(),  # invoices: issue, record paper ones, reject, void (红冲); seller settings
    "meters.read": {Role.CASHIER, Role.REPAIR_WORKER},
    "repairs.manage": {Role.DISPATCHER},  # repair categories and settings
    "repairs.dispatch": {Role.DISPATCHER, Role.CUSTOMER_SERVICE},  # every order; file for owners, assign
    "repairs.work": {Role.REPAIR_WORKER},  # one's own orders and the grabbable ones
    "notices.manage": {Role.CUSTOMER_SERVICE},  # announcements: write, publish, withdraw, read figures
    "feedback.handle": {Role.CUSTOMER_SERVICE},  # complaints and suggestions: every item; assign, reply, resolve
    "feedback.manage": set(),  # the reply rule (hours to reply)
    # community activities: write, publish, cancel, finish, sign-up lists, check-in, figures
    "activities.manage": {Role.CUSTOMER_SERVICE},
    "security.view": {Role.GUARD},
    "security.operate": {Role.GUARD},
    "community.view": {Role.CUSTOMER_SERVICE},
    "community.manage": {Role.CUSTOMER_SERVICE},
    "owners.manage": {Role.CUSTOMER_SERVICE},  # disable / re-enable owners' app accounts
    "partners.manage": set(),  # merchants and housekeeping vendors: invite, review documents, admit, suspend
    "partners.view": {Role.CUSTOMER_SERVICE},  # owners' orders with the vendors, the monthly settlement
    "analytics.view": {Role.CASHIER},
    "staff.view": set(),
    "staff.manage": set(),
    "staff.clock": set(_ALL_STAFF),
    "dashboard.view": set(_ALL_STAFF),  # the home page's own panels (the 开始使用 checklist); never residents
    "notifications.inbox": set(_ALL_STAFF),  # the bell: one's own messages
    "notifications.deliveries": set(),  # the company's delivery log, retrying failed deliveries
    # the company's notification templates, channels, SMS signature and template ids, WeChat template ids
    "notifications.templates": set(),
    "owner.self": {Role.RESIDENT},
}

# module of the web admin -> the permission that shows it (or any one of several)
MODULES: dict[str, str | tuple[str, ...]] = {
    "basic_data": "basic_data.view",
    "fees": "fees.view",
    "repairs": ("repairs.dispatch", "repairs.work", "repairs.manage"),
    "feedback": ("feedback.handle", "feedback.manage"),
    "security": "security.view",
    # 社区公告 first, 服务商准入, 服务订单 and 结算
    "community": ("community.view", "notices.manage", "partners.manage", "partners.view"),
    "activities": "activities.manage",
    "analytics": "analytics.view",
    "settings": "settings.manage",
}


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    roles = set(roles)
    if Role.ADMIN in roles:
        return frozenset(p for p in PERMISSIONS if p != "owner.self")
    return frozenset(p for p, holders in PERMISSIONS.items() if roles & holders)


def modules_for(roles: Iterable[str]) -> list[str]:
    granted = permissions_for(roles)
    return [
        module
        for module, needed in MODULES.items()
        if any(p in granted for p in ((needed,) if isinstance(needed, str) else needed))
    ]
