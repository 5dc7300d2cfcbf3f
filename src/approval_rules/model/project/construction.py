"""Facts of the 建设项目安全设施"三同时" domain, stage by stage (可研 → 设计 → 施工 → 试运行 → 验收)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from .base import Authority, Conclusion, Date, F, Int, Labels, Model, check_order
from .materials import Materials
from .stages import (
    AnalysisReport,
    AuthorityCheck,
    AuthorityExpertReview,
    Expert,
    ExpertReview,
    FilingStatus,
    GovernmentApproval,
    KeyRiskList,
    Lifecycle,
    PreStartupSafetyReview,
    TrialRunExtension,
    Violation,
)

DesignSection = Annotated[
    Literal[
        "basis", "overview", "hazard_and_surroundings_analysis", "layout", "major_hazard_and_monitoring",
        "preventive_measures", "safety_org_staffing", "training", "tech_reliability", "safety_investment_estimate",
        "pre_eval_countermeasure_adoption", "expected_effect_and_issues", "accident_prevention_emergency",
        "other_required",
    ],
    Labels("DesignSection", {
        "basis": "设计依据",
        "overview": "建设项目概述",
        "hazard_and_surroundings_analysis": "建设项目涉及的危险、有害因素和危险、有害程度及周边环境安全分析",
        "layout": "建筑及场地布置",
        "major_hazard_and_monitoring": "重大危险源分析及检测监控",
        "preventive_measures": "安全设施设计采取的防范措施",
        "safety_org_staffing": "安全生产管理机构设置或者安全生产管理人员配备要求",
        "training": "从业人员安全生产教育和培训要求",
        "tech_reliability": "工艺、技术和设备、设施的先进性和可靠性分析",
        "safety_investment_estimate": "安全设施专项投资概算",
        "pre_eval_countermeasure_adoption": "安全预评价报告中的安全对策及建议采纳情况",
        "expected_effect_and_issues": "预期效果以及存在的问题与建议",
        "accident_prevention_emergency": "可能出现的事故预防及应急救援措施",
        "other_required": "法律、法规、规章、标准规定需要说明的其他事项",
    }),
]
ChangeType = Annotated[
    Literal[
        "scale", "process", "raw_material", "equipment", "safety_design_reducing_safety",
        "redesign_during_construction", "minor",
    ],
    Labels("ChangeType", {
        "scale": "建设项目的规模发生重大变化",
        "process": "生产工艺发生重大变化",
        "raw_material": "原料发生重大变化",
        "equipment": "设备发生重大变化",
        "safety_design_reducing_safety": "改变安全设施设计且可能降低安全性能",
        "redesign_during_construction": "在施工期间重新设计",
        "minor": "一般变更",
    }),
]
ReviewOutcome = Annotated[
    Literal["approved", "not_approved", "pending", "not_applied", "not_obtained"],
    Labels("ReviewOutcome", {
        "approved": "批准",
        "not_approved": "不予批准",
        "pending": "审查中",
        "not_applied": "未申请审查",
        "not_obtained": "已申请但未取得批准（撤回、终止或者未作出决定）",
    }),
]


class Feasibility(Model):
    """可研阶段：安全预评价（安全评价）、内审评审、安全条件审查（政府审批）。"""

    art7_project: bool | None = F("是否三同时监督管理办法第七条规定的建设项目（系统填报值）")
    evaluation_agency: str | None = F("安全评价单位")
    evaluation_draft: AnalysisReport | None = F("安全评价报告书初审稿")
    evaluation_final: AnalysisReport | None = F("安全评价报告终稿")
    process_hazard_analysis: AnalysisReport | None = F("工艺危害分析报告")
    qra: AnalysisReport | None = F("定量风险评价报告")
    reliability_argument: AnalysisReport | None = F("国内首次使用化工工艺安全可靠性论证报告")
    no_licence_statement: bool | None = F("是否有无需办理安全行政许可的书面情况说明（第七条以外项目）")
    internal_review: ExpertReview | None = F("内审评审（建设单位组织的专家评审）")
    approval: GovernmentApproval | None = F("政府审批（安全条件审查意见书等）")
    documents: Materials | None = F("本阶段文件")


class ReviewerFinding(Model):
    """审查人员或验收组在审查、验收中提出的问题。"""

    code: str | None = F("问题编号")
    nonconformity: bool = Field(title="是否不符合法律、法规、规章或者标准")
    text: str | None = F("问题说明")
    rectified: bool | None = F("是否已整改")


class PreEvaluation(Model):
    """安全预评价（可研阶段）。"""

    done: bool | None = F("是否进行安全预评价")
    date: Date | None = F("预评价报告日期")
    agency: str | None = F("评价机构")
    agency_qualified: bool | None = F("评价机构是否具有相应资质")
    report_conforms: bool | None = F("报告是否符合国家标准或者行业标准")
    conclusion: Conclusion | None = F("评价结论")


class SafetyAnalysisReport(Model):
    """第七条以外项目的安全生产条件和设施综合分析报告。"""

    exists: bool | None = F("是否形成书面报告备查")
    date: Date | None = F("报告日期")


class Evaluator(Model):
    qualification_valid: bool | None = F("评价机构资质是否有效")
    blacklisted: bool | None = F("评价机构是否因出具虚假报告等被处罚、禁入", provenance="authority")


class DesignReview(Model):
    """安全设施设计审查。"""

    authority: Authority | None = F("审查机关")
    applied_date: Date | None = F("申请审查日期")
    accepted_date: Date | None = F("受理日期", provenance="authority")
    decision: ReviewOutcome | None = F("审查结论", provenance="authority")
    decision_date: Date | None = F("审查决定日期（批复时间）", provenance="authority")
    findings: list[ReviewerFinding] | None = F("审查发现的问题", provenance="authority")
    expert_count: Int | None = F("参加技术审查的专家人数", provenance="authority")
    safety_authority_opinion: bool | None = F("是否有负责安全生产监督管理的部门的审查意见", provenance="authority")
    resubmission_of: str | None = F("重新申请审查所对应的原申请")
    number: str | None = F("安全设施设计审查意见书文号", provenance="authority")
    expert_review: AuthorityExpertReview | None = F("审查机关组织的专家评审（技术审查）")


class Design(Model):
    """安全设施设计（初步设计安全专篇）。"""

    exists: bool | None = F("是否编制安全设施设计")
    stage: Annotated[Literal["feasibility", "preliminary", "detailed"], Labels("DesignStage", {"feasibility": "可行性研究", "preliminary": "初步设计", "detailed": "施工图设计"})] | None = F(
        "设计阶段"
    )
    unit_qualified: bool | None = F("设计单位是否具有相应资质")
    unit_industry_qualification: bool | None = F("设计单位是否具有石油化工医药行业相应资质")
    sections_present: list[DesignSection] | None = F("安全设施设计包含的章节")
    considers_pre_eval: bool | None = F("是否充分考虑安全预评价报告提出的安全对策和建议")
    countermeasures_adoption: Annotated[
        Literal["all", "partial_justified", "partial_unjustified"],
        Labels("CountermeasureAdoption", {"all": "全部采纳", "partial_justified": "部分采纳且作了充分论证说明", "partial_unjustified": "未采纳且未作充分论证说明"}),
    ] | None = F("安全对策和建议的采纳情况")
    standards_compliant: bool | None = F("是否按照安全生产法律、法规、规章和国家标准或者行业标准、技术规范进行设计")
    safety_designed_with_main: bool | None = F("安全设施是否与主体工程同时设计")
    coal_hazard_measures: list[
        Annotated[
            Literal["water", "fire", "gas", "rock_burst", "coal_dust", "roof"],
            Labels("CoalHazard", {"water": "水害", "fire": "火灾", "gas": "瓦斯", "rock_burst": "冲击地压", "coal_dust": "煤尘", "roof": "顶板"}),
        ]
    ] | None = F("煤矿主要灾害防治措施")
    mine_items_compliant: bool | None = F("矿山设计的通风、边坡、供电、提升运输、防排水、防灭火、防瓦斯防尘等是否符合矿山安全规程和技术规范")
    self_review_report: bool | None = F("是否由生产经营单位组织审查并形成书面报告备查")
    review: DesignReview | None = F("设计审查（政府审批）")
    unit_name: str | None = F("设计单位")
    hazop: AnalysisReport | None = F("HAZOP分析报告及审查意见")
    sil: AnalysisReport | None = F("SIL（安全完整性等级）分析报告及审查意见")
    qra: AnalysisReport | None = F("定量风险评价报告（设计阶段）")
    key_risk_list: KeyRiskList | None = F("「两重点一重大」风险清单")
    countermeasures_implementation_note: bool | None = F(
        "是否有综合分析报告所提出的对策措施在基础设计中的落实情况说明（第七条以外项目）"
    )
    self_review: ExpertReview | None = F("安全设施审查信息（建设单位组织的专家评审）")
    final_design: bool | None = F("是否有安全设施设计终稿（按评审意见修改后）")
    documents: Materials | None = F("本阶段文件")


class Change(Model):
    """已批准的项目及安全设施设计的变更。"""

    date: Date | None = F("变更日期")
    type: ChangeType = Field(title="变更类型")
    description: str | None = F("变更内容")
    reviewed_by_original_authority: bool | None = F("是否报原批准部门审查同意", provenance="authority")
    started_before_approval: bool | None = F("是否在审查同意前开工建设")
    applied_date: Date | None = F("变更审查申请日期")
    construction_start_date: Date | None = F("变更部分开工日期")
    review: GovernmentApproval | None = F("变更审查（原批准部门的审查意见）")
    report: bool | None = F("是否有设计变更情况报告")


class Construction(Model):
    """施工。"""

    contractor_qualified: bool | None = F("施工单位是否具有相应资质")
    contractor_safety_license_valid: bool | None = F("施工单位安全生产许可证是否有效")
    start_date: Date | None = F("开工日期")
    built_per_approved_design: bool | None = F("是否按照批准的安全设施设计施工")
    quality_meets_design: bool | None = F("施工质量是否达到设计文件要求")
    conforms_to_construction_standards: bool | None = F("安全设施施工是否符合国家有关施工技术标准")
    special_schemes_signed: bool | None = F("危险性较大工程专项施工方案是否经签字后实施")
    temp_power_plan: bool | None = F("是否编制安全技术措施和施工现场临时用电方案")
    supervisor_engaged: bool | None = F("是否委托工程监理")
    major_hidden_danger_open: bool | None = F("是否存在未整改的重大事故隐患")
    illegal_subcontracting: bool | None = F("施工单位是否存在转包、违法分包或出借资质", provenance="authority")
    safety_built_with_main: bool | None = F("安全设施是否与主体工程同时施工")
    completed: bool | None = F("是否竣工")
    completion_date: Date | None = F("竣工日期")
    contractor_name: str | None = F("施工单位")
    supervisor_name: str | None = F("监理单位")
    start_report: bool | None = F("是否有开工报告（附件）")
    design_errors_reported: bool | None = F("发现设计文件错漏是否及时提出并处理")
    documents: Materials | None = F("本阶段文件")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("start_date", "completion_date"))
        return self


class TrialRun(Model):
    """试运行（试生产、试使用）。"""

    required: bool | None = F("是否需要试运行")
    precheck_done: bool | None = F("安全设施建成后是否进行检查并整改")
    plan_filed_date: Date | None = F("试运行方案备案日期")
    plan_sections_complete: bool | None = F("试运行方案内容是否齐全")
    expert_review_done: bool | None = F("是否组织专家对试运行方案进行审查")
    conditions_confirmed: bool | None = F("试运行前是否经专家确认具备试运行条件")
    start_date: Date | None = F("试运行开始日期")
    end_date: Date | None = F("试运行结束日期（或计划结束日期）")
    extended: bool | None = F("是否延期")
    special_industry_rule: bool | None = F("是否属于国家有关部门有规定或者特殊要求的行业")
    hidden_dangers_unrectified: Int | None = F("试运行期间发现未整改的事故隐患数量")
    hidden_dangers_found: Int | None = F("试运行期间发现的事故隐患数量")
    accidents_during_trial: bool | None = F("试运行期间是否发生生产安全事故")
    government_approval: GovernmentApproval | None = F("政府试运行审批（方案备案）")
    organizer: str | None = F("试运行方案审查组织单位")
    expert_review: ExpertReview | None = F("试运行方案专家审查（建设单位组织）")
    pssr: PreStartupSafetyReview | None = F("投产前安全检查")
    extension: TrialRunExtension | None = F("试生产延期信息")
    documents: Materials | None = F("本阶段文件")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("start_date", "end_date"))
        return self


class AcceptanceEvaluation(Model):
    """安全验收评价。"""

    done: bool | None = F("是否进行安全验收评价")
    date: Date | None = F("报告日期")
    agency: str | None = F("评价机构")
    agency_qualified: bool | None = F("评价机构是否具有相应资质")
    conclusion: Conclusion | None = F("评价结论")
    same_agency_as_feasibility: bool | None = F("是否与可行性研究阶段安全评价为同一评价机构")
    major_defects: bool | None = F("验收评价报告是否存在重大缺陷、漏项")
    final: bool | None = F("是否为验收评价报告终稿")
    filing_status: FilingStatus | None = F("报告备案状态", provenance="authority")


class Acceptance(Model):
    """安全设施竣工验收。"""

    organized_by: Annotated[Literal["enterprise", "authority"], Labels("AcceptanceOrganizer", {"enterprise": "建设单位", "authority": "安全生产监督管理部门"})] | None = F(
        "组织验收的单位"
    )
    date: Date | None = F("验收日期")
    passed: bool | None = F("是否验收合格")
    report_written: bool | None = F("是否形成书面报告")
    filed_date: Date | None = F("报告备查（备案）日期")
    findings: list[ReviewerFinding] | None = F("验收发现的问题")
    safety_conditions_compliant: bool | None = F("安全设施和安全生产条件是否符合法律、法规、规章和标准")
    summary_report_date: Date | None = F("施工竣工综合报告报送日期（矿山）")
    authority_inspection_date: Date | None = F("主管部门检查日期（矿山）", provenance="authority")
    expert_review: ExpertReview | None = F("专家评审及竣工验收意见")
    team: list[Expert] | None = F("验收组名单")
    problem_summary: bool | None = F("是否有竣工验收问题汇总表")
    opinion_number: str | None = F("竣工验收审查意见书编号")
    risk_list_measures_report: bool | None = F("是否有风险清单管控措施落实情况报告")
    authority_check: AuthorityCheck | None = F("监管部门监督核查")
    documents: Materials | None = F("本阶段文件")


class Operation(Model):
    start_date: Date | None = F("投入生产或使用日期")
    producing: bool | None = F("是否正在生产或使用")
    formal_production_started: bool | None = F("竣工验收前是否已正式投入生产或使用（试运行除外）")
    safety_in_use: bool | None = F("安全设施是否与主体工程同时投入生产和使用")


class ConstructionFacts(Model):
    """Top-level facts of the 三同时 domain.

    One project record carries every stage (可研 → 设计 → 重大变更 → 施工 → 试运行及延期 → 验收);
    the application (``application.kind``) names the stage applied for, and rules read the earlier
    stages' history from the same record."""

    lifecycle: Lifecycle | None = F("三同时项目档案")
    feasibility: Feasibility | None = F("可研阶段")

    pre_evaluation: PreEvaluation | None = F("安全预评价")
    safety_analysis_report: SafetyAnalysisReport | None = F("安全生产条件和设施综合分析报告")
    evaluator: Evaluator | None = F("安全评价机构")
    design: Design | None = F("安全设施设计")
    changes: list[Change] | None = F("设计变更")
    construction: Construction | None = F("施工")
    trial_run: TrialRun | None = F("试运行")
    acceptance_evaluation: AcceptanceEvaluation | None = F("安全验收评价")
    acceptance: Acceptance | None = F("竣工验收")
    operation: Operation | None = F("生产运行")
    violations: list[Violation] | None = F("审查机关认定的违法行为", provenance="authority")
