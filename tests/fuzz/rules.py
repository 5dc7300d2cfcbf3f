"""Rule sets: hostile conditions (deep nesting, long sums, huge numbers, overflowing dates), hostile
YAML (tags, aliases, duplicate keys, broken bytes), then lint, compile and every bundled case."""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from pathlib import Path

from approval_rules import compile_rules, evaluate, load_rules
from approval_rules.authoring.lint import lint
from approval_rules.core.bundled import cases_dir, rules_dir
from approval_rules.core.diagnostics import RulesError
from approval_rules.ruleset.loader import load_project

from .hostile import TAGS, byte_mutation, problems_in_messages

CONDITION = re.compile(r"^(\s*(?:- )?(?:when|require): )(.+)$", re.M)
DATE_FACT = "application.submitted_date"


def hostile_condition(rng: random.Random, original: str) -> str:
    n = rng.choice([20, 100, 300, 1000])
    kind = rng.randrange(9)
    if kind == 0:
        return "not (" * n + original + ")" * n
    if kind == 1:
        return "(" * n + original + ")" * n
    if kind == 2:
        return f"({original}) and (" + " + ".join(["1"] * n) + f" == {n})"
    if kind == 3:
        return f"({original}) and {DATE_FACT} + {rng.choice([9000, 100000, 10**30])} years > as_of"
    if kind == 4:
        return f"({original}) and {DATE_FACT} - {rng.choice([3000, 9000])} years < as_of"
    if kind == 5:
        return f"({original}) and {rng.choice(['9' * 5000, '1e400', '0.' + '0' * 400 + '1'])} > 0"
    if kind == 6:
        return f"({original}) and {DATE_FACT} < {rng.choice(['9999-12-31', '0001-01-01', '2024-02-30'])}"
    if kind == 7:
        depth = rng.choice([5, 20])
        return f"({original}) and " + "any(personnel where " * depth + "true" + ")" * depth
    terms = " or ".join(f"{DATE_FACT} > {2000 + i % 50}-01-{1 + i % 28:02d}" for i in range(n * 3))
    return f"({original}) and ({terms})"


def hostile_yaml(rng: random.Random, text: str) -> str:
    kind = rng.randrange(5)
    lines = text.split("\n")
    if kind == 0:
        keyed = [i for i, line in enumerate(lines) if ": " in line]
        i = rng.choice(keyed)
        key, value = lines[i].split(": ", 1)
        lines[i] = f"{key}: {rng.choice(TAGS)} {value}"
        return "\n".join(lines)
    if kind == 1:
        bomb = "bomb: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"b{i}: &a{i} [*{'a' if i == 0 else f'a{i - 1}'}, *{'a' if i == 0 else f'a{i - 1}'}, *{'a' if i == 0 else f'a{i - 1}'}, *{'a' if i == 0 else f'a{i - 1}'}]\n"
            for i in range(12))
        return bomb + text
    if kind == 2:
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s+\w+: ", line)]
        i = rng.choice(keyed)
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if kind == 3:
        value = rng.choice(["0001-01-01", "9999-12-31", "2024-13-01", "9" * 5000, ".nan", '"\\ud800"'])
        dated = [i for i, line in enumerate(lines) if re.search(r"(from|to|article|clause): ", line)]
        if dated:
            i = rng.choice(dated)
            lines[i] = re.sub(r"((?:from|to|article|clause): )[^,}\s]+", lambda m: m.group(1) + value, lines[i], count=1)
        return "\n".join(lines)
    for _ in range(rng.randrange(1, 4)):
        text = byte_mutation(rng, text)
    return text


class RulesTarget:
    name = "rules"

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="fuzz-rules-"))
        self.domains = sorted(p.parent for p in rules_dir().glob("*/ruleset.yaml"))
        self.cases = {d.name: [load_project(c) for c in sorted((cases_dir() / d.name).rglob("*.yaml"))[::4]]
                      for d in self.domains}

    def one(self, rng: random.Random) -> tuple[str, list[str]]:
        self.last = "（变异之前）"
        domain = rng.choice(self.domains)
        work = self.tmp / domain.name
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(domain, work)
        files = sorted(work.glob("*.yaml"))
        target = rng.choice(files)
        text = target.read_text(encoding="utf-8")
        if rng.random() < 0.6 and CONDITION.search(text):
            matches = list(CONDITION.finditer(text))
            m = rng.choice(matches)
            cond = hostile_condition(rng, m.group(2).strip())
            text = text[: m.start(2)] + cond.replace("\\", "\\\\") + text[m.end(2):]
            what = f"{target.name}:{text[: m.start()].count(chr(10)) + 1} 条件 {cond[:60]}…"
        else:
            text = hostile_yaml(rng, text)
            what = f"{target.name} YAML 变异"
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        self.last = what
        return what, self.check(work, domain.name)

    def check(self, work: Path, domain: str) -> list[str]:
        problems: list[str] = []
        report = lint(work)
        problems += problems_in_messages([d.message for d in report.diagnostics])
        try:
            book = compile_rules(load_rules(work))
        except RulesError as exc:
            problems += problems_in_messages([d.message for d in exc.diagnostics])
            if not report.errors:
                problems.append("lint 无错误，加载却失败")
            return problems
        for loaded in self.cases[domain]:
            profile = loaded.expect.profile if loaded.expect else None
            d = evaluate(book, loaded.project, profile=profile)
            if d.decision == "approve" and d.corrections:
                problems.append("准予许可却有补正项")
        return problems

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
