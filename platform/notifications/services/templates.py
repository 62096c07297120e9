"""A company's notification templates and sending settings: its own wording of an event on a channel
in a language (checked: the event's placeholders only), back to the default, which of an event's
channels it sends on, and its SMS signature and approved template IDs. Each change is audited."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications import company_settings, events, wording
from notifications.models import Channel, EventSetting, Language, SmsSettings, TemplateOverride

TITLE_MAX = 200
BODY_MAX = 2000
# Tencent's template IDs are digits; a signature is 2–12 characters of text (no brackets: we add 【】).
TEMPLATE_ID = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
SIGN_NAME = re.compile(r"^[^【】\[\]\s]{2,12}$")


def _invalid(fields: dict[str, list[str]]) -> DomainError:
    return DomainError(next(iter(fields.values()))[0], fields=fields)


def event_for(name: str) -> events.Event:
    try:
        return events.get(name)
    except events.UnknownEvent:
        raise DomainError(_("未知的通知类型：%(name)s") % {"name": name}, code="not_found", status_code=404) from None


def check_target(event: events.Event, channel: str, language: str) -> None:
    if channel not in event.channels:
        raise DomainError(_("此通知不经该渠道发送。"), code="not_found", status_code=404)
    if language not in Language.values:
        raise DomainError(_("不支持的语言。"), code="not_found", status_code=404)


def check_text(event: events.Event, channel: str, *, title: str, body: str) -> None:
    """400 with field errors when a text is not one this event can render."""
    fields: dict[str, list[str]] = {}
    if channel != Channel.SMS:
        if not title.strip():
            fields["title"] = [_("请填写标题。")]
        elif len(title) > TITLE_MAX:
            fields["title"] = [_("标题不能超过 %(count)s 个字。") % {"count": TITLE_MAX}]
        elif problems := wording.check(event, title):
            fields["title"] = problems
    if not body.strip():
        fields["body"] = [_("请填写内容。")]
    elif len(body) > BODY_MAX:
        fields["body"] = [_("内容不能超过 %(count)s 个字。") % {"count": BODY_MAX}]
    elif problems := wording.check(event, body):
        fields["body"] = problems
    if fields:
        raise _invalid(fields)


def _snapshot(row: TemplateOverride | None) -> dict[str, Any] | None:
    return None if row is None else {"title": row.title, "body": row.body}


@action
def save_template(*, actor: Any, event: str, channel: str, language: str, title: str, body: str) -> TemplateOverride:
    spec = event_for(event)
    check_target(spec, channel, language)
    title = "" if channel == Channel.SMS else title
    check_text(spec, channel, title=title, body=body)
    row = TemplateOverride.objects.select_for_update().filter(event=spec.name, channel=channel, language=language)
    existing = row.first()
    before = _snapshot(existing)
    saved = existing or TemplateOverride(event=spec.name, channel=channel, language=language)
    saved.title, saved.body, saved.updated_at = title, body, timezone.now()
    saved.save()
    account_services.record_audit(
        actor=actor,
        action="notification.template",
        object_type="notification_template",
        object_id=f"{spec.name}/{channel}/{language}",
        before=before,
        after=_snapshot(saved),
    )
    return saved


@action
def reset_template(*, actor: Any, event: str, channel: str, language: str) -> None:
    """Back to the code's default wording (nothing to do when there is no override)."""
    spec = event_for(event)
    check_target(spec, channel, language)
    existing = (
        TemplateOverride.objects.select_for_update().filter(event=spec.name, channel=channel, language=language).first()
    )
    if existing is None:
        return
    before = _snapshot(existing)
    existing.delete()
    account_services.record_audit(
        actor=actor,
        action="notification.template_reset",
        object_type="notification_template",
        object_id=f"{spec.name}/{channel}/{language}",
        before=before,
        after=None,
    )


def _settings_snapshot() -> dict[str, Any]:
    return {
        "sms_sign_name": company_settings.sms_settings().sign_name,
        "events": {
            row.event: {"disabled_channels": sorted(row.disabled_channels), "sms_template_id": row.sms_template_id}
            for row in EventSetting.objects.order_by("event")
        },
    }


@action
def update_settings(*, actor: Any, sms_sign_name: str, choices: list[dict[str, Any]]) -> None:
    """The SMS signature and, per event given, its enabled channels and SMS template ID.
    `choices`: [{"event", "enabled_channels", "sms_template_id"}]."""
    fields: dict[str, list[str]] = {}
    sms_sign_name = sms_sign_name.strip()
    if sms_sign_name and not SIGN_NAME.match(sms_sign_name):
        fields["sms_sign_name"] = [_("短信签名为 2–12 个字，不含【】和空格。")]
    planned: list[tuple[events.Event, list[str], str]] = []
    for index, choice in enumerate(choices):
        try:
            spec = events.get(str(choice.get("event", "")))
        except events.UnknownEvent:
            fields[f"events[{index}].event"] = [_("未知的通知类型：%(name)s") % {"name": choice.get("event")}]
            continue
        enabled = set(choice.get("enabled_channels") or [])
        unknown = enabled - set(spec.channels)
        if unknown:
            fields[f"events[{index}].enabled_channels"] = [_("此通知不经该渠道发送。")]
            continue
        off = [str(channel) for channel in spec.channels if channel not in enabled]
        kept = [channel for channel in off if not company_settings.can_turn_off(spec, channel)]
        if kept:
            message = (
                _("%(label)s 是必要通知，不能关闭任何渠道。") % {"label": spec.label}
                if spec.essential
                else _("站内消息不能关闭。")
            )
            fields[f"events[{index}].enabled_channels"] = [message]
            continue
        template_id = str(choice.get("sms_template_id") or "").strip()
        if template_id and (spec.sms is None or not TEMPLATE_ID.match(template_id)):
            fields[f"events[{index}].sms_template_id"] = [_("短信模板 ID 只能是字母、数字，最多 32 位。")]
            continue
        planned.append((spec, off, template_id))
    if fields:
        raise _invalid(fields)
    before = _settings_snapshot()
    now = timezone.now()
    sms_row = SmsSettings.objects.select_for_update().filter(singleton=True).first() or SmsSettings()
    sms_row.sign_name, sms_row.updated_at = sms_sign_name, now
    sms_row.save()
    for spec, off, template_id in planned:
        EventSetting.objects.update_or_create(
            event=spec.name, defaults={"disabled_channels": off, "sms_template_id": template_id, "updated_at": now}
        )
    account_services.record_audit(
        actor=actor,
        action="notification.settings",
        object_type="notification_settings",
        object_id="",
        before=before,
        after=_settings_snapshot(),
    )
