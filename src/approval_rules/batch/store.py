"""The results store: one SQLite file holding every screened case and every screening run.

Tables (``schema_version`` 3; older stores gain the missing columns when opened for writing):

- ``runs``: one row per ``screen`` run: when it started and finished, its ``status``
  (``running``, ``done``, ``interrupted``, ``aborted``), the process running it (``pid``,
  ``host`` and the process's start time ``pid_start``, so that a ``running`` run whose process
  is gone is marked ``aborted`` the next time the store is opened), a Chinese ``note`` saying why
  a run was aborted, the command line, the rule sets
  (``rulesets``: the decision contract's ``[{id, version, sha256}]``), the combined rule-set hash,
  the ``--as-of`` date if one was given, and the counts.
- ``cases``: one row per input (its ``source`` label is the key: ``path`` or ``path:line``),
  the latest decision for it: ``case_id``, ``decision`` (``approve``, ``reject``,
  ``needs_correction``, ``refer`` or ``error``), ``as_of``, ``findings`` / ``passed`` /
  ``not_applicable`` (JSON, exactly as in the decision contract), ``failing`` (the finding
  rule ids, space-separated, for quick queries), ``applied`` (the rule sets with a rule that
  applied to the case, space-separated), ``errors`` (JSON diagnostics of an error row),
  ``ruleset_hash``, ``as_of_option``, ``input_hash`` (SHA-256 of the input's bytes), the run that
  decided it (``run_id``) and the last run that included it (``last_run``), and ``notices``: the
  decision contract's ``corrections``, ``to_verify``, ``presumed``, ``derived`` and ``context``
  as one JSON object's members (text that splices into the contract).

Rows are written in transactions of a few hundred, so a run that is killed loses at most the
batch in flight, and ``--resume`` finds every committed row. The store speaks plain values
(``Row`` tuples and JSON text) and imports nothing else from the package.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import socket
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any, Iterator, NamedTuple

SCHEMA_VERSION = 3
DECISIONS = ("approve", "reject", "needs_correction", "refer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    pid_start TEXT,
    note TEXT,
    argv TEXT,
    rules TEXT,
    rulesets TEXT NOT NULL,
    ruleset_hash TEXT NOT NULL,
    as_of_option TEXT NOT NULL,
    jobs INTEGER,
    total INTEGER NOT NULL DEFAULT 0,
    decided INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    counts TEXT,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS cases (
    source TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    as_of TEXT,
    findings TEXT,
    passed TEXT,
    not_applicable TEXT,
    failing TEXT,
    applied TEXT,
    errors TEXT,
    input_hash TEXT NOT NULL,
    notices TEXT,
    ruleset_hash TEXT NOT NULL,
    as_of_option TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    last_run INTEGER NOT NULL REFERENCES runs(id)
);
CREATE INDEX IF NOT EXISTS cases_decision ON cases (decision);
CREATE INDEX IF NOT EXISTS cases_last_run ON cases (last_run);
"""

_ROW_COLUMNS = (
    "source, case_id, decision, as_of, findings, passed, not_applicable, failing, applied, errors, input_hash, notices"
)


class Row(NamedTuple):
    """One screened input, as plain values: what a worker returns and what the store keeps.

    ``findings``, ``passed`` and ``not_applicable`` are JSON text exactly as ``json.dumps`` of the
    decision contract's parts gives them; ``errors`` is JSON text of the diagnostics of an error row.
    """

    source: str
    case_id: str
    decision: str  # approve | reject | needs_correction | refer | error
    as_of: str | None
    findings: str | None
    passed: str | None
    not_applicable: str | None
    failing: str  # the finding rule ids, space-separated (an error row: the diagnostic codes)
    applied: str  # the rule sets that had a rule applicable to the case, space-separated
    errors: str | None
    input_hash: str
    notices: str | None = None  # '"corrections": [...], "to_verify": [...], ...' (JSON members)

    @property
    def is_error(self) -> bool:
        return self.decision == "error"


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
        if (readonly or not create) and not Path(path).is_file():
            raise StoreError(f"找不到结果库：{path}")
        try:
            if readonly:
                self.db = _open_readonly(self.path)
                self._check_version()
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

    def _check_version(self) -> None:
        if self._version() == 1:  # reading needs the notices column
            raise StoreError(f"结果库 {self.path} 的格式较旧，请先用 approval-rules screen --resume 打开一次以升级")

    def _migrate(self, create: bool) -> None:
        version = self._version()
        if version is None:
            if not create:
                raise StoreError(f"{self.path} 不是 approval-rules 结果库")
            self.db.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            return
        if version == SCHEMA_VERSION:
            return
        # Additive: decisions stored before notices existed, runs before their process was recorded.
        self.db.execute("BEGIN IMMEDIATE")
        for table, column in (("cases", "notices"), ("runs", "host"), ("runs", "pid_start"), ("runs", "note")):
            if column not in {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        self.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs -----------------------------------------------------------------------------

    def start_run(
        self, *, rulesets: list[dict], ruleset_hash: str, as_of_option: str, argv: list[str], rules: str, jobs: int
    ) -> int:
        try:
            cur = self.db.execute(
                "INSERT INTO runs (started_at, status, pid, host, pid_start, argv, rules, rulesets, ruleset_hash,"
                " as_of_option, jobs) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_now(), os.getpid(), socket.gethostname(), _started(os.getpid()),
                 # ASCII escapes: an argument or path with bytes that are not UTF-8 holds surrogates
                 json.dumps(argv, ensure_ascii=True), rules.encode("utf-8", "backslashreplace").decode(),
                 json.dumps(rulesets, ensure_ascii=False), ruleset_hash, as_of_option, jobs),
            )
        except sqlite3.Error as exc:
            raise StoreError(fault_zh(f"结果库 {self.path}", exc)) from exc
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

    def write(self, run_id: int, ruleset_hash: str, as_of_option: str, rows: list[Row], reused: list[str]) -> None:
        """Store decided rows and mark reused ones as seen, in one transaction."""
        if not rows and not reused:
            return
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                f"INSERT OR REPLACE INTO cases ({_ROW_COLUMNS}, ruleset_hash, as_of_option, run_id, last_run)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*r, ruleset_hash, as_of_option, run_id, run_id) for r in rows],
            )
            if reused:
                db.executemany("UPDATE cases SET last_run=? WHERE source=?", [(run_id, s) for s in reused])
            db.execute("COMMIT")
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

    def decided(self, source: str, input_hash: str, ruleset_hash: str, as_of_option: str) -> tuple[Row, int] | None:
        """The stored row for this input if it was decided from the same bytes under the same rules."""
        r = self.db.execute(
            f"SELECT {_ROW_COLUMNS}, run_id FROM cases WHERE source=? AND input_hash=? AND ruleset_hash=?"
            " AND as_of_option=? AND decision != 'error'",
            (source, input_hash, ruleset_hash, as_of_option),
        ).fetchone()
        return (Row(*r[:-1]), r[-1]) if r else None

    def rows(self, run_id: int | None = None, order: str = "source") -> Iterator[tuple[Row, int]]:
        """Every stored row (or those included in run ``run_id``) with the run that decided it.

        ``order``: ``source`` (by input label), or ``severity`` (errors, reject, needs_correction,
        refer, approve; then by case id).
        """
        sql = f"SELECT {_ROW_COLUMNS}, run_id FROM cases"
        args: tuple = ()
        if run_id is not None:
            sql += " WHERE last_run=?"
            args = (run_id,)
        if order == "severity":
            sql += (" ORDER BY CASE decision WHEN 'error' THEN 0 WHEN 'reject' THEN 1 WHEN 'needs_correction' THEN 2"
                    " WHEN 'refer' THEN 3 ELSE 4 END, case_id, source")
        else:
            sql += " ORDER BY source"
        for r in self.db.execute(sql, args):
            yield Row(*r[:-1]), r[-1]

    def counts(self, run_id: int | None = None) -> dict[str, int]:
        sql = "SELECT decision, count(*) FROM cases"
        args: tuple = ()
        if run_id is not None:
            sql += " WHERE last_run=?"
            args = (run_id,)
        return dict(self.db.execute(sql + " GROUP BY decision", args).fetchall())


def _open_readonly(path: str) -> sqlite3.Connection:
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        # A WAL store in a read-only directory: its -shm file cannot be made. Immutable skips
        # locking altogether; a store closed cleanly has no WAL content to miss.
        db = sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db


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


def decision_line(row: Row, rulesets_json: str) -> str:
    """The decision contract of a stored decision, as the exact JSON text ``json.dumps`` gives."""
    return (
        f'{{"case_id": {json.dumps(row.case_id, ensure_ascii=False)}, "decision": "{row.decision}", '
        f'"as_of": "{row.as_of}", "rulesets": {rulesets_json}, "findings": {row.findings}, '
        f'"passed": {row.passed}, "not_applicable": {row.not_applicable}'
        + (f", {row.notices}}}" if row.notices else "}")
    )


def read_back(row: Row) -> dict[str, Any] | None:
    """A stored decision as its contract, or None where it does not read back whole: the cells a
    bad disk or a hand edit may have damaged parse, and are what a decision holds."""
    if row.decision not in DECISIONS or not all(isinstance(v, str) for v in row[:4] + row[7:9]):
        return None
    try:
        d = json.loads(decision_line(row, "[]"))
    except (ValueError, TypeError, RecursionError):
        return None
    parts = (d.get("findings"), d.get("passed"), d.get("not_applicable"))
    ok = all(isinstance(p, list) for p in parts) and all(_finding(f) for f in d["findings"])
    return d if ok else None


def _finding(f: object) -> bool:
    return (isinstance(f, dict) and isinstance(f.get("rule_id"), str)
            and all(isinstance(c, dict) for c in f.get("citations") or [])
            and all(isinstance(m, str) for m in f.get("missing") or []))


def default_path(output: str | None) -> Path:
    """Where the store goes when ``--db`` is not given: next to the output file, else the current directory."""
    if output and output != "-":
        out = Path(output)
        return out.with_name(out.stem + ".sqlite") if out.suffix != ".sqlite" else out.with_name(out.name + ".db")
    return Path("approval-rules.sqlite")
