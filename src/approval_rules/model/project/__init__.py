"""The project file (申报材料/项目档案): one pydantic model assembled from one module per domain.

- ``base``: strict types (dates, enums with Chinese labels) shared by all models
- ``materials``: the document catalogue and the materials section
- ``common``: application, enterprise, project, personnel, evaluations
- ``entry``: 高危行业准入 facts; ``construction``: 三同时 facts; ``licence``: 许可证 facts
"""

from __future__ import annotations

from .base import Labels
from .common import CommonFacts
from .construction import ConstructionFacts
from .entry import EntryFacts
from .licence import LicenceFacts
from .materials import DOCUMENTS


class ProjectFile(LicenceFacts, ConstructionFacts, EntryFacts, CommonFacts):
    """A project file: everything the rule sets may read about one application."""


__all__ = ["DOCUMENTS", "Labels", "ProjectFile"]
