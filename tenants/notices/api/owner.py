"""Owners: the announcements for their houses' estates and buildings; opening one records the read."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.response import Response

from tenants.notices import selectors, services
from tenants.notices.models import Announcement


class OwnerNoticeSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True, default=False, help_text="The caller has opened it.")

    class Meta:
        model = Announcement
        fields = ["id", "title", "kind", "pinned", "published_at", "expires_at", "is_read"]


class OwnerNoticeDetailSerializer(OwnerNoticeSerializer):
    class Meta(OwnerNoticeSerializer.Meta):
        fields = [*OwnerNoticeSerializer.Meta.fields, "body"]


class OwnerNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """社区公告 for the owner: published, unexpired, for the company or their estates/buildings."""

    required_permission = "owner.self"
    filterset_fields = ["kind"]

    def get_serializer_class(self):
        return OwnerNoticeDetailSerializer if self.action == "retrieve" else OwnerNoticeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Announcement.objects.none()
        return selectors.with_read_flag(selectors.visible_to(self.request.user), self.request.user)

    def retrieve(self, request, *args, **kwargs):
        notice = self.get_object()
        services.record_read(notice=notice, user=request.user)
        notice.is_read = True  # the annotation, now true
        return Response(self.get_serializer(notice).data)
