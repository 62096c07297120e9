"""The Celery app. Every task runs in the schema of the company that queued it (tenant-schemas-celery
puts the schema in the message headers and switches to it before the task runs)."""

import os

from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("wuye")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Platform-wide periodic work (public schema); entries without `tenant_schemas` go to every company.
app.conf.beat_schedule = {
    # One query over every company's pending outbox messages (the table is in the public schema).
    "sweep-outbox": {
        "task": "core.outbox.tasks.sweep_outbox",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # The pool of spare company schemas signups are renamed from (companies.pool): topped up.
    "companies-refill-spare-schemas": {
        "task": "companies.tasks.refill_spare_schemas",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # Trials and grace periods that ran out: past due, then suspended (subscriptions.tasks).
    "subscriptions-daily": {
        "task": "subscriptions.tasks.check_subscriptions",
        "schedule": crontab(hour=0, minute=10),
        "tenant_schemas": ["public"],
    },
    # Vendors whose current licence or certificate ran out: their listings suspended (idempotent).
    "partners-suspend-lapsed-listings": {
        "task": "partners.tasks.suspend_lapsed_listings",
        "schedule": crontab(hour=0, minute=20),
        "tenant_schemas": ["public"],
    },
    # In every company's schema (no `tenant_schemas`): its bill day's run and the due-date notices.
    # Pending payments and refunds no notification settled are asked about: every two minutes in the
    # companies that have any (one query over a public table: payments.services.watch), and hourly in
    # every company's schema as the net under that list.
    "payments-sweep-watched": {
        "task": "payments.tasks.sweep_watched",
        "schedule": 120.0,
        "tenant_schemas": ["public"],
    },
    "payments-sweep": {
        "task": "payments.tasks.sweep_payments",
        "schedule": crontab(minute=17),
    },
    # Yesterday's trade bill against our orders, once the bills are out (WeChat Pay: from 09:00).
    "payments-reconcile": {
        "task": "payments.tasks.reconcile_yesterday",
        "schedule": crontab(hour=10, minute=0),
    },
    # In every company's schema: refused payment notifications are kept 30 days.
    "payments-forget-refused": {
        "task": "payments.tasks.forget_refused_notifications",
        "schedule": crontab(hour=3, minute=20),
    },
    # Chains for the notification lanes with a company due and no chain running (a worker died, a
    # wait ran out), and hourly in every company: messages the lanes forgot (notifications.services.lanes).
    "notifications-sweep-lanes": {
        "task": "notifications.tasks.sweep_lanes",
        "schedule": 15.0,
        "tenant_schemas": ["public"],
    },
    "notifications-requeue": {
        "task": "notifications.tasks.requeue_deliveries",
        "schedule": crontab(minute=41),
    },
    # In every company's schema: repair SLA warnings and escalations, and the auto-close of completed
    # orders left unconfirmed (three scans of partial indexes over the orders still waiting).
    "repairs-sweep": {
        "task": "tenants.repairs.tasks.sweep_repairs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # In every company's schema: repair photos uploaded and never attached to an order, deleted.
    "repairs-discard-uploads": {
        "task": "tenants.repairs.tasks.discard_unattached_photos",
        "schedule": crontab(hour=3, minute=40),
    },
    # In every company's schema: scheduled announcements whose time has come (idempotent).
    "notices-publish-due": {
        "task": "tenants.notices.tasks.publish_due_notices",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # In every company's schema: announcement body images no announcement names, deleted.
    "notices-discard-images": {
        "task": "tenants.notices.tasks.discard_unused_images",
        "schedule": crontab(hour=3, minute=45),
    },
    # In every company's schema: feedback past the company's reply time, each notified once.
    "feedback-sweep-overdue": {
        "task": "tenants.feedback.tasks.sweep_overdue",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # In every company's schema: feedback photos uploaded and never filed with, deleted.
    "feedback-discard-uploads": {
        "task": "tenants.feedback.tasks.discard_unattached_photos",
        "schedule": crontab(hour=3, minute=50),
    },
    # In every company's schema: published activities that have ended, finished (idempotent).
    "activities-finish-ended": {
        "task": "tenants.activities.tasks.finish_ended_activities",
        "schedule": crontab(minute=5),
    },
    # In every company's schema: confirmed owners of activities about to start, each reminded once
    # (the sign-up's row and the notification's key: tenants.activities.services.reminders).
    "activities-remind-upcoming": {
        "task": "tenants.activities.tasks.remind_upcoming",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # In every company's schema: service orders left unpaid past their window, cancelled (places freed).
    "vendor-orders-expire-unpaid": {
        "task": "tenants.vendor_orders.tasks.expire_unpaid",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "billing-daily": {
        "task": "billing.tasks.daily_billing",
        "schedule": crontab(hour=1, minute=30),
    },
}


@task_prerun.connect
def _bind_task_context(task_id=None, task=None, **_kwargs):
    from core import context

    context.task_id.set(task_id or "-")


@task_postrun.connect
def _count_task(task=None, state=None, **_kwargs):
    from core import context, metrics

    metrics.TASKS.labels(getattr(task, "name", "?"), state or "?").inc()
    context.task_id.set("-")
