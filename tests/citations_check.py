"""Citation check against saved law full texts, for tests/test_citations.py.

The parts of ``../shared/law/check_citations.py`` that the test needs, copied so that the test suite
does not import from outside the repository: parsing a law text into articles, clauses (款) and items
(项); reading the `sources:` blocks and `cite:` lists of a rules directory; choosing the law
version(s) a citation points at; and the key of the manual review file (citation-review.yaml).

The law texts are reference material, not part of the package. They are read from the directory named
by the environment variable APPROVAL_RULES_LAW_DIR, or else from ``../shared/law`` next to the
repository root. Each text starts with a YAML header whose `source_ids`, `rule_versions_exact` and
`rule_versions_proxy` say which source and which version keys of the rule sets it serves: an *exact*
text is the cited version itself, a *proxy* text is the nearest version found when the cited one was not.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LAW_DIR_ENV = "APPROVAL_RULES_LAW_DIR"

# Verdicts of the manual review that say a citation is wrong or does not support the rule.
BAD_REVIEW_VERDICTS = ("WRONG", "WRONG-CLAUSE", "WRONG-ITEM", "WRONG-VERIFIED", "UNSUPPORTED")


def law_dir() -> Path:
    env = os.environ.get(LAW_DIR_ENV)
    return Path(env) if env else ROOT.parent / "shared" / "law"


# ----------------------------------------------------------------------------- numbers
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def cn2int(s: str) -> int:
    """Chinese numeral (up to 9999) or ASCII digits -> int."""
    if s.isdigit():
        return int(s)
    total, num = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch in "十百千":
            total += (num or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            num = 0
    return total + num


def int2cn(n: int) -> str:
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 20:
        return "十" + (d[n % 10] if n % 10 else "")
    if n < 100:
        return d[n // 10] + "十" + (d[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    s = d[h] + "百"
    if r == 0:
        return s
    if r < 10:
        return s + "零" + d[r]
    if r < 20:
        return s + "一十" + (d[r % 10] if r % 10 else "")
    return s + int2cn(r)


# ----------------------------------------------------------------------------- law texts
_ART = re.compile(r"^[\s　>*#]*第([一二三四五六七八九十百零〇两]+|\d+)条(?:[\s　]+|(?=[^\s　]))(.*)$")
_HEADING = re.compile(r"^[#\s　]*第[一二三四五六七八九十百零]+[章节]")
_ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")


class LawText:
    """One law text: {article number: [paragraph lines]}, plus the header's version keys."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.file = self.path.name
        raw = self.path.read_text(encoding="utf-8")
        if not raw.startswith("---\n"):
            raise ValueError(f"{path}: no YAML header")
        _, head, body = raw.split("---\n", 2)
        meta = yaml.safe_load(head) or {}
        self.source_ids = list(meta.get("source_ids") or [])
        self.exact = [str(v) for v in (meta.get("rule_versions_exact") or [])]
        self.proxy = [str(v) for v in (meta.get("rule_versions_proxy") or [])]
        self.articles = self._parse(body)

    @staticmethod
    def _parse(body: str) -> dict[int, list[str]]:
        arts: dict[int, list[str]] = {}
        cur, last = None, 0
        for line in body.splitlines():
            if line.lstrip().startswith("<!--"):
                continue
            m = _ART.match(line)
            if m:
                n = cn2int(m.group(1))
                # an article heading only when it continues the sequence (a cross-reference that
                # happens to start a line must not open a new article)
                if last < n <= last + 3:
                    arts[n] = [m.group(2).strip()] if m.group(2).strip() else []
                    cur, last = n, n
                    continue
            s = line.strip().strip("　").strip()
            if _HEADING.match(s):
                cur = None
                continue
            if cur is not None and s:
                arts[cur].append(s)
        return arts

    def article(self, n: int) -> list[str] | None:
        return self.articles.get(n)

    @staticmethod
    def clauses(lines: list[str]) -> list[list[str]]:
        """款: a paragraph that is not an item line starts a new clause; item lines attach to it."""
        out: list[list[str]] = []
        for ln in lines:
            if _ITEM.match(ln) and out:
                out[-1].append(ln)
            else:
                out.append([ln])
        return out

    @staticmethod
    def items(lines: list[str]) -> dict[int, str]:
        res: dict[int, str] = {}
        for ln in lines:
            m = _ITEM.match(ln)
            if m:
                res.setdefault(cn2int(m.group(1)), ln)
        return res


@dataclass
class LawLibrary:
    laws: list[LawText]
    exact: dict[tuple[str, str], LawText] = field(default_factory=dict)
    proxy: dict[tuple[str, str], LawText] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> LawLibrary:
        laws = [LawText(p) for p in sorted(glob.glob(str(directory / "*.md")))
                if os.path.basename(p) != "README.md"]
        lib = cls(laws)
        for law in laws:
            for sid in law.source_ids:
                for v in law.exact:
                    lib.exact[(sid, v)] = law
                for v in law.proxy:
                    lib.proxy.setdefault((sid, v), law)
        return lib

    def text_for(self, source: str, version: str) -> tuple[LawText | None, str]:
        """The text for one version of a source and its kind: 'exact', 'proxy' or 'none'."""
        law = self.exact.get((source, version))
        if law is not None:
            return law, "exact"
        law = self.proxy.get((source, version))
        return (law, "proxy") if law is not None else (None, "none")


# ----------------------------------------------------------------------------- rules
def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def load_rules(rules_dir: str | Path):
    """Returns (sources, citations). sources: {(ruleset id, source id): [(from, to, version key)]}."""
    sources: dict[tuple[str, str], list] = {}
    cites: list[dict] = []
    for rs_file in sorted(glob.glob(os.path.join(str(rules_dir), "**", "ruleset.yaml"), recursive=True)):
        rs_dir = os.path.dirname(rs_file)
        rs = yaml.safe_load(open(rs_file, encoding="utf-8")) or {}
        rs_id = rs.get("id", os.path.basename(rs_dir))
        for sid, s in (rs.get("sources") or {}).items():
            vers = sorted((_as_date(v["version"]), v.get("until"), str(v["version"]))
                          for v in s.get("versions") or [])
            periods = []
            for i, (start, until, key) in enumerate(vers):
                if until:
                    end = _as_date(until)
                elif i + 1 < len(vers):
                    end = vers[i + 1][0] - dt.timedelta(days=1)
                else:
                    end = dt.date.max
                periods.append((start, end, key))
            sources[(rs_id, sid)] = periods
        for rf in sorted(glob.glob(os.path.join(rs_dir, "*.yaml"))):
            if os.path.basename(rf) == "ruleset.yaml":
                continue
            doc = yaml.safe_load(open(rf, encoding="utf-8")) or {}
            for rule in doc.get("rules") or []:
                eff = rule.get("effective") or {}
                for c in rule.get("cite") or []:
                    cites.append({
                        "file": os.path.relpath(rf, str(rules_dir)), "ruleset": rs_id,
                        "rule": rule.get("id"), "title": rule.get("title", ""),
                        "eff_from": _as_date(eff["from"]) if eff.get("from") else dt.date.min,
                        "eff_to": _as_date(eff["to"]) if eff.get("to") else dt.date.max,
                        **{k: c.get(k) for k in ("source", "version", "article", "clause", "item", "note")},
                        "verified": bool(c.get("verified", False)),
                    })
    return sources, cites


def cited_versions(c: dict, sources) -> list[str]:
    """The listed `version`(s), or else every version of the source in force during the rule's period."""
    v = c["version"]
    if v is not None:
        return [str(x) for x in (v if isinstance(v, list) else [v])]
    periods = sources.get((c["ruleset"], c["source"]), [])
    return [key for start, end, key in periods if start <= c["eff_to"] and end >= c["eff_from"]]


def review_key(c: dict) -> str:
    v = c["version"]
    v = ",".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
    return "|".join([c["rule"], c["source"], v, str(c["article"] or ""), str(c["clause"] or ""),
                     str(c["item"] or "")])


def label(c: dict) -> str:
    s = f"{c['rule']} {c['source']}"
    if c["version"] is not None:
        v = c["version"]
        s += "@" + (",".join(map(str, v)) if isinstance(v, list) else str(v))
    if c["article"] is None:
        return s + " (无条文号)"
    s += f" 第{int2cn(c['article'])}条"
    if c["clause"] is not None:
        s += f"第{int2cn(c['clause'])}款"
    if c["item"] is not None:
        s += f"第（{int2cn(c['item'])}）项"
    return s


def missing_unit(c: dict, law: LawText) -> str | None:
    """Why the cited article / clause / item does not exist in this text, or None if it does."""
    art = law.article(c["article"])
    if art is None:
        return f"第{int2cn(c['article'])}条 not in {law.file} ({len(law.articles)} articles)"
    unit = art
    if c["clause"] is not None:
        cl = law.clauses(art)
        if c["clause"] > len(cl):
            return f"{law.file}: the article has {len(cl)} clause(s), 第{int2cn(c['clause'])}款 cited"
        unit = cl[c["clause"] - 1]
    if c["item"] is not None:
        its = law.items(unit)
        if c["item"] not in its:
            where = "clause" if c["clause"] is not None else "article"
            return f"{law.file}: no item （{int2cn(c['item'])}） in the cited {where} ({len(its)} items)"
    return None


def check_existence(cites: list[dict], sources, lib: LawLibrary) -> list[str]:
    """One message per citation whose article, clause or item is missing from the text of a cited version."""
    out = []
    for c in cites:
        if c["article"] is None:
            continue
        for v in cited_versions(c, sources):
            law, kind = lib.text_for(c["source"], v)
            if law is None:
                continue
            why = missing_unit(c, law)
            if why:
                out.append(f"{c['file']}: {label(c)} [{v}, {kind} text]: {why}")
    return out


def load_review(directory: Path) -> dict[str, dict]:
    path = directory / "citation-review.yaml"
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {e["key"]: e for e in doc.get("reviews", [])}


def check_review(cites: list[dict], review: dict[str, dict]) -> list[str]:
    """verified: true citations that the manual review judges wrong or unsupported."""
    out = []
    for c in cites:
        rv = review.get(review_key(c))
        if c["verified"] and rv and rv["verdict"] in BAD_REVIEW_VERDICTS:
            out.append(f"{c['file']}: {label(c)} is verified: true but the review says "
                       f"{rv['verdict']}: {rv.get('note', '')}")
    return out
