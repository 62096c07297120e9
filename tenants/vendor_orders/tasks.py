"""Beat work in every company's schema: unpaid orders past their window are cancelled and their
slot's place freed (services.orders.expire_unpaid; a second run finds none)."""

from __future__ import annotations

from celery import shared_task

from tenants.vendor_orders.services import orders


@shared_task(name="tenants.vendor_orders.tasks.expire_unpaid")
def expire_unpaid() -> int:
    return orders.expire_unpaid()
