"""Notification channels behind one interface: SMS today; WeChat subscribe messages, email and the
in-app inbox come with the notifications issue. No tables yet (messages will live in each
company's schema).
"""

from django.apps import AppConfig

from core import adapters

adapters.register("sms", "notifications.sms.binding")


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
