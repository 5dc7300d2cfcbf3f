"""Hostile values and text mutations shared by the targets, written as raw text so that no
serialiser refuses them first (a 5,000-digit integer, NaN, a lone surrogate escape)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

import yaml

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")  # three English words in a row


@dataclass(frozen=True)
class Hostile:
    """A value as JSON text and as YAML text; ``invalid``: every reader must refuse it, wherever it sits."""

    name: str
    json: str
    yaml: str
    invalid: bool


HOSTILE = [
    Hostile("nan", "NaN", ".nan", True),
    Hostile("inf", "Infinity", ".inf", True),
    Hostile("-inf", "-Infinity", "-.inf", True),
    Hostile("huge-int", "9" * 5000, "9" * 5000, True),
    Hostile("lone-surrogate", '"\\ud800x"', '"\\ud800x"', True),
    Hostile("deep", "[" * 1000 + "]" * 1000, "[" * 1000 + "]" * 1000, True),
    Hostile("year-1", '"0001-01-01"', '"0001-01-01"', False),
    Hostile("year-9999", '"9999-12-31"', '"9999-12-31"', False),
    Hostile("bad-date", '"2024-13-01"', '"2024-13-01"', False),
    Hostile("empty", '""', '""', False),
    Hostile("long", json.dumps("险" * 100_000), json.dumps("险" * 100_000), False),
    Hostile("zero", "0", "0", False),
    Hostile("negative", "-1", "-1", False),
    Hostile("big-float", "1e308", "1.0e+308", False),
    Hostile("null", "null", "null", False),
    Hostile("true", "true", "true", False),
    Hostile("list", "[]", "[]", False),
    Hostile("map", "{}", "{}", False),
    Hostile("control", '"a\\u0001b"', '"a\\x01b"', False),
]

TAGS = ["!!python/object:os.system", "!custom", "!!set", "!!omap", "!!binary", "!!python/name:os.system", "!!map"]

MARK = "\x00HOSTILE\x00"


def leaves(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path in ``data`` to a scalar, list or mapping (the root excluded)."""
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        out.append(path + (k,))
        out += leaves(v, path + (k,))
    return out


def get(data: Any, path: tuple) -> Any:
    for k in path:
        data = data[k]
    return data


def put(data: Any, path: tuple, value: Any) -> Any:
    """A deep copy of ``data`` with ``path`` set to ``value`` (or deleted when ``value`` is ``DELETE``)."""
    copy = json.loads(json.dumps(data, default=str))
    parent = get(copy, path[:-1])
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy


DELETE = object()


def as_json(data: Any, hostile: Hostile | None = None) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    return text.replace(json.dumps(MARK), hostile.json) if hostile else text


def as_yaml(data: Any, hostile: Hostile | None = None) -> str:
    text = yaml.safe_dump(json.loads(json.dumps(data, default=str)), allow_unicode=True, sort_keys=False, width=10_000)
    if hostile:
        text = re.sub(r"""(['"])\\?\x00HOSTILE\\?\x00\1|"\\0HOSTILE\\0"|'\x00HOSTILE\x00'""", lambda _m: hostile.yaml, text)
    return text


def byte_mutation(rng: random.Random, text: str) -> str:
    """Flip, insert, delete or duplicate a few characters or a line."""
    if not text:
        return text
    kind = rng.randrange(5)
    i = rng.randrange(len(text))
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + rng.choice(["\t", "\x01", "\ufeff", "\u3000", "：", "{", "[", "'", '"', "\\", "\n", "- ", ": ", "&a ", "*a"]) + text[i:]
    lines = text.split("\n")
    j = rng.randrange(len(lines))
    if kind == 2:
        lines.insert(j, lines[rng.randrange(len(lines))])
    elif kind == 3:
        del lines[j]
    else:
        lines[j] = " " * rng.randrange(1, 4) + lines[j]
    return "\n".join(lines)


def problems_in_messages(texts: list[str]) -> list[str]:
    """Messages a person reads that are not Chinese, or that speak English sentences."""
    bad = []
    for t in texts:
        if not CJK.search(t):
            bad.append(f"没有中文的消息：{t[:200]!r}")
        elif ENGLISH.search(_without_code(t)):
            bad.append(f"消息中有英文句子：{t[:200]!r}")
    return bad


def _without_code(text: str) -> str:
    # Quoted values, paths, codes and options are data, not sentences.
    text = re.sub(r"「[^」]*」|“[^”]*”|'[^']*'|\"[^\"]*\"|`[^`]*`", "", text)
    return re.sub(r"\S*[/\\._:=-]\S*", "", text)
