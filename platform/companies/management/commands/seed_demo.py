"""Seed the demo company `demo` (idempotent): the public site, plans, the company, its staff.

Prints the sign-in details. The admin password is generated once and kept in .data/, so it stays
the same across runs of one checkout.
"""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from companies import services
from companies.models import Company
from config import embedded
from standins import wechat as wechat_standin

DEMO_SLUG = "demo"
DEMO_APPID = "wxdemo0000000001"

DEMO_STAFF = [
    ("cashier", "李收银", [Role.CASHIER]),
    ("dispatcher", "王调度", [Role.DISPATCHER]),
    ("repair", "赵师傅", [Role.REPAIR_WORKER]),
    ("guard", "孙保安", [Role.GUARD]),
    ("service", "周客服", [Role.CUSTOMER_SERVICE]),
]


def _demo_password() -> str:
    path = embedded.data_dir() / "demo-admin-password"
    if not path.exists():
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(10)) + "a1"
        path.write_text(password)
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Create the public site and the demo company with staff in every role (idempotent)."

    def handle(self, *args, **options):
        services.ensure_public_tenant()
        password = _demo_password()
        company = Company.objects.filter(slug=DEMO_SLUG).first()
        if company is None:
            signup = (
                services.create_signup(
                    data={
                        "company_name": "翠湖物业服务有限公司",
                        "slug": DEMO_SLUG,
                        "admin_name": "陈经理",
                        "admin_phone": "13800138000",
                        "admin_email": "admin@demo.example.com",
                        "password": password,
                    }
                )
                if not services._slug_taken(DEMO_SLUG)
                else None
            )
            if signup is None:
                raise SystemExit("the slug 'demo' is taken by an unfinished signup; remove it first")
            company = services.provision_company(signup_id=signup.pk)
        wechat_secret = secrets.token_hex(16)
        Company.objects.filter(pk=company.pk).update(wechat_appid=DEMO_APPID)
        company.refresh_from_db()
        if not company.wechat_secret:
            company.wechat_secret = wechat_secret
            company.save(update_fields=["wechat_secret"])
        if settings.STANDINS_ENABLED:
            wechat_standin.register_app(DEMO_APPID, company.wechat_secret)
        with tenant_context(company), transaction.atomic():
            for username, name, roles in DEMO_STAFF:
                if not User.objects.filter(username=username).exists():
                    account_services.create_user(
                        username=username, name=name, roles=[r.value for r in roles], password=password
                    )
        url = services.company_url(DEMO_SLUG)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo company ready: {url}\n"
                f"  sign in as admin / {password}\n"
                f"  other staff (same password): {', '.join(u for u, _n, _r in DEMO_STAFF)}\n"
                f"  platform site: {settings.PUBLIC_SCHEME}://{settings.BASE_DOMAIN}:{settings.PUBLIC_PORT}/\n"
            )
        )
