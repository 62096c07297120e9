"""Write the two OpenAPI documents the faces' API types are generated from (`./wuye api-types`).

The document depends on the host: a company's host serves the company API (ROOT_URLCONF), the bare
base domain the public site's (PUBLIC_SCHEMA_URLCONF). Generating them reads the code only: no
database, no request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

DOCUMENTS = {"company": "ROOT_URLCONF", "public": "PUBLIC_SCHEMA_URLCONF"}


class Command(BaseCommand):
    help = "Write company.json and public.json (OpenAPI 3) into --out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="folder for company.json and public.json")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        for name, setting in DOCUMENTS.items():
            # (drf-spectacular ships py.typed but leaves the generator's methods unannotated)
            generator = SchemaGenerator(urlconf=getattr(settings, setting))  # type: ignore[no-untyped-call]
            # Descriptions come from verbose names and help texts: always in the default language,
            # so the generated types do not change with the shell's locale.
            with translation.override(settings.LANGUAGE_CODE):
                schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
            document: bytes = OpenApiJsonRenderer().render(schema, renderer_context={})
            (out / f"{name}.json").write_bytes(document + b"\n")
            self.stdout.write(f"{out / name}.json")
