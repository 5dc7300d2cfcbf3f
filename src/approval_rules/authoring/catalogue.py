"""The rule catalogue: every rule in Chinese prose, grouped by law and article, for legal sign-off.

One document model, two renderings: Markdown, and a single self-contained HTML file (inline CSS
and one inline script for the search box; no fonts or other assets, so it can be mailed and opened
offline). The HTML comes from a Jinja2 template with autoescaping: rule text is written by people
and must never become markup. Each rule set ends in a sign-off block for the legal reviewers.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..engine.book import CitationRef, CompiledRule, RuleBook, RuleSetInfo
from ..engine.compiler import SPECIAL_PLACEHOLDERS
from ..engine.render import chinese_number
from ..lang.parser import parse
from ..lang.prose import Prose, date_zh
from ..lang.typecheck import check_value
from ..ruleset.models import EFFECT_ZH, LEGAL_EFFECTS

_PENDING = 10_000  # sorts citations without an article number last
UNVERIFIED = "〔未核实〕"  # the one marker for a citation nobody has checked against the text
NO_BASIS = "（无法律依据的提示性规则）"
RANKS = ("法律", "行政法规", "部门规章", "规范性文件", "国家标准")


@dataclass
class Cite:
    """One citation as the catalogue prints it: where, whether checked, and the rule writer's note."""

    text: str
    unverified: bool
    note: str | None

    def __str__(self) -> str:
        return self.text + (UNVERIFIED if self.unverified else "") + (f"（说明：{self.note}）" if self.note else "")


@dataclass
class Entry:
    """One rule as the catalogue shows it."""

    rule: CompiledRule
    when: str
    require: str
    effect: str
    period: str
    cites: list[Cite]
    message: str

    @property
    def citations(self) -> list[str]:
        return [str(c) for c in self.cites]

    @property
    def unverified(self) -> bool:
        return any(c.unverified for c in self.cites)

    @property
    def anchor(self) -> str:
        return f"rule-{self.rule.id}-{self.rule.effective.start}"

    @property
    def search_text(self) -> str:
        """What the search box matches: id, title, message and the laws cited."""
        laws = " ".join(c.law for c in self.rule.citations)
        return " ".join((self.rule.id, self.rule.title, self.message, laws)).lower()


@dataclass
class Article:
    key: str
    heading: str
    number: str = ""  # 第十六条, without the version
    version: _dt.date | None = None  # the one version a pinned citation names
    entries: list[Entry] = field(default_factory=list)
    also: list[Entry] = field(default_factory=list)  # rules listed in full under another article


@dataclass
class Law:
    name: str
    versions: list[_dt.date]
    rank: int = len(RANKS)  # index into RANKS; unranked sorts last
    articles: dict[str, Article] = field(default_factory=dict)

    @property
    def version_text(self) -> str:
        return "、".join(date_zh(v) for v in sorted(self.versions)) or "—"

    @property
    def rank_text(self) -> str:
        return RANKS[self.rank] if self.rank < len(RANKS) else ""

    @property
    def anchor(self) -> str:
        return "law-" + hashlib.sha1(self.name.encode()).hexdigest()[:10]

    def article_anchor(self, art: Article) -> str:
        return f"{self.anchor}-{art.key.replace('-', '')}"


def rank(c: CitationRef) -> int:
    """The law's place in the hierarchy (Legislation Law arts. 7, 65, 91), read from who made it and how.

    Rule headers record the issuer and the promulgating order but no rank; the order's form gives it
    away: NPC and its Standing Committee make 法律 (named 中华人民共和国…法), a 国务院令 is an 行政法规, a 部/局/委令 a 部门规章,
    a GB number a 国家标准, and anything else (国发〔…〕, notices, opinions) a 规范性文件."""
    issuer, order, name = c.issuer or "", c.order or "", c.law
    if "全国人民代表大会" in issuer or re.fullmatch(r"中华人民共和国\w*法", name):
        return 0
    if order.startswith("GB") or name.startswith("GB"):
        return 4
    if "国务院令" in order:
        return 1
    if re.search(r"令第\s*\d+\s*号", order):
        return 2
    return 3


def _citation_text(c: CitationRef) -> Cite:
    # A missing article number is part of what is unverified; saying so again would stack qualifiers.
    where = f"第{chinese_number(c.article)}条" if c.article is not None else ""
    if c.clause is not None:
        where += f"第{chinese_number(c.clause)}款"
    if c.item is not None:
        where += f"第（{chinese_number(c.item)}）项"
    if not where and c.verified:
        where = "（未注明条文）"
    return Cite(f"《{c.law}》{date_zh(c.law_version)}施行版本{where}", not c.verified, c.note)


def _entry(rule: CompiledRule) -> Entry:
    titles = {n: d.title for n, d in rule.definitions.items()}
    when = "一律适用" if rule.source.when.strip() == "true" else Prose(rule.when.checked, titles)(rule.when.node)
    if rule.materials:
        require = "提交下列材料：" + "；".join(_material_text(rule, code, title) for code, title, _ in rule.materials)
    else:
        require = Prose(rule.require.checked, titles)(rule.require.node)
    effect = EFFECT_ZH[rule.effect]
    legal = LEGAL_EFFECTS.get(rule.legal_effect or "", "")
    if legal and not legal.startswith(effect):
        effect += f"（{legal}）"
    elif legal:
        effect = legal
    eff = rule.effective
    period = f"{date_zh(eff.start)}起" + (f"至{date_zh(eff.end)}" if eff.end else "，现行有效")
    return Entry(rule, when, require, effect, period, [_citation_text(c) for c in rule.citations], _template(rule))


def describe(rule: CompiledRule) -> Entry:
    """One rule as the catalogue shows it: prose, effect, period, citations (the service's ``/v1/rules``)."""
    return _entry(rule)


def _unquote(text: str) -> str:
    """「name」 → name, for a placeholder that is one fact; anything longer keeps all its quotes.

    Stripping 「」 from both ends of any prose took the outer marks off 「从业人员」中（…）的项数 and left
    从业人员」中… unbalanced."""
    if text.startswith("「") and text.endswith("」") and text.count("「") == 1 and text.count("」") == 1:
        return text[1:-1]
    return text


def _template(rule: CompiledRule) -> str:
    """The message template with each {placeholder} shown as 〔what it stands for〕."""
    types = {n: d.type for n, d in rule.definitions.items()}
    titles = {n: d.title for n, d in rule.definitions.items()}

    def title(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner in SPECIAL_PLACEHOLDERS:
            return f"〔{SPECIAL_PLACEHOLDERS[inner]}〕"
        node = parse(inner)
        return f"〔{_unquote(Prose(check_value(node, types), titles).text(node))}〕"

    return re.sub(r"\{([^{}]*)\}", title, rule.message)


def _material_text(rule: CompiledRule, code: str, title: str) -> str:
    item = next(i for i in rule.source.require_materials or [] if i.doc == code)
    extra = []
    if item.qualified:
        extra.append("出具单位具有相应资质")
    if item.conclusion:
        extra.append("结论为" + "或".join({"pass": "合格", "conditional": "有条件通过", "fail": "不合格"}[c] for c in item.conclusion))
    return title + (f"（{'，'.join(extra)}）" if extra else "")


def build(book: RuleBook) -> list[Law]:
    """Laws by rank, then by the date they first took effect; each with its cited articles in order."""
    laws: dict[str, Law] = {}
    for rule in book.rules:
        entry = _entry(rule)
        placed = False
        seen: set[tuple[str, str]] = set()
        for c in sorted(rule.citations, key=lambda c: (c.law, c.law_version)):
            law = laws.setdefault(c.law, Law(c.law, []))
            law.rank = min(law.rank, rank(c))
            if c.law_version not in law.versions:
                law.versions.append(c.law_version)
            # Articles of a citation pinned to one version are that version's articles only.
            version = c.law_version.isoformat() if c.pinned else ""
            key = f"{c.article if c.article is not None else _PENDING:05d}{version}"
            if (c.law, key) in seen:
                continue
            seen.add((c.law, key))
            number = f"第{chinese_number(c.article)}条" if c.article is not None else "未注明条文"
            heading = number + (f"（{date_zh(c.law_version)}施行版本）" if c.pinned else "")
            art = law.articles.setdefault(key, Article(key, heading, number, c.law_version if c.pinned else None))
            (art.also if placed else art.entries).append(entry)
            placed = True
        if not rule.citations:
            law = laws.setdefault(NO_BASIS, Law(NO_BASIS, [], len(RANKS) + 1))
            law.articles.setdefault("00000", Article("00000", "提示", "提示")).entries.append(entry)
    for law in laws.values():
        law.articles = dict(sorted(law.articles.items()))
    return sorted(laws.values(), key=lambda law: (law.rank, min(law.versions, default=_dt.date.max), law.name))


def index(law: Law) -> list[tuple[str, list[Article]]]:
    """The law's articles for the index: unpinned first, then one group per version."""
    groups: dict[_dt.date | None, list[Article]] = {}
    for art in law.articles.values():
        groups.setdefault(art.version, []).append(art)
    order = sorted(groups, key=lambda v: (v is not None, v or _dt.date.min))
    return [("" if v is None else f"{date_zh(v)}施行版本", groups[v]) for v in order]


@dataclass
class RuleSetPart:
    """A rule set's table of contents and sign-off block."""

    info: RuleSetInfo
    entries: list[Entry]

    @property
    def revision(self) -> str:
        # The loader's sha256 runs over every file name and text of the set, so it names exactly the
        # wording the reviewers signed; any edit, even to a comment, changes it.
        return self.info.sha256


def rule_sets(book: RuleBook, laws: list[Law]) -> list[RuleSetPart]:
    entries = {e.anchor: e for law in laws for art in law.articles.values() for e in art.entries}
    by_set: dict[str, list[Entry]] = {r.id: [] for r in book.rulesets}
    for e in entries.values():
        by_set.setdefault(e.rule.ruleset_id, []).append(e)
    return [RuleSetPart(r, sorted(by_set[r.id], key=lambda e: (e.rule.id, e.rule.effective.start))) for r in book.rulesets]


def _context(book: RuleBook, generated: _dt.date | None) -> dict[str, Any]:
    laws = build(book)
    return {
        "laws": laws, "sets": rule_sets(book, laws), "index": index, "date_zh": date_zh, "unverified_marker": UNVERIFIED,
        "generated": date_zh(generated or _dt.date.today()), "total": len(book.rules),
        "unverified": sum(1 for r in book.rules if any(not c.verified for c in r.citations)),
    }


_ENV = Environment(
    loader=PackageLoader("approval_rules.authoring", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


def html_document(book: RuleBook, generated: _dt.date | None = None) -> str:
    return _ENV.get_template("catalogue.html").render(_context(book, generated))


def markdown(book: RuleBook, generated: _dt.date | None = None) -> str:
    return _ENV.get_template("catalogue.md").render(_context(book, generated))
