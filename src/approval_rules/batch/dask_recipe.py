"""Screening on Dask: the inputs cut into pieces, each piece screened by a Dask task into its own
store, the stores merged (``merge``) into one. See docs/scaling.md for the recipe and figures.

- A piece is a byte range of a JSON Lines file, cut at line ends (like ``dask.bag.read_text`` with
  a ``blocksize``), or a group of whole project files. The client reads each JSON Lines file once
  to find the cuts and the line number each piece starts at, so that every row keeps the label
  (``path:line``) a one-machine ``screen`` gives it. Pieces, not ``--shard`` indices: every shard
  reads and hashes all the inputs, a piece only its own bytes.
- A task decides its piece in one thread (a Dask worker process is one core; its tasks cannot
  start a process pool of their own) with the rule book compiled once per worker process: a small
  cache keyed by the rules path and the rule-set hash the client saw, so that a worker whose copy
  of the rules differs stops with a Chinese error instead of deciding under other rules.
- A task writes its store on the worker's local disk (SQLite's WAL does not work on a network file
  system) and copies it whole into ``work_dir``, which on a cluster must be a directory every
  worker and the client can reach; a task that Dask runs again replaces its file.

Dask is imported only when a recipe is run: ``pip install 'approval-rules[dask]'``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import shutil
import socket
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..ruleset.loader import load_rules
from .inputs import LINES_SUFFIXES, Item, _lines, expand, iter_items, storable
from .merge import Merged, merge
from .screening import Batch
from .store import Store
from .workers import ruleset_hash, ruleset_refs

BLOCKSIZE = 32 * 2**20  # ≈ 8,000 generated project files: a few seconds of one core
FILES_PER_PIECE = 2000


class DaskMissing(ImportError):
    """Dask is not installed (message in Chinese)."""


class Part(NamedTuple):
    """Bytes ``start``..``end`` of a JSON Lines file, whose first line is ``first``; or, with
    ``first == 0``, a whole project file."""

    path: str
    start: int = 0
    end: int = 0
    first: int = 0


def _bag() -> Any:  # dask.bag, imported here so that the package never needs Dask
    try:
        import dask.bag
    except ImportError as exc:
        raise DaskMissing("未安装 Dask，无法在 Dask 上审查：pip install 'approval-rules[dask]'"
                          "（多台机器时另需 distributed）") from exc
    return dask.bag


def pieces(inputs: list[str], blocksize: int = BLOCKSIZE, files_per_piece: int = FILES_PER_PIECE) -> list[list[Part]]:
    """The inputs (as ``screen`` takes them, standard input excepted) as pieces of work."""
    out: list[list[Part]] = []
    files: list[Part] = []
    for name in expand(inputs):
        if name == "-":
            raise ValueError("在 Dask 上审查不能读标准输入：请先写入 JSON Lines 文件")
        if name.lower().endswith(LINES_SUFFIXES):
            out.extend([part] for part in _blocks(name, blocksize))
        else:
            files.append(Part(name))
            if len(files) >= files_per_piece:
                out.append(files)
                files = []
    if files:
        out.append(files)
    return out


def _blocks(path: str, blocksize: int) -> Iterator[Part]:
    """Byte ranges of about ``blocksize`` cut after a line end, with the line each starts at."""
    start, first, pos = 0, 1, 0
    with open(path, "rb") as f:
        while chunk := f.read(blocksize):
            cut = chunk.rfind(b"\n")
            if cut >= 0:  # a line longer than a block runs on into the next chunk
                yield Part(path, start, pos + cut + 1, first)
                first += chunk.count(b"\n")
                start = pos + cut + 1
            pos += len(chunk)
    if pos > start:
        yield Part(path, start, pos, first)


def _items(parts: list[Part]) -> Iterator[Item]:
    whole = [p.path for p in parts if p.first == 0]
    for p in parts:
        if p.first:
            with open(p.path, "rb") as f:
                f.seek(p.start)
                data = f.read(p.end - p.start)
            yield from _lines(BytesIO(data), storable(p.path), p.first)
    if whole:
        yield from iter_items(whole)


@functools.lru_cache(maxsize=4)
def _book(rules: str, expected: str) -> RuleBook:
    """The rule book at ``rules``, compiled once per worker process (a few per process at most)."""
    book = compile_rules(load_rules(rules))
    found = ruleset_hash(ruleset_refs(book))
    if found != expected:
        raise RuntimeError(f"工作节点 {socket.gethostname()} 上的规则 {rules} 与提交作业时不同"
                           f"（规则集哈希 {found[:12]}，应为 {expected[:12]}）：各节点须使用同一版规则")
    return book


def screen_piece(index: int, parts: list[Part], rules: str, expected: str, work_dir: str,
                 as_of: _dt.date | None = None) -> tuple[str, dict[str, int]]:
    """One Dask task: decide one piece into ``work_dir/part-NNNNN.sqlite``; its path and counts."""
    book = _book(rules, expected)
    target = Path(work_dir) / f"part-{index:05d}.sqlite"
    local = Path(tempfile.mkdtemp(prefix="approval-rules-piece-"))
    try:
        with Store(local / target.name) as store:
            where = [f"{p.path}:{p.start}-{p.end}" if p.first else p.path for p in parts]
            summary = Batch(book, rules, as_of=as_of, jobs=1, store=store,
                            argv=["dask-recipe", f"piece {index}", *where]).run(_items(parts))
        if summary.fault:
            raise RuntimeError(f"第 {index} 块审查异常终止：{summary.fault}")
        copy = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(local / target.name, copy)
        os.replace(copy, target)
    finally:
        shutil.rmtree(local, ignore_errors=True)
    return str(target), summary.as_dict()


def screen_on_dask(inputs: list[str], out: str, *, rules: str, work_dir: str, as_of: _dt.date | None = None,
                   blocksize: int = BLOCKSIZE, files_per_piece: int = FILES_PER_PIECE) -> tuple[list[str], Merged]:
    """Screen ``inputs`` on Dask (the ``distributed.Client`` in use, else Dask's default scheduler)
    and merge the pieces' stores into ``out``; the pieces' stores stay in ``work_dir``."""
    bag = _bag()
    expected = ruleset_hash(ruleset_refs(compile_rules(load_rules(rules))))
    work = pieces(inputs, blocksize, files_per_piece)
    Path(work_dir).mkdir(parents=True, exist_ok=True)
    tasks = bag.from_sequence(list(enumerate(work)), npartitions=max(1, len(work)))
    done = tasks.starmap(screen_piece, rules=rules, expected=expected, work_dir=work_dir, as_of=as_of).compute()
    stores = [path for path, _counts in done]
    return stores, merge(out, stores)
