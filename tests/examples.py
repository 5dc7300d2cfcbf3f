"""The code blocks of the README and docs, as the tests that run them see them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def blocks(language: str) -> list[tuple[str, str]]:
    """(where, code) of every fenced block in ``language``."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in _BLOCK.finditer(text):
            if m.group(1) == language:
                out.append((f"{doc.name}:{text.count(chr(10), 0, m.start()) + 1}", m.group(2)))
    return out


def commands(prefix: str) -> list[tuple[str, str]]:
    """Every shell command line (continuations joined) of the sh blocks that starts with ``prefix``."""
    out = []
    for where, code in blocks("sh"):
        for line in code.replace("\\\n", " ").splitlines():
            if line.startswith(prefix) or line.startswith("cat ") and f"| {prefix}" in line:
                out.append((where, line))
    return out
