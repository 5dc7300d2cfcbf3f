"""The results store: one SQLite file holding every screened case and every screening run.

Tables (``schema_version`` 2; a version-1 store gains the ``notices`` column when opened):

- ``runs``: one row per ``screen`` run: when it started and finished, its ``status``
  (``running``, ``done``, ``interrupted``; a run whose process died stays ``running`` until the
  next run on the store marks it ``aborted``), the command line, the rule sets
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
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator, NamedTuple

SCHEMA_VERSION = 2
DECISIONS = ("approve", "reject", "needs_correction", "refer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    pid INTEGER,
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


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """An open results store. Not thread-safe: use it from one thread."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = str(path)
        if not create and not Path(path).is_file():
            raise StoreError(f"找不到结果库：{path}")
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
            self.db.execute("PRAGMA wal_autocheckpoint=16384")  # checkpoint every 64 MB, not every 4 MB
            self._migrate(create)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开结果库 {path}：{exc}") from None

    def _migrate(self, create: bool) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row and int(row[0]) == 1:  # additive: decisions stored before notices existed
                self.db.execute("ALTER TABLE cases ADD COLUMN notices TEXT")
                self.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
            elif not row or int(row[0]) != SCHEMA_VERSION:
                raise StoreError(f"结果库 {self.path} 的格式版本不受支持（{row[0] if row else '无'}）")
            return
        if tables or not create:
            raise StoreError(f"{self.path} 不是 approval-rules 结果库")
        self.db.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

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
        self._mark_dead_runs()
        cur = self.db.execute(
            "INSERT INTO runs (started_at, status, pid, argv, rules, rulesets, ruleset_hash, as_of_option, jobs)"
            " VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (_now(), os.getpid(), json.dumps(argv, ensure_ascii=False), rules,
             json.dumps(rulesets, ensure_ascii=False), ruleset_hash, as_of_option, jobs),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, *, total: int, decided: int, reused: int, errors: int,
                   counts: dict[str, int], seconds: float) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, total=?, decided=?, reused=?, errors=?, counts=?, seconds=?"
            " WHERE id=?",
            (_now(), status, total, decided, reused, errors, json.dumps(counts), round(seconds, 3), run_id),
        )

    def _mark_dead_runs(self) -> None:
        for run_id, pid in self.db.execute("SELECT id, pid FROM runs WHERE status='running'").fetchall():
            if pid is None or not _alive(pid):
                self.db.execute("UPDATE runs SET status='aborted' WHERE id=?", (run_id,))

    def runs(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM runs ORDER BY id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def rulesets_json(self, run_id: int) -> str:
        row = self.db.execute("SELECT rulesets FROM runs WHERE id=?", (run_id,)).fetchone()
        return row[0] if row else "[]"

    # --- cases ----------------------------------------------------------------------------

    def write(self, run_id: int, ruleset_hash: str, as_of_option: str, rows: list[Row], reused: list[str]) -> None:
        """Store decided rows and mark reused ones as seen, in one transaction."""
        if not rows and not reused:
            return
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                f"INSERT OR REPLACE INTO cases ({_ROW_COLUMNS}, ruleset_hash, as_of_option, run_id, last_run)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*r, ruleset_hash, as_of_option, run_id, run_id) for r in rows],
            )
            if reused:
                db.executemany("UPDATE cases SET last_run=? WHERE source=?", [(run_id, s) for s in reused])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
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


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def decision_line(row: Row, rulesets_json: str) -> str:
    """The decision contract of a stored decision, as the exact JSON text ``json.dumps`` gives."""
    return (
        f'{{"case_id": {json.dumps(row.case_id, ensure_ascii=False)}, "decision": "{row.decision}", '
        f'"as_of": "{row.as_of}", "rulesets": {rulesets_json}, "findings": {row.findings}, '
        f'"passed": {row.passed}, "not_applicable": {row.not_applicable}'
        + (f", {row.notices}}}" if row.notices else "}")
    )


def default_path(output: str | None) -> Path:
    """Where the store goes when ``--db`` is not given: next to the output file, else the current directory."""
    if output and output != "-":
        out = Path(output)
        return out.with_name(out.stem + ".sqlite") if out.suffix != ".sqlite" else out.with_name(out.name + ".db")
    return Path("approval-rules.sqlite")
