"""The deployment profile: what the deployment, not the applicant, knows.

A reviewing authority runs the engine for itself: it knows which authority receives the
applications (its level, department, province) and whether it relies on the presumptions the
rule files declare. One small YAML file per deployment, given to ``check``, ``screen``,
``explain``, ``test``, the Python API and the service.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from ..core.diagnostics import ProjectFileError
from .loader import _parse_model, _read
from .models import Profile


def parse_profile(text: str, source: str) -> Profile:
    """A profile from YAML or JSON text; ``ProjectFileError`` with every problem otherwise."""
    profile, _, _, diags = _parse_model(Profile, text, source)
    if diags:
        raise ProjectFileError(diags)
    return cast(Profile, profile)


def load_profile(path: str | Path) -> Profile:
    text, diag = _read(Path(path))
    if diag is not None:
        raise ProjectFileError([diag])
    return parse_profile(text or "", str(path))


__all__ = ["Profile", "load_profile", "parse_profile"]
