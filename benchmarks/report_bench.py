"""Benchmark: the HTML report of a large results store, its size and how long a browser takes to open it.

    python benchmarks/report_bench.py                    # 100,000 generated cases, screened with -j 2
    python benchmarks/report_bench.py --db /tmp/report-big.sqlite   # a store screened already
    python benchmarks/report_bench.py -n 5000 --json /tmp/report-bench.json

Unless ``--db`` is given, it generates ``-n`` cases with the hidden ``approval-rules generate``
command (fixed seed) and screens them with ``approval-rules screen -j 2`` into a new store, as
subprocesses and exactly as a user would. Then it runs ``approval-rules report DB -o PAGE``
(timed), and opens the page in a real headless browser (Playwright driving Debian's chromium
through ``executable_path``, never a downloaded browser) ``--repeat`` times, each in a fresh page:

- ``load_ms``: from the start of navigation to the ``load`` event (the page read and parsed,
  its inline script run: the case data parsed and the first page of the case table built);
- ``ready_ms``: until the first page of cases is in the table (the script marks ``body[data-ready]``);
- ``search_ms``: typing an enterprise name into the search box until the table shows the match.

The page size is the file's size in bytes. A table is printed and the figures are written as JSON
(``--json``). These are measurements, not test assertions. Needs Playwright (a test dependency).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("approval-rules")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "approval_rules.cli"]


def _run(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*_cli(), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def _screen(n: int, work: Path) -> Path:
    cases, db = work / "cases.jsonl", work / "cases.sqlite"
    _run("generate", "-n", str(n), "-o", str(cases))
    subprocess.run([*_cli(), "screen", str(cases), "-j", "2", "--db", str(db), "--format", "csv", "-o", str(work / "out.csv"),
                    "--no-progress"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return db


def _open(page_path: Path, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    loads, readies, searches = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(repeat):
            page = browser.new_page()
            page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_selector("body[data-ready] #case-table tbody tr")
            timing = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                return {load: nav.loadEventEnd - nav.startTime, ready: performance.now()};
            }""")
            loads.append(timing["load"])
            readies.append(timing["ready"])
            name = page.locator("#case-table tbody tr:last-child td:nth-child(2)").inner_text()
            start = time.perf_counter()
            page.fill("#q", name)
            page.wait_for_function("() => +document.getElementById('shown').textContent < 1000", timeout=60_000)
            searches.append((time.perf_counter() - start) * 1000)
            page.close()
        browser.close()
    return {"load_ms": statistics.median(loads), "ready_ms": statistics.median(readies),
            "search_ms": statistics.median(searches)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="cases to generate and screen (without --db)")
    ap.add_argument("--db", type=Path, help="an existing results store (skips generating and screening)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        work = Path(tmp)
        db = args.db or _screen(args.n, work)
        page = work / "report.html"
        report_s = _run("report", str(db), "-o", str(page))
        figures = {"cases": _count(db), "bytes": page.stat().st_size, "report_s": round(report_s, 1),
                   **{k: round(v) for k, v in _open(page, args.repeat).items()},
                   "machine": f"{platform.machine()}, {platform.python_version()}"}
    print(f"{figures['cases']:,} 件：页面 {figures['bytes']:,} 字节（{figures['bytes'] / 1e6:.1f} MB），生成 {figures['report_s']} 秒；"
          f"打开到 load {figures['load_ms']} ms，首页表格 {figures['ready_ms']} ms，搜索 {figures['search_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _count(db: Path) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":
    main()
