"""Import throughput: 50,000 residents (and the 25,000 houses they live in) through the real path —
stored upload, dry run and commit delivered by the outbox — in a scratch company.

    python -m tests.bench.imports [--houses 25000] [--per-house 2] [--history-houses 10000] [--history-months 24]
                                  [--only-history]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_imports`,
dropped at the end, with uploads under a temporary MEDIA_ROOT. The outbox messages run in this
process, in the company's schema, as a worker would run them. Prints each phase, a re-import of the
same residents file (everything unchanged), a baseline (COPY of the same rows into a bare table),
then HC's 房屋缴费历史 for the first 10,000 houses × 24 months (240,000 rows, in files of at most
100,000 rows, the upload limit) through the kind `fee_history` and its baseline (COPY of the same rows),
and last: rows_per_second (residents dry run + commit), copy_seconds (the residents' baseline),
history_seconds (all history files, dry run + commit), history_copy_seconds and the peak RSS.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = f"wuye_bench_imports_{os.getpid()}"  # its own, should two benches run at once
SLUG = "benchimports"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _id_number(serial: int) -> str:
    from core.identity import check_character

    born = 19500101 + (serial // 999) % 50 * 10000  # Jan 1st of 1950..1999
    body = f"110105{born}{serial % 999 + 1:03d}"
    return body + check_character(body)


def _write_files(folder: Path, houses: int, per_house: int) -> tuple[Path, Path, list[tuple]]:
    """A houses file and a residents file (an owner with ID number and phone, then family members
    with a phone only), in the templates' columns, written the way Excel stores them."""
    from openpyxl import Workbook

    from tenants.imports.columns import HOUSE_COLUMNS, RESIDENT_COLUMNS

    per_floor, floors, units = 10, 25, 2
    per_building = per_floor * floors * units
    buildings = -(-houses // per_building)
    house_keys = [
        (f"{b + 1}栋", f"{u + 1}单元", floor, f"{floor}{i + 1:02d}")
        for b in range(buildings)
        for u in range(units)
        for floor in range(1, floors + 1)
        for i in range(per_floor)
    ][:houses]

    def save(rows, header, path):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        workbook.save(path)

    houses_path = folder / "houses.xlsx"
    save(
        (["基准花园", b, u, n, f, 89.5, 72.3, "3室2厅", "住宅", "已入住", 1] for b, u, f, n in house_keys),
        [c.header for c in HOUSE_COLUMNS],
        houses_path,
    )
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    residents: list[tuple] = []
    for index, (b, u, _f, n) in enumerate(house_keys):
        for member in range(per_house):
            serial = index * per_house + member
            name = surnames[serial % 20] + given[serial // 20 % 20] + given[serial // 400 % 20]
            phone = 13000000000 + serial * 7 + 1  # stored as a number, as Excel does
            if member == 0:
                row = ("基准花园", b, u, n, name, phone, _id_number(index), "男", "业主", 45352, 100, "是", "")
            else:
                row = ("基准花园", b, u, n, name, phone, None, "女", "家庭成员", "2024-03-01", None, "否", "")
            residents.append(row)
    residents_path = folder / "residents.xlsx"
    # The rows' own columns (the optional 证件类型 and another system's 年龄 left out).
    save(residents, [c.header for c in RESIDENT_COLUMNS if c.key not in ("id_type", "age")], residents_path)
    return houses_path, residents_path, residents


def _history_rows(houses: int, months: int) -> Iterator[list[list]]:
    """HC's 房屋缴费历史 rows for the bench's first houses, month by month from 2024-11 (dates as
    Excel serials, amounts as numbers): one list of rows a month, made as they are read."""
    per_floor, floors, units = 10, 25, 2
    keys = [
        f"{b + 1}-{u + 1}-{floor}{i + 1:02d}"
        for b in range(-(-houses // (per_floor * floors * units)))
        for u in range(units)
        for floor in range(1, floors + 1)
        for i in range(per_floor)
    ][:houses]
    epoch = date(1899, 12, 30)
    starts = [date(2024 + (10 + m) // 12, (10 + m) % 12 + 1, 1) for m in range(months + 1)]
    for m in range(months):
        start, end = (starts[m] - epoch).days, (starts[m + 1] - epoch).days
        yield [[key, "物业费", 1, start, end, start + 4, 179.0, 179.0, "张三", "手工导入"] for key in keys]


def _write_history(folder: Path, houses: int, months: int) -> list[Path]:
    """The history rows in files of at most 100,000 rows (the upload limit)."""
    from openpyxl import Workbook

    from tenants.imports.reading import MAX_ROWS

    header = [
        "房屋",
        "收费项目",
        "缴费周期",
        "开始时间",
        "结束时间",
        "缴费时间",
        "应缴金额",
        "实缴金额",
        "收银员",
        "备注",
    ]
    per_file = max(1, MAX_ROWS // houses) if houses <= MAX_ROWS else 1
    paths: list[Path] = []
    workbook = sheet = None
    for m, rows in enumerate(_history_rows(houses, months)):
        if m % per_file == 0:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("房屋缴费历史")
            sheet.append(header)
            paths.append(folder / f"history-{len(paths) + 1}.xlsx")
        for row in rows:
            sheet.append(row)
        if m % per_file == per_file - 1 or m == months - 1:
            workbook.save(paths[-1])
    return paths


def _copy_seconds(rows) -> float:
    """Baseline: the rows COPYed as text into a bare table — the floor for any import of them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copy (cells text[])")
        buffer = io.StringIO()
        for row in rows:
            buffer.write("{" + ",".join(f'"{"" if v is None else v}"' for v in row) + "}\n")
        began = time.perf_counter()
        with cursor.connection.cursor().copy("COPY bench_copy FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        seconds = time.perf_counter() - began
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def _history(media: Path, houses: int, months: int, run) -> tuple[int, float, float]:
    """HC's payment history: 物业费 2 元/㎡/月 (89.5 ㎡ → 179.00) on every house, paid month by month,
    through the kind `fee_history`; then the baseline COPY of the same rows. (rows, seconds, baseline)"""
    paths = _write_history(media, houses, months)
    _bench_fee_item()
    seconds, rows = 0.0, 0
    for path in paths:
        dry, committed, counts = run("fee_history", path)
        seconds += dry + committed
        rows += counts["rows"]
        print(
            f"history {path.name} {counts['rows']:>6} rows: dry run {dry:.2f}s, commit {committed:.2f}s, "
            f"{counts['charges']} charges",
            flush=True,
        )
    baseline = _copy_seconds(row for month in _history_rows(houses, months) for row in month)
    print(f"[rss] after history: now {_rss_now_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB", flush=True)
    print(
        f"history {rows} rows end to end {seconds:.1f}s (limit 60s for 240,000 rows); "
        f"baseline COPY of the same rows {baseline:.3f}s; history import = {seconds / baseline:.0f}x copy",
        flush=True,
    )
    return rows, seconds, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=25_000)
    parser.add_argument("--per-house", type=int, default=2)
    parser.add_argument("--history-houses", type=int, default=10_000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument(
        "--only-history", action="store_true", help="import the houses, then only the history (no residents)"
    )
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="wuye-bench-imports-"))
    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")  # stand-ins for outside services, as under `./wuye up`
    os.environ["WUYE_MEDIA_ROOT"] = str(media)
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    def admin_connect():
        params = django.db.connections["default"].get_connection_params()
        return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)

    django.setup()
    from django.db import connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        from django.core.files import File
        from django_tenants.utils import tenant_context

        from accounts.models import User
        from companies import services as company_services
        from companies.models import Company
        from core.outbox import relay
        from core.outbox import services as outbox
        from tenants.imports import services
        from tenants.imports.models import Import, ImportStatus
        from tenants.residents.models import Occupancy, Person

        # Messages run here, in this process, as a worker would run them: none goes to a broker.
        relay.publish = lambda *args, **kwargs: None
        company_services.ensure_public_tenant()
        signup = company_services.create_signup(
            data={
                "company_name": "导入基准物业",
                "slug": SLUG,
                "admin_name": "基准",
                "admin_phone": "13800000000",
                "admin_email": f"admin@{SLUG}.example.com",
                "password": "Bench-pass-2026",
            }
        )
        if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
            raise SystemExit("provisioning the bench company failed")
        company = Company.objects.get(slug=SLUG)
        # The scratch company outgrows every sold plan (25,000 houses): a plan of its own, granted.
        from companies.models import Plan
        from subscriptions.services import lifecycle

        Plan.objects.get_or_create(
            code="bench",
            defaults={"name": "基准", "max_houses": 1_000_000, "max_staff": 1000, "monthly_price": "0.00"},
        )
        lifecycle.grant_plan(company=company, plan_code="bench")
        print(f"[rss] after provisioning: now {_rss_now_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB", flush=True)
        started = time.perf_counter()
        houses_path, residents_path, resident_rows = _write_files(media, args.houses, args.per_house)
        print(
            f"files: {args.houses} houses ({houses_path.stat().st_size / 1e6:.1f} MB), {len(resident_rows)} residents "
            f"({residents_path.stat().st_size / 1e6:.1f} MB), written in {time.perf_counter() - started:.1f}s",
            flush=True,
        )

        print(f"[rss] after files: now {_rss_now_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB", flush=True)
        with tenant_context(company):
            admin = User.objects.get(username="admin")

            def run(kind: str, path: Path, *, expect_commit: bool = True) -> tuple[float, float, dict]:
                with path.open("rb") as handle:
                    record = services.start_import(kind=kind, upload=File(handle, name=path.name), actor=admin)
                began = time.perf_counter()
                outbox.deliver_now(schema_name=company.schema_name, key=f"import:{record.pk}:validate")
                validated = time.perf_counter() - began
                record = Import.objects.get(pk=record.pk)
                if record.status != ImportStatus.READY:
                    raise SystemExit(f"{kind}: dry run found {record.error_total} problems: {record.errors[:5]}")
                if not expect_commit:
                    return validated, 0.0, record.counts
                record = services.request_commit(import_id=record.pk, actor=admin)
                began = time.perf_counter()
                outbox.deliver_now(schema_name=company.schema_name, key=f"import:{record.pk}:commit:{record.job_id}")
                committed = time.perf_counter() - began
                record = Import.objects.get(pk=record.pk)
                if record.status != ImportStatus.DONE:
                    raise SystemExit(f"{kind}: commit ended {record.status}: {record.message} {record.errors[:5]}")
                return validated, committed, record.counts

            h_dry, h_commit, h_counts = run("houses", houses_path)
            print(f"[rss] after houses: now {_rss_now_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB", flush=True)
            print(
                f"houses    {h_counts['rows']:>6} rows: dry run {h_dry:.2f}s, commit {h_commit:.2f}s "
                f"({h_counts['rows'] / (h_dry + h_commit):.0f} rows/s)",
                flush=True,
            )
            if args.only_history:
                history_rows, seconds, baseline = _history(
                    media, min(args.history_houses, args.houses), args.history_months, run
                )
                print(
                    f"history_rows={history_rows} history_seconds={seconds:.1f} history_copy_seconds={baseline:.3f} "
                    f"rows_per_second={history_rows / seconds:.0f} peak_rss_mb={_peak_rss_mb():.0f}"
                )
                return
            r_dry, r_commit, r_counts = run("residents", residents_path)
            rows = r_counts["rows"]
            print(
                f"residents {rows:>6} rows: dry run {r_dry:.2f}s, commit {r_commit:.2f}s "
                f"({rows / (r_dry + r_commit):.0f} rows/s); {r_counts['new_persons']} people, "
                f"{Occupancy.objects.count()} relations",
                flush=True,
            )
            assert Person.objects.count() == r_counts["new_persons"]
            print(f"[rss] after residents: now {_rss_now_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB", flush=True)
            again_dry, again_commit, again = run("residents", residents_path)
            assert again["unchanged"] == rows and again["create"] == again["update"] == 0, again
            print(
                f"re-import of the same residents: dry run {again_dry:.2f}s, commit {again_commit:.2f}s, all unchanged"
            )

            # Baseline: the same residents rows COPYed as text into a bare table — the floor for any import.
            copy_seconds = _copy_seconds(resident_rows)
            history_rows, history_seconds, history_copy = _history(
                media, min(args.history_houses, args.houses), args.history_months, run
            )
        total = r_dry + r_commit
        print(
            f"baseline COPY of the same {rows} rows: {copy_seconds:.3f}s; residents import = {total / copy_seconds:.0f}x "
            f"copy; houses + residents end to end {h_dry + h_commit + total:.1f}s (limit 60s for 50,000 rows)",
            flush=True,
        )
        print(
            f"rows_per_second={rows / total:.0f} copy_seconds={copy_seconds:.3f} history_rows={history_rows} "
            f"history_seconds={history_seconds:.1f} history_copy_seconds={history_copy:.3f} "
            f"peak_rss_mb={_peak_rss_mb():.0f}"
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        shutil.rmtree(media, ignore_errors=True)


def _bench_fee_item() -> None:
    from billing.services import fees
    from billing.services.fee_checks import PriceInput

    fees.create_fee_item(
        name="物业费",
        kind="property",
        mode="building_area",
        valid_from=date(2024, 1, 1),
        price=PriceInput(unit_price=Decimal("2")),
        actor=None,
    )


if __name__ == "__main__":
    main()
