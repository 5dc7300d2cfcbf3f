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


def citation_text(c: CitationOut) -> str:
    v = c.law_version
    text = f"《{c.law}》（{v.year}年{v.month}月{v.day}日施行版本）"
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
        lines.append("补正材料通知（一次告知，依据《中华人民共和国行政许可法》第三十二条）：请申请人补正以下全部内容：")
        lines += [f"  {i}. {c['item']}" for i, c in enumerate(d.corrections, 1)]
    if d.to_verify:
        lines.append("待核查事项（由审查机关核查，不要求申请人补正）：")
        lines += [f"  {i}. {v['title']}（{'、'.join(v['rules'])}）" for i, v in enumerate(d.to_verify, 1)]
    filled = [(f, "推定") for f in d.filled if f.kind == "presume"] + [(f, "推算") for f in d.filled if f.kind == "derive"]
    filled += [(f, "部署配置") for f in d.filled if f.kind == "context"]
    if filled:
        lines.append("审查所依据的推定、推算和部署配置：")
        for f, label in filled:
            item = f.to_dict()
            lines.append(f"  【{label}】{item['title']}（{f.fact}）= {_value(item['value'])}：{f.reason}")
    lines.append(f"通过 {len(d.passed)} 项，不适用 {len(d.not_applicable)} 项。")
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == []:
        return "（无）"
    if isinstance(value, dict):
        return value.get("name") or "、".join(str(v) for v in value.values())
    return str(value)
