"""Decisions as readable Chinese text, in the manner of the reasons section of a 决定书."""

from __future__ import annotations

from .decision import DECISION_ZH, CitationOut, Decision, Finding
from ..ruleset.models import EFFECT_ZH, LEGAL_EFFECTS

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 113 → 一百一十三 (as article numbers are written)."""
    if n < 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        return head + (_DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else ""))
    return str(n)


def _law_text(c: CitationOut) -> str:
    v = c.law_version
    return f"《{c.law}》（{v.year}年{v.month}月{v.day}日施行版本）"


def _article_text(c: CitationOut) -> str:
    text = ""
    if c.article is not None:
        text += f"第{chinese_number(c.article)}条"
        if c.clause is not None:
            text += f"第{chinese_number(c.clause)}款"
        if c.item is not None:
            text += f"第（{chinese_number(c.item)}）项"
    elif c.note:
        text += f"（{c.note}）"
    if not c.verified:
        text += "〔条文号未经核实〕"
    return text


def citation_text(c: CitationOut) -> str:
    return _law_text(c) + _article_text(c)


def basis_text(citations: list[CitationOut]) -> str:
    """Several citations with each law (and version) named once: 《条例》（…版本）第六条、第七条第一款；《…》…"""
    by_law: dict[str, list[str]] = {}
    for c in citations:
        articles = by_law.setdefault(_law_text(c), [])
        if _article_text(c) not in articles:
            articles.append(_article_text(c))
    return "；".join(law + "、".join(a for a in articles if a) for law, articles in by_law.items())


def finding_text(index: int, f: Finding) -> str:
    effect = LEGAL_EFFECTS.get(f.legal_effect or "", EFFECT_ZH.get(f.effect, f.effect))
    status = ("待审查机关核查" if f.contributes == "refer" else "无法判断") if f.outcome == "unknown" else effect
    lines = [f"{chinese_number(index)}、{f.title}（{f.rule_id}）【{status}】", f"    {f.message}"]
    if f.citations:
        lines.append("    依据：" + "；".join(citation_text(c) for c in f.citations))
    return "\n".join(lines)


def decision_text(d: Decision) -> str:
    head = f"案卷 {d.case_id or '（未编号）'}：{DECISION_ZH[d.decision]}"
    head += f"（按 {d.as_of.year}年{d.as_of.month}月{d.as_of.day}日 施行的规则审查）"
    lines = [head]
    if d.findings:
        lines.append("理由：")
        lines += [finding_text(i, f) for i, f in enumerate(d.findings, 1)]
    refer = [f for f in d.findings if f.contributes == "refer"]
    if refer and d.decision != "refer":
        lines.append("另有须人工审查的事项：" + "、".join(f"{f.title}（{f.rule_id}）" for f in refer))
    if d.corrections:
        lines.append("补正材料通知（一次告知，依据《中华人民共和国行政许可法》第三十二条）：请申请人一次补正以下全部内容：")
        lines += _notice_lines(_corrections(d), d.findings)
    if d.to_verify:
        lines.append("待核查事项（由审查机关核查，不要求申请人补正）：")
        lines += _notice_lines([(v["title"], v["rules"]) for v in d.to_verify], d.findings)
    filled = [(f, "推定") for f in d.filled if f.kind == "presume"] + [(f, "推算") for f in d.filled if f.kind == "derive"]
    filled += [(f, "部署配置") for f in d.filled if f.kind == "context"]
    if filled:
        lines.append("审查所依据的推定、推算和部署配置：")
        for f, label in filled:
            item = f.to_dict()
            lines.append(f"  【{label}】{item['title']}（{f.fact}）= {_value(item['value'])}：{f.reason}")
    lines.append(f"通过 {len(d.passed)} 项，不适用 {len(d.not_applicable)} 项。")
    return "\n".join(lines)


_KIND_ORDER = {"document": 0, "fact": 1, "rule": 2}


def _corrections(d: Decision) -> list[tuple[str, list[str]]]:
    """The 补正 items as the applicant reads them: materials, then facts to state, then what to put right;
    one line per distinct item, however many rules ask for it."""
    reason = {f.rule_id: i for i, f in enumerate(d.findings, 1)}
    merged: dict[str, list[str]] = {}
    for c in sorted(d.corrections, key=lambda c: _KIND_ORDER.get(c["kind"], 3)):
        if c["kind"] == "rule":
            # The rule's message is already under 理由; the title says what to put right and points there.
            f = d.findings[reason[c["key"]] - 1]
            text = f"改正：{f.title}（见理由{chinese_number(reason[c['key']])}）"
        else:
            text = c["item"]
        rules = merged.setdefault(text, [])
        rules += [r for r in c["rules"] if r not in rules]
    return list(merged.items())


def _notice_lines(items: list[tuple[str, list[str]]], findings: list[Finding]) -> list[str]:
    """Numbered items, each with the law it rests on (the citations of the rules that ask for it)."""
    cited = {f.rule_id: f.citations for f in findings}
    lines = []
    for i, (text, rules) in enumerate(items, 1):
        basis = basis_text([c for r in rules for c in cited.get(r, ())])
        lines.append(f"  {i}. {text}")
        lines.append(f"     依据：{basis or '（规则未引用条文）'}（规则 {'、'.join(rules)}）")
    return lines


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == []:
        return "（无）"
    if isinstance(value, dict):
        return value.get("name") or "、".join(str(v) for v in value.values())
    return str(value)
