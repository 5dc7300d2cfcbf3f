"""Load test of the decision service on loopback: many concurrent clients, generated files, the SQLite log on.

    python benchmarks/service_bench.py                       # serve --workers 2, 16 clients, 20 s
    python benchmarks/service_bench.py --seconds 5 --kill-worker --json /tmp/kill.json

Starts ``approval-rules serve --workers N`` (a fresh data directory: bundled rules, SQLite
decision log) on a free loopback port, waits until it is ready, then runs C concurrent
keep-alive HTTP/1.1 connections (one asyncio client process, a minimal client so that the load
generator costs little of the 2 cores it shares with the server) cycling 200 generated project
files (``approval-rules generate``, seed 7) through ``POST /v1/decisions`` for S seconds after a
2-second warm-up. Every request carries its own ``X-Request-Id``. It reports requests/s, p50,
p90, p99 and the errors, and beside them the in-process rate of parse + ``evaluate`` +
``to_dict`` on the same files (one core, no HTTP, no log).

Then it checks the log against the answers: every answered decision has its row (same
decision id and request id), and every row of the run belongs to a request that was answered —
or, with ``--kill-worker`` (one worker is sent SIGKILL in the middle of the run; uvicorn starts a
new one), to a request whose connection the kill cut, which the caller sees as an error and
may retry. The figures are printed and written as JSON (``--json``, default
``benchmarks/service-results.json``). Linux, loopback only; needs the ``service`` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bodies(n: int = 200) -> list[bytes]:
    from approval_rules.batch.synthetic import Generator, load_templates
    from approval_rules.core.bundled import cases_dir

    return [line.encode() for line in Generator(load_templates(cases_dir()), seed=7).lines(n)]


def in_process_rate(files: list[bytes], seconds: float = 3.0) -> float:
    from approval_rules import evaluate, load_rule_book, parse_project

    book = load_rule_book()
    for b in files:
        evaluate(book, parse_project(b.decode(), "x.json", "json").project)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for b in files:
            evaluate(book, parse_project(b.decode(), "x.json", "json").project).to_dict()
        done += len(files)
    return done / (time.perf_counter() - start)


async def one(reader, writer, port: int, body: bytes, request_id: str) -> tuple[int, dict]:
    head = (f"POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Request-Id: {request_id}\r\n\r\n").encode()
    writer.write(head + body)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    payload = await reader.readexactly(length)
    return status, json.loads(payload) if status == 200 else {}


async def client(port: int, files: list[bytes], offset: int, until: float, measure_from: float, out: dict) -> None:
    i = offset
    conn = None
    while time.monotonic() < until:
        rid = uuid.uuid4().hex
        body = files[i % len(files)]
        i += 1
        started = time.monotonic()
        try:
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
            status, answer = await one(*conn, port, body, rid)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            out["cut"].append(rid)
            if conn is not None:
                conn[1].close()
            conn = None
            continue
        elapsed = time.monotonic() - started
        if status == 200:
            out["answered"][rid] = answer["decision_id"]
            if started >= measure_from:
                out["latencies"].append(elapsed)
        else:
            out["errors"].append((rid, status))
    if conn is not None:
        conn[1].close()


async def drive(port: int, files: list[bytes], clients: int, warmup: float, seconds: float, kill, out: dict) -> float:
    now = time.monotonic()
    measure_from, until = now + warmup, now + warmup + seconds
    tasks = [asyncio.create_task(client(port, files, k * 13, until, measure_from, out)) for k in range(clients)]
    if kill is not None:
        await asyncio.sleep(warmup + seconds / 2)
        kill()
    await asyncio.gather(*tasks)
    return measure_from


def worker_pids(parent: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def run(workers: int, clients: int, seconds: float, warmup: float, kill_worker: bool) -> dict:
    files = bodies()
    data = Path(tempfile.mkdtemp(prefix="approval-rules-bench-"))
    port = free_port()
    log_file = open(data / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "approval_rules", "serve", "--port", str(port), "--workers", str(workers),
                             "--data-dir", str(data)], stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import urllib.request

        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("服务未能就绪：\n" + (data / "serve.log").read_text(errors="replace"))
                time.sleep(0.2)
        time.sleep(1.0)  # let every worker finish warming
        out: dict = {"answered": {}, "latencies": [], "errors": [], "cut": []}
        killed: list[int] = []

        def kill() -> None:
            pids = worker_pids(proc.pid)
            workers_only = [p for p in pids if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
            victim = (workers_only or pids)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        started = time.monotonic()
        # In a thread of its own: the caller may already run an event loop (pytest-playwright's does).
        loader = threading.Thread(target=lambda: asyncio.run(drive(port, files, clients, warmup, seconds,
                                                                   kill if kill_worker else None, out)))
        loader.start()
        loader.join()
        wall = time.monotonic() - started - warmup
        time.sleep(1.0)  # uvicorn's supervisor replaces a dead worker
        after = [p for p in worker_pids(proc.pid) if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log_file.close()
    lat = sorted(out["latencies"])

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else 0.0

    db = sqlite3.connect(data / "decisions.sqlite")
    logged = dict(db.execute("SELECT request_id, decision_id FROM decisions").fetchall())
    db.close()
    answered = out["answered"]
    missing_rows = [rid for rid, did in answered.items() if logged.get(rid) != did]
    cut = set(out["cut"])
    rows_unanswered = [rid for rid in logged if rid not in answered]
    rows_unexplained = [rid for rid in rows_unanswered if rid not in cut]
    return {
        "workers": workers, "clients": clients, "seconds": round(wall, 2), "kill_worker": kill_worker,
        "requests": len(lat), "requests_per_s": round(len(lat) / wall, 1) if wall else 0.0,
        "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "max_ms": pct(1.0),
        "http_errors": len(out["errors"]), "connections_cut": len(cut),
        "answered": len(answered), "log_rows": len(logged),
        "answered_without_row": len(missing_rows),
        "rows_of_cut_requests": len(rows_unanswered) - len(rows_unexplained),
        "rows_without_request": len(rows_unexplained),
        "killed_worker": killed[0] if killed else None, "workers_after": len(after),
        "killed_worker_replaced": bool(killed) and killed[0] not in after and len(after) == workers,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--kill-worker", action="store_true")
    ap.add_argument("--no-inprocess", action="store_true", help="skip the in-process evaluate rate")
    ap.add_argument("--json", default=str(HERE / "service-results.json"))
    args = ap.parse_args()
    result = run(args.workers, args.clients, args.seconds, args.warmup, args.kill_worker)
    if not args.no_inprocess:
        result["in_process_decisions_per_s"] = round(in_process_rate(bodies()), 1)
    result.update({"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                   "date": time.strftime("%Y-%m-%d"), "command": " ".join(["python", "benchmarks/service_bench.py", *sys.argv[1:]])})
    print(json.dumps(result, ensure_ascii=False, indent=2))
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
