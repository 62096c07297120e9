"""The transactional outbox: outgoing work written in the same transaction as the action that
caused it, relayed to Celery on commit, re-sent by a sweeper until done or dead-lettered.

Tables live in the PUBLIC schema only — one table for every company (each row names its schema),
so a single sweeper query covers all of them without visiting thousands of schemas. A company's
transaction reaches it through the search path (`<company>, public`).
"""

from django.apps import AppConfig

from core.schemas import Schema


class OutboxConfig(AppConfig):
    name = "core.outbox"
    label = "outbox"
    schema = Schema.PUBLIC
    verbose_name = "Outbox"
