"""Decisions per second on one core, side by side: the native engine and its peers, each at its best.

    pip install -r benchmarks/requirements.txt
    python benchmarks/compare.py --json benchmarks/compare-results.json   # measure (a few minutes)
    python benchmarks/compare.py --markdown                              # the README table from the JSON

Every configuration decides the same generated project files (the hidden ``approval-rules
generate`` generator, fixed seed) with the bundled rules, pinned to one CPU core. Two kinds:

- full decisions (native, reference, durable): ``evaluate(book, file, backend=…)``, the whole
  decision contract: every rule in force decided, findings with messages, facts read, citations;
- rule outcomes only (native-verdicts, durable-verdicts, zen-*, cedar-*): per rule in force that
  the configuration can express, not applicable / passed / failed / unknown; no findings.
  The peers are handed each file as a plain dict (dates as day numbers) built before timing,
  and decide only the rules their language can express (counted); native-verdicts is the
  native engine doing the same job, the like-for-like baseline for them.

Each peer gets its strongest setup found for this workload (see ``zen_translate`` and
``cedar_translate``): compiled once, loaded once, batch calls where the binding has them, and a
variant that, like the native engine, evaluates only the rules its routing index leaves for
the file's kind (the index is the engine's; the peer decides those rules).

Before timing, every configuration is checked against the native engine on the first files:
the same decisions and findings (full decisions), the same outcome per rule (outcomes only);
differences are counted and reported, never dropped. Then the timed runs are interleaved:
each round times every configuration once (in a rotating order), so a shared machine's slow
moments fall on all alike. Reported: the median rate over rounds and the spread (min–max),
the median by CPU time (without the host's steal time), and ratios of medians.
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
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from approval_rules import load_rule_book
from approval_rules.batch.synthetic import Generator, load_templates
from approval_rules.core.bundled import cases_dir
from approval_rules.engine import make_backend
from approval_rules.engine.evaluator import evaluate
from approval_rules.model.project import ProjectFile

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PACKAGES = ("approval-rules", "pydantic", "zen-engine", "cedarpy", "durable-rules")


@dataclass
class Config:
    name: str
    run: Callable[[list[int]], list]  # file indices -> per file a Decision, or id(rule) -> violation
    scope: str
    expressed: set[int] | None = None  # ids of the rules it decides; None: full decisions
    check: str = ""


def plain(project: ProjectFile, day: _dt.date) -> dict[str, Any]:
    """The file as the peers read it: absent facts left out, dates as day numbers, plus the day."""

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v.toordinal() if isinstance(v, _dt.date) else v

    doc = clean(project.model_dump(mode="python", by_alias=True, exclude_none=True))
    doc["__as_of"] = day.toordinal()
    return doc


def _comparable(d) -> dict:
    x = d.to_dict()
    x["passed"], x["not_applicable"] = sorted(x["passed"]), sorted(x["not_applicable"])
    return x


def configurations(book, files: list[ProjectFile], days: list[_dt.date]) -> tuple[list[Config], dict[str, str]]:
    """Every configuration that can run here, and why the others cannot."""
    native, reference = make_backend("native"), make_backend("reference")
    in_force = {d: {r.id: id(r) for r in book.active(d)} for d in set(days)}

    def verdicts(backend) -> Callable[[list[int]], list]:
        def run(idx: list[int]) -> list:
            out = []
            for i in idx:
                never, decided = backend.verdicts(book, files[i], days[i])
                ids = in_force[days[i]]
                out.append({id(r): v for r, v in decided} | {ids[n]: None for n in never})
            return out
        return run

    def decisions(backend) -> Callable[[list[int]], list]:
        return lambda idx: [evaluate(book, files[i], backend=backend) for i in idx]

    full = "full decisions with findings, messages, facts read and citations"
    outcomes = f"rule outcomes only; {len(book.rules)}/{len(book.rules)} rules"
    configs = [
        Config("native", decisions(native), full),
        Config("native-verdicts", verdicts(native), f"{outcomes}; the native engine's routing index and compiled plans",
               {id(r) for r in book.rules}),
        Config("reference", decisions(reference), full),
    ]
    missing: dict[str, str] = {}
    try:
        durable = make_backend("durable")
        from approval_rules.engine.backends.durable_translate import CHUNK

        # What durable's conditions cannot say, the native evaluator computes and durable reads as a fact.
        helped = f"{len(durable.compiled(book).natives)} sub-conditions computed by the native evaluator"
        configs += [Config("durable", decisions(durable), f"{full}; rulesets of ≤{CHUNK} rules, one session per file; {helped}"),
                    Config("durable-verdicts", verdicts(durable), f"{outcomes}; durable's rule firings only; {helped}",
                           {id(r) for r in book.rules})]
    except Exception as exc:  # noqa: BLE001 - report what is missing, measure the rest
        missing["durable"] = str(exc)
    docs = [plain(f, d) for f, d in zip(files, days)]
    for peer in ("zen_translate", "cedar_translate"):
        try:
            module = __import__(peer)
            configs += [Config(name, run, scope, expressed) for name, run, scope, expressed in module.configurations(book, files, days, docs)]
        except ImportError as exc:
            missing[peer.split("_")[0]] = f"{exc} (pip install -r benchmarks/requirements.txt)"
    return configs, missing


def check(config: Config, idx: list[int], expected: list, baseline: list) -> str:
    """How the configuration's answers on ``idx`` differ from the native engine's."""
    got = config.run(idx)
    if config.expressed is None:
        bad = sum(_comparable(d) != baseline[i] for i, d in zip(idx, got))
        return f"{bad} of {len(idx)} decisions differ from native"
    differ = total = 0
    for i, mine in zip(idx, got):
        for rule, want in expected[i].items():
            if rule in config.expressed:
                total += 1
                differ += mine.get(rule, "missing") is not want
    return f"{differ} of {total} rule outcomes differ from native ({len(idx)} files)"


def measure(configs: list[Config], files: int, rounds: int, seconds: float) -> dict[str, dict]:
    """Interleaved rounds; each configuration runs about ``seconds`` per round, sized by a trial.

    A configuration fast enough runs over every file once first: the native engine compiles a
    plan per kind of file on first sight, and that should not be timed.
    """
    sizes = {}
    trial = list(range(min(100, files)))
    for c in configs:
        for warm in (True, False):
            t = time.perf_counter()
            c.run(trial)
            elapsed = time.perf_counter() - t
            if warm and elapsed * files / len(trial) < 5:
                c.run(list(range(files)))
        sizes[c.name] = max(100, int(round(seconds * len(trial) / elapsed, -2)))
    rates: dict[str, tuple[list[float], list[float]]] = {c.name: ([], []) for c in configs}
    start = 0
    for k in range(rounds):
        for c in configs[k % len(configs):] + configs[:k % len(configs)]:
            n = sizes[c.name]
            idx = [(start + j) % files for j in range(n)]
            start += n
            t, cpu = time.perf_counter(), time.process_time()
            c.run(idx)
            rates[c.name][0].append(n / (time.perf_counter() - t))
            rates[c.name][1].append(n / (time.process_time() - cpu))
    return {name: {"n": sizes[name], "wall": wall, "cpu": cpu} for name, (wall, cpu) in rates.items()}


def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(), "machine": platform.machine(),
            "os": platform.platform(), "python": sys.version.split()[0]}


def versions() -> dict[str, str]:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def markdown(data: dict) -> str:
    """The README's performance table, from a results file."""
    m = data["meta"]
    lines = [
        f"Decisions per second on one core of {m['machine']['cpu']} ({m['machine']['cores']} cores, shared), "
        f"Python {m['machine']['python']}, {m['date'][:10]}; {m['files']} generated files, {m['rules']} rules; "
        f"median of {m['rounds']} interleaved rounds (min–max); load average {m['load_average_before'][0]:g} before, "
        f"{m['load_average_after'][0]:g} after. "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v != "not installed") + ".",
        "",
        ("Rates by the wall clock; \"by CPU time\" counts only the CPU the process got (the median; it leaves out "
         "the time a shared host gave to others). Ratios are of wall-clock medians: how many times more decisions "
         "per second native (full decisions) and native-verdicts (rule outcomes only, the like-for-like baseline "
         "for the peers) make."),
        "",
        "| configuration | decides | decisions/s (min–max) | by CPU time | native ÷ this | native-verdicts ÷ this | check against native |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in data["results"]:
        versus = "—" if r["native_verdicts_x"] is None else f"{r['native_verdicts_x']:g}×"
        lines.append(f"| {r['engine']} | {r['scope']} | {r['decisions_per_s']:,} ({r['min_per_s']:,}–{r['max_per_s']:,}) "
                     f"| {r['cpu_decisions_per_s']:,} | {r['native_x']:g}× | {versus} | {r['check']} |")
    lines += ["", f"Measured with `{m['command']}`; regenerate this table with `python benchmarks/compare.py --markdown`."]
    for name, why in data.get("not_measured", {}).items():
        lines.append(f"Not measured: {name}: {why}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=2000, help="distinct generated files, cycled")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--check", type=int, default=300, help="files checked against the native engine before timing")
    ap.add_argument("--rounds", type=int, default=9, help="interleaved timed rounds")
    ap.add_argument("--seconds", type=float, default=1.5, help="about how long each configuration runs per round")
    ap.add_argument("--json", type=Path, default=HERE / "compare-results.json")
    ap.add_argument("--markdown", action="store_true", help="print the table from --json and exit (no measuring)")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.json.read_text())))
        return
    core = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    if core is not None:
        os.sched_setaffinity(0, {core})  # one core, also for the Rust engines' thread pools
    load = os.getloadavg()

    book = load_rule_book()
    gen = Generator(load_templates(cases_dir()), seed=args.seed)
    files = [ProjectFile.model_validate(r) for r in gen.records(args.files)]
    days = [f.decision_date or f.application.submitted_date for f in files]
    configs, missing = configurations(book, files, days)
    idx = list(range(min(args.check, len(files))))
    baseline = [_comparable(evaluate(book, files[i])) for i in idx]
    expected = next(c for c in configs if c.name == "native-verdicts").run(idx)
    for c in configs:
        c.check = "baseline" if c.name in ("native", "native-verdicts") else check(c, idx, expected, baseline)
        print(f"checked {c.name}: {c.check}", flush=True)

    measured = measure(configs, len(files), args.rounds, args.seconds)
    med = {name: statistics.median(m["wall"]) for name, m in measured.items()}
    results = []
    for c in configs:
        m = measured[c.name]
        results.append({
            "engine": c.name, "scope": c.scope, "check": c.check,
            "decisions_per_s": round(med[c.name]), "min_per_s": round(min(m["wall"])), "max_per_s": round(max(m["wall"])),
            "cpu_decisions_per_s": round(statistics.median(m["cpu"])), "us_per_decision": round(1e6 / med[c.name], 1),
            "native_x": round(med["native"] / med[c.name], 2),
            "native_verdicts_x": None if c.expressed is None else round(med["native-verdicts"] / med[c.name], 2),
            "n_per_round": m["n"], "rounds_per_s": [round(r) for r in m["wall"]],
        })
    meta = {"date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "pinned_core": core,
            "load_average_before": [round(x, 2) for x in load], "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "versions": versions(), "files": len(files), "seed": args.seed, "rules": len(book.rules), "rounds": args.rounds,
            "command": "python benchmarks/compare.py " + " ".join(sys.argv[1:])}
    data = {"meta": meta, "results": results, "not_measured": missing}
    args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    print(markdown(data))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
