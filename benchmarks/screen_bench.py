"""Benchmark: end-to-end `approval-rules screen` of generated project files from one JSON Lines file.

    python benchmarks/screen_bench.py                # 20,000 and 100,000 cases, -j 1 and -j 2
    python benchmarks/screen_bench.py --sizes 5000 --jobs 2 --json /tmp/bench.json

For each size and job count it runs, as a subprocess and exactly as a user would,

    approval-rules screen CASES.jsonl -j J --format jsonl -o OUT.jsonl --db OUT.sqlite --no-progress

(so the time includes start-up, compiling the rule book in every worker, reading and hashing the
input, writing every decision to the JSON Lines export and to the SQLite store), and samples the
memory of the whole process tree (the command and its worker processes) every 20 ms from /proc:
the peak of the summed RSS and the peak of the summed PSS (PSS shares the pages that forked
workers have in common with the parent among them, so it is what the tree really occupies; RSS
counts them in every process). The inputs are generated once per run of this script with the
hidden ``approval-rules generate`` command from a fixed seed; the smaller sizes are the first lines
of the largest. A table is printed and the figures are written as JSON (``--json``).

Targets (on a 2-core machine): at least 5,000 cases per second with ``-j 2``; memory under 300 MB
and not growing with the number of inputs. These are benchmark targets, not test assertions.
Linux only (/proc). Needs nothing beyond the package itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak summed RSS and PSS (in KiB) of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.02):
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = _tree(self.pid)
            rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.samples += 1
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def command() -> list[str]:
    exe = shutil.which("approval-rules")
    return [exe] if exe else [sys.executable, "-m", "approval_rules"]


def generate(path: Path, n: int, seed: int) -> float:
    start = time.monotonic()
    subprocess.run(command() + ["generate", "-n", str(n), "--seed", str(seed), "-o", str(path)], check=True,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def head(src: Path, dst: Path, n: int) -> None:
    with open(src, "rb") as f, open(dst, "wb") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)


def screen(cases: Path, n: int, jobs: int, work: Path) -> dict:
    out, db = work / f"out-{n}-j{jobs}.jsonl", work / f"out-{n}-j{jobs}.sqlite"
    for p in (out, db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        p.unlink(missing_ok=True)
    cmd = command() + ["screen", str(cases), "-j", str(jobs), "--format", "jsonl", "-o", str(out), "--db", str(db),
                       "--no-progress"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.monotonic() - start
    sampler.stop()
    if proc.returncode not in (0, 2):
        raise SystemExit(f"screen failed ({proc.returncode}):\n{err}")
    summary = next((line for line in err.splitlines() if line.startswith("共 ")), "")
    m = re.search(r"([\d,]+) 件/秒", summary)
    counts = dict(re.findall(r"(准予许可|不予许可|需补正材料|转人工审查|输入有误) (\d+)", summary))
    lines = sum(1 for _ in open(out, "rb"))
    for p in (out, db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        p.unlink(missing_ok=True)
    return {
        "cases": n,
        "jobs": jobs,
        "wall_seconds": round(wall, 2),
        "cases_per_second": round(n / wall),
        "in_run_cases_per_second": int(m.group(1).replace(",", "")) if m else None,
        "peak_rss_mb": round(sampler.peak_rss / 1024, 1),
        "peak_pss_mb": round(sampler.peak_pss / 1024, 1),
        "processes": sampler.peak_procs,
        "output_lines": lines,
        "counts": {k: int(v) for k, v in counts.items()},
        "exit_code": proc.returncode,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,100000", help="comma-separated case counts (default 20000,100000)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated -j values (default 1,2)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated input here (default: a temp dir)")
    args = ap.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))
    jobs = [int(x) for x in args.jobs.split(",")]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ar-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        biggest = work / f"cases-{sizes[-1]}-seed{args.seed}.jsonl"
        gen_seconds = 0.0
        if not biggest.exists():
            print(f"generating {sizes[-1]:,} project files (seed {args.seed}) …", file=sys.stderr)
            gen_seconds = generate(biggest, sizes[-1], args.seed)
        inputs = {sizes[-1]: biggest}
        for n in sizes[:-1]:
            inputs[n] = work / f"cases-{n}-seed{args.seed}.jsonl"
            head(biggest, inputs[n], n)
        results = []
        for n in sizes:
            for j in jobs:
                print(f"screening {n:,} cases with -j {j} …", file=sys.stderr)
                results.append(screen(inputs[n], n, j, work))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    header = f"{'cases':>8} {'-j':>3} {'seconds':>8} {'cases/s':>8} {'in-run/s':>9} {'peak RSS MB':>12} {'peak PSS MB':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['cases']:>8,} {r['jobs']:>3} {r['wall_seconds']:>8.1f} {r['cases_per_second']:>8,} "
              f"{r['in_run_cases_per_second'] or 0:>9,} {r['peak_rss_mb']:>12.1f} {r['peak_pss_mb']:>12.1f}")
    print(f"decisions ({sizes[-1]:,} cases): {results[-1]['counts']}")
    doc = {
        "benchmark": "approval-rules screen, end to end, one JSON Lines file",
        "seed": args.seed,
        "generate_seconds": round(gen_seconds, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets": {"cases_per_second_j2": 5000, "peak_memory_mb": 300},
        "results": results,
    }
    args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
