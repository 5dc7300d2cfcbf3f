"""Every API endpoint in one table: method, path, handler, roles, Chinese summary, request and answer models.

The app's routes and the OpenAPI document are both made from this table, so the roles the
document states are the roles the handlers demand (a test calls every endpoint with every role).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import admin, api, catalogue_api, playground
from .schemas import (AnyAnswer, BatchAnswer, BatchRequest, DecisionAnswer, DecisionRequest, LogRecord,
                      OverrideRequest, PlaygroundRequest, SearchAnswer, ValidateAnswer)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[..., Any]
    roles: tuple[str, ...]  # empty: no token needed
    summary: str
    request: Any = None
    answer: Any = AnyAnswer
    body: str = "json"  # json | project (JSON or YAML) | archive
    query: tuple[tuple[str, str], ...] = ()


ENDPOINTS = [
    Endpoint("POST", "/v1/decisions", api.decisions, api.DECIDE, "审查一个项目文件：决定、理由和引用；先写入决定记录再答复",
             DecisionRequest, DecisionAnswer, "project", (("explain", "true 时附解释过程"), ("as_of", "按该日施行的规则审查"))),
    Endpoint("POST", "/v1/decisions:batch", api.batch, api.DECIDE, "一次审查至多 100 个项目文件；每项一个决定编号和一条记录",
             BatchRequest, BatchAnswer),
    Endpoint("POST", "/v1/validate", api.validate, api.DECIDE, "只检查项目文件（不审查、不记录）", DecisionRequest,
             ValidateAnswer, "project"),
    Endpoint("POST", "/v1/explain", api.explain, api.REVIEW, "逐条解释：条件树、各子条件的值、读取的事实（不记录）",
             DecisionRequest, AnyAnswer, "project", (("rule", "只解释该规则"), ("all", "true 时也列出不适用的规则"))),
    Endpoint("GET", "/v1/decisions", api.search, api.REVIEW, "检索决定记录", None, SearchAnswer, "json",
             (("case_id", "案卷编号"), ("decision", "决定"), ("rule", "问题规则编号"), ("from", "起始日期"),
              ("to", "截止日期（含）"), ("limit", "至多条数（1–500）"))),
    Endpoint("GET", "/v1/decisions/{decision_id}", api.get_decision, api.REVIEW, "一条决定记录（含其后的复核更正）",
             None, LogRecord),
    Endpoint("POST", "/v1/decisions/{decision_id}/overrides", api.override, api.REVIEW,
             "复核更正：新增一条引用原决定的记录（原记录不变）", OverrideRequest, AnyAnswer),
    Endpoint("GET", "/v1/rulesets", catalogue_api.rulesets, catalogue_api.READ, "规则集及其版本和摘要"),
    Endpoint("GET", "/v1/rules", catalogue_api.rules, catalogue_api.READ, "规则目录：说明、按法律版本的引用、施行期间、file:line",
             query=(("q", "检索词"), ("ruleset", "规则集"), ("as_of", "只列出该日施行的规则"))),
    Endpoint("GET", "/v1/rules/{rule_id}", catalogue_api.rule, catalogue_api.READ, "一条规则的各个版本及覆盖它的案例"),
    Endpoint("POST", "/v1/playground", playground.endpoint, playground.AUTHOR,
             "规则试算：修改后的规则文件对照随包案例和粘贴的项目文件，给出检查结果和决定差异（不激活、不记录）",
             PlaygroundRequest),
    Endpoint("GET", "/v1/bundles", admin.bundles, admin.ADMIN, "已安装的规则包及当前版本"),
    Endpoint("POST", "/v1/bundles", admin.upload, admin.ADMIN, "上传规则包（tar.gz）：验证通过后原子切换；失败则原规则包继续有效",
             None, AnyAnswer, "archive"),
    Endpoint("POST", "/v1/bundles/{revision}/activate", admin.activate, admin.ADMIN, "切换（回滚）到已安装的某一版本"),
    Endpoint("GET", "/v1/status", admin.status, admin.ADMIN, "服务状态：当前规则包、最近一次失败的激活、决定记录"),
    Endpoint("GET", "/health/live", admin.live, (), "存活检查"),
    Endpoint("GET", "/health/ready", admin.ready, (), "就绪检查：规则包已激活、编译并预热，决定记录可写"),
    Endpoint("GET", "/metrics", admin.metrics_endpoint, (), "Prometheus 指标（多进程）"),
]
