"""One row of the decision log: time-ordered ids, the input's hash, personal data masked."""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import Any

from ..engine.contract import DecisionDict, RuleSetRefDict

_MASKED = "***"


def new_id() -> str:
    """A UUIDv7-style id: 48 bits of milliseconds, then random bits; sorts by time as text."""
    ms = int(time.time() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | (rand & ((1 << 76) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mask(data: Any, pointers: list[str]) -> tuple[Any, list[str]]:
    """``data`` with the values at ``pointers`` replaced (containers on the way copied, ``data`` untouched), and the pointers masked."""
    done: list[str] = []
    for pointer in pointers:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")] if pointer.strip("/") else []
        data = _mask(data, parts, "", done)
    return data, done


def _mask(node: Any, parts: list[str], at: str, done: list[str]) -> Any:
    if not parts:
        return node
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        keys: list[Any] = list(node) if head == "*" else [head] if head in node else []
    elif isinstance(node, list):
        keys = list(range(len(node))) if head == "*" else [int(head)] if head.isdigit() and int(head) < len(node) else []
    else:
        return node
    out = None
    for k in keys:
        value = node[k]
        if rest:
            new = _mask(value, rest, f"{at}/{k}", done)
        elif value is not None:
            new = _MASKED
            done.append(f"{at}/{k}")
        else:
            new = value
        if new is not value:
            if out is None:
                out = copy.copy(node)
            out[k] = new
    return node if out is None else out


@dataclass
class LogRow:
    """A decision (kind ``decision``) or a later correction / reviewer override referring to one."""

    decision_id: str
    time: str
    caller: str
    role: str
    request_id: str
    case_id: str
    application_id: str
    as_of: str
    revision: str
    rulesets: list[RuleSetRefDict]
    engine_version: str
    input_sha256: str
    input_masked: Any
    masked: list[str]
    result: DecisionDict | dict[str, Any]  # a decision, or a correction / override of one
    decision: str
    rules: list[str] = field(default_factory=list)  # the rule ids of the findings, for search
    latency_ms: float = 0.0
    kind: str = "decision"
    refers_to: str | None = None

    COLUMNS = (
        "decision_id", "time", "caller", "role", "request_id", "case_id", "application_id", "as_of", "revision",
        "rulesets", "engine_version", "input_sha256", "input_masked", "masked", "result", "decision", "rules",
        "latency_ms", "kind", "refers_to",
    )
    JSON_COLUMNS = ("rulesets", "input_masked", "masked", "result")

    def to_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}
