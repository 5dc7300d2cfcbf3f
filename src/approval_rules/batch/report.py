"""The screening report: one self-contained HTML file that reviewers read in any browser.

Built from a results store alone (``approval-rules report DB -o report.html``), it shows:

1. counts by decision (with shares, and a stacked bar);
2. counts by rule set (cases a rule set applied to, by decision);
3. the most frequent failing rules, with their citations, as an inline-SVG bar chart;
4. the cases that need correction (补正), with what is missing;
5. a searchable, filterable per-case table, each case linking to its findings;
6. each case's findings with messages, missing facts and citations; and the runs.

Everything is inline: the CSS, the SVG charts and a few lines of script for the search box; no
external scripts, fonts or style sheets, so the file can be mailed or archived as it is. All
aggregates are computed in one streaming pass over the store; the per-case table and findings
list at most ``limit`` cases (the most serious first), and say so when more exist.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..engine.decision import DECISION_ZH, CitationOut
from ..engine.render import citation_text
from .report_static import CSS as _CSS
from .report_static import SCRIPT as _SCRIPT
from .rows import DECISIONS, Row, read_back
from .store import Store


ORDER = ("error", "reject", "needs_correction", "refer", "approve")  # most serious first
UNREADABLE = "unreadable"  # a stored row whose cells no longer parse: shown as such, never a crash
LABEL = {**DECISION_ZH, "error": "输入有误", UNREADABLE: "数据已损坏"}
COLOR = {"approve": "#2e7d32", "reject": "#c62828", "needs_correction": "#e08600", "refer": "#1565c0", "error": "#6d6d6d",
         UNREADABLE: "#000000"}
OUTCOME = {"fail": "不符合", "unknown": "无法判断"}
TOP_RULES = 15
DEFAULT_LIMIT = 1000
MESSAGES_PER_CASE = 6
IDS_PER_ROW = 8


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _citation(c: dict[str, Any]) -> str:
    try:
        version = _dt.date.fromisoformat(c["law_version"])
    except (KeyError, TypeError, ValueError):
        return f"《{c.get('law', '')}》"
    return citation_text(CitationOut(c.get("law", ""), version, c.get("article"), c.get("clause"), c.get("item"),
                                     bool(c.get("verified")), c.get("note")))


@dataclass
class RuleStat:
    rule_id: str
    title: str
    ruleset: str
    cases: int = 0
    unknown: int = 0
    effects: Counter = field(default_factory=Counter)
    citations: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """What the report needs, gathered in one pass over the store."""

    counts: Counter = field(default_factory=Counter)
    by_ruleset: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rules: dict[str, RuleStat] = field(default_factory=dict)
    shown: list[tuple[Row, list[dict]]] = field(default_factory=list)
    corrections: list[tuple[Row, list[dict]]] = field(default_factory=list)
    total_corrections: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of row to show, most serious first: unreadable rows only when there are some."""
        return ((UNREADABLE,) if self.counts.get(UNREADABLE) else ()) + ORDER


def _dicts(text: str | None) -> list[dict] | None:
    """A JSON list of objects (findings, an error row's problems), or None where it does not read."""
    try:
        value = json.loads(text) if text else []
    except (ValueError, TypeError, RecursionError):
        return None
    return value if isinstance(value, list) and all(isinstance(v, dict) for v in value) else None


def _parts(row: Row) -> tuple[Row, list[dict]]:
    """The row and its findings (an error row: its problems); an unreadable row as ``UNREADABLE``."""
    parts: list[dict] | None
    if row.decision == "error":
        parts = _dicts(row.errors)
        if parts is not None and not all(isinstance(p.get("code"), str) for p in parts):
            parts = None
    else:
        d = read_back(row)
        parts = d["findings"] if d is not None else None
    if parts is None or not isinstance(row.case_id, str) or not isinstance(row.source, str):
        return row._replace(decision=UNREADABLE, case_id=str(row.case_id), source=str(row.source), failing="",
                            applied=""), []
    return row, parts


def gather(store: Store, run_id: int | None = None, limit: int = DEFAULT_LIMIT) -> Facts:
    facts = Facts()
    for stored, _run in store.rows(run_id, order="severity"):
        row, findings = _parts(stored)
        facts.counts[row.decision] += 1
        for rs in (row.applied or "").split():
            facts.by_ruleset[rs][row.decision] += 1
        for f in findings if row.decision != "error" else ():
            stat = facts.rules.get(f["rule_id"])
            if stat is None:
                stat = facts.rules[f["rule_id"]] = RuleStat(
                    f["rule_id"], f.get("title", ""), f.get("ruleset", ""),
                    citations=[_citation(c) for c in f.get("citations", [])],
                )
            stat.cases += 1
            stat.unknown += f.get("outcome") == "unknown"
            stat.effects[f.get("effect", "")] += 1
        if row.decision == "needs_correction":
            facts.total_corrections += 1
            if len(facts.corrections) < limit:
                facts.corrections.append((row, findings))
        if len(facts.shown) < limit:
            facts.shown.append((row, findings))
    return facts


# --- HTML -------------------------------------------------------------------------------------


def _tag(decision: str) -> str:
    return f'<span class="tag" style="--c:{COLOR.get(decision, "#555")}">{_e(LABEL.get(decision, decision))}</span>'


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0%"


def _anchor(i: int) -> str:
    return f"case-{i}"


def _stacked_bar(counts: Counter, total: int, kinds: tuple[str, ...] = ORDER) -> str:
    if not total:
        return ""
    width, x, parts = 1000, 0.0, []
    for k in kinds:
        n = counts.get(k, 0)
        if not n:
            continue
        w = width * n / total
        parts.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="26" fill="{COLOR[k]}"><title>{_e(LABEL[k])} {n}</title></rect>')
        x += w
    return (f'<svg class="chart" viewBox="0 0 {width} 26" width="100%" height="34" role="img" '
            f'aria-label="各决定占比" preserveAspectRatio="none">{"".join(parts)}</svg>')


def _rules_chart(stats: list[RuleStat]) -> str:
    """Horizontal bars, one per rule: the cases where it failed (in the colour of its effect) and,
    stacked after them, the cases where it could not be decided for a missing fact (hatched)."""
    if not stats:
        return '<p class="note">没有不符合或无法判断的规则。</p>'
    top = max(s.cases for s in stats)
    label_w, bar_w, row_h, pad = 440, 460, 30, 10
    height = pad * 2 + row_h * len(stats)
    out = [f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 90} {height}" width="100%" role="img" '
           f'aria-label="最常见的问题规则"><defs><pattern id="unknown" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d49a"/><rect width="3" height="6" '
           f'fill="{COLOR["needs_correction"]}"/></pattern></defs>']
    for i, s in enumerate(stats):
        y = pad + i * row_h
        failed = s.cases - s.unknown
        effect = s.effects.most_common(1)[0][0] if s.effects else ""
        color = COLOR.get(effect if effect in DECISIONS else "", "#6d6d6d")
        w_fail = bar_w * failed / top
        w_unknown = bar_w * s.unknown / top
        title = s.title if len(s.title) <= 22 else s.title[:21] + "…"
        out.append(
            f'<a href="#rule-{_e(s.rule_id)}"><text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="13" fill="#1f2328">'
            f'<tspan font-family="monospace" font-size="12">{_e(s.rule_id)}</tspan> {_e(title)}</text></a>'
        )
        tip = f"{_e(s.rule_id)} {_e(s.title)}：不符合 {failed} 件，无法判断 {s.unknown} 件"
        if failed:
            out.append(f'<rect x="{label_w}" y="{y + 5}" width="{max(w_fail, 2):.1f}" height="{row_h - 10}" fill="{color}">'
                       f"<title>{tip}</title></rect>")
        if s.unknown:
            out.append(f'<rect x="{label_w + w_fail:.1f}" y="{y + 5}" width="{max(w_unknown, 2):.1f}" height="{row_h - 10}" '
                       f'fill="url(#unknown)"><title>{tip}</title></rect>')
        out.append(f'<text x="{label_w + w_fail + w_unknown + 6:.1f}" y="{y + 19}" font-size="13" fill="#1f2328">{s.cases}</text>')
    out.append("</svg>")
    return "".join(out)


def _missing_of(findings: list[dict]) -> tuple[list[str], list[dict]]:
    """The missing facts and the findings that call for correction."""
    missing: list[str] = []
    wanted = []
    for f in findings:
        if f.get("effect") == "info":
            continue
        if f.get("outcome") == "unknown" or f.get("effect") == "needs_correction":
            wanted.append(f)
            missing += [m for m in f.get("missing", []) if m not in missing]
    return missing, wanted


def render(store: Store, run_id: int | None = None, title: str | None = None, limit: int = DEFAULT_LIMIT) -> str:
    facts = gather(store, run_id, limit)
    runs = store.runs()
    total = facts.total
    title = title or "安全生产行政许可批量审查报告"
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    scope = f"第 {run_id} 次运行所含的案卷" if run_id is not None else "结果库中的全部案卷"
    h: list[str] = []
    w = h.append
    w('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
      '<meta name="viewport" content="width=device-width,initial-scale=1">'
      f'<meta name="generator" content="approval-rules"><title>{_e(title)}</title><style>{_CSS}</style></head><body><main>')
    w(f"<h1>{_e(title)}</h1>")
    w(f'<p class="meta">结果库 <code>{_e(store.path)}</code> · {scope} · 共 <b id="total">{total}</b> 件 · 生成于 {now}</p>')
    w('<nav><a href="#summary">审查结论</a><a href="#rulesets">各规则集</a><a href="#rules">常见问题</a>'
      '<a href="#corrections">需补正</a><a href="#cases">逐件结果</a><a href="#runs">运行记录</a></nav>')

    # 1. counts by decision
    w('<section id="summary"><h2>一、审查结论</h2><div class="cards">')
    for k in facts.kinds:
        n = facts.counts.get(k, 0)
        if k == "error" and not n:
            continue
        w(f'<div class="card" style="--c:{COLOR[k]}" data-decision="{k}" data-count="{n}"><span>{_e(LABEL[k])}</span>'
          f"<b>{n}</b><span>{_pct(n, total)}</span></div>")
    w("</div>")
    if facts.counts.get(UNREADABLE):
        w(f'<p class="note">结果库中有 {facts.counts[UNREADABLE]} 件的已存结果无法读取（数据已损坏），'
          "用 <code>approval-rules screen … --resume</code> 重新审查这些案卷。</p>")
    w(_stacked_bar(facts.counts, total, facts.kinds) + "</section>")

    # 2. counts by rule set
    w('<section id="rulesets"><h2>二、各规则集</h2>')
    w('<p class="note">一件案卷适用多个规则集时，在每个适用的规则集中各计一次；按该案卷的最终决定计数。</p>')
    w('<table><thead><tr><th>规则集</th><th class="n">适用案卷</th>'
      + "".join(f'<th class="n">{_e(LABEL[k])}</th>' for k in DECISIONS) + "</tr></thead><tbody>")
    for rs in sorted(facts.by_ruleset):
        c = facts.by_ruleset[rs]
        w(f'<tr data-ruleset="{_e(rs)}"><td><code>{_e(rs)}</code></td><td class="n">{sum(c.values())}</td>'
          + "".join(f'<td class="n">{c.get(k, 0)}</td>' for k in DECISIONS) + "</tr>")
    if not facts.by_ruleset:
        w(f'<tr><td colspan="{len(DECISIONS) + 2}" class="note">没有适用任何规则集的案卷。</td></tr>')
    w("</tbody></table></section>")

    # 3. the most frequent failing rules
    stats = sorted(facts.rules.values(), key=lambda s: (-s.cases, s.rule_id))
    w(f'<section id="rules"><h2>三、最常见的问题（前 {min(TOP_RULES, len(stats))} 条规则）</h2>')
    w('<p class="note">按出现该问题的案卷数排列。实色：不符合，颜色表示该规则的效果（'
      + "、".join(f'<span style="color:{COLOR[k]}">■</span> {_e(LABEL[k])}' for k in ("reject", "needs_correction", "refer"))
      + f'、<span style="color:{COLOR["error"]}">■</span> 提示（不影响决定）'
      + '）；斜纹：<span style="color:#e08600">▨</span> 案卷缺少事实、无法判断（需补正）。</p>')
    w(_rules_chart(stats[:TOP_RULES]))
    w('<table style="margin-top:12px"><thead><tr><th>规则</th><th>标题</th><th class="n">案卷数</th>'
      '<th class="n">其中无法判断</th><th>法律依据</th></tr></thead><tbody>')
    for s in stats[:TOP_RULES]:
        w(f'<tr id="rule-{_e(s.rule_id)}"><td><code>{_e(s.rule_id)}</code><br><span class="note">{_e(s.ruleset)}</span></td>'
          f'<td>{_e(s.title)}</td><td class="n">{s.cases}</td><td class="n">{s.unknown}</td>'
          f'<td class="cite">{"<br>".join(_e(c) for c in s.citations) or "—"}</td></tr>')
    w("</tbody></table></section>")

    # 4. needs correction
    anchors = {row.source: _anchor(i) for i, (row, _) in enumerate(facts.shown)}
    w(f'<section id="corrections"><h2>四、需补正材料的案卷（{facts.total_corrections} 件）</h2>')
    if facts.total_corrections > len(facts.corrections):
        w(f'<p class="note">仅列出前 {len(facts.corrections)} 件。</p>')
    w('<table class="fixed"><colgroup><col style="width:22%"><col style="width:30%"><col></colgroup>'
      "<thead><tr><th>案卷</th><th>缺少的事实</th><th>需补正的内容</th></tr></thead><tbody>")
    for row, findings in facts.corrections:
        missing, wanted = _missing_of(findings)
        link = f'<a href="#{anchors[row.source]}">{_e(row.case_id)}</a>' if row.source in anchors else _e(row.case_id)
        messages = "<br>".join(_e(f.get("message", "")) for f in wanted[:MESSAGES_PER_CASE])
        if len(wanted) > MESSAGES_PER_CASE:
            messages += f'<br><span class="note">……等 {len(wanted)} 项，见该案卷的问题清单</span>'
        facts_missing = " ".join(f"<code>{_e(m)}</code>" for m in missing) or "—"
        w(f'<tr><td class="id">{link}</td><td class="missing">{facts_missing}</td><td>{messages or "—"}</td></tr>')
    if not facts.corrections:
        w('<tr><td colspan="3" class="note">没有需补正的案卷。</td></tr>')
    w("</tbody></table></section>")

    # 5. per-case table
    w('<section id="cases"><h2>五、逐件结果</h2>')
    if total > len(facts.shown):
        w(f'<p class="note">共 {total} 件，按严重程度（输入有误、不予许可、需补正、转人工、准予）列出前 {len(facts.shown)} 件；'
          "完整结果见结果库，或用 <code>approval-rules screen … --resume --format csv</code> 导出。</p>")
    w('<div class="filters"><input id="q" type="search" placeholder="搜索案卷编号、规则编号、来源……" aria-label="搜索">'
      '<select id="d" aria-label="按决定筛选"><option value="">全部决定</option>'
      + "".join(f'<option value="{k}">{_e(LABEL[k])}</option>' for k in facts.kinds)
      + f'</select><span class="note">显示 <b id="shown">{len(facts.shown)}</b> 件</span></div>')
    w('<table id="case-table" class="fixed"><colgroup><col style="width:24%"><col style="width:9em"><col style="width:7.5em">'
      '<col><col style="width:20%"></colgroup>'
      "<thead><tr><th>案卷</th><th>决定</th><th>审查日</th><th>问题规则</th><th>来源</th></tr></thead><tbody>")
    for i, (row, _) in enumerate(facts.shown):
        failing = (row.failing or "").split()
        ids = " ".join(f"<code>{_e(x)}</code>" for x in failing[:IDS_PER_ROW])
        if len(failing) > IDS_PER_ROW:
            ids += f' <span class="note">等 {len(failing)} 条</span>'
        w(f'<tr data-decision="{row.decision}"><td class="id"><a href="#{_anchor(i)}">{_e(row.case_id)}</a></td>'
          f'<td>{_tag(row.decision)}</td><td class="date">{_e(row.as_of or "")}</td><td class="ids">{ids}</td>'
          f'<td class="src">{_e(row.source)}</td></tr>')
    w("</tbody></table></section>")

    # 6. findings per case
    w('<section id="findings"><h2>六、各案卷的问题和依据</h2>')
    for i, (row, findings) in enumerate(facts.shown):
        w(f'<div class="case" id="{_anchor(i)}"><h3>{_e(row.case_id)} {_tag(row.decision)}</h3>'
          f'<div class="note">来源 <code>{_e(row.source)}</code>'
          + (f" · 按 {_e(row.as_of)} 施行的规则审查" if row.as_of else "") + "</div>")
        if row.decision == UNREADABLE:
            w('<p class="note">该案卷在结果库中的已存结果无法读取（数据已损坏）；用 screen --resume 重新审查。</p>')
        elif row.is_error:
            problems = findings
            w("<ol>" + "".join(
                f"<li><code>{_e(p.get('code'))}</code> {_e(p.get('file'))}:{_e(p.get('line'))}:{_e(p.get('col'))} {_e(p.get('message'))}"
                + (f'<div class="cite">提示：{_e(p["hint"])}</div>' if p.get("hint") else "") + "</li>"
                for p in problems) + "</ol>")
        elif not findings:
            w('<p class="note">没有问题：适用的规则均已满足。</p>')
        else:
            w("<ol>")
            for f in findings:
                cites = "；".join(_citation(c) for c in f.get("citations", []))
                missing = "、".join(f.get("missing", []))
                w(f"<li><b>{_e(f.get('title'))}</b> <code>{_e(f.get('rule_id'))}</code> "
                  f"{_tag(f['effect']) if f.get('effect') in COLOR else ''} "
                  f"<span class=\"note\">{_e(OUTCOME.get(f.get('outcome'), ''))}</span><div>{_e(f.get('message'))}</div>"
                  + (f'<div class="missing">缺少：{_e(missing)}</div>' if missing else "")
                  + (f'<div class="cite">依据：{_e(cites)}</div>' if cites else "") + "</li>")
            w("</ol>")
        w("</div>")
    w("</section>")

    # runs
    w('<section id="runs"><h2>附：运行记录</h2><table><thead><tr><th class="n">次</th><th>开始</th><th>状态</th>'
      '<th class="n">件数</th><th class="n">新审查</th><th class="n">沿用</th><th class="n">输入有误</th>'
      '<th class="n">用时（秒）</th><th>规则集</th></tr></thead><tbody>')
    status_zh = {"done": "完成", "interrupted": "已中断", "aborted": "异常终止", "running": "进行中", "failed": "失败"}
    for r in runs:
        refs = _dicts(r["rulesets"])
        sets = "、".join(f"{x.get('id')} {x.get('version')}" for x in refs) if refs is not None else "（无法读取）"
        status = _e(status_zh.get(r["status"], r["status"]))
        if r.get("note"):
            status += f'<div class="note">{_e(r["note"])}</div>'
        w(f'<tr><td class="n">{r["id"]}</td><td>{_e(r["started_at"])}</td><td>{status}</td>'
          f'<td class="n">{r["total"]}</td><td class="n">{r["decided"]}</td><td class="n">{r["reused"]}</td>'
          f'<td class="n">{r["errors"]}</td><td class="n">{r["seconds"] if r["seconds"] is not None else "—"}</td>'
          f"<td>{_e(sets)}</td></tr>")
    w("</tbody></table></section>")
    summary = {"total": total, "counts": {k: facts.counts.get(k, 0) for k in facts.kinds}}
    data = json.dumps(summary, ensure_ascii=False).replace("</", "<\\/")
    w(f'<script type="application/json" id="report-data">{data}</script>')
    w(f"<script>{_SCRIPT}</script></main></body></html>")
    return "".join(h)


html_report = render
