"""What a service process is told: the settings, passed from ``serve`` to every worker as JSON in one environment variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENV = "APPROVAL_RULES_SERVICE"

# Personal data in a project file, masked in the decision log (JSON pointers; ``*`` is every item or key).
DEFAULT_MASK = (
    "/enterprise/legal_rep",
    "/enterprise/principal",
    "/personnel/*/name",
    "/personnel/*/certificate_no",
)


@dataclass
class Settings:
    data_dir: str  # bundles/, the session key; the SQLite log by default
    log_dsn: str = ""  # a SQLite path (or sqlite:///path) or postgresql://…; default: data_dir/decisions.sqlite
    tokens_file: str | None = None  # without one: loopback only, every caller has every role
    verify_key: str | None = None  # Ed25519 public key (PEM); then every bundle must be signed by it
    mask: list[str] = field(default_factory=lambda: list(DEFAULT_MASK))
    max_body: int = 1 << 20  # bytes of a request body (bundles: max_bundle)
    max_bundle: int = 16 << 20
    max_batch: int = 100
    busy_timeout_ms: int = 2000  # how long a SQLite write waits for a lock before the answer is 503
    reload_seconds: float = 1.0  # how often a worker looks at the ACTIVE pointer
    ops_port: int | None = None  # health and metrics on their own port (then not on the main one)

    @property
    def dsn(self) -> str:
        return self.log_dsn or str(Path(self.data_dir) / "decisions.sqlite")

    def to_env(self) -> None:
        os.environ[ENV] = json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(ENV)
        if not raw:
            return cls(data_dir=os.path.abspath("approval-rules-service"))
        return cls(**json.loads(raw))
