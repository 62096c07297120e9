"""Payment settings, imported by config.settings: WeChat Pay (owners paying their bills online) and
Stripe (the SaaS subscription companies pay for Wuye). With the demo switch both default to their
local stand-ins."""

from __future__ import annotations

from config.switches import DEMO, env

__all__ = [
    "PAYMENT_ORDER_TTL_MINUTES",
    "STRIPE_API_BASE",
    "STRIPE_BACKEND",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "SUBSCRIPTION_GRACE_DAYS",
    "WECHATPAY",
    "WECHATPAY_BACKEND",
]

# WeChat Pay API v3, service-provider mode (payments.gateways.wechatpay): "wechatpay" (the real API),
# "standin" (demo only, refused in production) or "disabled" (this deployment takes no WeChat payments).
# The platform is the service provider; each company enters its sub-merchant number in its settings.
WECHATPAY_BACKEND = env("WUYE_WECHATPAY_BACKEND", default="standin" if DEMO else "wechatpay")
WECHATPAY = {
    "SP_MCHID": env("WECHATPAY_SP_MCHID", default=""),
    "SP_APPID": env("WECHATPAY_SP_APPID", default=""),
    "APIV3_KEY": env("WECHATPAY_APIV3_KEY", default=""),
    "MERCHANT_SERIAL": env("WECHATPAY_MERCHANT_SERIAL", default=""),
    "MERCHANT_PRIVATE_KEY": env("WECHATPAY_MERCHANT_PRIVATE_KEY", default=""),  # PEM
    # The WeChat Pay public key (微信支付公钥, its ID as serial) or platform certificate, PEM.
    "PLATFORM_SERIAL": env("WECHATPAY_PLATFORM_SERIAL", default=""),
    "PLATFORM_PUBLIC_KEY": env("WECHATPAY_PLATFORM_PUBLIC_KEY", default=""),
    "API_BASE": env("WECHATPAY_API_BASE", default="https://api.mch.weixin.qq.com"),
}
# A pending payment expires (time_expire) this long after its prepay; the sweeper closes it then.
PAYMENT_ORDER_TTL_MINUTES = 15
# Stripe: the SaaS subscription companies pay for Wuye (Checkout, Billing portal, webhooks).
# "stripe" (api.stripe.com, or STRIPE_API_BASE) or "standin" (the same client, in-process, against
# standins.stripe — demo and tests only; core.adapters refuses it in production).
STRIPE_BACKEND = env("WUYE_STRIPE_BACKEND", default="standin" if DEMO else "stripe")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Owners' card payments (payments.gateways.stripe) also need the publishable key (Stripe.js); without
# it card payments are off. The stand-in's keys are refused in production.
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
# After a failed payment, a trial's end or a cancellation, the company keeps working this many
# days before its staff are suspended (owners keep their bills and payments throughout).
SUBSCRIPTION_GRACE_DAYS = env.int("WUYE_SUBSCRIPTION_GRACE_DAYS", default=7)
