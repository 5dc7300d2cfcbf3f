"""Building blocks of the 三同时 stage records, as real 三同时 systems hold them: expert reviews,
government approvals (批复、审查意见书、备案), special reports (HAZOP, SIL, QRA, 工艺危害分析), the
两重点一重大 risk list, 投产前安全检查, trial-run extension, the authority's 监督核查, violations."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, create_model, model_validator

from .base import Authority, Conclusion, Date, F, Int, Labels, Model, check_order

ApprovalStatus = Annotated[
    Literal["approved", "conditional", "not_approved", "pending", "not_applied", "not_obtained", "not_required"],
    Labels("ApprovalStatus", {
        "approved": "批准（通过、同意、备案完成）",
        "conditional": "有条件通过",
        "not_approved": "不予批准（不予通过）",
        "pending": "审查中",
        "not_applied": "未申请",
        "not_obtained": "已申请但未取得（撤回、终止或者未作出决定）",
        "not_required": "依法无需政府审批（由生产经营单位自行组织审查）",
    }),
]
FilingStatus = Annotated[
    Literal["filed", "pending", "not_filed", "returned", "not_required"],
    Labels("FilingStatus", {"filed": "已备案", "pending": "备案中", "not_filed": "未备案", "returned": "退回（不予备案）", "not_required": "无需备案"}),
]
LifecycleStage = Annotated[
    Literal["not_started", "feasibility", "design", "construction", "trial_run", "acceptance", "completed"],
    Labels("LifecycleStage", {
        "not_started": "未开始",
        "feasibility": "可研阶段（安全预评价、安全条件审查）",
        "design": "（基础）设计阶段",
        "construction": "施工阶段",
        "trial_run": "试运行（试车、试生产）阶段",
        "acceptance": "验收阶段",
        "completed": "已完成",
    }),
]
ProjectClass = Annotated[
    Literal["group", "division", "enterprise"],
    Labels("ProjectClass", {"group": "集团公司级（一类）", "division": "事业部级（二类）", "enterprise": "企业级（三类）"}),
]
RiskItemKind = Annotated[
    Literal["key_process", "key_hazchem", "major_hazard"],
    Labels("RiskItemKind", {"key_process": "重点监管危险化工工艺", "key_hazchem": "重点监管危险化学品", "major_hazard": "危险化学品重大危险源"}),
]
ViolationKind = Annotated[
    Literal[
        "no_safety_evaluation", "design_not_approved_started", "not_built_per_design", "production_before_acceptance",
        "major_change_started_unapproved", "no_condition_review",
    ],
    Labels("ViolationKind", {
        "no_safety_evaluation": "未按照规定对建设项目进行安全评价",
        "design_not_approved_started": "没有安全设施设计或者安全设施设计未经审查同意擅自开工",
        "not_built_per_design": "施工单位未按照批准的安全设施设计施工",
        "production_before_acceptance": "投入生产或者使用前安全设施未经验收合格",
        "major_change_started_unapproved": "安全设施设计重大变更未经原批准部门审查同意擅自开工建设",
        "no_condition_review": "未经安全条件审查或者审查未通过新建、改建、扩建危险化学品建设项目",
    }),
]


class Expert(Model):
    """专家组成员、验收组成员或者参加人员。"""

    name: str | None = F("姓名")
    specialty: str | None = F("专业")
    title: str | None = F("职称")
    organization: str | None = F("工作单位")
    role: Annotated[Literal["leader", "member"], Labels("ExpertRole", {"leader": "组长", "member": "成员"})] | None = F("组内职务")
    signed: bool | None = F("是否在参加人员签名表上签名")


def _expert_review(name: str, doc: str, provenance: str) -> Any:
    """An expert review (专家评审) record; ``provenance`` says who organised it and so who can state it."""

    fields: dict[str, Any] = {
        "organizer": (str | None, F("组织单位", provenance=provenance)),
        "date": (Date | None, F("评审日期", provenance=provenance)),
        "experts": (list[Expert] | None, F("专家组名单", provenance=provenance)),
        "expert_count": (Int | None, F("专家人数", provenance=provenance)),
        "opinion": (str | None, F("专家组评审意见", provenance=provenance)),
        "conclusion": (Conclusion | None, F("评审结论", provenance=provenance)),
        "individual_opinions": (bool | None, F("是否附专家个人意见", provenance=provenance)),
        "signature_sheet": (bool | None, F("是否有参加人员签名表", provenance=provenance)),
        "revision_note": (bool | None, F("是否有专家组评审意见的修改说明", provenance="applicant")),
        "issues_open": (Int | None, F("评审意见中尚未落实（修改）的问题数", provenance=provenance)),
    }
    return create_model(name, __base__=Model, __doc__=doc, **fields)


ExpertReview = _expert_review("ExpertReview", "生产经营单位（建设单位）组织的专家评审、内审评审。", "applicant")
AuthorityExpertReview = _expert_review(
    "AuthorityExpertReview", "审查机关组织的专家评审（技术审查）：其意见是审查机关的认定。", "authority"
)


class GovernmentApproval(Model):
    """政府审批（批复、审查意见书、备案）：实际三同时系统每个阶段的「政府审批」栏目。"""

    required: bool | None = F("是否须经政府审批")
    not_required_reason: str | None = F("无须政府审批的原因")
    applied_date: Date | None = F("申请日期")
    authority: Authority | None = F("审批（备案）机关")
    status: ApprovalStatus | None = F("审批结果", provenance="authority")
    date: Date | None = F("批复时间", provenance="authority")
    number: str | None = F("批复（备案）文号", provenance="authority")
    filing_status: FilingStatus | None = F("备案状态", provenance="authority")
    valid_until: Date | None = F("批复有效期至", provenance="authority")
    expert_review: AuthorityExpertReview | None = F("审查机关组织的专家评审")  # type: ignore[valid-type]


class AnalysisReport(Model):
    """一份专项报告（HAZOP、SIL、QRA、工艺危害分析、安全可靠性论证、安全评价报告初审稿或者终稿）。"""

    done: bool | None = F("是否已完成")
    date: Date | None = F("报告日期")
    unit: str | None = F("编制单位")
    unit_qualified: bool | None = F("编制单位是否具有相应资质")
    conclusion: Conclusion | None = F("报告结论")
    reviewed: bool | None = F("是否经审查（评审）")
    review_opinion: str | None = F("审查意见")
    recommendations_closed: bool | None = F("报告提出的建议措施是否已落实（关闭）")
    filing_status: FilingStatus | None = F("报告备案状态", provenance="authority")
    files: list[str] | None = F("附件文件")


class RiskListItem(Model):
    kind: RiskItemKind = Field(title="类别")
    name: str | None = F("名称（工艺、化学品或者重大危险源）")
    level: Int | None = F("重大危险源等级（1–4）")
    control_measures: str | None = F("管控措施")
    measures_implemented: bool | None = F("管控措施是否已落实")


class KeyRiskList(Model):
    """「两重点一重大」风险清单（重点监管危险化工工艺、重点监管危险化学品、重大危险源）。"""

    prepared: bool | None = F("是否编制风险清单")
    items: list[RiskListItem] | None = F("清单条目", complete_flag="items_complete")
    items_complete: bool | None = F("清单条目是否完整（全部列出）")
    measures_implemented: bool | None = F("风险清单管控措施是否全部落实（落实情况报告的结论）")


class PreStartupSafetyReview(Model):
    """投产前安全检查（PSSR）。"""

    done: bool | None = F("是否进行投产前安全检查")
    date: Date | None = F("检查日期")
    items_found: Int | None = F("发现的问题项数")
    items_open: Int | None = F("尚未整改关闭的问题项数")
    must_fix_before_startup_open: bool | None = F("是否有须在投料前整改的问题未关闭")


class TrialRunExtension(Model):
    """试生产（试运行）延期信息。"""

    applied: bool | None = F("是否延期")
    reason: str | None = F("延期原因")
    applied_date: Date | None = F("延期申请（报告）日期")
    original_end_date: Date | None = F("原定试运行结束日期")
    new_end_date: Date | None = F("延期截止日期")
    documents: bool | None = F("是否有延期文件（延期申请、专家意见等）")
    expert_opinion: bool | None = F("延期是否经专家论证同意")
    filing_status: FilingStatus | None = F("延期备案状态", provenance="authority")


class AuthorityCheck(Model):
    """安全监管部门对竣工验收活动和结果的监督核查（抽查或者在实施安全许可时审查），含现场核查。"""

    method: Annotated[Literal["random_sample", "licensing_review"], Labels("CheckMethod", {"random_sample": "随机抽查", "licensing_review": "实施安全许可时审查"})] | None = F(
        "核查方式", provenance="authority"
    )
    date: Date | None = F("核查日期", provenance="authority")
    on_site: bool | None = F("是否现场核查", provenance="authority")
    result_ok: bool | None = F("核查结论是否符合", provenance="authority")
    opinion: str | None = F("核查意见", provenance="authority")


class Violation(Model):
    """审查机关认定的三同时违法行为（用于按行为时的法律说明法律责任）。"""

    kind: ViolationKind = Field(title="违法行为")
    conduct_date: Date | None = F("违法行为发生日期", provenance="authority")
    continuing: bool | None = F("违法行为是否处于连续或者继续状态", provenance="authority")
    ended_date: Date | None = F("连续或者继续状态终了日期", provenance="authority")
    corrected_by_deadline: bool | None = F("是否在责令限期内改正", provenance="authority")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("conduct_date", "ended_date"))
        return self


class Lifecycle(Model):
    """三同时项目档案的总体信息：一份项目记录贯穿各阶段。"""

    stage: LifecycleStage | None = F("项目当前所处阶段")
    project_class: ProjectClass | None = F("项目分级（集团公司级、事业部级、企业级）")
    record_id: str | None = F("三同时系统项目记录编号")
