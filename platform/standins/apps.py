"""Local stand-ins for outside services (WeChat and Tencent Cloud SMS today; WeChat Pay, Stripe, devices later).

They serve the real services' URLs, payloads and error codes, and check what the real services
check (signatures, timestamps, limits), so the product and its tests run with no network. Only
the demo (settings.DEMO, env WUYE_DEMO) routes them or binds an adapter to them: core.adapters
refuses to start production otherwise. State lives in Redis under the `standin:` prefix. No tables.
"""

from django.apps import AppConfig

from core.schemas import Schema


class StandinsConfig(AppConfig):
    name = "standins"
    schema = Schema.PUBLIC
    verbose_name = "Stand-ins"
