"""Private files: each company's under PRIVATE_ROOT/<schema>/, which no URL serves.

Company media (logos) is public by design: the mini-program and the login page show it. Uploads
holding personal data (import files, their reports, later ID scans and contracts) go here instead
and leave only through views that check the caller's permission.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from core.db import current_schema


class PrivateCompanyStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        # Resolved per call: the active schema decides the folder, as for TenantFileSystemStorage.
        return str(Path(settings.PRIVATE_ROOT) / current_schema())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; serve them through a permission-checked view")


def private_storage() -> PrivateCompanyStorage:
    """For FileField(storage=private_storage): a callable keeps migrations free of settings."""
    return PrivateCompanyStorage()


class PlatformPrivateStorage(PrivateCompanyStorage):
    """Private files of the platform's own tables (a vendor's licence): always under
    PRIVATE_ROOT/public/, whichever host reads them — a company reviewing a vendor's documents on its
    own host reads the same file the vendor uploaded on the public one."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.PRIVATE_ROOT) / "public")


def platform_private_storage() -> PlatformPrivateStorage:
    return PlatformPrivateStorage()
