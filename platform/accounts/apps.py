"""Users, roles, tokens, login and the audit trail.

Tables live in BOTH schemas: in each company's schema (its staff and residents, their tokens and
that company's audit trail — a user of one company does not exist in another) and in the public
schema (the platform operators).
"""

from django.apps import AppConfig

from core import adapters

adapters.register("wechat", "accounts.wechat.binding")


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import openapi  # noqa: F401  (registers the API docs' security schemes)
