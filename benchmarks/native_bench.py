"""Full decisions per second of the native engine alone, on one core: the quick check while working
on the engine (benchmarks/compare.py is the side-by-side with the peers).

    python benchmarks/native_bench.py [--files 3000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from approval_rules import evaluate, load_rule_book, parse_project
from approval_rules.batch.synthetic import Generator, load_templates
from approval_rules.core.bundled import cases_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    book = load_rule_book()
    lines = Generator(load_templates(cases_dir()), seed=args.seed).lines(args.files)
    files = [parse_project(line, f"{i}.json").project for i, line in enumerate(lines)]
    for p in files:  # warm: every routing key's plan compiled before timing
        evaluate(book, p)
    rates = []
    for _ in range(args.rounds):
        start = time.process_time()
        for p in files:
            evaluate(book, p)
        rates.append(len(files) / (time.process_time() - start))
    print(f"native：{statistics.median(rates):,.0f} 件/秒（CPU 时间，{args.rounds} 轮中位数；"
          f"最慢 {min(rates):,.0f}，最快 {max(rates):,.0f}；{args.files} 个生成的案卷）")


if __name__ == "__main__":
    main()
