"""The current company's sending choices (its schema): which of an event's channels it turned off,
its SMS signature and the IDs of its approved SMS templates.

SMS goes out only through templates the provider approved: the company's own template ID for the
event, else the one the platform's SMS account was configured with (deploy settings; the login and
password codes; the stand-in's demo account has every event's). With neither, the delivery fails
closed with a reason saying so, and the settings screen lists the events that lack one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from notifications import sms
from notifications.events import Event
from notifications.models import Channel, EventSetting, SmsSettings


class SmsNotConfigured(Exception):
    """The company has no approved template for this event with the real provider."""


@dataclass(frozen=True)
class SmsRoute:
    template_id: str
    sign_name: str  # "" for the provider account's own


def event_settings() -> dict[str, EventSetting]:
    return {row.event: row for row in EventSetting.objects.all()}


def event_setting(event: Event) -> EventSetting | None:
    return EventSetting.objects.filter(event=event.name).first()


def can_turn_off(event: Event, channel: str) -> bool:
    """The inbox carries every event, and an essential event keeps all its channels."""
    return channel != Channel.INBOX and not event.essential


def enabled_channels(event: Event, setting: EventSetting | None) -> tuple[Channel, ...]:
    off = set(setting.disabled_channels) if setting is not None else set()
    return tuple(channel for channel in event.channels if channel not in off or not can_turn_off(event, channel))


def channels_for(event: Event) -> tuple[Channel, ...]:
    """The channels the company sends this event on."""
    return enabled_channels(event, event_setting(event))


def sms_settings() -> SmsSettings:
    return SmsSettings.objects.filter(singleton=True).first() or SmsSettings()


def sms_template_missing(event: Event, setting: EventSetting | None) -> bool:
    """SMS is on for the event and there is no template ID to send it with: the company gave none
    and the platform's SMS account was configured with none for it."""
    return (
        event.sms is not None
        and Channel.SMS in enabled_channels(event, setting)
        and not (setting is not None and setting.sms_template_id)
        and not _platform_template_id(event)
    )


def _platform_template_id(event: Event) -> str:
    """The template the platform's own SMS account was configured with for the event (the login
    and password codes every company sends; the stand-in's demo templates)."""
    return sms.gateway().template_id(event.sms.name) if event.sms is not None else ""


def sms_route(event: Event) -> SmsRoute:
    """The template ID and signature to text this event with; SmsNotConfigured when there is none."""
    setting = event_setting(event)
    sign_name = sms_settings().sign_name
    if setting is not None and setting.sms_template_id:
        return SmsRoute(template_id=setting.sms_template_id, sign_name=sign_name)
    default = _platform_template_id(event)
    if not default:
        raise SmsNotConfigured(
            _("本公司未在通知设置中填写“%(event)s”的短信模板 ID，短信未发送。") % {"event": event.label}
        )
    return SmsRoute(template_id=default, sign_name=sign_name)
