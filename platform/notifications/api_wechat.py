"""WeChat subscribe messages: the company's template per event (admins: /notification-wechat-templates/)
and the owner app's one-time subscriptions (/owner/wechat-subscriptions/: which templates to ask for
at a moment, and the ones the owner accepted)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import events, wechat_fields, wechat_selectors
from notifications.models import WechatTemplate
from notifications.services import wechat as wechat_services

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def context_keys(event: events.Event) -> list[str]:
    """What an event's context holds (its texts' placeholders, its SMS parameters) and the rendered texts."""
    keys = _PLACEHOLDER.findall(f"{event.title} {event.body}") + list(event.sms.params if event.sms else ())
    return [*dict.fromkeys(keys), wechat_fields.TITLE, wechat_fields.BODY]


class WechatTemplateSerializer(serializers.ModelSerializer):
    event = serializers.CharField(max_length=60)
    event_label = serializers.SerializerMethodField()
    template_id = serializers.CharField(max_length=64)
    # The model's field is named `fields`; DRF's metaclass takes declared fields off the class, so
    # it does not hide Serializer.fields at run time (the stubs cannot tell).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=60),
        help_text="WeChat keyword (thing1, amount2, time3 …) -> the event's context key filling it.",
    )

    class Meta:
        model = WechatTemplate
        fields = ["id", "event", "event_label", "template_id", "fields", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def get_event_label(self, template: WechatTemplate) -> str:
        try:
            return str(events.get(template.event).label)
        except events.UnknownEvent:
            return template.event


class WechatEventSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # hides Field.label, as in api.py
    keys = serializers.ListField(child=serializers.CharField(), help_text="Context keys a keyword may take.")


class WechatTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The company's WeChat subscribe-message templates, one per event: the template id from the
    mini-program's console and which context value fills each keyword. Saving an event's again replaces it."""

    serializer_class = WechatTemplateSerializer
    required_permission = "notifications.templates"
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return wechat_selectors.templates()

    def _save(self, request: Any, code: int) -> Response:
        form = WechatTemplateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        template = wechat_services.save_template(
            actor=request.user, event=data["event"], template_id=data["template_id"], fields=data["fields"]
        )
        return Response(WechatTemplateSerializer(template).data, status=code)

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, status.HTTP_201_CREATED)

    def update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        template = self.get_object()
        if request.data.get("event", template.event) != template.event:
            raise serializers.ValidationError({"event": [_("不能修改模板所属的通知类型。")]})
        return self._save(request, status.HTTP_200_OK)

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        wechat_services.delete_template(actor=request.user, template_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=WechatEventSerializer(many=True))
    @action(detail=False, methods=["get"])
    def events(self, request: Any) -> Response:
        """The events a template may be set for, with the context keys their keywords may take."""
        rows = [{"name": e.name, "label": str(e.label), "keys": context_keys(e)} for e in events.all_events()]
        return Response(WechatEventSerializer(rows, many=True).data)


class SubscribeSerializer(serializers.Serializer):
    template_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=wechat_selectors.PER_REQUEST
    )


SubscriptionAnswer = inline_serializer(
    "OwnerWechatSubscriptions",
    {
        "template_ids": serializers.ListField(
            child=serializers.CharField(), help_text="To ask for now (wx.requestSubscribeMessage's tmplIds)."
        ),
        "credits": serializers.DictField(
            child=serializers.IntegerField(), help_text="Template id -> messages the owner still lets us send."
        ),
    },
)


class OwnerWechatSubscriptionView(APIView):
    """The owner app's one-time WeChat subscriptions: GET ?moment=payment|binding|repair gives the
    templates to ask for then; POST the ones the owner accepted (one message each)."""

    required_permission = "owner.self"

    def _answer(self, request: Any, moment: str) -> dict[str, Any]:
        return {
            "template_ids": wechat_selectors.templates_for_moment(moment) if moment else [],
            "credits": {row.template_id: row.credits for row in wechat_selectors.subscriptions_of(request.user)},
        }

    @extend_schema(
        parameters=[OpenApiParameter("moment", str, enum=list(wechat_selectors.MOMENTS))],
        responses=SubscriptionAnswer,
    )
    def get(self, request: Any) -> Response:
        moment = request.query_params.get("moment", "")
        if moment and moment not in wechat_selectors.MOMENTS:
            raise serializers.ValidationError({"moment": [_("未知的时机：%(moment)s") % {"moment": moment}]})
        return Response(self._answer(request, moment))

    @extend_schema(request=SubscribeSerializer, responses=SubscriptionAnswer)
    def post(self, request: Any) -> Response:
        form = SubscribeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        wechat_services.add_subscriptions(user=request.user, template_ids=form.validated_data["template_ids"])
        return Response(self._answer(request, ""))
