"""Project files: hostile values at every path, deleted facts, tags, duplicate keys, broken bytes, a BOM."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import yaml

from approval_rules import evaluate, load_rule_book, parse_project
from approval_rules.core.bundled import cases_dir
from approval_rules.core.diagnostics import ProjectFileError
from approval_rules.engine.backends import make_backend
from approval_rules.ruleset.loader import load_project

from .hostile import DELETE, HOSTILE, MARK, TAGS, as_json, as_yaml, byte_mutation, get, leaves, problems_in_messages, put

DECISIONS = {"approve", "reject", "needs_correction", "refer"}


@dataclass
class Base:
    name: str
    data: dict[str, Any]
    profile: Any
    decision: str


class ProjectTarget:
    name = "project"

    def __init__(self) -> None:
        self.book = load_rule_book()
        self.reference = make_backend("reference")
        self.bases = load_bases(self.book)
        self.last = ""
        self.presumed = False

    def one(self, rng: random.Random) -> tuple[str, list[str]]:
        """One mutated file, written as JSON and as YAML where the mutation allows: the problems found."""
        base = rng.choice(self.bases)
        m = mutated(rng, base)
        self.last = m.what
        results = [self.decide(text, f"x.{fmt}", base) for fmt, text in m.texts]
        problems = [p for r in results for p in r[1]]
        kinds = [r[0] for r in results]
        if len(set(kinds)) > 1:
            problems.append(f"同一内容的不同写法结果不同：{kinds}")
        if m.refused and any(k != "error" for k in kinds):
            problems.append(f"{m.refused}却被接受：{kinds}")
        if m.kind == "delete" and "approve" in kinds and base.decision != "approve" and not self.presumed:
            problems.append(f"删去一项事实后由 {base.decision} 变为 approve，又没有依据任何推定（失效开放）")
        return m.what, problems

    def decide(self, text: str, source: str, base: Base) -> tuple[str, list[str]]:
        """``error`` or the decision, and the promises broken on the way."""
        try:
            project = parse_project(text, source).project
        except ProjectFileError as exc:
            return "error", _diagnostic_problems(exc, text)
        d = evaluate(self.book, project, profile=base.profile)
        self.presumed = bool(d.filled_of("presume"))
        problems = _decision_problems(d)
        ref = evaluate(self.book, project, profile=base.profile, backend=self.reference)
        if _comparable(ref) != _comparable(d):
            problems.append(f"参照后端结果不同：{d.decision} 对 {ref.decision}")
        return d.decision, problems


def load_bases(book: Any | None) -> list[Base]:
    """The bundled cases as plain data (without ``expect``), with their decisions when ``book`` is given."""
    bases = []
    for path in sorted(cases_dir().rglob("*.yaml")):
        loaded = load_project(path)
        profile = loaded.expect.profile if loaded.expect else None
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.pop("expect", None)
        decision = evaluate(book, loaded.project, profile=profile).decision if book is not None else ""
        bases.append(Base(path.name, json.loads(json.dumps(data, default=str)), profile, decision))
    return bases


@dataclass
class Mutation:
    what: str
    kind: str
    texts: list[tuple[str, str]]  # (json | yaml, text): the same content in each
    refused: str | None = None  # why every reader must refuse it


def mutated(rng: random.Random, base: Base) -> Mutation:
    """A mutation of ``base``: a hostile value, a deleted fact, a tag, a duplicate key, broken bytes or a BOM."""
    kind = rng.choice(["hostile", "hostile", "delete", "delete", "tag", "duplicate", "bytes", "bom"])
    paths = leaves(base.data)
    if kind == "delete":
        paths = [p for p in paths if isinstance(p[-1], str)] or paths  # a list item gone is a smaller list, not a missing fact
    path = rng.choice(paths)
    what = f"{base.name} {kind} {'.'.join(map(str, path))}"
    if kind == "hostile":
        h = rng.choice(HOSTILE)
        data = put(base.data, path, MARK)
        return Mutation(f"{what} = {h.name}", kind, [("json", as_json(data, h)), ("yaml", as_yaml(data, h))],
                        f"无效值 {h.name}" if h.invalid else None)
    if kind == "delete":
        data = put(base.data, path, DELETE)
        return Mutation(what, kind, [("json", as_json(data)), ("yaml", as_yaml(data))])
    if kind == "tag":
        return Mutation(what, kind, [("yaml", _tagged(rng, as_yaml(base.data)))], "YAML 标签")
    if kind == "duplicate":
        return Mutation(what, kind, [("json", _duplicated(base.data, rng))], "JSON 重复键")
    fmt = rng.choice(["json", "yaml"])
    text = as_json(base.data) if fmt == "json" else as_yaml(base.data)
    if kind == "bom":
        return Mutation(what, kind, [(fmt, text), (fmt, "\ufeff" + text)])
    for _ in range(rng.randrange(1, 4)):
        text = byte_mutation(rng, text)
    return Mutation(what, kind, [(fmt, text)])


def _comparable(d: Any) -> dict:
    out = d.to_dict()
    for key in ("passed", "not_applicable"):  # the backends visit rules in different orders
        out[key] = sorted(out[key])
    return out


def _diagnostic_problems(exc: ProjectFileError, text: str) -> list[str]:
    problems = problems_in_messages([d.message for d in exc.diagnostics])
    if not exc.diagnostics:
        problems.append("ProjectFileError 没有任何诊断")
    lines = text.count("\n") + 2
    for d in exc.diagnostics:
        if d.pos is None or not (1 <= d.pos.line <= lines):
            problems.append(f"位置不在文件内：{d.pos}")
        if len(d.message) > 2000:
            problems.append(f"消息过长（{len(d.message)} 字）")
    return problems


def _decision_problems(d: Any) -> list[str]:
    problems = []
    if d.decision not in DECISIONS:
        problems.append(f"未知的决定 {d.decision}")
    if d.decision == "approve":
        if d.corrections:
            problems.append("准予许可却有补正项")
        blocking = [f.rule_id for f in d.findings if f.effect != "info"]
        if blocking:
            problems.append(f"准予许可却有问题规则：{blocking[:5]}")
    try:
        json.dumps(d.to_dict(), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        problems.append(f"决定无法写成 JSON：{type(exc).__name__}")
    return problems


def _tagged(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if line.rstrip().endswith(":") or ": " in line]
    i = rng.choice(keyed)
    line = lines[i]
    tag = rng.choice(TAGS)
    if line.rstrip().endswith(":"):
        lines[i] = line.rstrip() + " " + tag
    else:
        key, value = line.split(": ", 1)
        lines[i] = f"{key}: {tag} {value}" if rng.random() < 0.5 else f"{key}: {tag} {{a: 1}}"
    return "\n".join(lines)


def _duplicated(data: dict, rng: random.Random) -> str:
    """JSON text in which one mapping repeats a key with another value."""
    holders = [p for p in [()] + leaves(data) if isinstance(get(data, p), dict) and get(data, p)]
    holder = rng.choice(holders)
    key = rng.choice(list(get(data, holder)))
    marker = "\x00DUP\x00"
    copy = put(data, holder + (marker,), "重复的值") if holder else {**data, marker: "重复的值"}
    return as_json(copy).replace(json.dumps(marker, ensure_ascii=False), json.dumps(key, ensure_ascii=False))
