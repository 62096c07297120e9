"""Sending SMS through a provider adapter.

The provider is chosen by settings.SMS_BACKEND: "standin" (a local stand-in with the behaviour of
Aliyun's SMS API: phone validation, per-number frequency limits, error codes) until a real
provider's adapter is added. Callers see one interface and one error type either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


class SmsError(Exception):
    """The provider refused. `code` is the provider's; `throttled` when the number is sent too often."""

    def __init__(self, code: str, message: str, *, throttled: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.throttled = throttled


@dataclass(frozen=True)
class SmsReceipt:
    message_id: str


class SmsGateway(Protocol):
    def send(self, *, phone: str, template: str, params: dict[str, str], sign_name: str) -> SmsReceipt: ...


class StandInGateway:
    def send(self, *, phone: str, template: str, params: dict[str, str], sign_name: str) -> SmsReceipt:
        from standins import sms

        result = sms.send_sms(phone=phone, template=template, params=params, sign_name=sign_name)
        if result["Code"] != "OK":
            raise SmsError(result["Code"], result["Message"], throttled=result["Code"] == "isv.BUSINESS_LIMIT_CONTROL")
        return SmsReceipt(message_id=result["BizId"])


def gateway() -> SmsGateway:
    backend = settings.SMS_BACKEND
    if backend == "standin":
        return StandInGateway()
    raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
