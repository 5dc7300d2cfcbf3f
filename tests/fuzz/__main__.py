"""``python -m tests.fuzz [--target T] [--seconds N] [--seed S]``: run fuzz targets within a time budget."""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

PER_INPUT_SECONDS = 30  # an input that takes longer is a finding (an alias bomb, a lint that never ends)


@dataclass
class Outcome:
    target: str
    tried: int = 0
    seconds: float = 0.0
    findings: dict[str, dict] = field(default_factory=dict)  # one example per kind of problem

    def add(self, what: str, problem: str) -> None:
        key = problem.split("：")[0][:60]
        self.findings.setdefault(key, {"input": what, "problem": problem[:2000], "count": 0})["count"] += 1


def make(name: str):
    if name == "project":
        from .project import ProjectTarget
        return ProjectTarget()
    if name == "rules":
        from .rules import RulesTarget
        return RulesTarget()
    if name == "batch":
        from .batch import BatchTarget
        return BatchTarget()
    from .service import ServiceTarget
    return ServiceTarget()


TARGETS = ("project", "rules", "batch", "service")


class _Slow(Exception):
    pass


def _alarm(signum, frame):
    raise _Slow


def run(name: str, seconds: float, seed: int, max_inputs: int | None = None) -> Outcome:
    """Mutate and check inputs of one kind until ``seconds`` pass (or ``max_inputs`` are tried)."""
    out = Outcome(name)
    target = make(name)
    rng = random.Random(seed)
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        while time.monotonic() - start < seconds and (max_inputs is None or out.tried < max_inputs):
            signal.alarm(PER_INPUT_SECONDS)
            try:
                what, problems = target.one(rng)
            except _Slow:
                what, problems = target.last, [f"超过 {PER_INPUT_SECONDS} 秒"]
            except Exception as exc:  # noqa: BLE001 - a crash is the finding
                frames = traceback.extract_tb(exc.__traceback__)[-3:]
                where = " ← ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames))
                what, problems = target.last, [f"崩溃 {type(exc).__name__}：{str(exc)[:200]}（{where}）"]
            finally:
                signal.alarm(0)
            out.tried += 1
            for p in problems:
                out.add(what, p)
    finally:
        signal.signal(signal.SIGALRM, old)
        close = getattr(target, "close", None)
        if close:
            close()
    out.seconds = round(time.monotonic() - start, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description="在限定时间内对各类输入做模糊测试")
    parser.add_argument("--target", choices=TARGETS + ("all",), default="all", help="输入种类（缺省：全部）")
    parser.add_argument("--seconds", type=float, default=60, help="每个目标的时间（秒）")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="随机种子（复现用）")
    parser.add_argument("--json", type=Path, help="把结果写入该 JSON 文件")
    args = parser.parse_args(argv)
    names = TARGETS if args.target == "all" else (args.target,)
    outcomes = [run(n, args.seconds, args.seed) for n in names]
    for o in outcomes:
        print(f"{o.target}：{o.seconds} 秒试了 {o.tried} 个输入，发现 {len(o.findings)} 类问题（种子 {args.seed}）")
        for f in o.findings.values():
            print(f"  - {f['problem'][:300]}\n    输入：{f['input'][:200]}（{f['count']} 次）")
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if any(o.findings for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
