"""What every endpoint shares: JSON answers, errors as {code, message, errors}, bounded bodies, callers."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..core.diagnostics import Diagnostic, ProjectFileError, SourcePos
from ..ruleset.jsonsource import load_json
from ..ruleset.yamlsource import MAX_DEPTH
from .auth import COOKIE, Caller, Tokens

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[Any] | None = None, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.errors, self.extra = status, code, message, errors or [], extra


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(obj), status_code=status, media_type="application/json", headers=headers)


def error_response(exc: ApiError) -> Response:
    errors = [e.to_dict() if isinstance(e, Diagnostic) else e for e in exc.errors]
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return json_response({"code": exc.code, "message": exc.message, "errors": errors, **exc.extra}, exc.status, headers)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise ApiError(413, "body_too_large", f"请求体过大（上限 {limit} 字节）")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"请求体过大（上限 {limit} 字节）")
        chunks.append(chunk)
    return b"".join(chunks)


def text_of(body: bytes, source: str = "request") -> str:
    """The body as text; a UTF-8 byte-order mark is accepted and dropped, as everywhere else."""
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ApiError(400, "invalid_encoding", "请求体不是有效的 UTF-8 文本",
                       [Diagnostic("E101", f"第 {exc.start} 字节处不是 UTF-8 编码", SourcePos(source, line, 1))]) from None


def content_kind(request: Request, allowed: tuple[str, ...] = ("json", "yaml")) -> str:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = "json" if ctype == "application/json" else "yaml" if ctype in YAML_TYPES else None
    if kind not in allowed:
        wanted = "application/json" + ("、application/yaml" if "yaml" in allowed else "")
        raise ApiError(415, "unsupported_media_type", f"不支持的内容类型「{ctype or '（未指定）'}」，应为 {wanted}")
    return kind


def parse_json(text: str, source: str = "request") -> Any:
    """A JSON body, read as strictly as a project file (duplicate keys, NaN, lone surrogates, depth refused)."""
    try:
        return load_json(text, source)
    except ProjectFileError as exc:
        if any(d.code == "E106" for d in exc.diagnostics):
            raise ApiError(400, "too_deep", f"JSON 嵌套过深（上限 {MAX_DEPTH} 层）", exc.diagnostics) from None
        raise ApiError(400, "invalid_json", "请求体不是有效的 JSON", exc.diagnostics) from None


def caller_of(request: Request, tokens: Tokens) -> Caller | None:
    header = request.headers.get("authorization")
    if header or tokens.open:
        return tokens.bearer(header)
    return tokens.cookie(request.cookies.get(COOKIE))


def require(request: Request, tokens: Tokens, roles: tuple[str, ...]) -> Caller:
    caller = caller_of(request, tokens)
    if caller is None:
        raise ApiError(401, "unauthenticated", "需要有效的令牌（Authorization: Bearer …）或先登录")
    if not caller.may(roles):
        raise ApiError(403, "forbidden", f"「{caller.name}」无权执行此操作（需要角色：{'、'.join(roles)}）")
    return caller


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, "invalid_parameter", f"参数 {name} 应是 {low} 到 {high} 之间的整数")
    return int(raw)


def query_flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")
