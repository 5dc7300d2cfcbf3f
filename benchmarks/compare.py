"""Decisions per second on one core, side by side: native engine, reference interpreter, durable-rules, zen.

    pip install -r benchmarks/requirements.txt && python benchmarks/compare.py
    python benchmarks/compare.py --n 3000 --json benchmarks/compare-results.json

All engines run the bundled rule sets over the same generated project files (the hidden
``approval-rules generate`` generator, fixed seed), pinned to one CPU core, after a warm-up.
The timed runs are interleaved (each round times every engine once), so that a shared
machine's slow moments fall on all engines alike; each engine's rate is the median of its
rounds, its best round is shown too, and the ratios compare medians. The median rate by CPU
time (what the process itself spent, without a shared host's steal time) is shown beside it.
A *decision* is:

- native / reference / durable: ``evaluate(book, file, backend=…)``, the full decision contract
  (every rule in force decided, findings with messages, facts read and citations);
- zen: one ``ZenDecision.evaluate`` of the same rules translated to a zen expression decision
  (``zen_translate.py``; rules it cannot express are left out and counted), then each rule's
  violation from the two truth values zen returns: rule outcomes only, no findings.

Before timing, each engine is checked against the native engine on the first files: the same
decisions and findings (durable, reference), the same rule outcomes (zen, on the rules it
expresses). A table is printed, with each engine's ratio to the native engine, and written as JSON.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

from approval_rules import load_rule_book
from approval_rules.core.bundled import cases_dir
from approval_rules.engine import make_backend
from approval_rules.engine.evaluator import combine, evaluate
from approval_rules.model.project import ProjectFile
from approval_rules.batch.synthetic import Generator, load_templates
from approval_rules.lang.values import UNKNOWN

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _normalise(project: ProjectFile, day: _dt.date) -> dict[str, Any]:
    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v.toordinal() if isinstance(v, _dt.date) else v

    doc = clean(project.model_dump(mode="python", by_alias=True, exclude_none=True))
    doc["__as_of"] = day.toordinal()
    return doc


def _known(value: Any) -> Any:
    return UNKNOWN if value is None else value  # zen omits (or nulls) what is unknown


def _rates(engines: dict[str, Callable[[int], object]], sizes: dict[str, int], rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per engine, its rate in each round by the wall clock and by this process's CPU time.

    On a shared host the wall clock also counts time the VM was not given a CPU (steal);
    the CPU-time rate leaves that out, so both are reported.
    """
    for name, fn in engines.items():
        for i in range(min(200, sizes[name])):
            fn(i)
    out: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in engines}
    for _ in range(rounds):
        for name, fn in engines.items():
            t, c = time.perf_counter(), time.process_time()
            for i in range(sizes[name]):
                fn(i)
            out[name][0].append(sizes[name] / (time.perf_counter() - t))
            out[name][1].append(sizes[name] / (time.process_time() - c))
    return out


def _comparable(d) -> dict:
    x = d.to_dict()
    x["passed"], x["not_applicable"] = sorted(x["passed"]), sorted(x["not_applicable"])
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="decisions per timed run (native, reference, zen)")
    ap.add_argument("--slow-n", type=int, default=300, help="decisions per timed run for durable")
    ap.add_argument("--files", type=int, default=2000, help="distinct generated files, cycled")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--check", type=int, default=300, help="files checked against the native engine before timing")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved timed rounds per engine")
    ap.add_argument("--json", type=Path, default=HERE / "compare-results.json")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    book = load_rule_book()
    gen = Generator(load_templates(cases_dir()), seed=args.seed)
    files = [ProjectFile.model_validate(r) for r in gen.records(args.files)]
    days = [f.decision_date or f.application.submitted_date for f in files]
    native = make_backend("native")
    reference = make_backend("reference")
    engines: dict[str, Callable[[int], object]] = {
        "native": lambda i: evaluate(book, files[i % len(files)], backend=native),
        "reference": lambda i: evaluate(book, files[i % len(files)], backend=reference),
    }
    checks: dict[str, str] = {}
    notes: dict[str, str] = {"native": "full decisions with findings", "reference": "full decisions with findings"}
    baseline = [_comparable(evaluate(book, files[i])) for i in range(min(args.check, len(files)))]

    for name, backend in (("reference", reference),):
        bad = sum(_comparable(evaluate(book, files[i], backend=backend)) != baseline[i] for i in range(len(baseline)))
        checks[name] = f"{bad} mismatches in {len(baseline)}"
    try:
        durable = make_backend("durable")
        engines["durable"] = lambda i: evaluate(book, files[i % len(files)], backend=durable)
        bad = sum(_comparable(evaluate(book, files[i], backend=durable)) != baseline[i] for i in range(len(baseline)))
        checks["durable"] = f"{bad} mismatches in {len(baseline)}"
        notes["durable"] = "full decisions with findings"
    except Exception as exc:  # noqa: BLE001 - report what is missing, measure the rest
        checks["durable"] = f"not measured: {exc}"
    try:
        import zen

        from zen_translate import translate

        content, keys, skipped = translate(book)
        decision = zen.ZenEngine().create_decision(content)
        contexts = [_normalise(f, d) for f, d in zip(files, days)]
        active = [[r for r in book.active(d) if id(r) in keys] for d in days]

        def zen_decide(i: int) -> list:
            j = i % len(files)
            out = decision.evaluate(contexts[j])["result"]
            return [(r.id, combine(_known(out.get(keys[id(r)][0])), _known(out.get(keys[id(r)][1])))) for r in active[j]]

        engines["zen"] = zen_decide
        bad = 0
        for i in range(len(baseline)):
            _, verdicts = native.verdicts(book, files[i], days[i])
            mine = {r.id: v for r, v in verdicts}
            for rule_id, v in zen_decide(i):
                v = None if v is None else (True if v is True else False if v is False else "unknown")
                w = mine.get(rule_id)  # absent: ruled out by the index, i.e. not applicable
                w = None if w is None else (True if w is True else False if w is False else "unknown")
                bad += v != w
        checks["zen"] = f"{bad} differing rule outcomes in {len(baseline)} files ({len(book.rules) - skipped} of {len(book.rules)} rules expressed)"
        notes["zen"] = f"rule outcomes only; {len(book.rules) - skipped}/{len(book.rules)} rules"
    except ImportError as exc:
        checks["zen"] = f"not measured: {exc} (pip install -r benchmarks/requirements.txt)"

    sizes = {name: args.slow_n if name == "durable" else args.n for name in engines}
    results = []
    for name, (rates, cpu_rates) in _rates(engines, sizes, args.rounds).items():
        rate = statistics.median(rates)
        results.append({"engine": name, "decisions_per_s": round(rate), "best_per_s": round(max(rates)),
                        "cpu_decisions_per_s": round(statistics.median(cpu_rates)),
                        "us_per_decision": round(1e6 / rate, 1), "n": sizes[name], "rounds_per_s": [round(r) for r in rates],
                        "check": checks.get(name, "baseline"), "scope": notes.get(name, "")})
    base = next(r["decisions_per_s"] for r in results if r["engine"] == "native")
    for r in results:
        r["native_is_x_times_faster"] = round(base / r["decisions_per_s"], 1)
    print(f"{'engine':10} {'decisions/s':>12} {'best round':>11} {'CPU-time/s':>11} {'µs/decision':>12} {'native ×':>9}  check / scope")
    for r in results:
        print(f"{r['engine']:10} {r['decisions_per_s']:>12,} {r['best_per_s']:>11,} {r['cpu_decisions_per_s']:>11,} {r['us_per_decision']:>12} "
              f"{r['native_is_x_times_faster']:>9}  {r['check']}; {r['scope']}")
    for name, why in checks.items():
        if name not in engines:
            print(f"{name:10} {why}")
    meta = {"python": sys.version.split()[0], "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "files": len(files), "seed": args.seed, "rules": len(book.rules),
            "date": _dt.datetime.now().isoformat(timespec="seconds")}
    args.json.write_text(json.dumps({"meta": meta, "results": results, "checks": checks}, ensure_ascii=False, indent=2))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
