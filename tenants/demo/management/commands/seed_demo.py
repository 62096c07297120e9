"""Seed the demo company `demo` (idempotent): the public site, plans, the company, its staff.

Prints the sign-in details. The admin password is generated once and kept in .data/, so it stays
the same across runs of one checkout.
"""

from __future__ import annotations

import secrets
import string
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, tenant_context

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from billing.models import FeeItem
from companies import selectors as company_selectors
from companies import services
from config import embedded
from core.actions import action, emit
from core.outbox import services as outbox
from payments.services import merchant as payment_merchant
from standins import wechat as wechat_standin
from standins import wechatpay as wechatpay_standin
from subscriptions.services import checkout as subscription_checkout
from subscriptions.services import lifecycle as subscription_lifecycle
from tenants.demo.billing_seed import BILLING_TOPIC
from tenants.demo.repairs_seed import seed_repairs
from tenants.demo.residents_seed import seed_residents
from tenants.demo.staff_seed import seed_staff
from tenants.estates import services as estate_services
from tenants.estates.models import Estate

DEMO_SLUG = "demo"
DEMO_APPID = "wxdemo0000000001"
DEMO_SUB_MCHID = "1900000201"  # the demo company as a WeChat Pay sub-merchant (of the stand-in)

# (estate, address, buildings, units per building, floors, houses per floor, m² built, m² usable, layout)
DEMO_ESTATES = [
    ("翠湖苑", "杭州市西湖区翠湖路 88 号", 4, 2, 18, 4, "89.50", "72.30", "3室2厅"),
    ("锦绣花园", "杭州市余杭区文一西路 1288 号", 6, 1, 11, 6, "118.20", "96.80", "3室2厅"),
]

DEMO_STAFF = [
    ("cashier", "李收银", [Role.CASHIER]),
    ("cashier2", "吴晓燕", [Role.CASHIER]),
    ("dispatcher", "王调度", [Role.DISPATCHER]),
    ("repair", "赵师傅", [Role.REPAIR_WORKER]),
    ("repair2", "钱建国", [Role.REPAIR_WORKER]),
    ("repair3", "冯志强", [Role.REPAIR_WORKER]),
    ("guard", "孙保安", [Role.GUARD]),
    ("guard2", "郑海涛", [Role.GUARD]),
    ("guard3", "褚明", [Role.GUARD]),
    ("service", "周客服", [Role.CUSTOMER_SERVICE]),
    ("service2", "林欣怡", [Role.CUSTOMER_SERVICE]),
]


# One action for the company's whole demo data: all of it or none. The staff, estates and houses go
# through their own actions (each audited); the made-up residents are bulk-written. The year of
# billing (a minute of work) is handed to the worker through the outbox, so the product is up at once
# and the bills appear shortly after (tenants.demo.tasks).
@action(audit=False)
def seed_company_data(*, password: str) -> tuple[int, bool]:
    for username, name, roles in DEMO_STAFF:
        if not User.objects.filter(username=username).exists():
            account_services.create_user(
                username=username, name=name, roles=[r.value for r in roles], password=password
            )
    for name, address, buildings, units, floors, per_floor, built, usable, layout in DEMO_ESTATES:
        if Estate.objects.filter(name=name).exists():
            continue
        estate = estate_services.create_estate(name=name, address=address)
        for number in range(1, buildings + 1):
            building = estate_services.create_building(
                estate=estate,
                name=f"{number}栋",
                floors=floors,
                units=[f"{u}单元" for u in range(1, units + 1)],
            )
            estate_services.generate_houses(
                building=building,
                per_floor=per_floor,
                building_area=Decimal(built),
                usable_area=Decimal(usable),
                layout=layout,
                status="occupied",
            )
    residents = seed_residents()
    seed_staff()
    seed_repairs()
    queued = not FeeItem.objects.exists() and emit(BILLING_TOPIC, {}, key="demo:billing") is not None
    return residents, queued


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
        company = company_selectors.company_by_slug(DEMO_SLUG)
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
            outbox.deliver_now(schema_name=get_public_schema_name(), key=f"signup:{signup.pk}")
            company = company_selectors.company_by_slug(DEMO_SLUG)
            if company is None:
                raise SystemExit("provisioning the demo company failed; see the log above")
        if not company.wechat_secret:
            company = services.set_wechat_credentials(company=company, appid=DEMO_APPID, secret=secrets.token_hex(16))
        if settings.DEMO:
            wechat_standin.register_app(DEMO_APPID, company.wechat_secret)
            # The demo company is a sub-merchant of the WeChat Pay stand-in, so owners can pay online.
            wechatpay_standin.register_sub_merchant(DEMO_SUB_MCHID, DEMO_APPID)
        # The demo's ~1,000 houses are past the trial's limit: the demo company is on 标准版, and can
        # move to 专业版 through Checkout on the Stripe stand-in (系统设置 → 订阅与套餐).
        subscription_checkout.link_standin_prices()
        subscription_lifecycle.grant_plan(company=company, plan_code="standard")
        with tenant_context(company):
            if settings.DEMO and not payment_merchant.account().sub_mchid:
                admin = User.objects.get(username="admin")
                payment_merchant.update_wechat_merchant(
                    company=company, actor=admin, sub_mchid=DEMO_SUB_MCHID, sub_appid=DEMO_APPID
                )
            residents, billing = seed_company_data(password=password)
        url = services.company_url(DEMO_SLUG)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo company ready: {url}"
                + (f" ({residents} residents added)" if residents else "")
                + (" (a year of billing is being generated by the worker: about a minute)" if billing else "")
                + "\n"
                f"  sign in as admin / {password}\n"
                f"  other staff (same password): {', '.join(u for u, _n, _r in DEMO_STAFF)}\n"
                f"  platform site: {settings.PUBLIC_SCHEME}://{settings.BASE_DOMAIN}:{settings.PUBLIC_PORT}/\n"
            )
        )
