"""The company's notification templates (系统设置 › 通知模板) and sending settings: every event with
its effective text per channel and language, overriding and resetting one, previewing a text with
sample values, the channels each event goes out on, the SMS signature and template IDs. All under
`notifications.templates`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import company_settings, events, rendering, sms, wording
from notifications.models import Channel, Language
from notifications.services import templates

PERMISSION = "notifications.templates"


class NotificationWordingSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    title = serializers.CharField(allow_blank=True, help_text="Empty on SMS (a text message has no title).")
    body = serializers.CharField()
    overridden = serializers.BooleanField(help_text="The company's own text; false: the default.")
    default_title = serializers.CharField(allow_blank=True)
    default_body = serializers.CharField()


class NotificationEventTemplatesSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # hides Field.label in the stubs
    essential = serializers.BooleanField()
    urgent = serializers.BooleanField()
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    placeholders = serializers.ListField(child=serializers.CharField(), help_text="Usable as %(name)s.")
    templates = NotificationWordingSerializer(many=True)


class NotificationTemplateInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class NotificationPreviewInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    title = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="A text not yet saved; else the saved one."
    )
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class NotificationPreviewSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField()
    sms_params = serializers.ListField(
        child=serializers.CharField(), help_text="SMS: the provider template's parameters, in order."
    )
    sample = serializers.DictField(child=serializers.CharField(), help_text="The sample values used (not real data).")


def _event_answer(event: events.Event, renderers: dict[str, rendering.Renderer]) -> dict[str, Any]:
    rows = []
    for channel in event.channels:
        for language in Language.values:
            default = rendering.default_wording(event, language)
            effective = renderers[language].wording(event, channel)
            rows.append(
                {
                    "channel": channel,
                    "language": language,
                    "title": "" if channel == Channel.SMS else effective.title,
                    "body": effective.body,
                    "overridden": effective.overridden,
                    "default_title": "" if channel == Channel.SMS else default.title,
                    "default_body": default.body,
                }
            )
    return {
        "name": event.name,
        "label": str(event.label),
        "essential": event.essential,
        "urgent": event.urgent,
        "channels": list(event.channels),
        "placeholders": list(wording.placeholders(event)),
        "templates": rows,
    }


def _renderers() -> dict[str, rendering.Renderer]:
    return {language: rendering.Renderer(language) for language in Language.values}


class TemplateListView(APIView):
    """Every event with its effective text per channel and language (the company's or the default)."""

    required_permission = PERMISSION

    @extend_schema(responses=NotificationEventTemplatesSerializer(many=True))
    def get(self, request: Any) -> Response:
        renderers = _renderers()
        answer = [_event_answer(event, renderers) for event in events.all_events()]
        return Response(NotificationEventTemplatesSerializer(answer, many=True).data)


class TemplateView(APIView):
    """The company's text of one event on one channel in one language: PUT saves it (400 with field
    errors when it uses anything but the event's placeholders), DELETE goes back to the default."""

    required_permission = PERMISSION

    @extend_schema(request=NotificationTemplateInputSerializer, responses=NotificationEventTemplatesSerializer)
    def put(self, request: Any, event: str, channel: str, language: str) -> Response:
        form = NotificationTemplateInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        templates.save_template(
            actor=request.user,
            event=event,
            channel=channel,
            language=language,
            title=form.validated_data["title"],
            body=form.validated_data["body"],
        )
        return Response(NotificationEventTemplatesSerializer(_event_answer(events.get(event), _renderers())).data)

    @extend_schema(request=None, responses={200: NotificationEventTemplatesSerializer})
    def delete(self, request: Any, event: str, channel: str, language: str) -> Response:
        templates.reset_template(actor=request.user, event=event, channel=channel, language=language)
        return Response(NotificationEventTemplatesSerializer(_event_answer(events.get(event), _renderers())).data)


class TemplatePreviewView(APIView):
    """An event rendered with sample values (each marked 示例): the saved text, or the one given."""

    required_permission = PERMISSION

    @extend_schema(request=NotificationPreviewInputSerializer, responses=NotificationPreviewSerializer)
    def post(self, request: Any, event: str) -> Response:
        spec = templates.event_for(event)
        form = NotificationPreviewInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        channel, language = data["channel"], data["language"]
        templates.check_target(spec, channel, language)
        saved = rendering.Renderer(language).wording(spec, channel)
        title = "" if channel == Channel.SMS else data.get("title", saved.title)
        body = data.get("body", saved.body)
        templates.check_text(spec, channel, title=title, body=body)
        sample = wording.sample_context(spec)
        if channel == Channel.SMS:
            names = (
                wording.used(body) if "body" in data or saved.overridden else list(spec.sms.params if spec.sms else ())
            )
            params = [sample.get(name, "") for name in names]
        else:
            params = []
        answer = {
            "title": wording.fill(title, sample),
            "body": wording.fill(body, sample),
            "sms_params": params,
            "sample": sample,
        }
        return Response(NotificationPreviewSerializer(answer).data)


class NotificationEventChannelsSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    essential = serializers.BooleanField(help_text="Essential: every channel stays on.")
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    enabled_channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    has_sms = serializers.BooleanField()
    sms_template_id = serializers.CharField(allow_blank=True)
    sms_template_missing = serializers.BooleanField(
        help_text="SMS is on, the real provider is used and no template ID is given: its texts fail."
    )


class NotificationSettingsSerializer(serializers.Serializer):
    sms_provider = serializers.ChoiceField(choices=["tencent", "standin"], read_only=True)
    sms_sign_name = serializers.CharField(allow_blank=True, max_length=20)
    events = NotificationEventChannelsSerializer(many=True)


class NotificationEventChoiceSerializer(serializers.Serializer):
    event = serializers.CharField(max_length=60)
    enabled_channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), max_length=10)
    sms_template_id = serializers.CharField(allow_blank=True, max_length=32, required=False, default="")


class NotificationSettingsInputSerializer(serializers.Serializer):
    sms_sign_name = serializers.CharField(allow_blank=True, max_length=20, required=False, default="")
    events = serializers.ListField(child=NotificationEventChoiceSerializer(), max_length=200)


def _settings_answer() -> dict[str, Any]:
    rows = company_settings.event_settings()
    answer = []
    for event in events.all_events():
        setting = rows.get(event.name)
        answer.append(
            {
                "name": event.name,
                "label": str(event.label),
                "essential": event.essential,
                "channels": list(event.channels),
                "enabled_channels": list(company_settings.enabled_channels(event, setting)),
                "has_sms": event.sms is not None,
                "sms_template_id": setting.sms_template_id if setting is not None else "",
                "sms_template_missing": company_settings.sms_template_missing(event, setting),
            }
        )
    return {
        "sms_provider": "standin" if sms.is_standin() else "tencent",
        "sms_sign_name": company_settings.sms_settings().sign_name,
        "events": answer,
    }


class SettingsView(APIView):
    """The company's sending settings: the channels each event goes out on (the inbox always; an
    essential event on all of its own), the SMS signature and each event's approved template ID."""

    required_permission = PERMISSION

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request: Any) -> Response:
        return Response(NotificationSettingsSerializer(_settings_answer()).data)

    @extend_schema(request=NotificationSettingsInputSerializer, responses=NotificationSettingsSerializer)
    def put(self, request: Any) -> Response:
        form = NotificationSettingsInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        templates.update_settings(
            actor=request.user,
            sms_sign_name=form.validated_data["sms_sign_name"],
            choices=[dict(choice) for choice in form.validated_data["events"]],
        )
        return Response(NotificationSettingsSerializer(_settings_answer()).data, status=status.HTTP_200_OK)
