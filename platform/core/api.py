from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics, serializers

from core import selectors
from core.models import Job


class JobSerializer(serializers.ModelSerializer[Job]):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "total",
            "message",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobDetailView(generics.RetrieveAPIView[Job]):
    """Status of a long-running job, polled by the admin's progress display."""

    serializer_class = JobSerializer
    required_permission = "authenticated"

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.jobs_visible_to(self.request.user)
