"""The SaaS subscription a company pays for Wuye: plan limits held at every write, the trial and
grace periods, Stripe Checkout and the Billing portal, Stripe's webhooks, invoices, the console's
subscriptions and MRR. Plans and each company's Subscription row are the registry's
(companies.models); this app keeps what Stripe tells us.

Tables live in the PUBLIC schema only.
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

adapters.register("stripe", "subscriptions.gateway.binding")


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    schema = Schema.PUBLIC
    verbose_name = "Subscriptions"
