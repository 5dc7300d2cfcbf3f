"""Realistic synthetic project files, reproducible from a seed, for benchmarks and load tests.

Templates are the bundled example cases (``cases/``: real-looking files written by legal staff,
each with the decision it should get); a domain with no template yet falls back to a small
built-in one. Each generated file is one template with principled variations:

- identity (always; does not change the decision): a fresh ``case_id`` and application id,
  enterprise name and credit code, amounts and head counts scaled by up to ±20 %;
- dates (half of the files): every date in the file moved by the same number of days (up to a
  year either way), so deadlines relative to each other still hold but the law in force may change;
- lists (a fifth): one element of a list (personnel, enforcement, inspections, …) dropped or repeated;
- missing facts (a sixth): one optional fact removed, which usually makes a rule "unknown" (补正);
- flags (a tenth): one yes/no fact flipped, which often fails a rule (不予许可 or 转人工审查).

Domains are taken in turn (high-risk-entry, three-simultaneous, licence-renewal), and within a
domain templates are drawn evenly by their expected decision, so every domain and every
decision appear. The same seed and the same templates give the same files, byte for byte.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from ..core.diagnostics import ApprovalRulesError
from ..ruleset.loader import load_project
from ..model.project import ProjectFile

DOMAINS = ("high-risk-entry", "three-simultaneous", "licence-renewal")
_KIND_DOMAIN = {
    "entry_screening": "high-risk-entry",
    "licence_initial": "high-risk-entry",
    "safety_condition_review": "three-simultaneous",
    "design_review": "three-simultaneous",
    "design_change_review": "three-simultaneous",
    "trial_run_filing": "three-simultaneous",
    "completion_acceptance": "three-simultaneous",
    "licence_extension": "licence-renewal",
    "licence_change": "licence-renewal",
    "licence_supervision": "licence-renewal",
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SCALED = ("employees", "amount_cny", "total_cny", "safety_investment_cny", "direct_loss_cny", "fulltime_safety_staff")
_PROTECTED = {"case_id", "kind", "industry", "decision_date", "submitted_date"}
_NAMES = ("华安", "恒泰", "金石", "中联", "长盛", "鑫源", "宏达", "瑞丰", "兴旺", "永安", "东方", "新港")
_TRADES = ("矿业", "化工", "建设", "能源", "材料", "科技", "实业")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Template:
    name: str
    domain: str
    decision: str
    text: str  # the project file as JSON (no expect block)


def domain_of(data: dict[str, Any], path: Path | None = None) -> str:
    if path is not None and path.parent.name in DOMAINS:
        return path.parent.name
    kind = (data.get("application") or {}).get("kind", "")
    return _KIND_DOMAIN.get(kind, "licence-renewal")


def load_templates(directory: str | Path | None) -> list[Template]:
    """The example cases under ``directory`` as templates (files that do not load are skipped),
    plus a built-in template for each domain that has none."""
    out: list[Template] = []
    if directory is not None:
        root = Path(directory)
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        for path in paths:
            try:
                loaded = load_project(path)
            except ApprovalRulesError:
                continue
            data = loaded.project.model_dump(mode="json", by_alias=True, exclude_none=True)
            decision: str = loaded.expect.decision if loaded.expect else "unknown"
            out.append(Template(path.stem, domain_of(data, path), decision, json.dumps(data, ensure_ascii=False)))
    have = {t.domain for t in out}
    for name, (decision, data) in _BUILTIN.items():
        domain = domain_of(data)
        if domain not in have:
            out.append(Template(name, domain, decision, json.dumps(data, ensure_ascii=False)))
    return out


class Generator:
    """``Generator(templates, seed).lines(n)``: n project files as JSON Lines text."""

    def __init__(self, templates: list[Template], seed: int = 0, check: bool = True):
        if not templates:
            raise ValueError("no templates")
        self.seed = seed
        self.check = check
        # domain -> decision -> templates, all in a fixed order
        self.pool: dict[str, dict[str, list[Template]]] = {}
        for t in sorted(templates, key=lambda t: (t.domain, t.decision, t.name)):
            self.pool.setdefault(t.domain, {}).setdefault(t.decision, []).append(t)
        self.domains = [d for d in DOMAINS if d in self.pool] + sorted(set(self.pool) - set(DOMAINS))

    def records(self, n: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed)
        for i in range(n):
            by_decision = self.pool[self.domains[i % len(self.domains)]]
            group = by_decision[rng.choice(sorted(by_decision))]
            template = group[rng.randrange(len(group))]
            yield self._vary(template, i, rng)

    def lines(self, n: int) -> Iterator[str]:
        for record in self.records(n):
            yield json.dumps(record, ensure_ascii=False)

    # --- variations -------------------------------------------------------------------------

    def _vary(self, t: Template, i: int, rng: random.Random) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(t.text)
        _identity(data, f"syn-{self.seed}-{i:07d}", rng)
        if rng.random() < 0.5:
            _shift_dates(data, _dt.timedelta(days=rng.randint(-365, 365)))
        for p, change in ((0.2, _vary_list), (1 / 6, _drop_fact), (0.1, _flip_flag)):
            if rng.random() < p:
                candidate = json.loads(json.dumps(data))
                if change(candidate, rng) and self._valid(candidate):
                    data = candidate
        return data

    def _valid(self, data: dict[str, Any]) -> bool:
        if not self.check:
            return True
        try:
            ProjectFile.model_validate(data)
        except ValidationError:
            return False
        return True


def _identity(data: dict[str, Any], cid: str, rng: random.Random) -> None:
    data["case_id"] = cid
    app = data.setdefault("application", {})
    app["id"] = f"SYN-{rng.randrange(10**8):08d}"
    ent = data.setdefault("enterprise", {})
    if "name" in ent:
        ent["name"] = f"{rng.choice(_NAMES)}{rng.choice(_NAMES)}{rng.choice(_TRADES)}有限公司"
    if "uscc" in ent:
        ent["uscc"] = "91" + "".join(rng.choice(_USCC_CHARS) for _ in range(16))
    for holder, key in _leaves(data):
        if key in _SCALED and isinstance(holder[key], (int, float)) and not isinstance(holder[key], bool) and holder[key] > 0:
            value = holder[key] * rng.uniform(0.8, 1.2)
            holder[key] = max(1, round(value)) if isinstance(holder[key], int) else round(value, 2)


def _leaves(node: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every scalar in a JSON tree, in document order."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                yield from _leaves(v)
            else:
                yield node, k
    elif isinstance(node, list):
        for k, v in enumerate(node):
            if isinstance(v, (dict, list)):
                yield from _leaves(v)
            else:
                yield node, k


def _shift_dates(data: dict[str, Any], delta: _dt.timedelta) -> None:
    for holder, key in _leaves(data):
        v = holder[key]
        if isinstance(v, str) and _ISO.match(v):
            try:
                holder[key] = (_dt.date.fromisoformat(v) + delta).isoformat()
            except (ValueError, OverflowError):
                pass


def _lists(node: Any, out: list[list[Any]]) -> list[list[Any]]:
    if isinstance(node, dict):
        for v in node.values():
            _lists(v, out)
    elif isinstance(node, list):
        if node and isinstance(node[0], dict):
            out.append(node)
        for v in node:
            _lists(v, out)
    return out


def _vary_list(data: dict[str, Any], rng: random.Random) -> bool:
    lists = _lists(data, [])
    if not lists:
        return False
    target = rng.choice(lists)
    if rng.random() < 0.5:
        del target[rng.randrange(len(target))]
    else:
        target.append(json.loads(json.dumps(rng.choice(target))))
    return True


def _drop_fact(data: dict[str, Any], rng: random.Random) -> bool:
    leaves = [(h, k) for h, k in _leaves(data) if isinstance(h, dict) and k not in _PROTECTED and h is not data]
    if not leaves:
        return False
    holder, key = rng.choice(leaves)
    del holder[key]
    return True


def _flip_flag(data: dict[str, Any], rng: random.Random) -> bool:
    flags = [(h, k) for h, k in _leaves(data) if isinstance(h[k], bool)]
    if not flags:
        return False
    holder, key = rng.choice(flags)
    holder[key] = not holder[key]
    return True


# Used only for a domain that has no bundled example case yet.
_BUILTIN: dict[str, tuple[str, dict[str, Any]]] = {
    "builtin-entry": ("unknown", {
        "case_id": "builtin-entry",
        "application": {"id": "ZJ-2025-001", "kind": "entry_screening", "submitted_date": "2025-03-10",
                        "authority": {"level": "municipal", "dept": "emergency_management", "province": "浙江省"}},
        "enterprise": {"name": "宁波恒泰化工有限公司", "uscc": "91330200MA2H1K7X3Q", "industry": "hazchem_production",
                       "activities": ["produce", "store"], "province": "浙江省", "city": "宁波市", "employees": 180,
                       "is_chemical_enterprise": True, "safety_responsibility_system": True, "rules_documented": True,
                       "operating_procedures": True, "safety_cost": {"extracted_per_rules": True, "amount_cny": 2400000},
                       "safety_org": {"has_safety_dept": True, "fulltime_safety_staff": 4, "registered_safety_engineers": 2}},
        "project": {"name": "年产2万吨精细化学品项目", "type": "new", "industry": "hazchem_production",
                    "category": "hazchem_production_storage", "province": "浙江省", "in_chemical_park": True,
                    "chemical_park_id": "宁波石化经济技术开发区", "hazchem_production": True,
                    "catalog": {"class": "permitted", "version": "2024"},
                    "approval_doc": {"kind": "filing", "obtained": True, "authority_level": "municipal", "date": "2025-01-08"}},
    }),
    "builtin-three-simultaneous": ("unknown", {
        "case_id": "builtin-three-simultaneous",
        "application": {"id": "JS-SJ-2024-017", "kind": "design_review", "submitted_date": "2024-06-18",
                        "authority": {"level": "provincial", "dept": "emergency_management", "province": "江苏省"}},
        "enterprise": {"name": "连云港中联石化有限公司", "uscc": "91320700MA1W8E2K5R", "industry": "hazchem_production",
                       "province": "江苏省", "city": "连云港市", "employees": 420},
        "project": {"name": "30万吨/年乙烯下游一体化项目", "type": "new", "industry": "hazchem_production",
                    "category": "hazchem_production_storage", "province": "江苏省", "in_chemical_park": True,
                    "hazchem_production": True, "involves_key_process": True, "has_major_hazard": True,
                    "budget": {"total_cny": 1850000000, "safety_investment_cny": 96000000, "safety_in_estimate": True}},
    }),
    "builtin-licence-renewal": ("unknown", {
        "case_id": "builtin-licence-renewal",
        "application": {"id": "JX-YQ-2024-001", "kind": "licence_extension", "submitted_date": "2024-03-14",
                        "permit_type": "safety_production_license",
                        "authority": {"level": "provincial", "dept": "emergency_management", "province": "江西省"}},
        "enterprise": {"name": "赣州铜岭矿业有限公司", "uscc": "91360700MA35G2KQ7X", "industry": "metal_nonmetal_mine",
                       "activities": ["mine"], "province": "江西省", "employees": 236},
        "licence": {"type": "safety_production_license", "issue_date": "2021-06-15", "expiry_date": "2024-06-14",
                    "status": "valid",
                    "issuing_authority": {"level": "provincial", "dept": "emergency_management", "province": "江西省"}},
        "accidents": [],
    }),
}
