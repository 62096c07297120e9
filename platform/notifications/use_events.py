"""The events of the service's first uses beyond bills: payments, refunds and invoices to owners;
imports, bill runs and identity corrections to the staff concerned; arrears reminders a cashier
sends in bulk; login and password-reset codes. Registered when the app is ready
(NotificationsConfig.ready), so events.py keeps the platform's own.

Codes are sealed (Event.sealed): encrypted in the stored context, masked wherever it is shown,
opened only to hand the provider its parameter. They go to no inbox, at once (urgent, essential,
immediate: the caller sends and hears the provider's answer itself).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.events import Event, SmsTemplate, register
from notifications.models import Channel

OWNER_HISTORY = "/pages/bills/history?house=%(house_id)s"

PAYMENT_RECEIVED = register(
    Event(
        name="payment.received",
        label=_("缴费成功"),
        title=_("缴费成功：%(amount)s 元"),
        body=_("已收到 %(house)s 的缴费 %(amount)s 元（%(method)s），收据号 %(receipt)s。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="payment_received", params=("house", "amount", "receipt")),
        link=OWNER_HISTORY,
    )
)
REFUND_COMPLETED = register(
    Event(
        name="refund.completed",
        label=_("退款完成"),
        title=_("退款已完成：%(amount)s 元"),
        body=_("%(house)s 的退款 %(amount)s 元已退回（%(method)s）。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="refund_completed", params=("house", "amount")),
        link=OWNER_HISTORY,
    )
)
INVOICE_ISSUED = register(
    Event(
        name="invoice.issued",
        label=_("发票已开具"),
        title=_("发票已开具"),
        body=_("您申请的 %(house)s 发票（%(amount)s 元，抬头 %(title)s）已开具，发票号码 %(number)s。"),
        link="/pages/invoices/invoices",
    )
)
ARREARS_REMINDER = register(
    Event(
        name="arrears.reminder",
        label=_("欠费催缴提醒"),
        title=_("欠费提醒"),
        body=_("%(house)s 截至 %(as_of)s 尚欠物业费用 %(amount)s 元，请尽快缴纳。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="arrears_reminder", params=("house", "amount")),
        link="/pages/bills/bills?house=%(house_id)s",
    )
)

# --- to staff ------------------------------------------------------------------------------------

IMPORT_FINISHED = register(
    Event(
        name="import.finished",
        label=_("导入完成"),
        title=_("导入完成：%(file_name)s"),
        body=_("%(kind)s「%(file_name)s」已导入。"),
        link="/basic-data/imports",
    )
)
IMPORT_FAILED = register(
    Event(
        name="import.failed",
        label=_("导入失败"),
        title=_("导入失败：%(file_name)s"),
        body=_("%(kind)s「%(file_name)s」未能导入：%(message)s"),
        channels=(Channel.INBOX, Channel.EMAIL),
        link="/basic-data/imports",
    )
)
BILL_RUN_FINISHED = register(
    Event(
        name="bill_run.finished",
        label=_("出账完成"),
        title=_("出账完成"),
        body=_("出账批次 #%(bill_run_id)s 已完成：%(charges)s 笔账单，合计 %(total)s 元。"),
        link="/fees/bill-runs",
    )
)
BILL_RUN_FAILED = register(
    Event(
        name="bill_run.failed",
        label=_("出账失败"),
        title=_("出账失败"),
        body=_("出账批次 #%(bill_run_id)s 未能完成，可重新发起；已出的账单不会重复。"),
        channels=(Channel.INBOX, Channel.EMAIL),
        link="/fees/bill-runs",
    )
)
CORRECTION_PENDING = register(
    Event(
        name="correction.pending",
        label=_("资料修改待审核"),
        title=_("业主资料修改申请待审核"),
        body=_("%(name)s 申请修改%(fields)s，请审核。"),
        channels=(Channel.INBOX, Channel.EMAIL),
        link="/basic-data/corrections?status=pending",
    )
)

# --- codes (sealed, sent at once, to no inbox) ---------------------------------------------------


def _code(name: str, label: Promise, body: Promise, template: str, params: tuple[str, ...], secret: str) -> Event:
    """A code or link that only its addressee may read: by SMS alone, never muted nor held back."""
    return register(
        Event(
            name=name,
            label=label,
            title=label,
            body=body,
            channels=(Channel.SMS,),
            essential=True,
            urgent=True,
            immediate=True,
            sealed=(secret,),
            sms=SmsTemplate(name=template, params=params),
        )
    )


LOGIN_CODE = _code("account.login_code", _("登录验证码"), _("您的验证码为 %(code)s。"), "login_code", ("code",), "code")
PASSWORD_CODE = _code(
    "account.password_code",
    _("找回密码验证码"),
    _("您的验证码为 %(code)s，10 分钟内有效。"),
    "password_code",
    ("code",),
    "code",
)
STAFF_INVITE = _code(  # the link carries the invitation's token
    "account.staff_invite",
    _("员工账号邀请"),
    _("%(company)s 邀请您设置员工账号密码：%(link)s"),
    "staff_invite",
    ("company", "link"),
    "link",
)
