from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.models import Job


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """A user sees the jobs they started; those allowed to see all jobs see every job."""
    jobs = Job.objects.all()
    if getattr(user, "has_permission", None) and user.has_permission("jobs.view_all"):
        return jobs
    return jobs.filter(created_by=user)
