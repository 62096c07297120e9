"""Announcements API (社区公告): staff write and publish them; owners read the ones for their houses."""

from __future__ import annotations

from tenants.notices.api.owner import OwnerNoticeViewSet
from tenants.notices.api.staff import NoticeSerializer, NoticeViewSet

__all__ = ["NoticeSerializer", "NoticeViewSet", "OwnerNoticeViewSet"]
