"""Payment and invoicing settings, imported by config.settings: WeChat Pay (owners paying their bills
online), Stripe (owners' cards and the SaaS subscription companies pay for Wuye) and e-invoices. With
the demo switch each defaults to its local stand-in."""

from __future__ import annotations

from config.switches import DEMO, env

__all__ = [
    "EINVOICE_BACKEND",
    "NUONUO",
    "PAYMENT_ORDER_TTL_MINUTES",
    "STRIPE_API_BASE",
    "STRIPE_BACKEND",
    "STRIPE_PORTAL_CONFIGURATION",
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
# The Billing portal configuration to open (card, invoices, cancellation; no plan changes): one set up
# in Stripe's dashboard, or empty to have subscriptions.services.checkout create it once.
STRIPE_PORTAL_CONFIGURATION = env("STRIPE_PORTAL_CONFIGURATION", default="")
# After a failed payment, a trial's end or a cancellation, the company keeps working this many
# days before its staff are suspended (owners keep their bills and payments throughout).
SUBSCRIPTION_GRACE_DAYS = env.int("WUYE_SUBSCRIPTION_GRACE_DAYS", default=7)
# E-invoices (einvoice): "nuonuo" (诺诺开放平台, the real API), "standin" (demo only, refused in
# production) or "disabled" (this deployment issues no e-invoices; staff record paper ones). The app
# is the platform's; each company enters its seller tax number, address and phone in its invoice settings.
EINVOICE_BACKEND = env("WUYE_EINVOICE_BACKEND", default="standin" if DEMO else "nuonuo")
NUONUO = {
    "APP_KEY": env("NUONUO_APP_KEY", default=""),
    "APP_SECRET": env("NUONUO_APP_SECRET", default=""),
    "ACCESS_TOKEN": env("NUONUO_ACCESS_TOKEN", default=""),  # blank: fetched (merchant app), see einvoice.nuonuo
    "TOKEN_URL": env("NUONUO_TOKEN_URL", default="https://open.nuonuo.com/accessToken"),
    "API_BASE": env("NUONUO_API_BASE", default="https://sdk.nuonuo.com/open/v1/services"),
    "TAX_RATE": env("NUONUO_TAX_RATE", default="0.06"),  # property management: 6 %
    "GOODS_CODE": env("NUONUO_GOODS_CODE", default=""),  # 税收分类编码 of 物业管理服务
    "GOODS_NAME": env("NUONUO_GOODS_NAME", default="物业管理服务"),
    "CLERK": env("NUONUO_CLERK", default=""),
}
