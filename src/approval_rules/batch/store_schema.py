"""The results store's tables, how an older store is brought up to date, and how any version is read.

Version 4 keys ``cases`` by identity (``rows.Row.identity``) instead of by input label, and keeps
each case's ``not_applicable`` list once per distinct list in ``id_lists`` (a case's list is most
of a row and repeats across every case of the same kind). A store of version 1 to 3 is rebuilt
in one transaction when opened for writing (rows read under two labels become one, the one seen
last); read-only (the report) it is read as it is, the columns it lacks read as empty.

Version 5 adds three columns to ``runs`` (``shard``; ``source_store`` and ``source_run`` for a run
copied by ``merge``) and the table ``merge_conflicts``, nothing else: a version 4 store gains them
when opened for writing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import urllib.parse

SCHEMA_VERSION = 5

_CASES = """
CREATE TABLE {name} (
    identity TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    case_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    as_of TEXT,
    findings TEXT,
    passed TEXT,
    na_ref TEXT,
    failing TEXT,
    applied TEXT,
    errors TEXT,
    input_hash TEXT NOT NULL,
    notices TEXT,
    enterprise TEXT,
    credit_code TEXT,
    application_id TEXT,
    ruleset_hash TEXT NOT NULL,
    as_of_option TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    last_run INTEGER NOT NULL REFERENCES runs(id)
);
"""

# Written by ``merge``: a decision that lost to another for the same identity under the same rules
# and date (the row kept is in ``cases``; the losing one stays in its source store too).
_CONFLICTS = """
CREATE TABLE IF NOT EXISTS merge_conflicts (
    identity TEXT NOT NULL,
    case_id TEXT NOT NULL,
    source TEXT NOT NULL,
    decision TEXT NOT NULL,
    failing TEXT,
    findings TEXT,
    ruleset_hash TEXT NOT NULL,
    as_of TEXT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    kept_run INTEGER NOT NULL REFERENCES runs(id)
);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS cases_decision ON cases (decision);
CREATE INDEX IF NOT EXISTS cases_last_run ON cases (last_run);
CREATE INDEX IF NOT EXISTS cases_input_hash ON cases (input_hash);
"""

SCHEMA = """
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
    seconds REAL,
    versions TEXT,
    shard TEXT,
    source_store TEXT,
    source_run INTEGER
);
CREATE TABLE IF NOT EXISTS id_lists (hash TEXT PRIMARY KEY, ids TEXT NOT NULL);
""" + _CONFLICTS + _CASES.format(name="cases") + _INDEXES

# The Row fields other than not_applicable, in Row order, as stored in a version 4 table.
_PLAIN = ("source", "case_id", "decision", "as_of", "findings", "passed")
_AFTER = ("failing", "applied", "errors", "input_hash", "notices", "enterprise", "credit_code", "application_id")
_KEPT = _PLAIN + _AFTER + ("ruleset_hash", "as_of_option", "run_id", "last_run")


def list_key(ids_json: str) -> str:
    """The ``id_lists`` key of a list of rule ids (JSON text): 64 bits of its SHA-256."""
    return hashlib.sha256(ids_json.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def row_select(db: sqlite3.Connection, extra: tuple[str, ...] = ()) -> str:
    """``SELECT <the Row fields>, run_id[, extra columns] FROM cases c ...`` for this store's
    version: a column an older store lacks reads as NULL, its not_applicable inline instead of by
    reference."""
    have = {r[1] for r in db.execute("PRAGMA table_info(cases)")}
    cols = [f"c.{c}" if c in have else f"NULL AS {c}" for c in _PLAIN]
    if "na_ref" in have:
        cols.append("l.ids")
        source = "cases c LEFT JOIN id_lists l ON l.hash = c.na_ref"
    else:
        cols.append("c.not_applicable")
        source = "cases c"
    cols += [f"c.{c}" if c in have else f"NULL AS {c}" for c in _AFTER]
    cols += ["c.run_id"] + [f"c.{c}" for c in extra]
    return f"SELECT {', '.join(cols)} FROM {source}"


_RUN_COLUMNS = (("host", "TEXT"), ("pid_start", "TEXT"), ("note", "TEXT"), ("versions", "TEXT"),
                ("shard", "TEXT"), ("source_store", "TEXT"), ("source_run", "INTEGER"))


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a store of version 1 to 4 to ``SCHEMA_VERSION``, in one transaction."""
    db.create_function("list_key", 1, lambda text: list_key(text) if text is not None else None, deterministic=True)
    db.execute("BEGIN IMMEDIATE")
    try:
        for column, kind in _RUN_COLUMNS:
            if column not in {r[1] for r in db.execute("PRAGMA table_info(runs)")}:
                db.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
        db.execute(_CONFLICTS)
        if version < 4:
            _rebuild_cases(db)
        db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _rebuild_cases(db: sqlite3.Connection) -> None:
    """Key ``cases`` by identity (version 4), inside the caller's transaction."""
    have = {r[1] for r in db.execute("PRAGMA table_info(cases)")}
    db.execute("CREATE TABLE IF NOT EXISTS id_lists (hash TEXT PRIMARY KEY, ids TEXT NOT NULL)")
    db.execute("INSERT OR IGNORE INTO id_lists SELECT list_key(not_applicable), not_applicable FROM cases"
               " WHERE not_applicable IS NOT NULL")
    db.execute(_CASES.format(name="cases_v4"))
    copied = [c if c in have else "NULL" for c in _KEPT]
    # Oldest first, so that of the rows an identity had under several labels the last seen stays.
    db.execute(
        f"INSERT OR REPLACE INTO cases_v4 (identity, na_ref, {', '.join(_KEPT)})"
        " SELECT CASE decision WHEN 'error' THEN input_hash ELSE case_id || char(10) || input_hash END,"
        f" list_key(not_applicable), {', '.join(copied)} FROM cases ORDER BY last_run, rowid"
    )
    db.execute("DROP TABLE cases")
    db.execute("ALTER TABLE cases_v4 RENAME TO cases")
    for statement in filter(str.strip, _INDEXES.split(";")):
        db.execute(statement)


def open_readonly(path: str) -> sqlite3.Connection:
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
