"""Facts every rule set reads: the application, the enterprise, the project, people, evaluations."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from .base import Authority, AuthorityLevel, Conclusion, Date, F, Int, Labels, Model, check_order
from .materials import Materials

ApplicationKind = Annotated[
    Literal[
        "entry_screening", "safety_condition_review", "design_review", "design_change_review", "trial_run_filing",
        "trial_run_extension", "completion_acceptance", "licence_initial", "licence_extension", "licence_change",
        "licence_supervision",
    ],
    Labels("ApplicationKind", {
        "entry_screening": "项目准入审查",
        "safety_condition_review": "危险化学品建设项目安全条件审查",
        "design_review": "安全设施设计审查",
        "design_change_review": "安全设施设计重大变更审查",
        "trial_run_filing": "试运行（试生产）方案备案",
        "trial_run_extension": "试运行（试生产）延期",
        "completion_acceptance": "安全设施竣工验收",
        "licence_initial": "安全生产许可证首次申请",
        "licence_extension": "安全生产许可证延期",
        "licence_change": "安全生产许可证变更",
        "licence_supervision": "安全生产许可证监督检查",
    }),
]
Industry = Annotated[
    Literal[
        "coal_mine", "metal_nonmetal_mine", "tailings_pond", "oil_gas_extraction", "geological_exploration",
        "mining_contractor", "hazchem_production", "hazchem_storage", "hazchem_trading", "chemical_hazchem_use",
        "fireworks_production", "civil_explosives_production", "construction_contractor", "metal_smelting", "general",
    ],
    Labels("Industry", {
        "coal_mine": "煤矿",
        "metal_nonmetal_mine": "金属非金属矿山",
        "tailings_pond": "尾矿库",
        "oil_gas_extraction": "石油天然气开采",
        "geological_exploration": "地质勘探",
        "mining_contractor": "采掘施工",
        "hazchem_production": "危险化学品生产",
        "hazchem_storage": "危险化学品仓储经营",
        "hazchem_trading": "危险化学品经营",
        "chemical_hazchem_use": "使用危险化学品从事生产的化工企业（达到规定数量）",
        "fireworks_production": "烟花爆竹生产",
        "civil_explosives_production": "民用爆炸物品生产",
        "construction_contractor": "建筑施工",
        "metal_smelting": "金属冶炼",
        "general": "其他行业",
    }),
]
PermitType = Annotated[
    Literal[
        "safety_production_license", "hazchem_operation_license", "hazchem_use_license",
        "civil_explosives_production_license", "fireworks_operation_license", "construction_qualification",
        "construction_permit", "mining_license", "hazchem_registration",
    ],
    Labels("PermitType", {
        "safety_production_license": "安全生产许可证",
        "hazchem_operation_license": "危险化学品经营许可证",
        "hazchem_use_license": "危险化学品安全使用许可证",
        "civil_explosives_production_license": "民用爆炸物品生产许可证",
        "fireworks_operation_license": "烟花爆竹经营许可证",
        "construction_qualification": "建筑业企业资质证书",
        "construction_permit": "建筑工程施工许可证",
        "mining_license": "采矿许可证",
        "hazchem_registration": "危险化学品登记证",
    }),
]
Activity = Annotated[
    Literal["produce", "store", "trade", "use", "transport", "load_unload", "construct", "mine"],
    Labels("Activity", {
        "produce": "生产",
        "store": "储存",
        "trade": "经营",
        "use": "使用",
        "transport": "运输",
        "load_unload": "装卸",
        "construct": "施工",
        "mine": "开采",
    }),
]
ProjectType = Annotated[
    Literal["new", "expansion", "renovation", "technical_upgrade"],
    Labels("ProjectType", {"new": "新建", "expansion": "扩建", "renovation": "改建", "technical_upgrade": "技术改造"}),
]
Category77 = Annotated[
    Literal[
        "non_coal_mine", "hazchem_production_storage", "fireworks_production_storage", "metal_smelting",
        "chemical_use_threshold", "other_legal", "coal_mine", "general",
    ],
    Labels("Category77", {
        "non_coal_mine": "非煤矿矿山建设项目",
        "hazchem_production_storage": "生产、储存危险化学品（包括使用长输管道输送危险化学品）的建设项目",
        "fireworks_production_storage": "生产、储存烟花爆竹的建设项目",
        "metal_smelting": "金属冶炼建设项目",
        "chemical_use_threshold": "使用危险化学品从事生产并且使用量达到规定数量的化工建设项目",
        "other_legal": "法律、行政法规和国务院规定的其他建设项目",
        "coal_mine": "煤矿建设项目",
        "general": "其他建设项目（三同时办法第七条以外）",
    }),
]
CatalogClass = Annotated[
    Literal["encouraged", "permitted", "restricted", "eliminated"],
    Labels("CatalogClass", {"encouraged": "鼓励类", "permitted": "允许类", "restricted": "限制类", "eliminated": "淘汰类"}),
]
PersonRole = Annotated[
    Literal[
        "principal", "safety_manager", "project_manager", "special_operator", "hazardous_process_operator",
        "registered_safety_engineer", "technical_staff",
    ],
    Labels("PersonRole", {
        "principal": "主要负责人",
        "safety_manager": "安全生产管理人员",
        "project_manager": "项目负责人",
        "special_operator": "特种作业人员",
        "hazardous_process_operator": "危险工序作业人员",
        "registered_safety_engineer": "注册安全工程师",
        "technical_staff": "专业技术人员",
    }),
]
EvaluationType = Annotated[
    Literal["pre", "safety_condition", "acceptance", "current_status"],
    Labels("EvaluationType", {
        "pre": "安全预评价",
        "safety_condition": "安全条件评价（危险化学品建设项目）",
        "acceptance": "安全验收评价",
        "current_status": "安全现状评价",
    }),
]
StandardizationGrade = Annotated[
    Literal["none", "grade3", "grade2", "grade1"],
    Labels("StandardizationGrade", {"none": "未达标", "grade3": "三级", "grade2": "二级", "grade1": "一级"}),
]


class Application(Model):
    """申请：本次审查的事项。"""

    id: str | None = F("申请编号")
    kind: ApplicationKind = Field(title="申请事项")
    submitted_date: Date = Field(title="申请提交日期")
    accepted_date: Date | None = F("受理日期")
    permit_type: PermitType | None = F("申请的许可证种类")
    authority: Authority | None = F("受理机关", provenance="context")
    false_material_flag: bool | None = F("是否隐瞒有关情况或者提供虚假材料", provenance="authority")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self, ("submitted_date", "accepted_date"))
        return self


class SafetyCost(Model):
    extracted_per_rules: bool | None = F("是否按规定足额提取安全生产费用")
    amount_cny: float | None = F("安全生产费用（元）")


class SafetyOrg(Model):
    has_safety_dept: bool | None = F("是否设置安全生产管理机构")
    fulltime_safety_staff: Int | None = F("专职安全生产管理人员人数")
    registered_safety_engineers: Int | None = F("注册安全工程师人数")


class Training(Model):
    all_trained: bool | None = F("从业人员是否均经安全生产教育和培训合格")
    records_kept: bool | None = F("是否建立教育和培训档案")
    annual_training_done: bool | None = F("管理人员和作业人员是否每年至少接受一次安全培训并考核合格")


class InjuryInsurance(Model):
    enrolled: bool | None = F("是否依法参加工伤保险")
    covered_ratio: float | None = F("参保从业人员比例（0–1）")


class Enterprise(Model):
    """企业（申请人/建设单位）。"""

    uscc: str | None = F("统一社会信用代码")
    name: str | None = F("企业名称")
    registered_address: str | None = F("注册地址")
    legal_rep: str | None = F("法定代表人")
    principal: str | None = F("主要负责人")
    industry: Industry = Field(title="所属行业")
    activities: list[Activity] | None = F("生产经营活动")
    is_central_enterprise: bool | None = F("是否中央企业")
    province: str | None = F("所在省份")
    city: str | None = F("所在设区的市")
    county: str | None = F("所在县（区）")
    is_chemical_enterprise: bool | None = F("是否化工企业")
    serves_chemical_enterprises: bool | None = F("是否为化工企业提供配套服务")
    is_port_operator: bool | None = F("是否港口经营人")
    employees: Int | None = F("从业人员人数")
    safety_responsibility_system: bool | None = F("是否建立、健全安全生产责任制")
    rules_documented: bool | None = F("是否制定完备的安全生产规章制度")
    operating_procedures: bool | None = F("是否制定完备的操作规程")
    safety_cost: SafetyCost | None = F("安全投入")
    safety_org: SafetyOrg | None = F("安全生产管理机构和人员")
    training: Training | None = F("安全生产教育和培训")
    injury_insurance: InjuryInsurance | None = F("工伤保险")
    liability_insurance: bool | None = F("是否投保安全生产责任保险")
    occupational_controls: bool | None = F("是否有职业危害防治措施")
    ppe_compliant: bool | None = F("劳动防护用品是否符合国家标准或者行业标准")
    standardization_grade: StandardizationGrade | None = F("安全生产标准化等级")
    conditions_lowered: bool | None = F("取得许可后是否降低安全生产条件", provenance="authority")
    inspections_refused: bool | None = F("是否拒绝、阻碍监督检查", provenance="authority")
    terminated: bool | None = F("企业是否已终止（破产、解散、被撤销）")
    # Summary facts: what an application form or evaluation report states instead of a roster.
    # A rule reads the summary, or decides from a list declared complete (see docs/rule-language.md).
    principal_and_safety_managers_assessed: bool | None = F("主要负责人和安全生产管理人员是否均经考核合格（申报）")
    key_construction_personnel_assessed: bool | None = F(
        "主要负责人、项目负责人、专职安全生产管理人员（三类人员）是否均经考核合格（申报）"
    )
    special_operators_certified: bool | None = F("特种作业人员是否均取得有效的特种作业操作资格证书（申报）")
    hazardous_process_operators_assessed: bool | None = F("危险工序作业人员是否均经设区的市应急管理部门考核合格（申报）")
    qualified_technical_staff: bool | None = F("是否有与生产经营相适应、具备相应资格的专业技术人员（申报）")
    safety_staff_assigned: bool | None = F("是否配备专职安全生产管理人员（申报，人数不详时）")
    facilities_compliant: bool | None = F(
        "厂房、作业场所和安全设施、设备、工艺是否符合有关安全生产法律、法规、标准和规程（申报或安全评价结论）"
    )
    no_eliminated_process_equipment: bool | None = F("是否未使用列入淘汰目录的危及生产安全的工艺、设备（申报或安全评价结论）")
    hazardous_equipment_inspected: bool | None = F("危险性较大的设备设施是否均经检测检验合格且在有效期内（申报）")


class ApprovalDoc(Model):
    kind: Annotated[Literal["approval", "ratification", "filing"], Labels("ApprovalKind", {"approval": "审批", "ratification": "核准", "filing": "备案"})] | None = F(
        "立项方式"
    )
    obtained: bool | None = F("是否取得建设项目审批、核准或者备案文件")
    number: str | None = F("审批、核准或者备案文号")
    authority_level: AuthorityLevel | None = F("立项机关层级")
    date: Date | None = F("立项日期")


class Catalog(Model):
    class_: CatalogClass | None = Field(None, alias="class", title="产业结构调整指导目录类别")
    item_ref: str | None = F("目录条目")
    version: Annotated[Literal["2011", "2019", "2024"], Labels("CatalogVersion", {"2011": "2011年本", "2019": "2019年本", "2024": "2024年本"})] | None = F(
        "目录版本"
    )


class Budget(Model):
    total_cny: float | None = F("项目总投资（元）")
    safety_investment_cny: float | None = F("安全设施投资（元）")
    safety_in_estimate: bool | None = F("安全设施投资是否纳入建设项目概算")


class Project(Model):
    """建设项目。"""

    id: str | None = F("项目编号")
    name: str | None = F("项目名称")
    type: ProjectType | None = F("建设性质")
    industry: Industry | None = F("项目所属行业")
    category: Category77 | None = F("建设项目类别（三同时监督管理办法第七条）")
    province: str | None = F("项目所在省份")
    approval_doc: ApprovalDoc | None = F("项目审批、核准或者备案")
    catalog: Catalog | None = F("产业结构调整指导目录归类")
    is_existing_capacity: bool | None = F("是否为现有生产能力的改造升级")
    expands_capacity: bool | None = F("是否扩大生产能力或调整产品品种")
    in_energy_benchmark_sector: bool | None = F("是否属于《工业重点领域能效标杆水平和基准水平》所列领域")
    energy_efficiency_vs_benchmark: Annotated[
        Literal["above_benchmark", "between", "below_baseline"],
        Labels("EnergyEfficiency", {"above_benchmark": "达到标杆水平", "between": "介于基准水平和标杆水平之间", "below_baseline": "低于基准水平"}),
    ] | None = F("能效水平")
    national_industry_plan_ok: bool | None = F("是否符合国家产业结构规划和产业技术标准")
    local_plan_ok: bool | None = F("是否符合当地县级以上人民政府的规划和布局")
    local_industry_plan_ok: bool | None = F("是否符合当地产业结构规划")
    is_key_project: bool | None = F("是否国家和省级重点建设项目")
    key_project_in_listed_industry: bool | None = F(
        "是否属于三同时监督管理暂行办法第七条第（四）项所列行业的国家和省级重点建设项目"
    )
    hazchem_production: bool | None = F("是否生产危险化学品")
    hazchem_storage: bool | None = F("是否储存危险化学品")
    produces_highly_toxic: bool | None = F("是否生产剧毒化学品")
    cross_province: bool | None = F("是否跨省、自治区、直辖市")
    in_chemical_park: bool | None = F("是否位于化工园区内")
    chemical_park_id: str | None = F("化工园区名称或编号")
    park_exception: Annotated[
        Literal["none", "supporting_other_industry", "national_rule"],
        Labels("ParkException", {
            "none": "无例外",
            "supporting_other_industry": "与其他行业生产装置配套建设",
            "national_rule": "符合国家规定的其他情形",
        }),
    ] | None = F("进入化工园区的例外情形")
    involves_key_process: bool | None = F("是否涉及重点监管危险化工工艺")
    involves_key_hazchem: bool | None = F("是否涉及重点监管危险化学品")
    has_major_hazard: bool | None = F("是否构成危险化学品重大危险源")
    main_process_determined: bool | None = F("主要技术、工艺是否确定且符合规定")
    first_domestic_process: bool | None = F("是否国内首次使用的化工工艺")
    process_reliability_demonstrated: bool | None = F("是否经省级有关部门组织安全可靠性论证")
    excluded_from_45: bool | None = F("是否属于危险化学品建设项目安全监督管理办法排除的项目（勘探开采、城镇燃气等）")
    budget: Budget | None = F("投资概算")
    three_simultaneous_archive: bool | None = F("是否建立三同时文件资料档案")


class Person(Model):
    """从业人员及其资格。"""

    role: PersonRole = Field(title="岗位")
    name: str | None = F("姓名")
    certificate_no: str | None = F("证书编号")
    certificate_valid: bool | None = F("证书是否有效")
    assessed: bool | None = F("是否经考核合格")
    expiry: Date | None = F("证书有效期至")


class Emergency(Model):
    plan_exists: bool | None = F("是否制定生产安全事故应急救援预案")
    plan_filed: bool | None = F("应急预案是否已备案")
    plan_filed_date: Date | None = F("应急预案备案日期")
    rescue_org: Annotated[
        Literal["own_team", "designated_staff", "agreement"],
        Labels("RescueOrg", {"own_team": "建立应急救援组织", "designated_staff": "指定兼职应急救援人员", "agreement": "与专业救援队伍签订协议"}),
    ] | None = F("应急救援组织形式")
    rescue_agreement: bool | None = F("是否与专业救援队伍签订救护协议")
    equipment_ok: bool | None = F("是否配备必要的应急救援器材、设备")
    last_drill_date: Date | None = F("最近一次应急演练日期")


class SafetyEvaluation(Model):
    """安全评价（预评价、安全条件评价、验收评价、现状评价）。"""

    type: EvaluationType = Field(title="评价类型")
    date: Date | None = F("报告日期")
    agency: str | None = F("评价机构")
    agency_qualified: bool | None = F("评价机构是否具有相应资质")
    conclusion: Conclusion | None = F("评价结论")
    major_defects: bool | None = F("报告是否存在重大缺陷、漏项")
    filed_with_county: bool | None = F("报告及整改落实情况是否报县级部门备案")


class CommonFacts(Model):
    """Top-level facts shared by the three domains."""

    format_version: Literal[1, 2] | None = F(
        "案卷格式版本", description="缺省为1；2 起列表须声明是否完整（*_complete），见 approval-rules migrate"
    )
    case_id: str | None = F("案卷编号")
    decision_date: Date | None = F("决定日期", description="按该日施行的规则审查；不填时为申请提交日期")
    application: Application = Field(title="申请")
    enterprise: Enterprise = Field(title="企业")
    project: Project | None = F("建设项目")
    materials: Materials | None = F("申报材料")
    personnel: list[Person] | None = F("从业人员", complete_flag="personnel_complete")
    personnel_complete: bool | None = F("从业人员名单是否完整（未声明完整时只作已列人员看待）")
    emergency: Emergency | None = F("应急救援")
    safety_evaluations: list[SafetyEvaluation] | None = F("安全评价")
