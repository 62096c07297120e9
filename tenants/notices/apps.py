"""Announcements (社区公告): rich-text notices to a company's owners, targeted at the whole company,
chosen estates or chosen buildings, published now or at a time, with read receipts. Tables live in
each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class NoticesConfig(AppConfig):
    name = "tenants.notices"
    schema = Schema.COMPANY
    label = "notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from tenants.notices import events  # noqa: F401  registers the notification events
