"""The notification storm, CI-sized (`python -m tests.bench.payment_storm --quick`: 100 orders in two
companies, 1,000 deliveries through gunicorn): it must credit every genuine payment once and nothing
else, with the ledgers balanced to the fen. A scratch database of its own, named after this run's
test database, dropped at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.database import database_url

ROOT = Path(__file__).resolve().parents[2]


def _figures(last_line: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in last_line.split())


def test_the_quick_storm_credits_every_genuine_payment_once_and_nothing_else():
    settings_dict = connection.settings_dict
    name = f"{settings_dict['TEST']['NAME'] or 'test_wuye'}_storm"[:63]
    url = database_url(settings_dict, name="postgres")
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    env.pop("WUYE_TESTING", None)  # the bench runs the product as deployed, on its scratch database
    run = subprocess.run(
        [sys.executable, "-m", "tests.bench.payment_storm", "--quick", "--database", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = _figures(run.stdout.strip().splitlines()[-1])
    for key in (
        "double_credited",
        "forged_credited",
        "mismatched_credited",
        "genuine_missing",
        "genuine_misallocated",
        "genuine_left_owing",
        "unbalanced_fen",
        "unexpected_status",
    ):
        assert figures[key] == "0", (key, figures)
    assert figures["genuine_credited"] == figures["genuine_expected"] == "80", figures
    assert int(figures["storm_deliveries"]) == 1000 and float(figures["deliveries_per_s"]) > 0
