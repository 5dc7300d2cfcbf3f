"""Many threads on one fresh rule book: lazy state filled by the first decisions must not race."""

from __future__ import annotations

import sys
import threading

from approval_rules import compile_rules, evaluate
from approval_rules.ruleset.loader import load_rules
from approval_rules.core.bundled import cases_dir, rules_dir
from approval_rules.ruleset.loader import load_project

THREADS = 8


def _projects():
    files = sorted(cases_dir().rglob("*.yaml"))[::10]
    return [load_project(f).project for f in files]


def test_threads_starting_together_on_fresh_books_agree_with_one_thread():
    rulesets = load_rules(rules_dir())
    projects = _projects()
    serial = [evaluate(compile_rules(rulesets), p).to_dict() for p in projects]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet the races
    try:
        for _ in range(3):
            book = compile_rules(rulesets)
            start = threading.Barrier(THREADS)
            results: list[list[dict]] = [[] for _ in range(THREADS)]
            errors: list[BaseException] = []

            def work(k: int) -> None:
                start.wait()
                try:
                    # Each thread walks the files from a different place, so first uses collide.
                    order = projects[k:] + projects[:k]
                    results[k] = [evaluate(book, p).to_dict() for p in order]
                except BaseException as exc:  # noqa: BLE001 - reported below with the thread's number
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors, errors[:3]
            for k, got in enumerate(results):
                assert got == serial[k:] + serial[:k]
    finally:
        sys.setswitchinterval(old)
