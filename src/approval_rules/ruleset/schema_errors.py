"""Pydantic validation errors → Chinese diagnostics at ``file:line:col``.

Pydantic reports a ``loc`` through the data (with union tags mixed in) and an English
message; legal staff need the position in their file, a Chinese sentence and, for a
misspelt key or value, the closest valid one.
"""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from ..model import facts
from ..core.diagnostics import Diagnostic, SourcePos, clip, suggest
from ..model.project.base import FIRST_DATE, LAST_DATE, MAX_INT_DIGITS
from .yamlsource import SourceMap

_TYPE_ZH = {
    "string_type": "文字",
    "bool_type": "是/否（true 或 false）",
    "int_type": "整数",
    "float_type": "数字",
    "list_type": "列表",
    "dict_type": "键值对（映射）",
    "model_type": "键值对（映射）",
    "model_attributes_type": "键值对（映射）",
    "date_type": "日期（YYYY-MM-DD）",
}
_DATE_ZH = {
    "date_with_time": "日期不能带时间",
    "date_invalid": "不是有效的日历日期",
    "date_format": "日期应写成 YYYY-MM-DD",
}


def locate(smap: SourceMap, data: Any, loc: Iterable[Any], key: bool = False) -> tuple[tuple[Any, ...], Any]:
    """Walk ``loc`` through ``data``, skipping union tags; return the real path and value."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and not key:
            path.append(part)
            current = None
    return tuple(path), current


def _field_names(model: type[BaseModel], path: tuple[Any, ...], data: Any) -> list[str]:
    """Names allowed at the mapping that holds ``path`` (for 是否指 on a misspelt key)."""
    current = facts.Type("object", model=model)
    for part in path[:-1]:
        if current.kind in ("list", "map") and current.elem:
            current = current.elem
            continue
        if current.kind != "object" or current.model is None:
            return []
        f = facts.fields_of(current.model).get(str(part))
        if f is None:
            return []
        current = f.type
    if current.kind in ("list", "map") and current.elem:
        current = current.elem
    if current.kind == "object" and current.model is not None:
        return list(facts.fields_of(current.model))
    return []


def to_diagnostics(
    exc: ValidationError, data: Any, smap: SourceMap, model: type[BaseModel]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors(include_url=False):
        etype = err["type"]
        path, _ = locate(smap, data, err["loc"])
        dotted = _dotted(path)
        if etype == "extra_forbidden":
            pos = smap.key(path)
            name = str(path[-1]) if path else ""
            hint = suggest(name, _field_names(model, path, data))
            diag = Diagnostic("E202", f"未知的键「{clip(name)}」", pos, hint=hint or "删除该键，或对照说明改正拼写")
        elif etype == "missing":
            missing = str(err["loc"][-1])
            parent = path if path and path[-1] != missing else path[:-1]
            diag = Diagnostic("E201", f"缺少必填项「{missing}」", smap.value(parent), hint=f"在「{_dotted(parent) or '文件顶层'}」下补上「{missing}」")
        elif etype == "literal_error":
            value = err.get("input")
            allowed = err.get("ctx", {}).get("expected", "")
            options = [o.strip().strip("'") for o in allowed.replace(" or ", ",").split(",") if o.strip()]
            hint = suggest(str(value)[:200], options) or f"可选值：{'、'.join(options)}"
            diag = Diagnostic("E204", f"「{dotted}」的值「{clip(value)}」不在允许的范围内", smap.value(path), hint=hint)
        elif etype == "value_error" and str(err.get("ctx", {}).get("error")) in _DATE_ZH:
            reason = _DATE_ZH[str(err["ctx"]["error"])]
            diag = Diagnostic("E205", f"「{dotted}」的日期「{clip(err.get('input'))}」无效：{reason}", smap.value(path), hint="日期写成 YYYY-MM-DD，例如 2021-09-01")
        elif etype == "value_error" and str(err.get("ctx", {}).get("error")) == "rule_id_shape" and (found := _non_ascii(err.get("input"))):
            text = str(err.get("input"))
            i, ch = found
            pos = smap.value(path)
            diag = Diagnostic("E307", f"规则编号「{clip(text)}」中有全角或形近字符「{ch}」", SourcePos(pos.file, pos.line, pos.col + i),
                              hint="编号只用半角英文字母、数字、「-」「_」「.」")
        elif etype == "value_error" and str(err.get("ctx", {}).get("error")) == "rule_id_shape":
            diag = Diagnostic("E204", f"规则编号「{clip(err.get('input'))}」格式不对", smap.value(path), hint="编号用英文字母开头，只含字母、数字、「-」「_」「.」，例如 TS-LIC-VAL-002")
        elif etype == "finite_number":
            diag = Diagnostic("E206", f"「{dotted}」的数字不能是 NaN 或无穷大", smap.value(path), hint="写出确切的数字；不知道时不填该项")
        elif etype in ("less_than", "greater_than") and isinstance(err.get("input"), int):
            diag = Diagnostic("E207", f"「{dotted}」的整数「{clip(err.get('input'))}」位数过多（最多 {MAX_INT_DIGITS} 位）", smap.value(path))
        elif _out_of_calendar(err):
            diag = Diagnostic("E208", f"「{dotted}」的日期「{clip(str(err.get('input')))}」超出合理范围（{FIRST_DATE} 至 {LAST_DATE}）", smap.value(path), hint="核对年份是否写错")
        elif etype == "date_order":
            ctx = err["ctx"]
            later = path + (ctx["later"],)
            diag = Diagnostic("E209", f"{ctx['later_title']}「{_dotted(later)}」早于{ctx['earlier_title']}「{_dotted(path + (ctx['earlier'],))}」，先后矛盾", smap.value(later), hint="核对两个日期，改正写错的一个")
        elif etype in _TYPE_ZH:
            got = err.get("input")
            diag = Diagnostic("E203", f"「{dotted}」应为{_TYPE_ZH[etype]}，实际是「{_show(got)}」", smap.value(path), hint=_type_hint(etype, got))
        else:
            diag = Diagnostic("E203", f"「{dotted}」的值不正确：{clip(err.get('msg'), 200)}", smap.value(path))
        key = (diag.code, diag.pos, diag.message)
        if key not in seen:
            seen.add(key)
            out.append(diag)
    return _drop_implied_missing(out)


def _out_of_calendar(err: Any) -> bool:
    ctx = err.get("ctx", {})
    return str(ctx.get("error")) == "date_range" or ctx.get("ge") == FIRST_DATE or ctx.get("le") == LAST_DATE


def _drop_implied_missing(diags: list[Diagnostic]) -> list[Diagnostic]:
    """A misspelt key also makes the intended key "missing"; report only the misspelling."""
    suggested = {d.hint for d in diags if d.code == "E202" and d.hint}
    return [
        d for d in diags
        if not (d.code == "E201" and any(f"「{d.message.split('「')[-1].rstrip('」')}」" in h for h in suggested))
    ]


def _non_ascii(text: Any) -> tuple[int, str] | None:
    for i, ch in enumerate(str(text)):
        if ord(ch) > 127:
            return i, ch
    return None


def _dotted(path: tuple[Any, ...]) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "键值对（映射）"
    if isinstance(value, list):
        return "列表"
    return clip(value)


def _type_hint(etype: str, got: Any) -> str | None:
    if etype == "bool_type":
        return "是/否只能写 true 或 false"
    if etype == "string_type" and isinstance(got, (int, float)):
        return "给数字加上英文引号，例如 \"001\""
    if etype in ("int_type", "float_type") and isinstance(got, str):
        return "数字不加引号"
    return None
