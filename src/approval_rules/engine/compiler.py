"""Loaded rule sets → a checked, compiled ``RuleBook`` (compile once, evaluate many).

Everything a rule file can get wrong beyond its shape is found here, all at once, each at
its ``file:line:col``: expression syntax and types, unknown facts, documents and sources,
citations missing for any day of a rule's effective period, overlapping versions of a rule.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable, Sequence

from ..model import facts
from .premises import Premise, compile_premises, conflicts, ordered
from .book import CitationRef, CompiledRule, Condition, DefinitionInfo, Placeholder, RuleBook, RuleSetInfo
from .closures import Fn, compile_expr
from .codegen import compile_fast, compile_recorder
from ..core.diagnostics import Diagnostic, RulesError, SourcePos, suggest
from ..lang import limits
from ..lang.openlists import close_open_lists
from ..lang.parser import OffsetError, parse
from ..lang.expr import BoolOp, Call, Compare, ListLit, Literal, Node, Path, walk
from ..ruleset.loader import LoadedRuleSet, RuleEntry
from ..ruleset.yamlsource import SourceMap
from ..model.project import DOCUMENTS
from ..ruleset.models import Citation, Effective, Source, SourceVersion
from ..lang.typecheck import Checked, check_condition, check_value

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SPECIAL_PLACEHOLDERS = {"missing": "缺少的事实", "missing_materials": "缺少或不合格的材料", "title": "规则标题"}
_NEEDS_CITATION = ("reject", "needs_correction", "refer")


class _RuleCompiler:
    def __init__(self, loaded: LoadedRuleSet):
        self.loaded = loaded
        self.diags: list[Diagnostic] = []
        self.definitions: dict[str, DefinitionInfo] = {}
        # Depth of each definition with the definitions it names: evaluation recurses through them.
        self.depths: dict[str, int] = {}
        self._definitions()

    @property
    def def_types(self) -> dict[str, facts.Type]:
        return {name: d.type for name, d in self.definitions.items()}

    @property
    def def_fns(self) -> dict[str, tuple[Fn, Fn]]:
        return {name: (d.fast, d.traced) for name, d in self.definitions.items()}

    def _definitions(self) -> None:
        """Compile definitions in order; each may use the ones written before it."""
        header_file = self.loaded.files[0]
        smap = self.loaded.maps[header_file]
        for name, d in self.loaded.header.definitions.items():
            path = ("definitions", name, "value")
            if facts.lookup((name,)) is not None:
                self.diags.append(Diagnostic("E204", f"定义名称「{name}」与事实字段重名", smap.key(("definitions", name)), hint="换一个名称"))
                continue
            try:
                node = close_open_lists(parse(d.value), facts.open_lists())
                self.depths[name] = limits.tree(node, self.depths)
            except OffsetError as e:
                self.diags.append(Diagnostic(e.code, e.message, smap.offset(path, e.offset), hint=e.hint))
                continue
            checked = check_value(node, self.def_types)
            for err in checked.errors:
                self.diags.append(Diagnostic(err.code, err.message, smap.offset(path, err.offset), hint=err.hint))
            if checked.errors:
                continue
            fns = self.def_fns
            self.definitions[name] = DefinitionInfo(
                name, d.title, d.value, node, checked, checked.types[node],
                compile_fast(node, checked, {n: f for n, (f, _) in fns.items()}), compile_expr(node, checked, True, fns),
                _positions(smap, path),
                compile_recorder(node, checked, {n: d.record for n, d in self.definitions.items()}),
            )

    def premise_citations(self, c: Citation, path: tuple[Any, ...]) -> list[CitationRef]:
        smap = self.loaded.maps[self.loaded.files[0]]
        src = self.loaded.header.sources.get(c.source)
        if src is None:
            hint = suggest(c.source, self.loaded.header.sources) or "已声明的来源：" + "、".join(self.loaded.header.sources)
            self.diags.append(Diagnostic("E211", f"未声明的法律来源「{c.source}」", smap.value(path + ("source",)), hint=hint))
            return []
        return [_citation(c.source, src, v, end, c) for v, end in src.spans() if c.pins(v.version)]

    def error(self, entry: RuleEntry, path: tuple[Any, ...], code: str, message: str, hint: str | None = None, key: bool = False) -> None:
        smap = self.loaded.maps[entry.file]
        full = entry.path + path
        pos = smap.key(full) if key else smap.value(full)
        self.diags.append(Diagnostic(code, message, pos, rule_id=entry.rule.id, hint=hint))

    def compile(self, entry: RuleEntry) -> CompiledRule | None:
        rule = entry.rule
        before = len(self.diags)
        when = self.condition(entry, "when", rule.when)
        if rule.require is not None and rule.require_materials is not None:
            self.error(entry, ("require_materials",), "E203", "require 与 require_materials 只能写一个", key=True)
        if rule.require is None and rule.require_materials is None:
            self.error(entry, ("id",), "E201", "缺少要求：写 require（条件）或 require_materials（材料清单）")
        require = materials = None
        if rule.require is not None:
            require = self.condition(entry, "require", rule.require)
        elif rule.require_materials is not None:
            require, materials = self.materials(entry)
        citations = self.citations(entry)
        self.period(entry, citations)
        placeholders = self.placeholders(entry)
        if len(self.diags) > before or when is None or require is None:
            return None
        smap = self.loaded.maps[entry.file]
        return CompiledRule(
            id=rule.id,
            title=rule.title,
            digest=rule.digest,
            ruleset_id=self.loaded.header.id,
            effect=rule.effect,
            legal_effect=rule.legal_effect,
            effective=rule.effective,
            when=when,
            require=require,
            message=rule.message,
            placeholders=placeholders,
            template=_cut(rule.message, placeholders),
            citations=citations,
            materials=materials or [],
            pos=smap.value(entry.path),
            chapter=entry.chapter,
            source=rule,
            path=entry.path,
            definitions=self.definitions,
            label=f"{entry.file}:{smap.value(entry.path).line}",
        )

    def condition(self, entry: RuleEntry, key: str, text: str) -> Condition | None:
        smap = self.loaded.maps[entry.file]
        path = entry.path + (key,)
        try:
            node = close_open_lists(parse(text), facts.open_lists())
            limits.tree(node, self.depths)
        except OffsetError as e:
            self.diags.append(Diagnostic(e.code, e.message, smap.offset(path, e.offset), entry.rule.id, e.hint))
            return None
        checked = check_condition(node, self.def_types)
        for err in checked.errors:
            self.diags.append(Diagnostic(err.code, err.message, smap.offset(path, err.offset), entry.rule.id, err.hint))
        if checked.errors:
            return None
        return self._condition(text, node, checked, lambda n: smap.offset(path, n.start))

    def _condition(self, text: str, node: Node, checked: Checked, positions: Callable[[Node], SourcePos]) -> Condition:
        fns = self.def_fns
        return Condition(
            text, node, checked, compile_fast(node, checked, {n: f for n, (f, _) in fns.items()}),
            compile_expr(node, checked, True, fns), positions,
            compile_recorder(node, checked, {n: d.record for n, d in self.definitions.items()}),
        )

    def materials(self, entry: RuleEntry) -> tuple[Condition | None, list[tuple[str, str, Fn]]]:
        smap = self.loaded.maps[entry.file]
        items = entry.rule.require_materials or []
        parts: list[Node] = []
        where: dict[Node, SourcePos] = {}
        for i, item in enumerate(items):
            item_path = entry.path + ("require_materials", i)
            if item.doc not in DOCUMENTS:
                hint = suggest(item.doc, DOCUMENTS) or "材料代码见 docs/rule-language.md 的材料目录"
                self.diags.append(Diagnostic("E216", f"未知的材料代码「{item.doc}」", smap.value(item_path), entry.rule.id, hint))
                continue
            node = _material_node(item.doc, item.qualified, item.conclusion)
            for n in walk(node):
                where[n] = smap.value(item_path)
            parts.append(node)
        if len(parts) != len(items) or not parts:
            if not items:
                self.error(entry, ("require_materials",), "E201", "材料清单为空")
            return None, []
        node = parts[0] if len(parts) == 1 else BoolOp(0, 0, "and", tuple(parts))
        where[node] = smap.value(entry.path + ("require_materials",))
        checked = check_condition(node)
        assert not checked.errors, checked.errors
        checks = [
            (item.doc, DOCUMENTS[item.doc], compile_expr(part, checked)) for item, part in zip(items, parts)
        ]
        text = "materials: " + ", ".join(i.doc for i in items)
        return self._condition(text, node, checked, lambda n: where.get(n, where[node])), checks

    def citations(self, entry: RuleEntry) -> list[CitationRef]:
        rule = entry.rule
        sources = self.loaded.header.sources
        out: list[CitationRef] = []
        if not rule.cite and rule.effect in _NEEDS_CITATION:
            self.error(entry, ("id",), "E214", f"效果为「{rule.effect}」的规则必须引用法律依据", "在 cite 下至少写一条：source、article")
        for i, c in enumerate(rule.cite):
            src = sources.get(c.source)
            if src is None:
                hint = suggest(c.source, sources) or "已声明的来源：" + "、".join(sources)
                self.error(entry, ("cite", i, "source"), "E211", f"未声明的法律来源「{c.source}」", hint)
                continue
            if c.article is None and (c.verified or not c.note):
                self.error(entry, ("cite", i), "E217", "没有条文号的引用必须写明 note 并保持 verified: false")
            spans = [(v, end) for v, end in src.spans() if c.pins(v.version)]
            if not spans:
                dates = "、".join(str(v.version) for v in src.versions)
                self.error(entry, ("cite", i, "version"), "E211", f"《{src.law}》没有 {c.version} 施行的版本", f"已声明的版本：{dates}")
                continue
            eff = rule.effective
            live = [v for v, end in spans if _overlaps(eff, Effective.model_validate({"from": v.version, "to": end}))]
            short = [v for v in live if c.article is not None and v.articles is not None and not 1 <= c.article <= v.articles]
            if short:
                versions = "、".join(f"{v.version}施行版本共 {v.articles} 条" for v in short)
                self.error(entry, ("cite", i, "article"), "E218", f"《{src.law}》没有第 {c.article} 条（{versions}）")
            out += [_citation(c.source, src, v, end, c) for v, end in spans]
        return out

    def period(self, entry: RuleEntry, citations: list[CitationRef]) -> None:
        eff = entry.rule.effective
        if eff.end is not None and eff.end < eff.start:
            self.error(entry, ("effective",), "E213", f"生效日期 {eff.start} 晚于失效日期 {eff.end}")
            return
        if not citations:
            return
        if not any(_overlaps(eff, Effective.model_validate({"from": c.law_version, "to": c.until})) for c in citations):
            self.error(
                entry, ("effective",), "E219", f"规则的生效期间（{eff.start}起）不在所引法律任何版本的施行期间内",
                "调整 effective，或引用在该期间施行的法律版本",
            )
            return
        gap = _first_uncovered(eff, citations)
        if gap is not None:
            self.error(
                entry, ("cite",), "E212",
                f"规则在 {gap} 有效，但所引用的法律版本在该日均未施行",
                "补充该日现行有效版本的引用，或调整 effective", key=True,
            )

    def placeholders(self, entry: RuleEntry) -> list[Placeholder]:
        smap = self.loaded.maps[entry.file]
        path = entry.path + ("message",)
        out: list[Placeholder] = []
        for m in _PLACEHOLDER.finditer(entry.rule.message):
            inner = m.group(1).strip()
            if inner in SPECIAL_PLACEHOLDERS:
                out.append(Placeholder(m.group(0), None))
                continue
            offset = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            try:
                node = parse(inner)
                limits.tree(node, self.depths)
            except OffsetError as e:
                self.diags.append(Diagnostic("E309", f"占位符「{m.group(0)}」有误：{e.message}", smap.offset(path, offset + e.offset), entry.rule.id, e.hint))
                continue
            checked = check_value(node, self.def_types)
            for err in checked.errors:
                self.diags.append(Diagnostic("E309", f"占位符「{m.group(0)}」有误：{err.message}", smap.offset(path, offset + err.offset), entry.rule.id, err.hint))
            if not checked.errors:
                fast = {n: f for n, (f, _) in self.def_fns.items()}
                out.append(Placeholder(m.group(0), compile_fast(node, checked, fast), checked.types.get(node)))
        return out


def _material_node(doc: str, qualified: bool | None, conclusion: Sequence[str] | None) -> Node:
    parts: list[Node] = [Call(0, 0, "submitted", (Path(0, 0, ("materials", doc)),))]
    if qualified:
        parts.append(Compare(0, 0, "==", Path(0, 0, ("materials", doc, "issuer_qualified")), Literal(0, 0, True)))
    if conclusion:
        values = tuple(Literal(0, 0, v) for v in conclusion)
        parts.append(Compare(0, 0, "in", Path(0, 0, ("materials", doc, "conclusion")), ListLit(0, 0, values)))
    return parts[0] if len(parts) == 1 else BoolOp(0, 0, "and", tuple(parts))


def _positions(smap: SourceMap, path: tuple[Any, ...]) -> Callable[[Node], SourcePos]:
    """Where a node of the expression at ``path`` is written (``path`` bound now, not at call time)."""
    return lambda n: smap.offset(path, n.start)


def _cut(message: str, placeholders: list[Placeholder]) -> list[str | Placeholder]:
    """The message as text pieces and placeholders, in order, so filling it is one join."""
    by_text = {p.text: p for p in placeholders}
    parts: list[str | Placeholder] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(message):
        if m.group(0) in by_text:
            parts += [message[pos:m.start()], by_text[m.group(0)]]
            pos = m.end()
    parts.append(message[pos:])
    return [p for p in parts if p != ""]


def _citation(source_id: str, src: Source, v: SourceVersion, end: _dt.date | None, c: Citation) -> CitationRef:
    return CitationRef(
        source_id, src.law, v.version, end, c.article, c.clause, c.item, c.verified, src.issuer, v.order, c.note,
        c.version is not None,
    )


def _first_uncovered(eff: Effective, citations: list[CitationRef]) -> _dt.date | None:
    """The first day of the rule's period on which no cited source is in force, if any."""
    day = eff.start
    intervals = sorted((c.law_version, c.until or _dt.date.max) for c in citations)
    for start, end in intervals:
        if start > day:
            break
        if end >= day:
            if end == _dt.date.max:
                return None
            day = end + _dt.timedelta(days=1)
    if eff.end is not None and day > eff.end:
        return None
    return day


def _overlaps(a: Effective, b: Effective) -> bool:
    a_end = a.end or _dt.date.max
    b_end = b.end or _dt.date.max
    return a.start <= b_end and b.start <= a_end


def compile_rules(loaded: list[LoadedRuleSet]) -> RuleBook:
    """Check and compile rule sets; raise ``RulesError`` listing every problem found."""
    diags: list[Diagnostic] = []
    compiled: list[CompiledRule] = []
    seen: dict[str, list[tuple[RuleEntry, LoadedRuleSet]]] = {}
    definitions: dict[str, dict[str, DefinitionInfo]] = {}
    premises: list[Premise] = []
    ids = [ls.header.id for ls in loaded]
    for ls in loaded:
        if ids.count(ls.header.id) > 1:
            diags.append(Diagnostic("E210", f"规则集编号「{ls.header.id}」重复", ls.maps[ls.files[0]].value(("id",))))
        rc = _RuleCompiler(ls)
        definitions[ls.header.id] = rc.definitions
        found, pdiags = compile_premises(ls, rc.def_types, rc.def_fns, rc.premise_citations)
        diags += pdiags
        premises += found
        for entry in ls.entries:
            for other, other_ls in seen.get(entry.rule.id, []):
                first = other_ls.maps[other.file].value(other.path)
                if other_ls is not ls or other.rule.effective == entry.rule.effective:
                    rc.error(entry, ("id",), "E210", f"规则编号「{entry.rule.id}」与 {first} 的规则重复", "改用新的编号")
                elif _overlaps(other.rule.effective, entry.rule.effective):
                    rc.error(
                        entry, ("effective",), "E221",
                        f"规则「{entry.rule.id}」的这一版本与 {first} 的版本生效期间重叠",
                        "前一版本写上 effective.to（新版本施行前一日）",
                    )
            seen.setdefault(entry.rule.id, []).append((entry, ls))
            rule = rc.compile(entry)
            if rule is not None:
                compiled.append(rule)
        diags += rc.diags
    diags += conflicts(premises)
    if diags:
        raise RulesError(diags)
    maps = {name: smap for ls in loaded for name, smap in ls.maps.items()}
    infos = [
        RuleSetInfo(
            ls.header.id, ls.header.title, ls.header.domain, ls.header.version, ls.sha256, ls.directory, ls.header,
            definitions[ls.header.id],
        )
        for ls in loaded
    ]
    return RuleBook(infos, compiled, maps, premises=ordered(premises))
