"""Fixtures shared by the company-app tests."""

from __future__ import annotations

import pytest

from config.celery import app


@pytest.fixture
def eager(settings, tmp_path):
    """Tasks run at once, in the schema of the request that queued them; files in a scratch folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
