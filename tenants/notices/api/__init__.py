"""Announcements API (社区公告): staff write and publish them; owners read the ones for their houses."""

from __future__ import annotations

from tenants.notices.api.images import NoticeImageUpload
from tenants.notices.api.owner import OwnerNoticeViewSet
from tenants.notices.api.staff import NoticeSerializer, NoticeUnreadHouseList, NoticeViewSet

__all__ = ["NoticeImageUpload", "NoticeSerializer", "NoticeUnreadHouseList", "NoticeViewSet", "OwnerNoticeViewSet"]
