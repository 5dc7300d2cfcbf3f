"""Operations: health, status, metrics, and the bundles (upload = validate then swap, list, roll back)."""

from __future__ import annotations

import asyncio
import os

from starlette.requests import Request
from starlette.responses import Response

from ..batch.workers import ENGINE_VERSION
from . import metrics
from .books import Active, warm
from .bundles import BundleError
from .records import now_iso
from .webio import ApiError, json_response, read_body, require

ADMIN = ("admin",)
ARCHIVE_TYPES = ("application/gzip", "application/x-gzip", "application/x-tar", "application/octet-stream")


async def live(request: Request) -> Response:
    return json_response({"status": "live"})


async def ready(request: Request) -> Response:
    service = request.app.state.service
    service.books.refresh()
    active = service.books.current
    problems = []
    if active is None:
        problems.append("没有已激活、已编译并预热的规则包")
    if not await service.log_writable():
        problems.append("决定记录不可写入")
    if problems:
        return json_response({"status": "not_ready", "problems": problems}, 503)
    return json_response({"status": "ready", "revision": active.revision, "warmed_plans": active.warmed})


async def status(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, ADMIN)
    service.books.refresh()
    active = service.books.current
    return json_response({
        "engine_version": ENGINE_VERSION,
        "pid": os.getpid(),
        "active": None if active is None else {
            "revision": active.revision, "activated_at": active.activated_at, "rulesets": active.rulesets,
            "rules": len(active.book.rules), "warmed_plans": active.warmed,
        },
        "pointer": service.library.active_revision(),
        "last_failure": service.library.failure(),
        "log": {"backend": getattr(service.log, "backend", None), "writable": await service.log_writable(),
                "error": service.log_error},
        "auth": "open (loopback only)" if service.tokens.open else "tokens",
    })


async def metrics_endpoint(request: Request) -> Response:
    body, ctype = metrics.exposition()
    return Response(body, media_type=ctype)


async def bundles(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, ADMIN)
    return json_response({"active": service.library.active_revision(), "bundles": service.library.revisions()})


async def upload(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, ADMIN)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ARCHIVE_TYPES:
        raise ApiError(415, "unsupported_media_type", f"不支持的内容类型「{ctype or '（未指定）'}」：规则包应以 application/gzip（tar.gz 归档）上传")
    data = await read_body(request, service.settings.max_bundle)
    try:
        manifest, book = await asyncio.to_thread(service.library.upload, data)
    except BundleError as exc:
        metrics.BUNDLES.labels("refused").inc()
        raise ApiError(422, "bundle_refused", f"规则包未激活：{exc.message}；原规则包继续有效", exc.diagnostics,
                       failing_cases=exc.failing) from None
    revision = manifest["revision"]
    root = service.library.path(revision)
    active = Active(revision, book, root, now_iso())
    active.warmed = await asyncio.to_thread(warm, book, active.case_paths())
    service.books.use(active)
    metrics.BUNDLES.labels("activated").inc()
    return json_response({"revision": revision, "activated": True, "message": "规则包已验证并激活",
                          "rulesets": manifest.get("rulesets", []), "signer": manifest.get("signer")},
                         headers={"X-Rules-Revision": revision})


async def activate(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, ADMIN)
    revision = request.path_params["revision"]
    try:
        await asyncio.to_thread(service.library.activate, revision)
    except BundleError as exc:
        metrics.BUNDLES.labels("refused").inc()
        status_code = 404 if not exc.diagnostics else 422
        raise ApiError(status_code, "bundle_refused" if exc.diagnostics else "not_found", exc.message, exc.diagnostics) from None
    await asyncio.to_thread(service.books.refresh, True)
    metrics.BUNDLES.labels("activated").inc()
    return json_response({"revision": revision, "activated": True, "message": "已切换到该版本的规则包"},
                         headers={"X-Rules-Revision": revision})
