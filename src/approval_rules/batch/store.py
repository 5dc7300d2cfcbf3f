"""The results store: one SQLite file holding every screened case and every screening run.

Tables (``schema_version`` 5; see ``store_schema`` for how older stores are brought up to date):

- ``runs``: one row per ``screen`` run: when it started and finished, its ``status``
  (``running``, ``done``, ``interrupted``, ``aborted``), the process running it (``pid``,
  ``host`` and the process's start time ``pid_start``, so that a ``running`` run whose process
  is gone is marked ``aborted`` the next time the store is opened), a Chinese ``note`` saying why
  a run was aborted, the command line, the rule sets
  (``rulesets``: the decision contract's ``[{id, version, sha256}]``), the combined rule-set hash,
  the ``--as-of`` date if one was given, the counts, and ``versions`` (JSON: Python,
  approval-rules, pydantic, PyYAML, click), since any of them can change how a file reads.
- ``cases``: one row per case identity (``identity``: the case id and the SHA-256 of the input's
  bytes; for an input that could not be decided, the SHA-256 alone), the latest decision for it:
  ``source`` (the label it was last read under: ``path`` or ``path:line``), ``case_id``,
  ``decision`` (``approve``, ``reject``, ``needs_correction``, ``refer`` or ``error``), ``as_of``,
  ``findings`` / ``passed`` (JSON, exactly as in the decision contract), ``na_ref`` (the key of
  its ``not_applicable`` list in ``id_lists``), ``failing`` (the finding rule ids,
  space-separated, for quick queries), ``applied`` (the rule sets with a rule that applied to the
  case, space-separated), ``errors`` (JSON diagnostics of an error row), ``enterprise``,
  ``credit_code`` (统一社会信用代码) and ``application_id`` from the project file, ``ruleset_hash``,
  ``as_of_option``, ``input_hash``, the run that decided it (``run_id``) and the last run that
  included it (``last_run``), and ``notices``: the decision contract's ``corrections``,
  ``to_verify``, ``presumed``, ``derived`` and ``context`` as one JSON object's members (text
  that splices into the contract).
- ``id_lists``: each distinct ``not_applicable`` list once (``hash`` → ``ids``, JSON).

The same file read from a directory and again from standard input is one row; a file whose bytes
changed is a new identity, and its earlier decision stays (``--run`` reports one run's cases).

Rows are written in transactions of a few hundred, so a run that is killed loses at most the
batch in flight, and ``--resume`` finds every committed row. The store speaks plain values
(``Row`` tuples and JSON text).
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import platform
import socket
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from .rows import Row
from .store_schema import SCHEMA, SCHEMA_VERSION, list_key, migrate, open_readonly, row_select

_VERSIONED = ("approval-rules", "pydantic", "PyYAML", "click")


class StoreError(Exception):
    """The store cannot be opened or is not an approval-rules store (message in Chinese)."""


_DEAD_NOTE = "进程 {} 已结束而本次运行未正常完成（被强制终止或崩溃）；已保存的结果可用 --resume 沿用"


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def fault_zh(path: str, exc: BaseException) -> str:
    """A storage failure in Chinese: what happened and what to do."""
    text = str(exc)
    if "full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"磁盘已满：{path} 无法继续写入（{text}）；腾出空间后用 --resume 继续"
    if "readonly" in text or "read-only" in text or getattr(exc, "errno", None) in (errno.EROFS, errno.EACCES):
        return f"{path} 只读，无法写入（{text}）"
    return f"{path} 写入失败：{text}"


class Store:
    """An open results store. Not thread-safe: use it from one thread.

    ``readonly`` (for the report) never writes: the file is opened with ``mode=ro``, and where
    even that fails (a WAL store in a read-only directory, whose ``-shm`` file cannot be made)
    with ``immutable=1``. A store opened for writing first marks as ``aborted`` every
    ``running`` run whose process is gone.
    """

    def __init__(self, path: str | Path, create: bool = True, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        self._lists: set[str] = set()  # id_lists keys known to be stored
        if (readonly or not create) and not Path(path).is_file():
            raise StoreError(f"找不到结果库：{path}")
        try:
            if readonly:
                self.db = open_readonly(self.path)
                self._version()
            else:
                self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
                self.db.execute("PRAGMA wal_autocheckpoint=16384")  # checkpoint every 64 MB, not every 4 MB
                self._migrate(create)
                self._mark_dead_runs()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开结果库 {path}：{exc}") from None

    def _version(self) -> int | None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables or self.readonly:
                raise StoreError(f"{self.path} 不是 approval-rules 结果库")
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if not row or not str(row[0]).isdigit() or not 1 <= int(row[0]) <= SCHEMA_VERSION:
            raise StoreError(f"结果库 {self.path} 的格式版本不受支持（{row[0] if row else '无'}）")
        return int(row[0])

    def _migrate(self, create: bool) -> None:
        version = self._version()
        if version is None:
            if not create:
                raise StoreError(f"{self.path} 不是 approval-rules 结果库")
            self.db.executescript("BEGIN;" + SCHEMA + "COMMIT;")
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif version < SCHEMA_VERSION:
            migrate(self.db, version)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs -----------------------------------------------------------------------------

    def start_run(
        self, *, rulesets: list[dict[str, Any]], ruleset_hash: str, as_of_option: str, argv: list[str], rules: str,
        jobs: int, shard: str | None = None,
    ) -> int:
        try:
            cur = self.db.execute(
                "INSERT INTO runs (started_at, status, pid, host, pid_start, argv, rules, rulesets, ruleset_hash,"
                " as_of_option, jobs, versions, shard) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_now(), os.getpid(), socket.gethostname(), _started(os.getpid()),
                 # ASCII escapes: an argument or path with bytes that are not UTF-8 holds surrogates
                 json.dumps(argv, ensure_ascii=True), rules.encode("utf-8", "backslashreplace").decode(),
                 json.dumps(rulesets, ensure_ascii=False), ruleset_hash, as_of_option, jobs, json.dumps(versions()), shard),
            )
        except sqlite3.Error as exc:
            raise StoreError(fault_zh(f"结果库 {self.path}", exc)) from exc
        assert cur.lastrowid is not None  # set by the INSERT
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, *, total: int, decided: int, reused: int, errors: int,
                   counts: dict[str, int], seconds: float, note: str | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, total=?, decided=?, reused=?, errors=?, counts=?, seconds=?,"
            " note=? WHERE id=?",
            (_now(), status, total, decided, reused, errors, json.dumps(counts), round(seconds, 3), note, run_id),
        )

    def _mark_dead_runs(self) -> None:
        for run_id, pid, host, started in self.db.execute(
            "SELECT id, pid, host, pid_start FROM runs WHERE status='running'"
        ).fetchall():
            if not _alive(pid, host, started):
                self.db.execute("UPDATE runs SET status='aborted', note=? WHERE id=?", (_DEAD_NOTE.format(pid), run_id))

    def runs(self) -> list[dict[str, Any]]:
        """Every run; a ``running`` one whose process is gone is shown as ``aborted``, with a note."""
        cur = self.db.execute("SELECT * FROM runs ORDER BY id")
        names = [c[0] for c in cur.description]
        out = [dict(zip(names, r)) for r in cur.fetchall()]
        for run in out:
            if run["status"] == "running" and not _alive(run.get("pid"), run.get("host"), run.get("pid_start")):
                run.update(status="aborted", note=_DEAD_NOTE.format(run.get("pid")))
        return out

    def rulesets_json(self, run_id: int) -> str:
        row = self.db.execute("SELECT rulesets FROM runs WHERE id=?", (run_id,)).fetchone()
        return row[0] if row else "[]"

    # --- cases ----------------------------------------------------------------------------

    def write(self, run_id: int, ruleset_hash: str, as_of_option: str, rows: list[Row], reused: list[Row]) -> None:
        """Store decided rows and mark reused ones as seen (under the label they were read as now),
        in one transaction."""
        if not rows and not reused:
            return
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            lists: dict[str, str] = {}
            for r in rows:
                if r.not_applicable is not None:
                    lists.setdefault(list_key(r.not_applicable), r.not_applicable)
            new = [(k, v) for k, v in lists.items() if k not in self._lists]
            db.executemany("INSERT OR IGNORE INTO id_lists VALUES (?, ?)", new)
            db.executemany(
                f"INSERT OR REPLACE INTO cases (identity, {_COLUMNS}, ruleset_hash, as_of_option, run_id, last_run)"
                f" VALUES ({', '.join('?' * (len(Row._fields) + 5))})",
                [(r.identity, *r[:6], r.not_applicable and list_key(r.not_applicable), *r[7:],
                  ruleset_hash, as_of_option, run_id, run_id) for r in rows],
            )
            if reused:
                db.executemany("UPDATE cases SET last_run=?, source=? WHERE identity=?",
                               [(run_id, r.source, r.identity) for r in reused])
            db.execute("COMMIT")
            self._lists.update(k for k, _ in new)
        except BaseException as exc:
            # SQLite has already rolled back after some errors (a full disk): a second ROLLBACK
            # would fail and hide the real cause.
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if isinstance(exc, sqlite3.Error):
                raise StoreError(fault_zh(f"结果库 {self.path}", exc)) from exc
            raise

    def decided(self, label: str, input_hash: str, ruleset_hash: str, as_of_option: str) -> tuple[Row, int] | None:
        """The stored decision of these bytes under the same rules, as read under ``label`` now.

        A case whose id is its label (the file names none) is reused under that label only: read
        under another, it is another case.
        """
        r = self.db.execute(
            row_select(self.db) + " WHERE c.input_hash=? AND c.ruleset_hash=? AND c.as_of_option=?"
            " AND c.decision != 'error' AND (c.case_id != c.source OR c.source = ?) ORDER BY c.last_run DESC LIMIT 1",
            (input_hash, ruleset_hash, as_of_option, label),
        ).fetchone()
        return (Row(*r[:-1])._replace(source=label), r[-1]) if r else None

    def rows(self, run_id: int | None = None, order: str = "source") -> Iterator[tuple[Row, int]]:
        """Every stored row (or those included in run ``run_id``) with the run that decided it.

        ``order``: ``source`` (by input label), or ``severity`` (errors, reject, needs_correction,
        refer, approve; then by case id).
        """
        sql = row_select(self.db)
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE c.last_run=?"
            args = (run_id,)
        if order == "severity":
            sql += (" ORDER BY CASE c.decision WHEN 'error' THEN 0 WHEN 'reject' THEN 1 WHEN 'needs_correction' THEN 2"
                    " WHEN 'refer' THEN 3 ELSE 4 END, c.case_id, c.source")
        else:
            sql += " ORDER BY c.source, c.case_id"
        for r in self.db.execute(sql, args):
            yield Row(*r[:-1]), r[-1]

    def counts(self, run_id: int | None = None) -> dict[str, int]:
        sql = "SELECT decision, count(*) FROM cases"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE last_run=?"
            args = (run_id,)
        return dict(self.db.execute(sql + " GROUP BY decision", args).fetchall())


_COLUMNS = ", ".join("na_ref" if f == "not_applicable" else f for f in Row._fields)


def versions() -> dict[str, str]:
    """The versions that decide how a file is read and decided, for the run's record."""
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), to tell it from a later
    process that got the same pid; None where /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _alive(pid: int | None, host: str | None = None, started: str | None = None) -> bool:
    """Whether the process that started a run may still be running it."""
    if pid is None:
        return False
    if host and host != socket.gethostname():
        return True  # another machine's process (a store on a shared disk): cannot tell, assume so
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _started(pid)
    return started is None or now is None or now == started


def default_path(output: str | None) -> Path:
    """Where the store goes when ``--db`` is not given: next to the output file, else the current directory."""
    if output and output != "-":
        out = Path(output)
        return out.with_name(out.stem + ".sqlite") if out.suffix != ".sqlite" else out.with_name(out.name + ".db")
    return Path("approval-rules.sqlite")
