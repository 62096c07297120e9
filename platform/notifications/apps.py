"""Notification channels behind one interface: SMS and mail (its production binding) today; WeChat
subscribe messages and the in-app inbox come with the notifications issue. No tables yet (messages
will live in each company's schema).
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
