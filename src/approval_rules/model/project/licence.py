"""Facts of the 安全生产许可证 domain: the licence, other permits, accidents, enforcement, changes."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from .base import Authority, Date, F, Int, Labels, Model, check_order
from .common import PermitType

PermitStatus = Annotated[
    Literal["valid", "suspended", "revoked", "cancelled", "expired"],
    Labels("PermitStatus", {"valid": "有效", "suspended": "暂扣", "revoked": "吊销/撤销", "cancelled": "注销", "expired": "已过期"}),
]
AccidentLevel = Annotated[
    Literal["general", "larger", "major", "especially_major"],
    Labels("AccidentLevel", {"general": "一般事故", "larger": "较大事故", "major": "重大事故", "especially_major": "特别重大事故"}),
]


class Suspension(Model):
    start: Date | None = Field(None, alias="from", title="暂扣起始日期")
    end: Date | None = Field(None, alias="to", title="暂扣截止日期")
    reason: str | None = F("暂扣原因")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("start", "end"))
        return self


class Permit(Model):
    """许可证照。"""

    type: PermitType | None = F("证照种类")
    number: str | None = F("编号")
    issuing_authority: Authority | None = F("颁发机关")
    issue_date: Date | None = F("发证日期")
    expiry_date: Date | None = F("有效期届满日期")
    status: PermitStatus | None = F("状态")
    scope: str | None = F("许可范围")
    scope_unit: Annotated[Literal["company", "mine", "shaft", "site"], Labels("ScopeUnit", {"company": "企业", "mine": "矿", "shaft": "井", "site": "场所"})] | None = F(
        "许可单位（以企业或矿井为单位）"
    )
    suspensions: list[Suspension] | None = F("暂扣记录")
    holder_matches_operator: bool | None = F("持证人与实际生产经营者是否一致（审查机关核查）", provenance="authority")
    authentic: bool | None = F("证照是否真实（非伪造、冒用；审查机关核查）", provenance="authority")
    obtained_by_fraud: bool | None = F("是否以欺骗、贿赂等不正当手段取得（审查机关认定）", provenance="authority")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("issue_date", "expiry_date"))
        return self


class Accident(Model):
    """生产安全事故。"""

    date: Date = Field(title="事故发生日期")
    deaths: Int | None = F("死亡人数")
    serious_injuries: Int | None = F("重伤人数")
    direct_loss_cny: float | None = F("直接经济损失（元）")
    level: AccidentLevel | None = F("事故等级")
    enterprise_responsible: bool | None = F("企业是否负有责任（事故调查认定）", provenance="authority")


class Enforcement(Model):
    """行政处罚、责令整改等执法记录。"""

    date: Date = Field(title="日期")
    type: Annotated[
        Literal["fine", "rectification_order", "shutdown_order", "suspension", "other"],
        Labels("EnforcementType", {
            "fine": "罚款",
            "rectification_order": "责令限期改正",
            "shutdown_order": "责令停产停业整顿",
            "suspension": "暂扣许可证",
            "other": "其他",
        }),
    ] = Field(title="类型")
    law_article: str | None = F("处罚依据")
    serious_violation: bool | None = F("是否属于严重违反安全生产法律法规（审查机关认定）", provenance="authority")
    related_to_major_hidden_danger: bool | None = F("是否与重大事故隐患有关（执法机关认定）", provenance="authority")
    corrected: bool | None = F("是否已整改到位")
    refused: bool | None = F("是否拒不执行")


class Inspection(Model):
    """监督检查记录（检查机关的记录）。"""

    date: Date | None = F("检查日期", provenance="authority")
    conditions_met: bool | None = F("是否仍具备安全生产条件（检查认定）", provenance="authority")
    findings: list[str] | None = F("检查发现的问题", provenance="authority")


class Extension(Model):
    decision: Annotated[
        Literal["direct", "after_review", "refused", "pending"],
        Labels("ExtensionDecision", {"direct": "不再审查直接延期", "after_review": "审查后延期", "refused": "不予延期", "pending": "审查中"}),
    ] | None = F("延期决定", provenance="authority")
    date: Date | None = F("决定日期", provenance="authority")


FullReviewResult = Annotated[
    Literal["conditions_met", "conditions_not_met", "correctable", "not_done"],
    Labels("FullReviewResult", {
        "conditions_met": "经全面审查，符合安全生产条件",
        "conditions_not_met": "经全面审查，不符合安全生产条件",
        "correctable": "经全面审查，存在可以补正的问题",
        "not_done": "尚未完成全面审查",
    }),
]


class FullReview(Model):
    """延期全面审查的结论：不符合不再审查直接延期条件时，颁发机关按条例第六条逐项审查（审查机关认定）。"""

    result: FullReviewResult | None = F("全面审查结论", provenance="authority")
    failed_conditions: list[Int] | None = F(
        "不具备的安全生产条件（条例第六条第几项，1-13）", provenance="authority"
    )
    corrections: list[str] | None = F("需补正的事项（审查人员列明）", provenance="authority")
    date: Date | None = F("审查日期", provenance="authority")
    reviewer: str | None = F("审查人员或审查机构", provenance="authority")
    onsite_verified: bool | None = F("是否进行现场核查", provenance="authority")
    notes: str | None = F("审查意见", provenance="authority")


class EnterpriseChange(Model):
    """企业变更事项。"""

    field: Annotated[
        Literal[
            "name", "address", "legal_rep", "principal", "ownership_type", "licence_scope", "whole_contracting",
            "restructuring",
        ],
        Labels("ChangeField", {
            "name": "企业名称",
            "address": "地址",
            "legal_rep": "法定代表人",
            "principal": "主要负责人",
            "ownership_type": "经济类型",
            "licence_scope": "许可范围",
            "whole_contracting": "整体承包",
            "restructuring": "改制、合并、分立",
        }),
    ] = Field(title="变更事项")
    change_date: Date | None = F("变更日期")
    registration_change_date: Date | None = F("工商变更登记日期")
    license_change_applied_date: Date | None = F("申请许可证变更日期")


class LicenceFacts(Model):
    """Top-level facts of the 安全生产许可证 domain."""

    licence: Permit | None = F("安全生产许可证", description="本次申请涉及的安全生产许可证")
    permits: list[Permit] | None = F("持有的其他证照")
    accidents: list[Accident] | None = F("生产安全事故", description="无事故时填空列表 []；不填表示未申报")
    enforcement: list[Enforcement] | None = F("行政处罚和执法记录", description="无记录时填空列表 []；不填表示未申报")
    inspections: list[Inspection] | None = F("监督检查")
    extension: Extension | None = F("延期决定", provenance="authority")
    full_review: FullReview | None = F(
        "延期全面审查结论", provenance="authority", description="不适用直接延期时，颁发机关全面审查的结论"
    )
    enterprise_changes: list[EnterpriseChange] | None = F("企业变更事项")
    restoration_acceptance_passed: bool | None = F("停产整顿后恢复生产验收是否合格", provenance="authority")
