"""Feedback API (投诉建议) by concern: items for each party, photos, settings and figures."""

from __future__ import annotations

from tenants.feedback.api.items import (
    FeedbackDetailSerializer,
    FeedbackSerializer,
    FeedbackViewSet,
    OwnerFeedbackViewSet,
)
from tenants.feedback.api.photos import PATHS as PHOTO_PATHS
from tenants.feedback.api.settings import FeedbackHandlerList, FeedbackSettingsView, FeedbackStatsView

__all__ = [
    "PHOTO_PATHS",
    "FeedbackDetailSerializer",
    "FeedbackHandlerList",
    "FeedbackSerializer",
    "FeedbackSettingsView",
    "FeedbackStatsView",
    "FeedbackViewSet",
    "OwnerFeedbackViewSet",
]
