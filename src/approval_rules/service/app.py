"""The ASGI app: the endpoint table and the page routes, wrapped so that every error is {code, message, errors}.

``create_app`` is the factory uvicorn calls in each worker: it reads the settings from the
environment, loads, compiles and warms the active bundle and opens the decision log before the
worker takes its first request.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, cast

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ExceptionHandler

from . import metrics, pages
from .config import Settings
from .openapi import document
from .routes import ENDPOINTS
from .state import Service
from .webio import ApiError, error_response, json_response

log = logging.getLogger("approval_rules.service")
STATIC = Path(__file__).parent / "static"


def guarded(route: str, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The handler with its errors answered as JSON (never a traceback) and counted in the metrics."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await handler(request)
        except ApiError as exc:
            response = error_response(exc)
        except Exception:  # noqa: BLE001 - the last line of defence: logged here, a Chinese message out
            log.exception("内部错误：%s %s", request.method, request.url.path)
            response = error_response(ApiError(500, "internal", "服务内部错误，已记入服务日志（请报告给开发人员）"))
        metrics.REQUESTS.labels(route, str(response.status_code)).inc()
        metrics.LATENCY.labels(route).observe(time.perf_counter() - started)
        return response

    return endpoint


async def _http_error(request: Request, exc: HTTPException) -> Response:
    text = {404: "没有这个地址", 405: "此地址不支持该请求方法"}.get(exc.status_code, "请求有误")
    return error_response(ApiError(exc.status_code, {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request"), text))


async def _internal(request: Request, exc: Exception) -> Response:
    log.exception("内部错误：%s %s", request.method, request.url.path)
    return error_response(ApiError(500, "internal", "服务内部错误，已记入服务日志（请报告给开发人员）"))


# Starlette types every handler as taking any Exception; it calls _http_error only for the key it is under.
_HANDLERS: dict[Any, ExceptionHandler] = {HTTPException: cast(ExceptionHandler, _http_error), Exception: _internal}


def build(service: Service) -> Starlette:
    spec = document()

    async def openapi(request: Request) -> Response:
        return json_response(spec)

    ops_elsewhere = service.settings.ops_port is not None
    routes: list[BaseRoute] = [
        Route(e.path, guarded(e.path, e.handler), methods=[e.method])
        for e in ENDPOINTS if not (ops_elsewhere and e.path in OPS_PATHS)
    ]
    routes.append(Route("/openapi.json", openapi, methods=["GET"]))
    routes += [Route(path, guarded(path, handler), methods=methods) for path, handler, methods in pages.ROUTES]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes, exception_handlers=_HANDLERS)
    app.state.service = service
    return app


def create_app() -> Starlette:
    return build(Service.create(Settings.from_env()))


# Load balancers and Prometheus scrape these; on a separate port they need no route through the
# public listener (serve --ops-port), and the public port stops answering them.
OPS_PATHS = ("/health/live", "/health/ready", "/metrics")


def create_ops_app() -> Starlette:
    """Health and metrics alone, for ``serve --ops-port`` (its own process, the same data dir)."""
    service = Service.create(Settings.from_env())
    routes = [Route(e.path, e.handler, methods=[e.method]) for e in ENDPOINTS if e.path in OPS_PATHS]
    app = Starlette(routes=routes, exception_handlers=_HANDLERS)
    app.state.service = service
    return app
