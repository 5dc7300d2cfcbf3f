"""The JSON Schema of rule files, for editors (yaml-language-server: completion, hover, inline errors).

Generated from the pydantic models of the rule language, then made useful to legal staff:
every key carries its Chinese description, enumerations carry Chinese labels
(``enumDescriptions``), document codes are an enumeration, and condition keys offer every
fact path as a completion.
"""

from __future__ import annotations

from typing import Any

from ..model import facts
from ..model.project import DOCUMENTS
from .models import EFFECT_ZH, LEGAL_EFFECTS, RuleFile, RuleSetHeader
from ..lang.typecheck import BUILTINS, FUNCTIONS

SCHEMA_ID = "https://approval-rules.example/schema/rules.schema.json"
COMMENT = "# yaml-language-server: $schema=../../schema/rules.schema.json"

_ENUM_LABELS: dict[frozenset[str], dict[str, str]] = {
    frozenset(EFFECT_ZH): EFFECT_ZH,
    frozenset(LEGAL_EFFECTS): LEGAL_EFFECTS,
    frozenset(DOCUMENTS): DOCUMENTS,
}


def _fact_paths() -> list[str]:
    return [p for p, f in facts.walk() if f.type.kind not in ("object",)] + list(BUILTINS)


def _decorate(node: Any, paths: list[str]) -> None:
    """Copy titles into descriptions, label enumerations, offer fact paths in conditions."""
    if isinstance(node, dict):
        if "title" in node and "description" not in node:
            node["description"] = node["title"]
        if "enum" in node:
            labels = _ENUM_LABELS.get(frozenset(node["enum"]))
            if labels:
                node["enumDescriptions"] = [labels[v] for v in node["enum"]]
        for key, value in node.get("properties", {}).items():
            if key in ("when", "require"):
                value["examples"] = paths
                value["markdownDescription"] = (
                    f"**{value.get('title', key)}**：条件表达式，例如 `application.kind == \"licence_extension\"`。"
                    "函数：" + "；".join(spec[2] for spec in FUNCTIONS.values())
                )
        for value in node.values():
            _decorate(value, paths)
    elif isinstance(node, list):
        for value in node:
            _decorate(value, paths)


def rules_schema() -> dict[str, Any]:
    """One schema that validates both ``ruleset.yaml`` and chapter files."""
    header = RuleSetHeader.model_json_schema(by_alias=True)
    rules = RuleFile.model_json_schema(by_alias=True)
    defs = {**header.pop("$defs", {}), **rules.pop("$defs", {})}
    material = defs["MaterialItem"]["properties"]["doc"]
    material["enum"] = list(DOCUMENTS)
    defs["Rule"]["properties"]["require_materials"]["anyOf"][0]["items"] = {
        "anyOf": [{"type": "string", "enum": list(DOCUMENTS), "title": "材料代码"}, {"$ref": "#/$defs/MaterialItem"}]
    }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "approval-rules 规则文件（ruleset.yaml 或规则章节文件）",
        "anyOf": [{"$ref": "#/$defs/RuleSetHeader"}, {"$ref": "#/$defs/RuleFile"}],
        "$defs": {**defs, "RuleSetHeader": header, "RuleFile": rules},
    }
    _decorate(schema, _fact_paths())
    return schema
