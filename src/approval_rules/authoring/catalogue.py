"""The rule catalogue: every rule in Chinese prose, grouped by law and article, for legal sign-off.

One document model, two renderings: Markdown, and a single self-contained HTML file (inline
CSS, no scripts, fonts or other assets), each with an index of laws and articles.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import re
from dataclasses import dataclass, field

from ..engine.book import CitationRef, CompiledRule, RuleBook
from ..engine.compiler import SPECIAL_PLACEHOLDERS
from ..lang.parser import parse
from ..lang.prose import Prose, date_zh
from ..lang.typecheck import check_value
from ..engine.render import chinese_number
from ..ruleset.models import EFFECT_ZH, LEGAL_EFFECTS

_PENDING = 10_000  # sorts citations without an article number last


@dataclass
class Entry:
    """One rule as the catalogue shows it."""

    rule: CompiledRule
    when: str
    require: str
    effect: str
    period: str
    citations: list[str]
    unverified: bool
    message: str


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
    articles: dict[str, Article] = field(default_factory=dict)

    @property
    def version_text(self) -> str:
        return "、".join(date_zh(v) for v in sorted(self.versions)) or "—"


def _citation_text(c: CitationRef) -> str:
    where = f"第{chinese_number(c.article)}条" if c.article is not None else "（条文号待核实）"
    if c.clause is not None:
        where += f"第{chinese_number(c.clause)}款"
    if c.item is not None:
        where += f"第（{chinese_number(c.item)}）项"
    text = f"《{c.law}》{date_zh(c.law_version)}施行版本{where}"
    if not c.verified:
        text += "〔未核实〕"
    if c.note:
        text += f"（{c.note}）"
    return text


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
    return Entry(rule, when, require, effect, period, [_citation_text(c) for c in rule.citations],
                 any(not c.verified for c in rule.citations), _template(rule))


def describe(rule: CompiledRule) -> Entry:
    """One rule as the catalogue shows it: prose, effect, period, citations (the service's ``/v1/rules``)."""
    return _entry(rule)


def _template(rule: CompiledRule) -> str:
    """The message template with each {placeholder} shown as 〔what it stands for〕."""
    types = {n: d.type for n, d in rule.definitions.items()}
    titles = {n: d.title for n, d in rule.definitions.items()}

    def title(m: re.Match) -> str:
        inner = m.group(1).strip()
        if inner in SPECIAL_PLACEHOLDERS:
            return f"〔{SPECIAL_PLACEHOLDERS[inner]}〕"
        node = parse(inner)
        return f"〔{Prose(check_value(node, types), titles).text(node).strip('「」')}〕"

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
    """Laws (by name), each with its cited articles (in order), each with the rules citing it."""
    laws: dict[str, Law] = {}
    for rule in book.rules:
        entry = _entry(rule)
        placed = False
        seen: set[str] = set()
        for c in sorted(rule.citations, key=lambda c: (c.law, c.law_version)):
            law = laws.setdefault(c.law, Law(c.law, []))
            if c.law_version not in law.versions:
                law.versions.append(c.law_version)
            # Articles of a citation pinned to one version are that version's articles only.
            version = c.law_version.isoformat() if c.pinned else ""
            key = f"{c.article if c.article is not None else _PENDING:05d}{version}"
            if (c.law, key) in seen:
                continue
            seen.add((c.law, key))
            number = f"第{chinese_number(c.article)}条" if c.article is not None else "条文号待核实"
            heading = number + (f"（{date_zh(c.law_version)}施行版本）" if c.pinned else "")
            art = law.articles.setdefault(key, Article(key, heading, number, c.law_version if c.pinned else None))
            (art.also if placed else art.entries).append(entry)
            placed = True
        if not rule.citations:
            law = laws.setdefault("（无法律依据的提示性规则）", Law("（无法律依据的提示性规则）", []))
            law.articles.setdefault("00000", Article("00000", "提示")).entries.append(entry)
    for law in laws.values():
        law.articles = dict(sorted(law.articles.items()))
    return [laws[k] for k in sorted(laws)]


def _index(law: Law) -> list[tuple[str, list[Article]]]:
    """The law's articles for the index: unpinned first, then one group per version."""
    groups: dict[_dt.date | None, list[Article]] = {}
    for art in law.articles.values():
        groups.setdefault(art.version, []).append(art)
    order = sorted(groups, key=lambda v: (v is not None, v or _dt.date.min))
    return [("" if v is None else f"{date_zh(v)}施行版本", groups[v]) for v in order]


def _anchor(law: Law, art: Article | None = None) -> str:
    base = "law-" + hashlib.sha1(law.name.encode()).hexdigest()[:10]
    return f"{base}-{art.key.replace('-', '')}" if art else base


def markdown(book: RuleBook, generated: _dt.date | None = None) -> str:
    laws = build(book)
    out = ["# 审查规则目录", ""]
    out.append(f"生成日期：{date_zh(generated or _dt.date.today())}。规则集：" + "；".join(
        f"{r.title}（{r.id}，版本 {r.version}，sha256 {r.sha256[:12]}…）" for r in book.rulesets))
    unverified = sum(1 for r in book.rules if any(not c.verified for c in r.citations))
    out += ["", f"共 {len(book.rules)} 条规则；其中 {unverified} 条的引用含未经核实的条文号（标“〔未核实〕”）。", ""]
    out += ["## 法律和条文索引", ""]
    for law in laws:
        out.append(f"- [{law.name}](#{_anchor(law)})（版本：{law.version_text}）")
        for label, arts in _index(law):
            links = "、".join(f"[{a.number}](#{_anchor(law, a)})" for a in arts)
            out.append(f"  - {label + '：' if label else ''}{links}")
    for law in laws:
        out += ["", f'<a id="{_anchor(law)}"></a>', f"## {law.name}", ""]
        for art in law.articles.values():
            out += [f'<a id="{_anchor(law, art)}"></a>', f"### {law.name} {art.heading}", ""]
            for e in art.entries:
                out += _entry_md(e)
            if art.also:
                out += ["另见：" + "；".join(f"{e.rule.id} {e.rule.title}" for e in art.also), ""]
    return "\n".join(out) + "\n"


def _entry_md(e: Entry) -> list[str]:
    r = e.rule
    return [
        f"#### {r.id} {r.title}",
        "",
        f"- 适用：{e.when}",
        f"- 要求：{e.require}",
        f"- 不满足时：{e.effect}。告知：{e.message}",
        f"- 生效期间：{e.period}",
        "- 法律依据：" + ("；".join(e.citations) or "无"),
        f"- 规则集 {r.ruleset_id}，法规摘要行 {r.digest}，位置 `{r.pos.file}:{r.pos.line}`",
        "",
    ]


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
max-width:980px;margin:2em auto;padding:0 1em;color:#1d2330;line-height:1.65}
h1{border-bottom:3px solid #8a1c1c;padding-bottom:.3em}h2{margin-top:2.2em;border-bottom:1px solid #ccc;color:#8a1c1c}
h3{margin-top:1.6em;color:#333}.rule{border:1px solid #dde;border-left:4px solid #3b5b92;border-radius:4px;
padding:.6em 1em;margin:.8em 0;background:#fafbfd}.rule h4{margin:.2em 0 .5em;font-size:1.02em}
.rule dl{display:grid;grid-template-columns:6.5em 1fr;gap:.2em .8em;margin:0}.rule dt{color:#667;font-weight:600}
.rule dd{margin:0}.unverified{color:#a15c00;font-weight:600}.meta{color:#778;font-size:.88em}
nav ul{font-size:.92em}nav li{margin:.35em 0}nav li div{margin-left:1em;color:#445}.also{color:#556;font-size:.92em}.summary{background:#f4f1ea;padding:.6em 1em;border-radius:4px}
code{background:#eef;padding:0 .2em;border-radius:3px}
"""


def html_document(book: RuleBook, generated: _dt.date | None = None) -> str:
    laws = build(book)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>审查规则目录</title>", f"<style>{_CSS}</style></head><body>", "<h1>审查规则目录</h1>",
    ]
    unverified = sum(1 for r in book.rules if any(not c.verified for c in r.citations))
    sets = "；".join(f"{esc(r.title)}（{esc(r.id)}，版本 {esc(r.version)}）" for r in book.rulesets)
    parts.append(
        f'<p class="summary">生成日期：{date_zh(generated or _dt.date.today())}。规则集：{sets}。'
        f"共 {len(book.rules)} 条规则，其中 {unverified} 条的引用含未经核实的条文号。</p>"
    )
    parts.append("<nav><h2>法律和条文索引</h2><ul>")
    for law in laws:
        groups = "".join(
            f"<div>{esc(label) + '：' if label else ''}"
            + "、".join(f'<a href="#{_anchor(law, a)}">{esc(a.number)}</a>' for a in arts) + "</div>"
            for label, arts in _index(law)
        )
        parts.append(f'<li><a href="#{_anchor(law)}"><b>{esc(law.name)}</b></a>{groups}</li>')
    parts.append("</ul></nav>")
    for law in laws:
        parts.append(f'<h2 id="{_anchor(law)}">{esc(law.name)}</h2>')
        parts.append(f'<p class="meta">版本：{esc(law.version_text)}</p>')
        for art in law.articles.values():
            parts.append(f'<h3 id="{_anchor(law, art)}">{esc(law.name)} {esc(art.heading)}</h3>')
            for e in art.entries:
                parts.append(_entry_html(e))
            if art.also:
                also = "；".join(f"{esc(e.rule.id)} {esc(e.rule.title)}" for e in art.also)
                parts.append(f'<p class="also">另见：{also}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _entry_html(e: Entry) -> str:
    esc = html.escape
    r = e.rule
    cites = "<br>".join(
        esc(c).replace("〔未核实〕", '<span class="unverified">〔未核实〕</span>') for c in e.citations
    ) or "无"
    return (
        f'<div class="rule" id="rule-{esc(r.id)}-{r.effective.start}"><h4>{esc(r.id)} {esc(r.title)}</h4><dl>'
        f"<dt>适用</dt><dd>{esc(e.when)}</dd><dt>要求</dt><dd>{esc(e.require)}</dd>"
        f"<dt>不满足时</dt><dd>{esc(e.effect)}。告知：{esc(e.message)}</dd>"
        f"<dt>生效期间</dt><dd>{esc(e.period)}</dd><dt>法律依据</dt><dd>{cites}</dd></dl>"
        f'<p class="meta">规则集 {esc(r.ruleset_id)}，法规摘要行 {esc(r.digest)}，位置 <code>{esc(r.pos.file)}:{r.pos.line}</code></p></div>'
    )
