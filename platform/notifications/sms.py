"""Sending SMS through a provider adapter.

settings.SMS_BACKEND chooses it: "tencent" (Tencent Cloud SMS API 3.0, notifications.tencent_sms)
or "standin" — the same adapter, signing and all, talking in-process to the stand-in of Tencent's
service (standins.sms), which only the demo may use (core.adapters refuses it in production).
Callers see one interface and one error type either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.conf import settings

from core.adapters import Binding

# Our templates and their parameters, in the order of the provider's positional placeholders.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "login_code": ("code",),  # 验证码 {1}
    "password_code": ("code",),  # 找回密码验证码 {1}，10 分钟内有效
    "staff_invite": ("company", "link"),  # {1} 邀请您设置员工账号密码：{2}
    # To vendors (partners.notices), from the platform's own account: vendors are no company's.
    "vendor_order_booked": ("company", "number"),  # {1}的业主下了新订单{2}，请登录服务商平台确认
    "vendor_order_cancelled": ("company", "number"),  # {1}的订单{2}已取消，请登录服务商平台查看
    "vendor_admission": ("company",),  # {1}更新了与您的合作状态，请登录服务商平台查看
    "vendor_document": ("kind", "expires_on"),  # 您的{1}有效期至{2}，请登录服务商平台上传新证件
    "vendor_invite": ("company", "link"),  # {1}邀请您入驻服务商平台：{2}
}
# Notification events' default templates (notifications.events), with the stand-in's demo IDs. With
# the real provider each company gives the ID of its own approved template per event (its 通知设置);
# without one that event's texts fail closed with the reason (notifications.company_settings).
EVENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "bill_issued": ("house", "fee_item", "amount", "due_date"),  # {1}的{2}账单已出，金额{3}元，请在{4}前缴纳
    "bill_due_soon": ("house", "amount", "due_date"),  # {1}有{2}元账单将于{3}到期，请及时缴纳
    "bill_overdue": ("house", "amount", "due_date"),  # {1}有{2}元账单已于{3}到期，尚未缴纳，请尽快缴纳
    "final_notice": ("house", "amount"),  # {1}尚欠物业费用{2}元，请尽快缴纳
    "security_alert": ("place", "kind"),  # {1}发生{2}，请注意安全
    "payment_received": ("house", "amount", "receipt"),  # 已收到{1}缴费{2}元，收据号{3}
    "refund_completed": ("house", "amount"),  # {1}的退款{2}元已退回
    "arrears_reminder": ("house", "amount"),  # {1}尚欠物业费用{2}元，请尽快缴纳
}


def template_params(template: str) -> tuple[str, ...] | None:
    """The parameter names of one of our templates, None for a name we do not have."""
    return TEMPLATES.get(template) or EVENT_TEMPLATES.get(template)


class SmsFailure(StrEnum):
    THROTTLED = "throttled"  # this number was sent too often: ask again later
    INVALID_NUMBER = "invalid_number"  # the number cannot receive messages
    UNAVAILABLE = "unavailable"  # the provider or our account with it: not the caller's fault


class SmsError(Exception):
    """The provider refused. `code` is the provider's; `reason` is what the caller acts on."""

    def __init__(self, code: str, message: str, *, reason: SmsFailure = SmsFailure.UNAVAILABLE, request_id: str = ""):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.reason = reason
        self.request_id = request_id

    @property
    def throttled(self) -> bool:
        return self.reason is SmsFailure.THROTTLED


@dataclass(frozen=True)
class SmsReceipt:
    message_id: str


class SmsGateway(Protocol):
    def send(self, *, phone: str, template: str, params: dict[str, str]) -> SmsReceipt: ...

    def send_many(self, *, phones: list[str], template: str, params: dict[str, str]) -> list[SmsReceipt | SmsError]:
        """The same text to several numbers in one request: per number its receipt or refusal."""

    def has_template(self, template: str) -> bool: ...

    def template_id(self, template: str) -> str: ...

    def send_approved(self, *, phone: str, template_id: str, values: list[str], sign_name: str = "") -> SmsReceipt: ...

    def send_many_approved(
        self, *, phones: list[str], template_id: str, values: list[str], sign_name: str = ""
    ) -> list[SmsReceipt | SmsError]:
        """An approved template by its ID to several numbers in one request: per number its receipt or refusal."""


def gateway() -> SmsGateway:
    from notifications.tencent_sms import TencentSmsConfig, TencentSmsGateway

    backend = settings.SMS_BACKEND
    if backend == "tencent":
        return TencentSmsGateway(TencentSmsConfig.from_settings())
    if backend == "standin":
        from standins import sms as standin

        return TencentSmsGateway(standin.DEMO_CONFIG, session=standin.in_process_session())
    raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")


def is_standin() -> bool:
    """Whether SMS goes to the local stand-in (its demo account has every event's template)."""
    return settings.SMS_BACKEND == "standin"


def binding() -> Binding:
    """core.adapters' probe: which SMS backend is in use, and what it lacks."""
    from notifications.tencent_sms import TencentSmsConfig

    backend = settings.SMS_BACKEND
    if backend == "standin":
        return Binding(adapter="sms", backend=backend, standin=True)
    if backend == "tencent":
        return Binding(
            adapter="sms", backend=backend, standin=False, missing=TencentSmsConfig.from_settings().missing()
        )
    return Binding(adapter="sms", backend=backend, standin=False, missing=("WUYE_SMS_BACKEND (tencent)",))
