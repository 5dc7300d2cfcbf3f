"""The rule language as pydantic models: a rule set's header, its legal sources, its rules.

These models hold exactly what a rule file says and no behaviour; positions are kept
beside them in a ``SourceMap``; expressions stay strings here and are parsed by the compiler.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..model.project.base import Authority, Conclusion, Date, Labels

Effect = Literal["reject", "needs_correction", "refer", "info"]
EFFECT_ZH = {"reject": "不予许可", "needs_correction": "需补正", "refer": "转人工/全面审查", "info": "提示"}

LEGAL_EFFECTS = {
    "not_accept": "不予受理",
    "refuse": "不予许可（不予颁发）",
    "not_approve": "不予批准（不得开工建设）",
    "not_pass": "不得通过竣工验收（不得投入生产和使用）",
    "block_start": "不得开工建设",
    "block_ops": "不得投入生产和使用",
    "correct": "限期补正（一次告知）",
    "full_review": "不适用直接延期，依法全面审查",
    "suspend": "暂扣许可证",
    "revoke": "吊销或者撤销许可证",
    "cancel": "注销许可证",
    "penalty": "可能承担的法律责任",
    "notice": "提示",
}
LegalEffect = Annotated[
    Literal[
        "not_accept", "refuse", "not_approve", "not_pass", "block_start", "block_ops", "correct", "full_review",
        "suspend", "revoke", "cancel", "penalty", "notice",
    ],
    Labels("LegalEffect", LEGAL_EFFECTS),
]
Domain = Annotated[
    Literal["high_risk_entry", "three_simultaneous", "licence_renewal", "other"],
    Labels("Domain", {
        "high_risk_entry": "高危行业准入",
        "three_simultaneous": "建设项目安全设施三同时",
        "licence_renewal": "安全生产许可证延期/换证",
        "other": "其他",
    }),
]
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")


class RModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


def _text(value: Any) -> Any:
    # Legal staff write `version: 2026.1` without quotes; it is still a version string.
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_text)]


class SourceVersion(RModel):
    """One version of a law: when it took effect and, if superseded, its last day."""

    version: Date = Field(title="该版本施行日期")
    until: Date | None = Field(None, title="该版本停止施行的最后一日（缺省为下一版本施行前一日；现行有效的不填）")
    order: str | None = Field(None, title="发布令号或修正决定")
    articles: int | None = Field(None, title="该版本的条文总数")
    note: str | None = Field(None, title="说明")


class Source(RModel):
    """A law or regulation with its versions (法律渊源)."""

    law: str = Field(title="法律法规全称")
    issuer: str | None = Field(None, title="制定机关")
    versions: list[SourceVersion] = Field(min_length=1, title="各版本（按施行日期先后）")
    url: str | None = Field(None, title="官方文本地址")
    note: str | None = Field(None, title="说明")

    def spans(self) -> list[tuple[SourceVersion, _dt.date | None]]:
        """Each version with its last day: explicit, else the day before the next version."""
        out = []
        for i, v in enumerate(self.versions):
            nxt = self.versions[i + 1].version if i + 1 < len(self.versions) else None
            end = v.until or (nxt - _dt.timedelta(days=1) if nxt else None)
            out.append((v, end))
        return out


class Citation(RModel):
    """A legal basis: a law (optionally one version of it), article (条), clause (款), item (项)."""

    source: str = Field(title="法律来源编号（在 ruleset.yaml 的 sources 中声明）")
    version: Date | list[Date] | None = Field(
        None, title="只引用这些施行日期的版本（条文号在各版本间不同时必须写）"
    )

    def pins(self, version: _dt.date) -> bool:
        """Whether this citation applies to the law's version that took effect on ``version``."""
        if self.version is None:
            return True
        return version in self.version if isinstance(self.version, list) else version == self.version
    article: int | None = Field(None, title="条")
    clause: int | None = Field(None, title="款")
    item: int | None = Field(None, title="项")
    verified: bool = Field(False, title="条文号是否已核实（全文或可靠摘录）")
    note: str | None = Field(None, title="说明（条文号不明时必须说明）")


class Effective(RModel):
    """The period a rule is in force, both ends inclusive."""

    start: Date = Field(alias="from", title="生效日期")
    end: Date | None = Field(None, alias="to", title="失效前最后一日（现行有效的不填）")

    def contains(self, day: _dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class MaterialItem(RModel):
    """One required document, optionally with requirements on who issued it and its conclusion."""

    doc: str = Field(title="材料代码")
    qualified: bool | None = Field(None, title="是否要求出具单位具有相应资质")
    conclusion: list[Conclusion] | None = Field(None, title="可接受的结论")


def _material_item(value: Any) -> Any:
    return {"doc": value} if isinstance(value, str) else value


class Rule(RModel):
    """One rule: when it applies, what it requires, what follows if unmet, and why."""

    id: str = Field(title="规则编号（稳定、唯一）")
    title: str = Field(title="规则标题")
    digest: str = Field(title="对应的法规摘要行编号")
    effective: Effective = Field(title="生效期间")
    when: str = Field("true", title="适用条件")
    require: str | None = Field(None, title="要求（条件表达式）")
    require_materials: list[Annotated[MaterialItem, BeforeValidator(_material_item)]] | None = Field(
        None, title="要求提交的材料"
    )
    effect: Effect = Field(title="不满足时的效果")
    legal_effect: LegalEffect | None = Field(None, title="法律后果")
    message: str = Field(title="不满足时的说明（可用 {事实路径} 引用案卷中的值）")
    cite: list[Citation] = Field(default_factory=list, title="法律依据")
    note: str | None = Field(None, title="备注")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("rule_id_shape")
        return v


class Definition(RModel):
    """A named value computed from the facts, usable in every rule of the rule set."""

    title: str = Field(title="中文名称")
    value: str = Field(title="表达式")


class Presumption(RModel):
    """A value the law lets the reviewer presume for a missing fact, shown in every decision
    that relies on it (e.g. no false materials absent a finding). Strict deployments turn it off."""

    fact: str = Field(title="事实路径")
    value: Any = Field(title="推定的值")
    when: str | None = Field(None, title="推定的条件（缺省为总是推定）")
    reason: str = Field(title="推定的理由（中文，写入决定）")
    effective: Effective | None = Field(None, title="生效期间（缺省为一直有效）")
    cite: list[Citation] = Field(default_factory=list, title="法律依据")


class Derivation(RModel):
    """A missing fact computed from others (e.g. a licence's issue date from its expiry date)."""

    fact: str = Field(title="事实路径")
    value: str = Field(title="表达式")
    when: str | None = Field(None, title="推算的条件（缺省为总是推算）")
    reason: str = Field(title="推算的理由（中文，写入决定）")
    effective: Effective | None = Field(None, title="生效期间（缺省为一直有效）")
    cite: list[Citation] = Field(default_factory=list, title="法律依据")


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RuleSetHeader(RModel):
    """ruleset.yaml: what the rule set is and which legal sources it cites."""

    id: str = Field(title="规则集编号")
    title: str = Field(title="规则集名称")
    domain: Domain = Field(title="审查领域")
    version: Text = Field(title="规则集版本")
    description: str | None = Field(None, title="说明")
    sources: dict[str, Source] = Field(title="引用的法律法规（按版本）")
    definitions: dict[str, Definition] = Field(default_factory=dict, title="定义（命名的计算值，可在规则中直接使用）")
    derive: list[Derivation] = Field(default_factory=list, title="推算（案卷缺少某事实时由其他事实算出）")
    presume: list[Presumption] = Field(default_factory=list, title="推定（审查机关未发现相反情况时依法推定的事实）")

    @field_validator("definitions")
    @classmethod
    def _names(cls, v: dict[str, Definition]) -> dict[str, Definition]:
        for name in v:
            if not _NAME.match(name):
                raise ValueError("definition_name_shape")
        return v


class RuleFile(RModel):
    """A file of rules within a rule set, usually one chapter."""

    chapter: str | None = Field(None, title="章节名称")
    rules: list[Rule] = Field(title="规则")


class Profile(RModel):
    """部署配置：受理机关与推定的使用方式（见 ruleset.profile）。"""

    name: str | None = Field(None, title="部署名称")
    authority: Authority | None = Field(None, title="受理机关（案卷未写明受理机关时以此为准）")
    strict: bool = Field(False, title="严格模式：不使用规则文件声明的推定，改为待核查事项并转人工审查")


__all__ = [
    "Profile",
    "EFFECT_ZH",
    "LEGAL_EFFECTS",
    "Citation",
    "Definition",
    "Derivation",
    "Effect",
    "Effective",
    "MaterialItem",
    "Presumption",
    "Rule",
    "RuleFile",
    "RuleSetHeader",
    "Source",
    "SourceVersion",
]
