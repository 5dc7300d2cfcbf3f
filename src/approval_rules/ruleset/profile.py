"""The deployment profile: what the deployment, not the applicant, knows.

A reviewing authority runs the engine for itself: it knows which authority receives the
applications (its level, department, province) and whether it relies on the presumptions the
rule files declare. One small YAML file per deployment, given to ``check``, ``screen``,
``explain``, ``test``, the Python API and the service.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ..core.diagnostics import ProjectFileError
from ..model.project.base import Authority
from .loader import _parse_model, _read
from .models import RModel


class Profile(RModel):
    """部署配置：受理机关与推定的使用方式。"""

    name: str | None = Field(None, title="部署名称")
    authority: Authority | None = Field(None, title="受理机关（案卷未写明受理机关时以此为准）")
    strict: bool = Field(False, title="严格模式：不使用规则文件声明的推定，改为待核查事项并转人工审查")


def parse_profile(text: str, source: str) -> Profile:
    """A profile from YAML or JSON text; ``ProjectFileError`` with every problem otherwise."""
    profile, _, _, diags = _parse_model(Profile, text, source)
    if diags:
        raise ProjectFileError(diags)
    return profile


def load_profile(path: str | Path) -> Profile:
    text, diag = _read(Path(path))
    if diag is not None:
        raise ProjectFileError([diag])
    return parse_profile(text or "", str(path))
