"""The page for people (/): 审查, 规则目录, 规则试算, 决定记录, 登录 — server-rendered Jinja2, Chinese, no external assets."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..engine.decision import DECISION_ZH, Decision, Finding
from ..engine.render import citation_text
from ..ruleset.models import EFFECT_ZH, LEGAL_EFFECTS
from .api import DECIDE, REVIEW, _request_id
from .auth import COOKIE, COOKIE_SECONDS, ROLE_ZH
from .catalogue_api import READ, select
from .decide import as_date, decide, parse_body
from .playground import AUTHOR, rule_files, run
from .webio import ApiError, caller_of, read_body, require, text_of

ENV = Environment(loader=PackageLoader("approval_rules.service", "templates"), autoescape=select_autoescape(["html"]))
ENV.globals.update(DECISION_ZH=DECISION_ZH, EFFECT_ZH=EFFECT_ZH, LEGAL_EFFECTS=LEGAL_EFFECTS, ROLE_ZH=ROLE_ZH)
ENV.filters["citation"] = citation_text
ENV.filters["pretty"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    service = request.app.state.service
    caller = caller_of(request, service.tokens)
    html = ENV.get_template(template).render(caller=caller, open_mode=service.tokens.open, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def _guard(request: Request, roles: tuple[str, ...]) -> tuple[Any, Response | None]:
    """The caller, or the answer to give instead: the login page (no session) or a refusal (wrong role)."""
    service = request.app.state.service
    try:
        return require(request, service.tokens, roles), None
    except ApiError as exc:
        if exc.status == 401:
            return None, RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
        return None, render(request, "error.html", 403, message=exc.message)


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise ApiError(415, "unsupported_media_type", "表单应以 application/x-www-form-urlencoded 提交")
    body = text_of(await read_body(request, request.app.state.service.settings.max_body * 2))
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def groups(decision: Decision) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {"reject": [], "needs_correction": [], "refer": [], "info": []}
    for f in decision.findings:
        out[f.contributes or "info"].append(f)
    return out


async def review(request: Request) -> Response:
    caller, refusal = _guard(request, DECIDE)
    if refusal:
        return refusal
    if request.method == "GET":
        return render(request, "review.html", text="", as_of="")
    service = request.app.state.service
    form = await _form(request)
    text = form.get("text", "")
    kind = "json" if text.lstrip().startswith("{") else "yaml"
    context: dict[str, Any] = {"text": text, "as_of": form.get("as_of", "")}
    try:
        parsed = parse_body(text.encode(), text, kind, form.get("as_of") or None)
        active = service.active()
        answer, row, decision = decide(active, parsed, caller, caller.role_for(DECIDE), _request_id(request),
                                       service.settings.mask, bool(form.get("explain")))
        service.record([row])
    except ApiError as exc:
        return render(request, "review.html", exc.status, error=exc, lines=text.splitlines(), **context)
    return render(request, "review.html", answer=answer, decision=decision, groups=groups(decision), **context)


async def catalogue(request: Request) -> Response:
    _, refusal = _guard(request, READ)
    if refusal:
        return refusal
    active = request.app.state.service.active()
    q = request.query_params.get("q", "")
    found = select(active, q)
    covers = active.covers()
    for r in found:
        r["cases"] = covers.get(r["id"], [])
    return render(request, "catalogue.html", rules=found, q=q, total=len(active.book.rules), revision=active.revision)


async def playground(request: Request) -> Response:
    _, refusal = _guard(request, AUTHOR)
    if refusal:
        return refusal
    active = request.app.state.service.active()
    files = rule_files(active)
    if request.method == "GET":
        chosen = request.query_params.get("file") or files[0]
        if chosen not in files:
            chosen = files[0]
        text = (active.root / chosen).read_text(encoding="utf-8")
        return render(request, "playground.html", files=files, chosen=chosen, text=text, pasted="")
    form = await _form(request)
    chosen, text, pasted = form.get("rule_file", ""), form.get("text", ""), form.get("pasted", "")
    try:
        result = await asyncio.to_thread(run, active, chosen, text, [pasted] if pasted.strip() else [])
    except ApiError as exc:
        return render(request, "playground.html", exc.status, files=files, chosen=chosen, text=text, pasted=pasted, error=exc)
    return render(request, "playground.html", files=files, chosen=chosen, text=text, pasted=pasted, result=result)


async def decision_log(request: Request) -> Response:
    _, refusal = _guard(request, REVIEW)
    if refusal:
        return refusal
    service = request.app.state.service
    q = request.query_params
    try:
        rows = service.reader().search(case_id=q.get("case_id") or None, decision=q.get("decision") or None,
                                       rule=q.get("rule") or None, date_from=str(as_date(q.get("from"), "from") or "") or None,
                                       date_to=str(as_date(q.get("to"), "to") or "") or None, limit=100)
    except ApiError as exc:
        return render(request, "log.html", exc.status, rows=[], q=q, error=exc)
    return render(request, "log.html", rows=rows, q=q)


async def record(request: Request) -> Response:
    _, refusal = _guard(request, REVIEW)
    if refusal:
        return refusal
    reader = request.app.state.service.reader()
    row = reader.get(request.path_params["decision_id"])
    if row is None:
        return render(request, "error.html", 404, message="没有这条决定记录")
    overrides = reader.search(refers_to=row["decision_id"])
    return render(request, "record.html", row=row, overrides=overrides)


async def login(request: Request) -> Response:
    service = request.app.state.service
    target = request.query_params.get("next", "/")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    if request.method == "GET":
        return render(request, "login.html", next=target)
    form = await _form(request)
    found = service.tokens.login(form.get("token", ""))
    if found is None:
        return render(request, "login.html", 401, next=target, error="令牌无效")
    response = RedirectResponse(target, 303)
    response.set_cookie(COOKIE, found[1], max_age=COOKIE_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE)
    return response


async def docs(request: Request) -> Response:
    return render(request, "docs.html")


ROUTES = [
    ("/", review, ["GET", "POST"]),
    ("/catalogue", catalogue, ["GET"]),
    ("/playground", playground, ["GET", "POST"]),
    ("/log", decision_log, ["GET"]),
    ("/log/{decision_id}", record, ["GET"]),
    ("/login", login, ["GET", "POST"]),
    ("/logout", logout, ["POST"]),
    ("/docs", docs, ["GET"]),
]
