from __future__ import annotations

from django.db.models import QuerySet

from tenants.imports.models import Import


def imports() -> QuerySet[Import]:
    """The company's imports, newest first (the schema is the company: nothing else to scope by)."""
    return Import.objects.select_related("job", "created_by", "committed_by", "estate")
