"""Building blocks shared by every project-file model: strict types, enums with Chinese labels."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Dates outside this range are typing errors (0202 for 2020), and keep date arithmetic
# (expiry + 3 years) clear of the ends of Python's calendar.
FIRST_DATE = _dt.date(1900, 1, 1)
LAST_DATE = _dt.date(2100, 12, 31)
# Beyond this an integer is no count or amount, and Python refuses to print it at 4,300 digits.
MAX_INT_DIGITS = 30


def _to_date(value: Any) -> _dt.date:
    # A date must be a real calendar date: YAML gives date objects, dicts from JSON ISO strings.
    # Datetimes, timestamps and free text are refused rather than guessed at.
    if isinstance(value, _dt.datetime):
        raise ValueError("date_with_time")
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            value = _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("date_invalid") from None
    if not isinstance(value, _dt.date):
        raise ValueError("date_format")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError("date_range")
    return value


class _DateSchema:
    """Dates: from JSON text, pydantic's strict date (in Rust: ISO dates only, the same refusals
    as ``_to_date``); from Python objects, ``_to_date``. Batch input is JSON, so the hot path
    calls no Python per date."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.json_or_python_schema(
            json_schema=core_schema.date_schema(strict=True, ge=FIRST_DATE, le=LAST_DATE),
            python_schema=core_schema.no_info_plain_validator_function(_to_date),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda d: d.isoformat(), return_schema=core_schema.str_schema(), when_used="json"
            ),
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


Date = Annotated[_dt.date, _DateSchema()]
# The bounds stay out of the JSON Schema: 10**30 is no 64-bit integer, and JSON writers such as orjson refuse it.
Int = Annotated[int, Field(gt=-(10**MAX_INT_DIGITS), lt=10**MAX_INT_DIGITS),
                WithJsonSchema({"type": "integer", "description": f"整数，至多 {MAX_INT_DIGITS} 位"})]


def check_order(model: BaseModel, *pairs: tuple[str, str]) -> None:
    """Refuse a later date before an earlier one (a licence issued after it expires): such a file
    is mistyped, and a rule would otherwise read the impossible pair as a fact. The error names
    the later field, where the file is reported wrong."""
    for earlier, later in pairs:
        a, b = getattr(model, earlier), getattr(model, later)
        if a is not None and b is not None and b < a:
            info = type(model).model_fields
            raise PydanticCustomError(
                "date_order", "date_order",
                {"earlier": info[earlier].alias or earlier, "later": info[later].alias or later,
                 "earlier_title": info[earlier].title, "later_title": info[later].title},
            )


@dataclass(frozen=True)
class Labels:
    """Chinese labels of an enumeration's values, attached to its type as metadata:
    ``Annotated[Literal["a", "b"], Labels("Name", {"a": ..., "b": ...})]``. The values are spelt
    out in the ``Literal`` so that type checkers see them (tests/model/test_labels.py keeps the two
    in step)."""

    name: str
    labels: dict[str, str]

    def __hash__(self) -> int:  # needed to sit inside typing.Annotated
        return hash(self.name)


class Model(BaseModel):
    """Base of all project-file models: unknown keys are errors, types are strict, numbers finite
    (a NaN quantity compares false with everything, so a threshold rule on it never fires)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


PROVENANCES = {
    "applicant": "申请人提供（申报材料、申报的事实）",
    "authority": "审查机关认定（核查、现场核查、信用核查、组织的评审）",
    "context": "部署环境确定（受理机关、决定日期）",
    "derived": "由其他事实推算",
}


def F(title: str, provenance: str = "applicant", complete_flag: str | None = None, **kw: Any) -> Any:
    """An optional fact: absent means unknown, never false.

    ``provenance`` says who supplies it (``PROVENANCES``): only a missing applicant fact is
    补正; the others are for the reviewer or the deployment. ``complete_flag`` names the sibling
    boolean that declares a list the complete roster (an open list is a lower bound otherwise).
    """
    if provenance not in PROVENANCES:
        raise ValueError(f"unknown provenance {provenance!r}")
    extra: dict[str, Any] = {"x-provenance": provenance}
    if complete_flag:
        extra["x-complete-flag"] = complete_flag
    return Field(None, title=title, json_schema_extra=extra, **kw)


AuthorityLevel = Annotated[
    Literal["national", "provincial", "municipal", "county"],
    Labels("AuthorityLevel", {"national": "国家级", "provincial": "省级", "municipal": "设区的市级", "county": "县级"}),
]
AuthorityDept = Annotated[
    Literal[
        "emergency_management", "mine_safety", "housing_construction", "miit_civil_explosives", "development_reform",
        "public_security", "port", "other",
    ],
    Labels("AuthorityDept", {
        "emergency_management": "应急管理部门（原安全生产监督管理部门）",
        "mine_safety": "矿山安全监察机构/煤矿安全监管部门",
        "housing_construction": "住房和城乡建设主管部门",
        "miit_civil_explosives": "民用爆炸物品行业主管部门（工业和信息化）",
        "development_reform": "发展改革部门",
        "public_security": "公安机关",
        "port": "港口行政管理部门",
        "other": "其他部门",
    }),
]
Conclusion = Annotated[Literal["pass", "conditional", "fail"], Labels("Conclusion", {"pass": "合格/通过", "conditional": "有条件通过", "fail": "不合格/不通过"})]


class Authority(Model):
    level: AuthorityLevel | None = F("机关层级")
    dept: AuthorityDept | None = F("机关类别")
    province: str | None = F("所在省份")
    name: str | None = F("机关名称")
