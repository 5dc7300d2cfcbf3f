"""Facts of the 高危行业准入 domain: siting, chemical parks, distances, major hazards, sector data."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Date, F, Int, Labels, Model

SensitiveTargetCategory = Annotated[
    Literal[
        "residential_commercial_park", "public_facility", "drinking_water", "transport_comm_trunk",
        "agri_livestock_fishery", "river_lake_scenic_reserve", "military", "other_legal",
    ],
    Labels("SensitiveTargetCategory", {
        "residential_commercial_park": "居住区以及商业中心、公园等人员密集场所",
        "public_facility": "学校、医院、影剧院、体育场（馆）等公共设施",
        "drinking_water": "饮用水源、水厂以及水源保护区",
        "transport_comm_trunk": "车站、码头、机场以及通信干线、铁路、道路交通干线、水路交通干线、地铁风亭以及地铁站出入口",
        "agri_livestock_fishery": "基本农田保护区、基本草原、畜禽遗传资源保护区、畜禽规模化养殖场、渔业水域以及种子、种畜禽、水产苗种生产基地",
        "river_lake_scenic_reserve": "河流、湖泊、风景名胜区、自然保护区",
        "military": "军事禁区、军事管理区",
        "other_legal": "法律、行政法规规定的其他场所、设施、区域",
    }),
]
DistanceMethod = Annotated[
    Literal["standard_table", "consequence", "qra"],
    Labels("DistanceMethod", {"standard_table": "标准规范规定的距离", "consequence": "事故后果法", "qra": "定量风险评价法"}),
]


class SensitiveTarget(Model):
    """周边敏感目标及其安全距离。"""

    category: SensitiveTargetCategory = Field(title="敏感目标类别")
    name: str | None = F("名称")
    distance_m: float | None = F("实际距离（米）")
    required_distance_m: float | None = F("要求的最小距离（米）")
    basis: DistanceMethod | None = F("距离确定方法")


class ExternalDistance(Model):
    method: DistanceMethod | None = F("外部安全防护距离确定方法")
    required_m: float | None = F("外部安全防护距离要求（米）")
    involves_explosives: bool | None = F("是否涉及爆炸物")
    toxic_flammable_gas_over_threshold: bool | None = F("有毒气体、易燃气体是否超过重大危险源临界量")


class Site(Model):
    """选址与周边环境。"""

    in_designated_hazchem_zone: bool | None = F("是否位于地方人民政府规划的危险化学品生产、储存专门区域")
    sensitive_targets: list[SensitiveTarget] | None = F("周边敏感目标")
    on_active_fault: bool | None = F("是否位于地震活动断层")
    flood_or_geohazard_zone: bool | None = F("是否位于容易发生洪灾、地质灾害的区域")
    external_distance: ExternalDistance | None = F("外部安全防护距离")
    dormitory_same_building: bool | None = F("员工宿舍是否与危险物品车间、仓库在同一座建筑物内")
    dormitory_distance_ok: bool | None = F("员工宿舍与危险物品场所是否保持安全距离")
    urban_plan_ok: bool | None = F("选址是否符合城乡规划")
    buildings_standards_ok: bool | None = F("厂房、库房的设计、结构、材料、安全距离及防火防爆防雷防静电设施是否符合国家标准")
    distances_compliant: bool | None = F(
        "与周边场所、设施、区域的距离是否符合国家有关规定（安全评价报告的结论；具体距离可不列）"
    )
    distances_basis: str | None = F("距离结论的出处（如安全评价报告章节）")


class QRA(Model):
    individual_risk_ok: bool | None = F("个人风险是否满足风险基准")
    societal_risk_ok: bool | None = F("社会风险是否满足风险基准")


class ChemicalPark(Model):
    """化工园区。"""

    name: str | None = F("园区名称")
    recognized_by_province: bool | None = F("是否经省级人民政府或其授权部门认定公布")
    recognition_date: Date | None = F("认定日期")
    last_overall_risk_assessment_date: Date | None = F("最近一次整体性安全风险评估日期")
    risk_grade: Annotated[Literal["A", "B", "C", "D"], Labels("ParkRiskGrade", {"A": "A类（高安全风险）", "B": "B类", "C": "C类", "D": "D类（低安全风险）"})] | None = F(
        "园区安全风险等级"
    )
    distance_compliance: bool | None = F("园区与城市建成区、人员密集场所等是否保持安全距离")


class Facility(Model):
    id: str | None = F("设施编号")
    type: Annotated[
        Literal["production_unit", "storage", "warehouse", "pipeline", "tailings_pond", "magazine"],
        Labels("FacilityType", {
            "production_unit": "生产装置",
            "storage": "储存设施",
            "warehouse": "仓库",
            "pipeline": "管道",
            "tailings_pond": "尾矿库",
            "magazine": "专用仓库（爆炸物品）",
        }),
    ] = Field(title="设施类型")
    is_major_hazard: bool | None = F("是否构成重大危险源")
    compliant: bool | None = F("是否符合安全生产法律、法规、标准和规程")


class MajorHazard(Model):
    """重大危险源。"""

    id: str | None = F("编号")
    level: Int | None = F("等级（1–4）")
    identified_per: str | None = F("辨识依据（如 GB 18218-2018）")
    registered: bool | None = F("是否登记建档")
    filed_with_authority: bool | None = F("是否报有关部门备案")
    monitoring: bool | None = F("是否进行定期检测、评估、监控")
    last_assessment_date: Date | None = F("最近一次安全评估日期")
    emergency_plan: bool | None = F("是否制定应急预案")
    staff_informed: bool | None = F("是否告知从业人员和相关人员应急措施")


class Chemical(Model):
    cas: str | None = F("CAS 号")
    name: str | None = F("名称")
    annual_usage_t: float | None = F("年使用量（吨）")
    quantity_t: float | None = F("最大储存量（吨）")
    threshold_t: float | None = F("规定数量或临界量（吨）")
    highly_toxic: bool | None = F("是否剧毒化学品")
    explosive_precursor: bool | None = F("是否易制爆危险化学品")
    key_supervised: bool | None = F("是否重点监管的危险化学品")


class Storage(Model):
    dedicated_warehouse: bool | None = F("是否在专用仓库内单独存放")
    dual_control: bool | None = F("是否实行双人收发、双人保管")
    filed_with_authority: bool | None = F("储存数量、地点及管理人员是否报应急管理部门和公安机关备案")


class Process(Model):
    name: str | None = F("名称")
    key_hazardous: bool | None = F("是否重点监管的危险化工工艺")
    in_safety_elimination_catalog: bool | None = F("是否列入严重危及生产安全的淘汰工艺、设备目录")


class Equipment(Process):
    """主要设备设施。"""

    hazardous: bool | None = F("是否属于危险性较大的设备设施")
    inspection_valid: bool | None = F("是否按规定经检测检验合格且在有效期内")


class ProductionConditions(Model):
    """生产设备、工艺和产品（烟花爆竹、民用爆炸物品等行业的生产条件）。"""

    equipment_process_standards_ok: bool | None = F("生产设备、工艺是否符合安全标准和有关安全生产的技术标准、规程")
    products_meet_standards: bool | None = F("产品品种、规格、质量是否符合国家标准")


class ConstructionEnterprise(Model):
    """建筑施工企业安全生产条件（建筑施工企业安全生产许可证管理规定第四条）。"""

    accident_insurance: bool | None = F("是否为施工现场从事危险作业的人员办理意外伤害保险")
    site_and_equipment_compliant: bool | None = F(
        "施工现场办公、生活区及作业场所和安全防护用具、机械设备、施工机具及配件是否符合有关安全生产法律、法规、标准和规程"
    )
    hazardous_works_controls: bool | None = F(
        "是否有对危险性较大的分部分项工程及施工现场易发生重大事故的部位、环节的预防、监控措施和应急预案"
    )


class LicenceReview(Model):
    """许可审查（现场核查）中由审查人员认定的事项。"""

    other_legal_conditions_met: bool | None = F(
        "是否符合法律、法规规定的其他安全生产条件（审查认定）", provenance="authority"
    )
    serious_violations_found: bool | None = F(
        "审查机关核查执法记录，是否发现许可证有效期内严重违反安全生产法律法规的行为", provenance="authority"
    )
    notes: str | None = F("审查说明", provenance="authority")


class Controls(Model):
    automation: bool | None = F("是否装备自动化控制系统")
    emergency_shutdown: bool | None = F("是否装备紧急停车系统")
    gas_detection: bool | None = F("是否设置可燃和有毒气体泄漏检测报警装置")


class SafetyConditionArgument(Model):
    """安全条件论证。"""

    industry_policy_ok: bool | None = F("是否符合国家和当地产业政策与布局")
    regional_plan_ok: bool | None = F("是否符合当地区域规划")
    site_standards_ok: bool | None = F("选址是否符合相关标准（GB 50187、GB 50489 等）")


class SafetyConditionReview(Model):
    """危险化学品建设项目安全条件审查。"""

    decision: Annotated[Literal["pass", "fail", "pending"], Labels("ReviewDecision", {"pass": "通过", "fail": "不予通过", "pending": "审查中"})] | None = F("审查结论")
    issue_date: Date | None = F("审查意见书出具日期")
    evaluation_major_defects: bool | None = F("安全评价报告是否存在重大缺陷、漏项", provenance="authority")
    distances_and_nature_ok: bool | None = F("与周边场所设施的距离及场址自然条件是否符合规定", provenance="authority")
    countermeasures_ok: bool | None = F("对安全设施设计提出的对策与建议是否符合规定", provenance="authority")


class Trading(Model):
    """危险化学品经营。"""

    premises_compliant: bool | None = F("经营场所是否符合国家标准、行业标准")
    storage_compliant: bool | None = F("储存设施是否符合国家标准、行业标准")
    has_storage: bool | None = F("是否有储存设施")
    highly_toxic_or_precursor: bool | None = F("是否经营剧毒化学品或易制爆危险化学品")
    storage_in_designated_zone: bool | None = F("储存设施是否位于规划的危险化学品储存专门区域")
    in_own_plant_only: bool | None = F("是否仅在厂区内销售本企业生产的危险化学品")
    change_type: Annotated[
        Literal["premises", "storage_site", "warehouse_rebuilt_elsewhere", "mode", "scope", "name_or_rep"],
        Labels("TradingChange", {
            "premises": "变更经营场所（无储存设施）",
            "storage_site": "变更储存场所",
            "warehouse_rebuilt_elsewhere": "仓储经营异地重建",
            "mode": "经营方式发生变化",
            "scope": "许可范围发生变化",
            "name_or_rep": "变更企业名称、主要负责人、注册地址",
        }),
    ] | None = F("经营许可变更事项")


class Mine(Model):
    id: str | None = F("矿（井）编号")
    type: Annotated[Literal["underground", "open_pit", "tailings_pond"], Labels("MineType", {"underground": "地下矿山", "open_pit": "露天矿山", "tailings_pond": "尾矿库"})] | None = F(
        "矿山类型"
    )
    slope_height_m: float | None = F("边坡高度（米）")
    safety_exits_count: Int | None = F("安全出口数量")
    ventilation_type: Annotated[Literal["mechanical", "natural"], Labels("Ventilation", {"mechanical": "机械通风", "natural": "自然通风"})] | None = F("通风方式")
    mining_license_valid: bool | None = F("采矿许可证是否有效")


class Contractor(Model):
    name: str | None = F("施工单位名称")
    qualification_valid: bool | None = F("资质证书是否有效")
    qualification_scope_ok: bool | None = F("是否在资质许可范围内承揽工程")
    safety_license_valid: bool | None = F("是否持有有效的建筑施工企业安全生产许可证")


class ConstructionPermit(Model):
    safety_measures_provided: bool | None = F("是否有保证工程质量和安全的具体措施")


class EntryFacts(Model):
    """Top-level facts of the 高危行业准入 domain."""

    site: Site | None = F("选址")
    qra: QRA | None = F("定量风险评价")
    chemical_park: ChemicalPark | None = F("化工园区")
    facilities: list[Facility] | None = F("生产储存设施", complete_flag="facilities_complete")
    facilities_complete: bool | None = F("生产储存设施清单是否完整（未声明完整时只作已列项目看待）")
    major_hazards: list[MajorHazard] | None = F("重大危险源")
    chemicals_used: list[Chemical] | None = F("使用的危险化学品")
    chemicals_inventory: list[Chemical] | None = F("储存的危险化学品")
    storage: Storage | None = F("危险化学品储存管理")
    processes: list[Process] | None = F("生产工艺", complete_flag="processes_complete")
    processes_complete: bool | None = F("生产工艺清单是否完整（未声明完整时只作已列项目看待）")
    equipment: list[Equipment] | None = F("主要设备设施", complete_flag="equipment_complete")
    equipment_complete: bool | None = F("主要设备设施清单是否完整（未声明完整时只作已列项目看待）")
    controls: Controls | None = F("安全控制系统")
    safety_condition_argument: SafetyConditionArgument | None = F("安全条件论证")
    safety_condition_review: SafetyConditionReview | None = F("安全条件审查")
    trading: Trading | None = F("危险化学品经营")
    mines: list[Mine] | None = F("矿（井）")
    contractors: list[Contractor] | None = F("施工单位")
    construction_permit: ConstructionPermit | None = F("施工许可")
    production: ProductionConditions | None = F("生产设备、工艺和产品")
    construction_enterprise: ConstructionEnterprise | None = F("建筑施工企业安全生产条件")
    licence_review: LicenceReview | None = F("许可审查认定事项")
