"""The owner app's first load on a phone: bytes over the wire and time until the login form answers,
in Chromium on a throttled mobile profile (150 ms latency, 1.6 Mbit/s down, 750 kbit/s up, CPU ÷4),
against gunicorn as deploy/Dockerfile runs it.

    python -m tests.bench.h5_load [--runs 3]

Needs the H5 build (cd miniprogram && npm run build:h5) and Debian's chromium. Uses DATABASE_URL /
REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_h5`, dropped at the end.
Three loads, each the median of --runs:
- first: a new browser profile, as the server answers (pre-compressed files, Accept-Encoding of the
  browser);
- identity (the baseline, same run): a new profile whose requests ask for no compression
  (Accept-Encoding: identity) — what the H5 cost before the server compressed it;
- repeat: the same profile again (hashed assets from the cache, the index revalidated).
Last line: key=value (first_kb, identity_kb, repeat_kb, first_ms, identity_ms, repeat_ms, ratio).
"""

from __future__ import annotations

import argparse
import os
import statistics
from typing import Any

from tests.bench import serving

SCRATCH = "wuye_bench_h5"
SLUG = "benchh5"
CHROMIUM = "/usr/bin/chromium"
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}


def _load(context: Any, url: str, *, identity: bool) -> tuple[float, float]:
    """(kilobytes received, milliseconds until the login form is visible) for one page load."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    if identity:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(float(event["encodedDataLength"])))
    page.goto(url, wait_until="commit")
    page.locator("[data-testid=login-phone] input").wait_for(state="visible", timeout=120_000)
    elapsed = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    page.close()
    return sum(received) / 1024, float(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = serving.scratch_database_url(SCRATCH)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    index = serving.ROOT / "miniprogram" / "dist" / "build" / "h5" / "index.html"
    if not index.exists():
        raise SystemExit("build the owner app first: cd miniprogram && npm run build:h5")
    import django

    django.setup()
    serving.fresh_database(SCRATCH)
    server = None
    try:
        company = serving.provision_company(slug=SLUG, name="H5 基准物业", password="Bench-pass-2026")
        port = serving.free_port()
        server = serving.serve(port=port, workers=1, threads=4)
        url = f"http://{company.domains.first().domain}:{port}/h5/"
        from playwright.sync_api import sync_playwright

        figures: dict[str, list[float]] = {k: [] for k in ("first", "identity", "repeat")}
        times: dict[str, list[float]] = {k: [] for k in ("first", "identity", "repeat")}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            phone = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
            for _ in range(args.runs):
                for kind in ("identity", "first"):
                    context = browser.new_context(**phone)
                    kb, ms = _load(context, url, identity=kind == "identity")
                    figures[kind].append(kb)
                    times[kind].append(ms)
                    if kind == "first":
                        kb, ms = _load(context, url, identity=False)
                        figures["repeat"].append(kb)
                        times["repeat"].append(ms)
                    context.close()
            browser.close()
        med = {k: statistics.median(v) for k, v in figures.items()}
        tmed = {k: statistics.median(v) for k, v in times.items()}
        for kind in ("first", "identity", "repeat"):
            print(
                f"{kind:>8}: {med[kind]:8.1f} KB  {tmed[kind]:7.0f} ms  (runs: {', '.join(f'{x:.1f}' for x in figures[kind])} KB)"
            )
        print(
            f"first_kb={med['first']:.1f} identity_kb={med['identity']:.1f} repeat_kb={med['repeat']:.1f} "
            f"first_ms={tmed['first']:.0f} identity_ms={tmed['identity']:.0f} repeat_ms={tmed['repeat']:.0f} "
            f"ratio={med['first'] / med['identity']:.2f} load1={os.getloadavg()[0]:.1f}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            serving.drop_database(SCRATCH)


if __name__ == "__main__":
    main()
