"""Re-encrypt every encrypted column and recompute every blind index under the current data key.

The second step of a key rotation (see core.crypto): with `WUYE_DATA_KEYS="new:…,old:…"` deployed,
run this until it reports nothing left, then remove the old key. It goes schema by schema (the
public schema, then every company), model by model, in batches that each commit on their own: stop
it at any point (Ctrl-C, `--max-rows`) and run it again to carry on — rows already under the current
key are read and skipped. `--check` only counts what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_exists, tenant_context

from core import crypto, rekey
from core.db import current_schema


class Command(BaseCommand):
    help = "Re-encrypt and re-index stored personal data under the first key of WUYE_DATA_KEYS (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", action="append", default=[], help="only this schema (repeatable)")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-rows", type=int, default=None, help="stop after rewriting this many rows")
        parser.add_argument("--check", action="store_true", help="count rows not yet under the current key")

    def handle(
        self, *args: Any, schema: list[str], batch_size: int, max_rows: int | None, check: bool, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        current = crypto.current_key_id()
        self.stdout.write(f"current key: {current}")
        left_total = rewritten_total = 0
        failures: list[str] = []
        for tenant in self._tenants(schema):
            with tenant_context(tenant):
                for item in rekey.models_in_current_schema():
                    where = f"{current_schema()} {item.label}"
                    if check:
                        left = sum(1 for _pk in rekey.pending(item, batch_size=batch_size))
                        left_total += left
                        self.stdout.write(f"{where}: {left} left")
                        continue
                    budget = None if max_rows is None else max_rows - rewritten_total
                    if budget is not None and budget <= 0:
                        break
                    tally = rekey.rekey_model(
                        item, batch_size=batch_size, max_rewrites=budget, on_batch=self._progress(where)
                    )
                    rewritten_total += tally.rewritten
                    failures += [f"{current_schema()} {failure}" for failure in tally.failed]
                    self.stdout.write(f"{where}: {tally.checked} checked, {tally.rewritten} rewritten")
            if max_rows is not None and rewritten_total >= max_rows and not check:
                self.stdout.write(f"stopped after {rewritten_total} rows (--max-rows); run again to carry on")
                break
        for failure in failures:
            self.stderr.write(f"not re-keyed: {failure}")
        if check:
            self.stdout.write(f"{left_total} rows not under {current}")
            if left_total:
                raise CommandError(f"{left_total} rows are not under the current key yet")
            return
        if failures:
            raise CommandError(f"{len(failures)} rows could not be re-keyed (listed above); the rest were")
        self.stdout.write(f"done: {rewritten_total} rows rewritten under {current}")

    def _tenants(self, only: list[str]) -> Iterator[Any]:
        public = get_public_schema_name()
        tenants = get_tenant_model().objects.order_by("pk")
        found = {tenant.schema_name: tenant for tenant in tenants}
        unknown = set(only) - set(found)
        if unknown:
            raise CommandError(f"unknown schema: {', '.join(sorted(unknown))}")
        names = only or sorted(found, key=lambda name: (name != public, name))
        for name in names:
            # A signup that never finished provisioning has a registry row but no schema.
            if schema_exists(name):
                yield found[name]

    def _progress(self, where: str) -> Callable[[rekey.KeyedModel, rekey.Tally], None]:
        def report(item: rekey.KeyedModel, tally: rekey.Tally) -> None:
            self.stdout.write(f"  {where}: {tally.checked} checked, {tally.rewritten} rewritten so far")

        return report
