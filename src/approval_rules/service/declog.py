"""The decision log: one interface, two stores chosen by a DSN (SQLite embedded, PostgreSQL shared).

Every row is committed before the decision is answered; rows are never updated or deleted
(the SQLite table has triggers refusing it; the PostgreSQL table too, and the service's role
may only insert and select). A write that fails raises ``LogUnavailable``: the caller answers 503.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

import orjson

from .records import LogRow


class LogUnavailable(Exception):
    """The log cannot be written (or read) now."""


class DecisionLog(Protocol):
    backend: str

    def append(self, rows: list[LogRow]) -> None: ...
    def get(self, decision_id: str) -> dict[str, Any] | None: ...
    def search(self, *, case_id: str | None = None, decision: str | None = None, rule: str | None = None,
               date_from: str | None = None, date_to: str | None = None, refers_to: str | None = None,
               limit: int = 100) -> list[dict[str, Any]]: ...
    def writable(self) -> bool: ...
    def close(self) -> None: ...


def open_log(dsn: str, busy_timeout_ms: int = 2000) -> DecisionLog:
    if dsn.startswith(("postgresql://", "postgres://")):
        from .pglog import PostgresLog

        return PostgresLog(dsn)
    path = dsn.removeprefix("sqlite:///") if dsn.startswith("sqlite:///") else dsn
    return SqliteLog(path, busy_timeout_ms)


def search_sql(
    placeholder: str, case_id: str | None, decision: str | None, rule: str | None, date_from: str | None,
    date_to: str | None, refers_to: str | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause of a search, shared by both stores (dates compare as ISO text)."""
    where, args = [], []
    for column, value in (("case_id", case_id), ("decision", decision), ("refers_to", refers_to)):
        if value:
            where.append(f"{column} = {placeholder}")
            args.append(value)
    if rule:
        where.append(f"rules LIKE {placeholder}")
        args.append(f"% {rule} %")
    if date_from:
        where.append(f"time >= {placeholder}")
        args.append(date_from)
    if date_to:
        where.append(f"time < {placeholder}")
        args.append(date_to + "T99")  # the whole day `date_to`
    return (" WHERE " + " AND ".join(where)) if where else "", args


def to_values(row: LogRow) -> list[Any]:
    out = []
    for c in LogRow.COLUMNS:
        v = getattr(row, c)
        if c in LogRow.JSON_COLUMNS:
            v = orjson.dumps(v).decode()
        elif c == "rules":
            v = " " + " ".join(v) + " "
        out.append(v)
    return out


def from_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for c in LogRow.JSON_COLUMNS:
        if isinstance(out.get(c), str):
            out[c] = json.loads(out[c])
    out["rules"] = (out.get("rules") or "").split()
    return out


_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  decision_id TEXT PRIMARY KEY, time TEXT NOT NULL, caller TEXT NOT NULL, role TEXT NOT NULL,
  request_id TEXT NOT NULL, case_id TEXT NOT NULL, application_id TEXT NOT NULL, as_of TEXT NOT NULL,
  revision TEXT NOT NULL, rulesets TEXT NOT NULL, engine_version TEXT NOT NULL, input_sha256 TEXT NOT NULL,
  input_masked TEXT NOT NULL, masked TEXT NOT NULL, result TEXT NOT NULL, decision TEXT NOT NULL,
  rules TEXT NOT NULL, latency_ms REAL NOT NULL, kind TEXT NOT NULL, refers_to TEXT
);
CREATE INDEX IF NOT EXISTS decisions_case ON decisions(case_id);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
CREATE INDEX IF NOT EXISTS decisions_refers ON decisions(refers_to);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decision log rows are never updated'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decision log rows are never deleted'); END;
"""


class Reads:
    """Reading a store, the same SQL for both: ``get`` and ``search`` over the store's ``_query``."""

    placeholder = "?"

    def _query(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def get(self, decision_id: str) -> dict[str, Any] | None:
        rows = self._query(f"SELECT * FROM decisions WHERE decision_id = {self.placeholder}", [decision_id])
        return rows[0] if rows else None

    def search(self, *, case_id: str | None = None, decision: str | None = None, rule: str | None = None,
               date_from: str | None = None, date_to: str | None = None, refers_to: str | None = None,
               limit: int = 100) -> list[dict[str, Any]]:
        ph = self.placeholder
        where, args = search_sql(ph, case_id, decision, rule, date_from, date_to, refers_to)
        return self._query(f"SELECT * FROM decisions{where} ORDER BY decision_id DESC LIMIT {ph}", args + [int(limit)])


class SqliteLog(Reads):
    """One SQLite file in WAL mode, ``synchronous=NORMAL``; one connection per process, behind a lock."""

    backend = "sqlite"

    def __init__(self, path: str, busy_timeout_ms: int = 2000):
        self.path = path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SQLITE_SCHEMA)
        except sqlite3.Error as exc:
            raise LogUnavailable(str(exc)) from None
        self._insert = f"INSERT INTO decisions ({', '.join(LogRow.COLUMNS)}) VALUES ({', '.join('?' * len(LogRow.COLUMNS))})"

    def append(self, rows: list[LogRow]) -> None:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(self._insert, [to_values(r) for r in rows])
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise LogUnavailable(str(exc)) from None

    def _query(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            try:
                cur = self._db.execute(sql, args)
                names = [d[0] for d in cur.description]
                return [from_values(dict(zip(names, r))) for r in cur.fetchall()]
            except sqlite3.Error as exc:
                raise LogUnavailable(str(exc)) from None

    def writable(self) -> bool:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("ROLLBACK")
                return True
            except sqlite3.Error:
                return False

    def close(self) -> None:
        self._db.close()
