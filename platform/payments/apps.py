"""Payments (在线支付): payment orders, their state machine and evidence, gateways behind one interface
(WeChat Pay API v3 in service-provider mode, Stripe PaymentIntents for cards, offline), notifications and the sweeper.

Tables live in each company's schema: a company's payment orders, their events and its merchant
settings (`sub_mchid`). The platform's own WeChat Pay credentials (sp_mchid, API v3 key, merchant
key, platform public key) come from settings. This app never imports a company app: what a payment
pays for (bills today) is registered by that app through `payments.bridge`.
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

adapters.register("wechatpay", "payments.gateways.wechatpay.binding")
adapters.register_guard("stripe_card_keys", "payments.gateways.stripe.guard")


class PaymentsConfig(AppConfig):
    name = "payments"
    schema = Schema.COMPANY
    verbose_name = "Payments"
