"""The OpenAPI 3.1 document, generated from the endpoint table and the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from ..batch.workers import ENGINE_VERSION
from .auth import ROLE_ZH
from .routes import ENDPOINTS
from .schemas import MODELS, ErrorOut

_REF = "#/components/schemas/{model}"
_ERRORS = {
    "400": "请求有误（JSON 语法、参数、编码、嵌套过深）", "401": "缺少或无效的令牌", "403": "角色无权执行此操作",
    "413": "请求体过大", "415": "内容类型不支持", "422": "项目文件或规则包有错误（全部诊断及其位置）",
    "503": "没有可用的规则包，或决定记录无法写入（不作决定）",
}


def _ref(model: Any) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def document() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in MODELS], ref_template=_REF)
    paths: dict[str, Any] = {}
    for e in ENDPOINTS:
        op: dict[str, Any] = {
            "summary": e.summary,
            "operationId": f"{e.method.lower()}_{e.path.strip('/').replace('/', '_').replace(':', '_').replace('{', '').replace('}', '')}",
            "x-roles": list(e.roles),
            "description": ("所需角色：" + "、".join(f"{r}（{ROLE_ZH[r]}）" for r in e.roles) + "；admin 可执行一切操作。")
            if e.roles else "无需令牌。",
            "responses": {"200": {"description": "成功", "content": {"application/json": {"schema": _ref(e.answer)}}}},
        }
        if e.roles:
            op["security"] = [{"bearer": []}, {"cookie": []}]
            for code, text in _ERRORS.items():
                op["responses"][code] = {"description": text, "content": {"application/json": {"schema": _ref(ErrorOut)}}}
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in e.path.split("/") if p.startswith("{")]
        params += [{"name": n, "in": "query", "required": False, "description": d, "schema": {"type": "string"}} for n, d in e.query]
        if params:
            op["parameters"] = params
        if e.body == "archive":
            op["requestBody"] = {"required": True, "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}}
        elif e.request is not None:
            content = {"application/json": {"schema": _ref(e.request)}}
            if e.body == "project":
                content["application/yaml"] = {"schema": {"type": "string", "description": "YAML 项目文件"}}
            op["requestBody"] = {"required": True, "content": content}
        paths.setdefault(e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "approval-rules 审查服务", "version": ENGINE_VERSION,
                 "description": "安全生产行政许可审查规则引擎的 HTTP 接口。错误一律为 {code, message, errors}。"},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "cookie": {"type": "apiKey", "in": "cookie", "name": "ar_session"}},
        },
    }
