"""Rendering a receipt PDF (大写 amounts, embedded CJK font subset, logo), as the cash desk prints one.

    python -m tests.bench.receipt [--runs 50]

Baseline in the same run: the first render, which loads and parses the CJK font. Then the per-receipt
time once the font is loaded (the worker and web processes keep it). Last line: key=value figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    # Rendering touches no database or cache; settings only (gettext, the font's path).
    os.environ.setdefault("DATABASE_URL", "postgres://code-only@127.0.0.1:1/unused")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from billing.receipts_pdf import register_font, render_receipt
    from tests.billing.test_receipt_pdf import SNAPSHOT

    started = time.perf_counter()
    register_font()
    render_receipt(SNAPSHOT)
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        render_receipt(SNAPSHOT)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"runs={args.runs} baseline_first_render_ms={first_ms:.1f} render_p50_ms={p50:.1f} render_p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
