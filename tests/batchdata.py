"""Shared data for the batch-screening tests: a small rule set that yields all four decisions,
and project files built from one template."""

from __future__ import annotations

import json
from pathlib import Path

RULES = """
rules:
  - id: B-STATUS
    title: 许可证须有效
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: licence.status == "valid"
    effect: reject
    message: 许可证状态为{licence.status}
    cite: [{source: licence-regulation, article: 14, verified: true}]
  - id: B-EXPIRY
    title: 许可证有效期届满前申请延期
    digest: TS-LIC-VAL-002
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: application.submitted_date <= licence.expiry_date
    effect: refer
    message: 申请日{application.submitted_date}晚于有效期届满日{licence.expiry_date}
    cite: [{source: licence-regulation, article: 9, clause: 1, verified: true}]
"""


def project(case_id: str | None = "c", status: str | None = "valid", expiry: str | None = "2024-06-14",
            kind: str = "licence_extension", app_id: str | None = None) -> dict:
    """A project file: approve by default; status → reject; no expiry → needs_correction;
    an early expiry → refer; another kind → refer (no applicable rule)."""
    licence = {}
    if status:
        licence["status"] = status
    if expiry:
        licence["expiry_date"] = expiry
    data: dict = {}
    if case_id:
        data["case_id"] = case_id
    data["application"] = {"kind": kind, "submitted_date": "2024-03-14"}
    if app_id:
        data["application"]["id"] = app_id
    data["enterprise"] = {"industry": "metal_nonmetal_mine"}
    data["licence"] = licence
    return data


def mixed(n: int) -> list[dict]:
    """n project files cycling through approve, reject, needs_correction and refer."""
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(project(f"a-{i}"))
        elif kind == 1:
            out.append(project(f"r-{i}", status="revoked"))
        elif kind == 2:
            out.append(project(f"n-{i}", expiry=None))
        else:
            out.append(project(f"f-{i}", expiry="2024-01-01"))
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def yaml_text(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
