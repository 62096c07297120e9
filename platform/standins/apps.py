"""Local stand-ins for outside services (WeChat today; SMS, WeChat Pay, Stripe, devices later).

They serve the real services' URLs, payloads and error codes so the product and its tests run
with no network. State lives in Redis under the `standin:` prefix. No tables.
"""

from django.apps import AppConfig

from core.schemas import Schema


class StandinsConfig(AppConfig):
    name = "standins"
    schema = Schema.PUBLIC
    verbose_name = "Stand-ins"
