"""Where a batch's project files come from: files, directories, globs, JSON Lines and standard input.

Every input becomes one ``Item``: the raw text of one project file, where it is (its *label*:
``path`` for a whole file, ``path:line`` for a line of a JSON Lines file, ``-`` or ``-:line``
for standard input), its format and a SHA-256 of its bytes (what ``--resume`` compares).
Inputs are produced lazily, one at a time, so a batch of any size is read in constant memory.
An input that cannot be read (not UTF-8, an I/O error) is still an ``Item``, carrying the
problem, so that it becomes an error row instead of stopping the batch.

Accepted arguments:

- a project file: ``*.yaml``, ``*.yml`` (YAML) or ``*.json`` (JSON), whatever its suffix when
  named explicitly (``*.jsonl`` is read as JSON Lines);
- a directory: every ``*.yaml``, ``*.yml``, ``*.json`` and ``*.jsonl`` below it, recursively, sorted;
- a glob (``cases/**/*.yaml``), expanded recursively by Python, sorted;
- ``-``: standard input, read as JSON Lines when its first non-blank line is a JSON object on
  its own, otherwise as one YAML or JSON project file.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, NamedTuple

from ..core.diagnostics import Diagnostic, SourcePos, os_error_zh

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
LINES_SUFFIXES = (".jsonl", ".ndjson")
STDIN = "-"
_GLOB_CHARS = set("*?[")


class Item(NamedTuple):
    """One raw input: the text of one project file and where it came from."""

    label: str  # stable position: path, path:line, - or -:line
    file: str  # the file (or "-") that positions in diagnostics refer to
    line: int  # 1-based line in a JSON Lines input; 0 for a whole file
    fmt: str  # "yaml" or "json"
    text: str | None  # None when the input could not be read
    digest: str  # SHA-256 (hex) of the input's bytes
    problem: Diagnostic | None = None  # why it could not be read


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str, in_json: bool = False) -> str:
    """``text`` with every lone surrogate written out as ``\\udXXX`` so that UTF-8 (SQLite, the
    exports) can hold it: a JSON string escape (``\\ud800``) would turn back into the surrogate
    when read, so inside JSON text (``in_json``) the backslash is escaped too."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        form = "\\\\u%04x" if in_json else "\\u%04x"
        return _SURROGATE.sub(lambda m: form % ord(m.group()), text)


def is_glob(arg: str) -> bool:
    return bool(_GLOB_CHARS & set(arg)) and not Path(arg).exists()


def missing(args: Iterable[str]) -> list[str]:
    """The arguments that name nothing: no such file or directory, or a glob matching nothing."""
    out = []
    for arg in args:
        if arg == STDIN:
            continue
        if is_glob(arg):
            if not glob.glob(arg, recursive=True):
                out.append(arg)
        elif not Path(arg).exists():
            out.append(arg)
    return out


def expand(args: Iterable[str]) -> Iterator[str]:
    """Each argument as the files it names (directories recursively, globs expanded), in order;
    a file named twice (``dir`` and ``dir/a.yaml``, ``a.yaml`` and ``./a.yaml``) only the first
    time, so that it is one input, not two rows in the export for one in the store."""
    seen: set[str] = set()
    for name in _expand(args):
        if name != STDIN:
            real = os.path.realpath(name)
            if real in seen:
                continue
            seen.add(real)
        yield name


def _expand(args: Iterable[str]) -> Iterator[str]:
    for arg in args:
        if arg == STDIN:
            yield STDIN
        elif is_glob(arg):
            for match in sorted(glob.glob(arg, recursive=True)):
                yield from _files_of(Path(match), explicit=False)
        else:
            yield from _files_of(Path(arg), explicit=True)


def _files_of(path: Path, explicit: bool) -> Iterator[str]:
    if path.is_dir():
        wanted = DOCUMENT_SUFFIXES + LINES_SUFFIXES
        yield from (str(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in wanted and p.is_file())
    elif explicit or path.suffix.lower() in DOCUMENT_SUFFIXES + LINES_SUFFIXES:
        yield str(path)


def iter_items(args: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Item]:
    """Every input under ``args``, one ``Item`` at a time (``stdin`` defaults to the process's)."""
    for name in expand(args):
        if name == STDIN:
            yield from _stdin_items(stdin if stdin is not None else sys.stdin.buffer)
        elif name.lower().endswith(LINES_SUFFIXES):
            yield from _lines_file(name)
        else:
            yield _whole_file(name)


def _fmt(name: str) -> str:
    return "json" if name.lower().endswith(".json") else "yaml"


def _unreadable(label: str, file: str, line: int, fmt: str, digest: str, message: str, hint: str | None = None) -> Item:
    pos = SourcePos(file, max(line, 1), 1)
    return Item(label, file, line, fmt, None, digest, Diagnostic("E104", message, pos, hint=hint))


def _decode(label: str, file: str, line: int, fmt: str, data: bytes) -> Item:
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _unreadable(label, file, line, fmt, digest, "文件不是 UTF-8 编码", "用 UTF-8 编码另存该文件")
    if text.startswith("\ufeff"):
        text = text[1:]
    return Item(label, file, line, fmt, text, digest)


def _whole_file(name: str) -> Item:
    label = storable(name)  # a file name with bytes that are not UTF-8 holds surrogates
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        return _unreadable(label, label, 0, _fmt(name), "", f"无法读取文件：{os_error_zh(exc, with_name=False)}")
    return _decode(label, label, 0, _fmt(name), data)


def _lines_file(name: str) -> Iterator[Item]:
    try:
        stream = open(name, "rb")  # noqa: SIM115 - closed below, the generator may be abandoned
    except OSError as exc:
        yield _unreadable(storable(name), storable(name), 0, "json", "", f"无法读取文件：{os_error_zh(exc, with_name=False)}")
        return
    with stream:
        yield from _lines(stream, storable(name))


def _lines(stream: Iterable[bytes], name: str, first: int = 1) -> Iterator[Item]:
    for n, raw in enumerate(stream, first):
        data = raw.rstrip(b"\r\n")
        if not data.strip():
            continue
        yield _decode(f"{name}:{n}", name, n, "json", data)


def _stdin_items(stream: BinaryIO) -> Iterator[Item]:
    head: list[bytes] = []
    for raw in stream:
        head.append(raw)
        if raw.strip():
            break
    first = head[-1].strip() if head else b""
    if _is_json_object(first):
        yield from _lines(head, STDIN)
        yield from _lines(stream, STDIN, first=len(head) + 1)
        return
    data = b"".join(head) + stream.read()
    if not data.strip():
        return
    fmt = "json" if data.lstrip().startswith((b"{", b"\xef\xbb\xbf{")) else "yaml"
    yield _decode(STDIN, STDIN, 0, fmt, data)


def _is_json_object(line: bytes) -> bool:
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):  # a huge number or deep nesting: not a project file either way
        return False


def count(args: Iterable[str]) -> int | None:
    """How many inputs ``args`` hold (for a progress bar), or None when it cannot be known cheaply."""
    total = 0
    for name in expand(args):
        if name == STDIN:
            return None
        if name.lower().endswith(LINES_SUFFIXES):
            try:
                with open(name, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


def case_id(project: object, label: str) -> str:
    """A case's stable id: the file's ``case_id``, else its ``application.id``, else its label."""
    cid = getattr(project, "case_id", None)
    if cid:
        return str(cid)
    app = getattr(project, "application", None)
    aid = getattr(app, "id", None)
    return str(aid) if aid else label
