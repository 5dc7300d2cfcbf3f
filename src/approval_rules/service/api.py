"""The decision endpoints: decide one file or a batch, validate, explain, read and search the log, record an override."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..authoring.explain import explain as explain_case
from ..engine.decision import DECISION_ZH
from . import metrics
from .decide import Parsed, as_date, decide, parse_body, parse_item
from .records import LogRow, new_id, now_iso
from .state import Service
from .webio import ApiError, content_kind, json_response, parse_json, query_flag, query_int, read_body, require, text_of

DECIDE = ("decide", "review")
REVIEW = ("review",)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    return given[:100] if given.isprintable() and given else new_id()


async def _parsed(request: Request, service: Service) -> Parsed:
    kind = content_kind(request)
    body = await read_body(request, service.settings.max_body)
    return parse_body(body, text_of(body, f"request.{kind}"), kind, request.query_params.get("as_of"))


async def decisions(request: Request) -> Response:
    service = _service(request)
    caller = require(request, service.tokens, DECIDE)
    parsed = await _parsed(request, service)
    active = service.active()  # this request keeps this book to the end
    answer, row, _ = decide(active, parsed, caller, caller.role_for(DECIDE), _request_id(request),
                         service.settings.mask, query_flag(request, "explain"))
    service.record([row])
    metrics.DECISIONS.labels(row.decision).inc()
    return json_response(answer, headers={"X-Rules-Revision": active.revision, "X-Decision-Id": row.decision_id})


async def batch(request: Request) -> Response:
    service = _service(request)
    caller = require(request, service.tokens, DECIDE)
    content_kind(request, ("json",))
    body = await read_body(request, service.settings.max_body * 8)
    data = parse_json(text_of(body))
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ApiError(400, "invalid_parameter", "请求体应是 {\"items\": [项目文件或 {input, as_of}, …]}")
    if len(items) > service.settings.max_batch:
        raise ApiError(413, "batch_too_large", f"一次最多 {service.settings.max_batch} 个项目文件（本次 {len(items)} 个）；更多请用 screen 命令")
    active = service.active()
    request_id = _request_id(request)
    out: list[dict[str, Any]] = []
    rows: list[LogRow] = []
    for i, item in enumerate(items):
        try:
            answer, row, _ = decide(active, parse_item(item, i), caller, caller.role_for(DECIDE), request_id, service.settings.mask)
        except ApiError as exc:
            out.append({"index": i, "error": {"code": exc.code, "message": exc.message,
                                               "errors": [e.to_dict() if hasattr(e, "to_dict") else e for e in exc.errors]}})
            continue
        rows.append(row)
        out.append({"index": i, **answer})
    if rows:
        service.record(rows)
        for row in rows:
            metrics.DECISIONS.labels(row.decision).inc()
    return json_response({"revision": active.revision, "items": out}, headers={"X-Rules-Revision": active.revision})


async def validate(request: Request) -> Response:
    service = _service(request)
    require(request, service.tokens, DECIDE)
    try:
        await _parsed(request, service)
    except ApiError as exc:
        if exc.code not in ("invalid_project_file", "invalid_json"):
            raise  # the request itself is wrong (size, type, encoding, nesting): a 4xx, not a verdict on the file
        return json_response({"valid": False, "message": exc.message, "errors": [e.to_dict() for e in exc.errors]})
    return json_response({"valid": True, "message": "项目文件有效", "errors": []})


async def explain(request: Request) -> Response:
    service = _service(request)
    require(request, service.tokens, REVIEW)
    parsed = await _parsed(request, service)
    active = service.active()
    rule = request.query_params.get("rule")
    if rule and not active.book.rule(rule):
        raise ApiError(404, "not_found", f"没有规则「{rule}」")
    report = explain_case(active.book, parsed.project, parsed.as_of, rule, query_flag(request, "all"), profile=parsed.profile)
    return json_response({"revision": active.revision, **report}, headers={"X-Rules-Revision": active.revision})


async def get_decision(request: Request) -> Response:
    service = _service(request)
    require(request, service.tokens, REVIEW)
    row = service.reader().get(request.path_params["decision_id"])
    if row is None:
        raise ApiError(404, "not_found", f"没有决定「{request.path_params['decision_id']}」")
    row["overrides"] = service.reader().search(refers_to=row["decision_id"], limit=100)
    return json_response(row)


async def search(request: Request) -> Response:
    service = _service(request)
    require(request, service.tokens, REVIEW)
    q = request.query_params
    decision = q.get("decision") or None
    if decision and decision not in DECISION_ZH:
        raise ApiError(400, "invalid_parameter", f"decision 应是 {'、'.join(DECISION_ZH)} 之一")
    rows = service.reader().search(
        case_id=q.get("case_id") or None, decision=decision, rule=q.get("rule") or None,
        date_from=str(as_date(q.get("from"), "from") or "") or None, date_to=str(as_date(q.get("to"), "to") or "") or None,
        limit=query_int(request, "limit", 50, 1, 500),
    )
    return json_response({"count": len(rows), "decisions": [_summary(r) for r in rows]})


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("decision_id", "time", "kind", "refers_to", "case_id", "application_id", "decision", "rules",
            "revision", "caller", "as_of", "latency_ms")
    return {k: row.get(k) for k in keys}


async def override(request: Request) -> Response:
    """A reviewer's override or correction: a new row referring to the decision, never a change of it."""
    service = _service(request)
    caller = require(request, service.tokens, REVIEW)
    content_kind(request, ("json",))
    data = parse_json(text_of(await read_body(request, service.settings.max_body)))
    original = service.reader().get(request.path_params["decision_id"])
    if original is None or original["kind"] != "decision":
        raise ApiError(404, "not_found", f"没有决定「{request.path_params['decision_id']}」")
    if not isinstance(data, dict) or data.get("decision") not in DECISION_ZH or not str(data.get("reason", "")).strip():
        raise ApiError(422, "invalid_override", "应给出 decision（approve、reject、needs_correction、refer 之一）和 reason（理由）")
    row = LogRow(
        decision_id=new_id(), time=now_iso(), caller=caller.name, role=caller.role_for(REVIEW),
        request_id=_request_id(request), case_id=original["case_id"], application_id=original["application_id"],
        as_of=original["as_of"], revision=original["revision"], rulesets=original["rulesets"],
        engine_version=original["engine_version"], input_sha256=original["input_sha256"], input_masked={},
        masked=[], result={"decision": data["decision"], "reason": str(data["reason"])}, decision=data["decision"],
        kind="override", refers_to=original["decision_id"],
    )
    service.record([row])
    return json_response({"decision_id": row.decision_id, "refers_to": row.refers_to, "decision": row.decision}, 201)
