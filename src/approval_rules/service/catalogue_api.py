"""The rule catalogue as data: rule sets, rules (prose, citations by law version, periods, file:line), one rule."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..authoring.catalogue import describe
from ..engine.book import CompiledRule
from .books import Active
from .decide import as_date
from .webio import ApiError, json_response, require

READ = ("decide", "review", "author")


def where(active: Active, file: str, line: int, col: int | None = None) -> str:
    try:
        file = Path(file).relative_to(active.root).as_posix()
    except ValueError:
        pass
    return f"{file}:{line}" + (f":{col}" if col else "")


def rule_data(active: Active, rule: CompiledRule, full: bool = False) -> dict[str, Any]:
    entry = describe(rule)
    out: dict[str, Any] = {
        "id": rule.id, "title": rule.title, "ruleset": rule.ruleset_id, "chapter": rule.chapter,
        "effect": rule.effect, "legal_effect": rule.legal_effect, "effect_text": entry.effect,
        "effective": {"from": rule.effective.start.isoformat(), "to": rule.effective.end.isoformat() if rule.effective.end else None},
        "period_text": entry.period,
        "source": where(active, rule.pos.file, rule.pos.line),
        "when": entry.when, "require": entry.require, "message": entry.message,
        "citations": [
            {"law": c.law, "law_version": c.law_version.isoformat(), "until": c.until.isoformat() if c.until else None,
             "article": c.article, "clause": c.clause, "item": c.item, "verified": c.verified, "note": c.note,
             "text": text}
            for c, text in zip(rule.citations, entry.citations)
        ],
    }
    if full:
        out["when_expression"] = rule.source.when
        out["require_expression"] = rule.source.require
        out["cases"] = active.covers().get(rule.id, [])
    return out


def matches(data: dict[str, Any], q: str) -> bool:
    q = q.strip().lower()
    if not q:
        return True
    hay = " ".join([data["id"], data["title"], data["when"], data["require"], data["message"],
                    " ".join(c["text"] for c in data["citations"])]).lower()
    return all(word in hay for word in q.split())


def select(active: Active, q: str = "", ruleset: str | None = None, day: _dt.date | None = None) -> list[dict[str, Any]]:
    rules = active.book.active(day) if day else active.book.rules
    out = [rule_data(active, r) for r in rules if ruleset is None or r.ruleset_id == ruleset]
    return [d for d in out if matches(d, q)]


async def rulesets(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, READ)
    active = service.active()
    counts: dict[str, int] = {}
    for r in active.book.rules:
        counts[r.ruleset_id] = counts.get(r.ruleset_id, 0) + 1
    out = [{"id": s.id, "title": s.title, "domain": s.domain, "version": s.version, "sha256": s.sha256,
            "rules": counts.get(s.id, 0)} for s in active.book.rulesets]
    return json_response({"revision": active.revision, "rulesets": out}, headers={"X-Rules-Revision": active.revision})


async def rules(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, READ)
    active = service.active()
    q = request.query_params
    found = select(active, q.get("q", ""), q.get("ruleset") or None, as_date(q.get("as_of")))
    return json_response({"revision": active.revision, "count": len(found), "rules": found},
                         headers={"X-Rules-Revision": active.revision})


async def rule(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, READ)
    active = service.active()
    versions = active.book.rule(request.path_params["rule_id"])
    if not versions:
        raise ApiError(404, "not_found", f"没有规则「{request.path_params['rule_id']}」")
    return json_response({"revision": active.revision, "versions": [rule_data(active, r, full=True) for r in versions]},
                         headers={"X-Rules-Revision": active.revision})
