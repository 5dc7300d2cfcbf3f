"""Rewrite project files of an older format into the current one, keeping their meaning.

Format 1 (no ``format_version``) read every list as the complete roster. Format 2 reads a list
as complete only when its ``*_complete`` flag says so, so a format-1 file becomes format 2 by
declaring each list it holds complete. YAML is edited as text (comments and layout stay);
JSON and JSON Lines are re-serialised.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .facts import open_lists

CURRENT = 2


def additions(data: dict[str, Any]) -> dict[str, Any]:
    """The top-level keys a file needs to become current (empty when it already is)."""
    if not isinstance(data, dict) or data.get("format_version", 1) >= CURRENT:
        return {}
    out: dict[str, Any] = {"format_version": CURRENT}
    for name, flag in open_lists().items():
        if data.get(name) is not None and flag not in data:
            out[flag] = True
    return out


def migrate_data(data: dict[str, Any]) -> dict[str, Any]:
    adds = additions(data)
    if not adds:
        return data
    out = {"format_version": CURRENT}
    out.update({k: v for k, v in data.items() if k != "format_version"})
    for k, v in adds.items():
        out.setdefault(k, v)
    return out


def migrate_json(text: str) -> str:
    data = json.loads(text)
    new = migrate_data(data)
    return text if new is data else json.dumps(new, ensure_ascii=False, indent=2) + "\n"


def migrate_jsonl(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.strip():
            data = json.loads(line)
            new = migrate_data(data)
            line = line if new is data else json.dumps(new, ensure_ascii=False)
        lines.append(line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def migrate_yaml(text: str, data: dict[str, Any]) -> str:
    """``text`` (whose parsed form is ``data``) with the additions written as new top-level lines."""
    adds = additions(data)
    if not adds:
        return text
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    version_written = False
    for line in lines:
        m = _TOP_KEY.match(line)
        key = m.group(1) if m else None
        if key == "format_version":
            continue  # an explicit format_version: 1 is replaced
        if key is not None and not version_written:
            out.append(f"format_version: {CURRENT}\n")
            version_written = True
        if key is not None and key in open_lists() and open_lists()[key] in adds:
            out.append(f"{open_lists()[key]}: true\n")
        out.append(line)
    if not version_written:
        out.append(f"format_version: {CURRENT}\n")
    return "".join(out)
