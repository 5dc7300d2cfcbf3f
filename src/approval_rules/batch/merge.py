"""``merge``: one results store from several (the stores of ``screen --shard`` runs, or of any runs).

- Every run of every source store is copied, renumbered, with where it came from: ``source_store``
  (the file) and ``source_run`` (its number there); a run that was itself copied by an earlier
  merge keeps the provenance it had, the store where it ran. ``shard`` is copied as it is.
- Rows are merged by identity. Of the rows of one identity the one decided last wins: the run
  that decided it started later (compared as instants, so machines in other time zones compare
  right); at the same instant, the store named later. The others are superseded, as in a single
  store a case decided again replaces its earlier row.
- Two rows of one identity decided under the same rules (``ruleset_hash``) for the same date
  (``as_of``) that differ (decision, findings, passed or not applicable) are a conflict: the same
  bytes under the same rules must decide the same way, so one of the runs is wrong (another
  engine build, a damaged store). The later one is kept as above, and each losing row is recorded
  in ``merge_conflicts`` and reported, never chosen silently.
- Stores whose rule sets differ are refused unless ``allow_mixed_rules``: the merged store would
  mix decisions made under different rules into what reads as one screening.
- Nothing is lost: the sources are only read, and the merged store is written to a temporary file
  beside the output and renamed over it only when complete. An existing output is refused unless
  it is also one of the sources (then it is merged in, and replaced at the end).
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rows import Row
from .store import Store, StoreError, fault_zh
from .store_schema import list_key, row_select

BATCH = 2000
_COLUMNS = ", ".join("na_ref" if f == "not_applicable" else f for f in Row._fields)
_COMPARED = ("decision", "findings", "passed", "not_applicable")
_NOWHERE = ("（运行记录缺失）", 0)  # a row whose run is not in its store (a damaged store): kept all the same


class MergeError(Exception):
    """The stores cannot be merged as asked (message in Chinese)."""


@dataclass
class Conflict:
    case_id: str
    kept: tuple[str, int, str]  # (source store, its run number, decision)
    lost: tuple[str, int, str]


@dataclass
class Merged:
    runs: int = 0
    read: int = 0
    rows: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_count: int = 0
    still_running: list[str] = field(default_factory=list)  # Chinese: runs marked running in a source


def merge(out: str | Path, sources: list[str | Path], allow_mixed_rules: bool = False, keep: int = 50) -> Merged:
    """Merge ``sources`` into ``out`` (see the module's description); ``keep``: how many conflicts
    to return in detail (all are recorded in the store)."""
    if not sources:
        raise MergeError("没有要合并的结果库")
    out = Path(out)
    paths = list(dict.fromkeys(os.path.realpath(p) for p in sources))  # a store named twice counts once
    if out.exists() and os.path.realpath(out) not in paths:
        raise MergeError(f"{out} 已存在：合并不覆盖已有结果库，以免丢失其中的结果；"
                         "若要把新结果并入它，请把它也列为要合并的结果库，或换一个输出文件名")
    opened: list[Store] = []
    try:
        for p in paths:
            opened.append(Store(p, create=False, readonly=True))
        _check_rules(opened, allow_mixed_rules)
        tmp = out.with_name(f".{out.name}.merge-{os.getpid()}.tmp")
        _remove(tmp)
        try:
            result = _write(tmp, opened, keep)
            os.replace(tmp, out)
        except (sqlite3.Error, OSError) as exc:
            raise MergeError(fault_zh(f"合并结果库 {out}", exc) + f"；{out} 未改动") from exc
        finally:
            _remove(tmp)
        _sync_dir(out)
        return result
    finally:
        for store in opened:
            store.close()


def _check_rules(stores: list[Store], allow: bool) -> None:
    hashes = {}
    for store in stores:
        db = store.db
        hashes[store.path] = {h for (h,) in db.execute("SELECT ruleset_hash FROM runs UNION SELECT ruleset_hash FROM cases")}
    if allow or len({frozenset(h) for h in hashes.values()}) <= 1:
        return
    listed = "；".join(f"{Path(p).name}：{'、'.join(sorted(h[:12] for h in hs)) or '（空）'}" for p, hs in hashes.items())
    raise MergeError(
        "各结果库所用的规则集不同（规则集哈希：" + listed + "）。合并后的结果库会把按不同规则作出的决定混在一起，"
        "报告看起来却像同一次审查。请用同一版规则重新审查各片；若确是有意（例如修改规则后只重审了部分历史案卷），"
        "加 --allow-mixed-rules：同一案卷以最后作出的决定为准")


def _instant(text: str | None) -> float:
    try:
        moment = _dt.datetime.fromisoformat(text or "")
    except ValueError:
        return float("-inf")  # a run without a readable time loses to every run with one
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def _write(tmp: Path, sources: list[Store], keep: int) -> Merged:
    result = Merged()
    with Store(tmp) as target:
        db = target.db
        run_cols = [r[1] for r in db.execute("PRAGMA table_info(runs)") if r[1] != "id"]
        when: dict[int, tuple[float, int]] = {}  # merged run -> (start instant, source order)
        places: dict[int, tuple[str, int]] = {}  # merged run -> (source store, run number there)
        lists: set[str] = set()
        for order, source in enumerate(sources):
            db.execute("BEGIN IMMEDIATE")
            renumber = _copy_runs(db, source, run_cols, order, when, places, result)
            db.execute("COMMIT")
            cur = source.db.execute(row_select(source.db, ("ruleset_hash", "as_of_option", "last_run")))
            while batch := cur.fetchmany(BATCH):
                db.execute("BEGIN IMMEDIATE")
                for values in batch:
                    row = Row(*values[:len(Row._fields)])
                    run_id, rules, option, last = values[len(Row._fields):]
                    new = (row, rules, option, renumber.get(run_id, 0), renumber.get(last, 0))
                    _merge_row(db, new, when, places, lists, result, keep)
                db.execute("COMMIT")
                result.read += len(batch)
        result.rows = db.execute("SELECT count(*) FROM cases").fetchone()[0]
        result.conflict_count = db.execute("SELECT count(*) FROM merge_conflicts").fetchone()[0]
    if any(tmp.with_name(tmp.name + s).exists() for s in ("-wal", "-shm")):
        raise StoreError(f"临时结果库 {tmp} 未能完整写出")
    return result


def _copy_runs(db: sqlite3.Connection, source: Store, cols: list[str], order: int, when: dict[int, tuple[float, int]],
               places: dict[int, tuple[str, int]], result: Merged) -> dict[int, int]:
    renumber: dict[int, int] = {}
    for run in source.runs():
        old = run["id"]
        if run["status"] == "running":
            result.still_running.append(f"{source.path} 第 {old} 次运行")
        if not run.get("source_store"):
            run["source_store"], run["source_run"] = source.path, old
        values = [run.get(c) for c in cols]
        new = db.execute(f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values).lastrowid
        assert new is not None  # an INSERT always has a row id
        renumber[old] = new
        when[new] = (_instant(run.get("started_at")), order)
        places[new] = (run["source_store"], run["source_run"])
        result.runs += 1
    return renumber


def _merge_row(db: sqlite3.Connection, new: tuple[Any, ...], when: dict[int, tuple[float, int]], places: dict[int, tuple[str, int]],
               lists: set[str], result: Merged, keep: int) -> None:
    row, rules, option, run_id, last = new
    have = db.execute(
        "SELECT c.run_id, c.decision, c.findings, c.passed, l.ids, c.ruleset_hash, c.as_of, c.source, c.failing"
        " FROM cases c LEFT JOIN id_lists l ON l.hash = c.na_ref WHERE c.identity=?", (row.identity,)).fetchone()
    if have is not None:
        old_run, *old_parts = have[:5]
        wins = when.get(run_id, (float("-inf"), -1)) >= when.get(old_run, (float("-inf"), -1))
        if (not row.is_error and have[5] == rules and have[6] == row.as_of
                and tuple(old_parts) != tuple(getattr(row, f) for f in _COMPARED)):
            lost_run, kept_run = (old_run, run_id) if wins else (run_id, old_run)
            lost = (have[7], have[1], have[8], have[2]) if wins else (row.source, row.decision, row.failing, row.findings)
            db.execute("INSERT INTO merge_conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (row.identity, row.case_id, *lost, rules, row.as_of, lost_run, kept_run))
            if len(result.conflicts) < keep:
                kept_decision, lost_decision = (row.decision, have[1]) if wins else (have[1], row.decision)
                result.conflicts.append(Conflict(row.case_id, (*places.get(kept_run, _NOWHERE), kept_decision),
                                                 (*places.get(lost_run, _NOWHERE), lost_decision)))
        if not wins:
            return
    na_key = None
    if row.not_applicable is not None:
        na_key = list_key(row.not_applicable)
        if na_key not in lists:
            db.execute("INSERT OR IGNORE INTO id_lists VALUES (?, ?)", (na_key, row.not_applicable))
            lists.add(na_key)
    db.execute(
        f"INSERT OR REPLACE INTO cases (identity, {_COLUMNS}, ruleset_hash, as_of_option, run_id, last_run)"
        f" VALUES ({', '.join('?' * (len(Row._fields) + 5))})",
        (row.identity, *row[:6], na_key, *row[7:], rules, option, run_id, last),
    )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def _sync_dir(path: Path) -> None:
    """Make the rename itself durable: a crash right after must not bring back the old file."""
    try:
        fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
