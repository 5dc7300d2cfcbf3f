"""The decision log in PostgreSQL, for several service instances behind a load balancer.

The table is append-only: triggers refuse UPDATE and DELETE (whoever asks), and the schema set-up
revokes both from PUBLIC, so a service role granted INSERT and SELECT only cannot change history.
One connection per worker, autocommit: each ``append`` is one transaction, committed (synchronous
commit) before the decision is answered.
"""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from .declog import LogUnavailable, Reads, from_values, to_values
from .records import LogRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  decision_id TEXT PRIMARY KEY, time TEXT NOT NULL, caller TEXT NOT NULL, role TEXT NOT NULL,
  request_id TEXT NOT NULL, case_id TEXT NOT NULL, application_id TEXT NOT NULL, as_of TEXT NOT NULL,
  revision TEXT NOT NULL, rulesets JSONB NOT NULL, engine_version TEXT NOT NULL, input_sha256 TEXT NOT NULL,
  input_masked JSONB NOT NULL, masked JSONB NOT NULL, result JSONB NOT NULL, decision TEXT NOT NULL,
  rules TEXT NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, kind TEXT NOT NULL, refers_to TEXT
);
CREATE INDEX IF NOT EXISTS decisions_case ON decisions(case_id);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
CREATE INDEX IF NOT EXISTS decisions_refers ON decisions(refers_to);
CREATE OR REPLACE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'decision log rows are never updated or deleted'; END $$;
DROP TRIGGER IF EXISTS decisions_append_only ON decisions;
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION decisions_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON decisions FROM PUBLIC;
"""


class PostgresLog(Reads):
    backend = "postgresql"
    placeholder = "%s"

    def __init__(self, dsn: str):
        self.dsn = dsn
        self._lock = threading.Lock()
        self._db: psycopg.Connection | None = None
        self._insert = f"INSERT INTO decisions ({', '.join(LogRow.COLUMNS)}) VALUES ({', '.join(['%s'] * len(LogRow.COLUMNS))})"
        with self._lock:
            self._connect()
            try:
                self._conn().execute(SCHEMA)
            except psycopg.errors.InsufficientPrivilege:
                pass  # a restricted role on a prepared schema
            except psycopg.Error as exc:
                raise LogUnavailable(str(exc)) from None

    def _connect(self) -> None:
        try:
            self._db = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            self._db = None
            raise LogUnavailable(str(exc)) from None

    def _conn(self) -> psycopg.Connection:
        if self._db is None or self._db.closed or self._db.broken:
            self._connect()
        assert self._db is not None
        return self._db

    def append(self, rows: list[LogRow]) -> None:
        with self._lock:
            try:
                db = self._conn()
                with db.transaction(), db.cursor() as cur:
                    cur.executemany(self._insert, [to_values(r) for r in rows])
            except (psycopg.Error, OSError) as exc:
                raise LogUnavailable(str(exc)) from None

    def _query(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            try:
                with self._conn().cursor() as cur:
                    cur.execute(sql, args)
                    assert cur.description is not None  # a SELECT has columns
                    names = [d.name for d in cur.description]
                    return [from_values(dict(zip(names, r))) for r in cur.fetchall()]
            except (psycopg.Error, OSError) as exc:
                raise LogUnavailable(str(exc)) from None

    def writable(self) -> bool:
        with self._lock:
            try:
                self._conn().execute("SELECT 1")
                return True
            except (psycopg.Error, OSError, LogUnavailable):
                return False

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
