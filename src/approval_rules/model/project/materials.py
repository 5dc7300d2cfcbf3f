"""The document catalogue (申报材料目录) and the materials section of a project file.

Materials are a mapping from a document code to what the file says about that document,
so that rules name documents by code, a misspelt code is an error, and a document that
is not listed is plainly absent.
"""

from __future__ import annotations

from pydantic import Field, create_model

from .base import F, Conclusion, Date, Model

# code -> Chinese title. Grouped by where the documents are asked for; a code is used once.
DOCUMENTS: dict[str, str] = {
    # 安全生产许可证 application and renewal (安全生产许可证条例 第六、七条 and sector rules)
    "application_form": "安全生产许可证申请书（申请表）",
    "business_license": "营业执照",
    "safety_responsibility_docs": "安全生产责任制文件",
    "safety_rules_list": "安全生产规章制度和操作规程目录（清单）",
    "safety_org_docs": "设置安全生产管理机构和配备专职安全生产管理人员的文件",
    "principal_certificates": "主要负责人和安全生产管理人员考核合格证明",
    "special_operator_certificates": "特种作业人员操作资格证书",
    "safety_cost_proof": "安全生产费用提取和使用情况证明",
    "injury_insurance_proof": "工伤保险缴费证明",
    "liability_insurance_policy": "安全生产责任保险保单",
    "equipment_inspection_reports": "危险性较大的设备设施检测检验报告",
    "emergency_plan": "生产安全事故应急救援预案（及备案证明）",
    "emergency_equipment_list": "应急救援器材、设备清单",
    "rescue_agreement": "与矿山救护队等专业救援队伍签订的救护协议",
    "acceptance_certificate": "建设项目安全设施竣工验收合格证明",
    "mining_license_copy": "采矿许可证",
    "hazchem_registration_cert": "危险化学品登记证",
    "safety_evaluation_report": "安全评价报告",
    "completion_acceptance_report": "新建企业竣工验收报告",
    "major_hazard_filing": "重大危险源备案证明",
    "original_licence": "原安全生产许可证（正、副本）",
    "occupational_hazard_measures": "职业危害防治措施及劳动防护用品配备情况",
    "city_preliminary_opinion": "设区的市人民政府安全生产监督管理部门的初审意见",
    "civil_explosives_production_licence": "民用爆炸物品生产许可证",
    "trading_premises_proof": "经营场所、储存设施产权或租赁证明",
    "compliance_statement": "有效期内安全生产守法情况说明",
    "accident_insurance_proof": "为施工现场从事危险作业人员办理意外伤害保险的证明",
    "licence_change_proof": "许可证变更事项的证明材料（工商变更登记、任免文件等）",
    "standardization_certificate": "安全生产标准化等级证明材料（等级证书或考评公告）",
    # 建设项目安全设施"三同时" (三同时监督管理办法, 危险化学品建设项目安全监督管理办法)
    "project_approval_doc": "建设项目审批、核准或者备案文件",
    "safety_condition_argument_report": "建设项目安全条件论证报告",
    "safety_condition_review_application": "建设项目安全条件审查申请书",
    "safety_condition_review_opinion": "建设项目安全条件审查意见书",
    "pre_evaluation_report": "安全预评价报告",
    "safety_analysis_report": "安全生产条件和设施综合分析报告",
    "first_process_reliability_report": "国内首次使用化工工艺安全可靠性论证报告",
    "design_review_application": "建设项目安全设施设计审查申请",
    "design_unit_qualification": "设计单位的设计资质证明文件",
    "safety_facility_design": "建设项目安全设施设计（初步设计安全专篇）",
    "design_change_application": "安全设施设计重大变更审查申请",
    "design_change_report": "安全设施设计变更情况报告",
    "trial_run_plan": "试运行（试生产）方案",
    "trial_run_expert_opinion": "试生产方案专家审查意见",
    "acceptance_application": "建设项目安全设施竣工验收申请",
    "acceptance_evaluation_report": "建设项目安全验收评价报告",
    "contractor_qualification": "施工单位资质证明文件",
    "construction_report": "建设项目安全设施施工情况报告",
    "supervision_report": "建设项目安全设施监理情况报告",
    "trial_run_problems_report": "试运行期间发现的问题、防范措施及整改情况报告",
    "training_records": "从业人员安全培训教育及发证情况",
    "acceptance_opinion": "竣工验收意见（竣工验收审查意见书）",
    # documents real 三同时 stage records hold (三同时管理系统各阶段的文件)
    "evaluation_report_draft": "安全评价报告书初审稿",
    "process_hazard_analysis_report": "工艺危害分析报告",
    "qra_report": "定量风险评价报告",
    "no_licence_statement": "无需办理安全行政许可的书面情况说明",
    "expert_signature_sheet": "参加人员签名表",
    "expert_review_opinion": "专家组评审意见及个人意见",
    "expert_opinion_revision_note": "专家组评审意见的修改说明",
    "hazop_report": "HAZOP分析报告及审查意见",
    "sil_report": "SIL分析报告及审查意见",
    "key_risk_list": "“两重点一重大”风险清单",
    "countermeasure_implementation_note": "安全生产条件和设施综合分析报告所提出的对策措施在基础设计中的落实情况说明",
    "safety_facility_design_final": "安全设施设计终稿",
    "design_review_opinion": "建设项目安全设施设计审查意见书",
    "design_change_review_opinion": "安全设施设计变更审查意见",
    "construction_start_report": "开工报告",
    "trial_run_expert_list": "试运行（试生产）方案审查专家组名单",
    "pre_startup_safety_review": "投产前安全检查（PSSR）记录",
    "trial_run_extension_application": "试运行（试生产）延期申请及延期文件",
    "safety_org_staffing_docs": "安全生产管理机构设置或者安全生产管理人员配备情况",
    "hazchem_emergency_plan_filing": "危险化学品事故应急预案备案登记表",
    "risk_list_measures_report": "风险清单管控措施落实情况报告",
    "acceptance_problem_list": "竣工验收问题汇总表",
    "acceptance_team_list": "验收组名单",
    "other_legal_documents": "法律、行政法规、规章规定的其他文件资料",
}


class Document(Model):
    """What the file says about one document (材料)."""

    present: bool = Field(True, title="是否已提交")
    number: str | None = F("文号/编号")
    date: Date | None = F("出具日期")
    issuer: str | None = F("出具单位")
    issuer_qualified: bool | None = F("出具单位是否具有相应资质")
    conclusion: Conclusion | None = F("结论")
    valid_until: Date | None = F("有效期至")
    files: list[str] | None = F("附件文件")
    note: str | None = F("备注")


Materials = create_model(  # type: ignore[call-overload]
    "Materials",
    __base__=Model,
    __doc__="申报材料：以材料代码为键",
    **{code: (Document | None, F(title)) for code, title in DOCUMENTS.items()},
)
