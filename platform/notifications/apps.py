"""Notifications: one call (`notifications.services.notify`) from any module, inside its action,
reaches staff and owners on every channel behind one interface (notifications.channels: the in-app
inbox, SMS through the provider adapter, e-mail through Django's mail backend, WeChat mini-program
subscribe messages with the company's templates and the owners' one-time subscriptions, falling back
to SMS), with a delivery log, retries and dead letters, and each person's preferences.

Tables live in each COMPANY's schema (messages, deliveries, preferences, WeChat templates and
subscriptions): one company's messages
and logs are invisible on another's host. The work between them goes through the public outbox.
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

adapters.register("sms", "notifications.sms.binding")
adapters.register("email", "notifications.email.binding")


class NotificationsConfig(AppConfig):
    name = "notifications"
    schema = Schema.COMPANY
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import use_events  # noqa: F401  (registers the first uses' events)
