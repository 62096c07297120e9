"""Users, roles, tokens, login and the audit trail.

Tables live in BOTH schemas: in each company's schema (its staff and residents, their tokens and
that company's audit trail — a user of one company does not exist in another) and in the public
schema (the platform operators).
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

adapters.register("wechat", "accounts.wechat.binding")


class AccountsConfig(AppConfig):
    name = "accounts"
    schema = Schema.BOTH
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts import openapi  # noqa: F401  (registers the API docs' security schemes)

        # Our login actions record last_login themselves, inside their transaction with the audit
        # row; Django's receiver would write it again, outside any action.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
