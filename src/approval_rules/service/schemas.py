"""The pydantic models of the API: the OpenAPI document is generated from them (answers are built from ``to_dict``)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..model.project import ProjectFile
from ..ruleset.profile import Profile

DecisionKind = Literal["approve", "reject", "needs_correction", "refer"]


class DiagnosticOut(BaseModel):
    file: str | None = Field(description="文件（请求体为 request.json / request.yaml）")
    line: int | None
    col: int | None
    severity: str
    code: str = Field(description="错误代码，如 E101")
    slug: str
    rule_id: str | None
    message: str = Field(description="中文说明")
    hint: str | None


class ErrorOut(BaseModel):
    code: str = Field(description="机器可读的错误代码，如 invalid_project_file")
    message: str = Field(description="中文说明")
    errors: list[DiagnosticOut | dict[str, Any]] = Field(description="每一处问题，带 file:line:col")


class CitationOut(BaseModel):
    law: str
    law_version: _dt.date = Field(description="该法律版本的施行日期")
    article: int | None
    clause: int | None
    item: int | None
    verified: bool
    note: str | None


class FindingOut(BaseModel):
    rule_id: str
    title: str
    ruleset: str
    outcome: Literal["fail", "unknown"]
    effect: str
    legal_effect: str | None
    message: str
    facts: dict[str, Any]
    missing: list[str]
    citations: list[CitationOut]
    source: str | None


class RuleSetRefOut(BaseModel):
    id: str
    version: str
    sha256: str


class DecisionContract(BaseModel):
    """与 ``check --format json`` 相同的决定契约。"""

    case_id: str
    decision: DecisionKind
    as_of: _dt.date
    rulesets: list[RuleSetRefOut]
    findings: list[FindingOut]
    passed: list[str]
    not_applicable: list[str]
    corrections: list[Any] = Field(default_factory=list, description="汇总的补正事项")
    to_verify: list[Any] = Field(default_factory=list, description="待核查事项")
    presumed: list[Any] = Field(default_factory=list, description="按规则文件的推定填入的事实")
    derived: list[Any] = Field(default_factory=list, description="推导出的事实")
    context: list[Any] = Field(default_factory=list, description="由部署配置等补入的事实")


class DecisionRequest(BaseModel):
    """JSON 请求体：项目文件本身，或此信封。YAML 请求体（application/yaml）是项目文件本身。"""

    input: ProjectFile
    as_of: _dt.date | None = Field(None, description="按该日施行的规则审查")
    profile: Profile | None = Field(None, description="部署配置（受理机关、严格模式）")


class DecisionAnswer(BaseModel):
    decision_id: str = Field(description="按时间排序的决定编号；决定记录中同号")
    revision: str = Field(description="作出决定的规则包版本（亦见 X-Rules-Revision 响应头）")
    result: DecisionContract
    trace: dict[str, Any] | None = Field(None, description="?explain=true 时的解释过程")


class BatchRequest(BaseModel):
    items: list[DecisionRequest | ProjectFile] = Field(max_length=100, description="至多 100 个")


class BatchItem(BaseModel):
    index: int
    decision_id: str | None = None
    revision: str | None = None
    result: DecisionContract | None = None
    error: ErrorOut | None = None


class BatchAnswer(BaseModel):
    revision: str
    items: list[BatchItem]


class ValidateAnswer(BaseModel):
    valid: bool
    message: str
    errors: list[DiagnosticOut]


class LogRecord(BaseModel):
    decision_id: str
    time: str
    kind: Literal["decision", "override"]
    refers_to: str | None
    caller: str
    role: str
    request_id: str
    case_id: str
    application_id: str
    as_of: str
    revision: str
    rulesets: list[RuleSetRefOut]
    engine_version: str
    input_sha256: str = Field(description="请求中输入的 SHA-256")
    input_masked: Any = Field(description="屏蔽个人信息后的输入")
    masked: list[str] = Field(description="被屏蔽的 JSON 指针")
    result: dict[str, Any]
    decision: str
    rules: list[str]
    latency_ms: float
    overrides: list[dict[str, Any]] | None = None


class SearchAnswer(BaseModel):
    count: int
    decisions: list[dict[str, Any]]


class OverrideRequest(BaseModel):
    decision: DecisionKind
    reason: str


class PlaygroundRequest(BaseModel):
    rule_file: str = Field(description="当前规则包中的规则文件，如 rules/licence-renewal/10-validity.yaml")
    text: str = Field(description="修改后的全文")
    cases: list[str] = Field(default_factory=list, max_length=20, description="另试的项目文件文本（YAML 或 JSON）")


class AnyAnswer(BaseModel):
    model_config = {"extra": "allow"}


MODELS: list[type[BaseModel]] = [ErrorOut, DecisionRequest, DecisionAnswer, BatchRequest, BatchAnswer, ValidateAnswer, LogRecord,
          SearchAnswer, OverrideRequest, PlaygroundRequest, AnyAnswer]
