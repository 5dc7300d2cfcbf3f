"""The decision log: append-only in both stores, committed before the answer (503 when it cannot be), masking; PostgreSQL for real."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from approval_rules.core.bundled import cases_dir
from approval_rules.service.declog import LogUnavailable, open_log
from approval_rules.service.records import LogRow, mask, new_id

from .servers import Service, rows_in

CASE = next(cases_dir().rglob("*.yaml")).read_bytes()
YAML = {"content-type": "application/yaml"}


def row(**kw) -> LogRow:
    base = dict(decision_id=new_id(), time="2026-12-01T10:00:00.000+00:00", caller="c", role="decide", request_id="r",
                case_id="CASE-1", application_id="A-1", as_of="2026-12-01", revision="rev", rulesets=[{"id": "x"}],
                engine_version="0.1.0", input_sha256="0" * 64, input_masked={"a": "***"}, masked=["/a"],
                result={"decision": "approve"}, decision="approve", rules=["R-1", "R-2"], latency_ms=0.2)
    return LogRow(**{**base, **kw})


def test_ids_sort_by_time():
    ids = [new_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert [i[:13] for i in ids] == sorted(i[:13] for i in ids)


def test_masking_copies_only_what_it_changes():
    data = {"enterprise": {"legal_rep": "张三", "name": "某公司"}, "personnel": [{"name": "李四", "role": "x"}, {"name": None}]}
    masked, done = mask(data, ["/enterprise/legal_rep", "/personnel/*/name", "/nothing/here"])
    assert masked["enterprise"] == {"legal_rep": "***", "name": "某公司"} and masked["personnel"][0]["name"] == "***"
    assert done == ["/enterprise/legal_rep", "/personnel/0/name"]
    assert data["enterprise"]["legal_rep"] == "张三" and data["personnel"][0]["name"] == "李四"


def _store_contract(store) -> None:
    a, b = row(), row(case_id="CASE-2", decision="reject", rules=["R-3"], time="2026-12-03T10:00:00.000+00:00")
    store.append([a, b])
    got = store.get(a.decision_id)
    assert got["result"] == {"decision": "approve"} and got["rules"] == ["R-1", "R-2"] and got["input_masked"] == {"a": "***"}
    assert [r["decision_id"] for r in store.search(case_id="CASE-2")] == [b.decision_id]
    assert {r["decision_id"] for r in store.search(rule="R-2")} >= {a.decision_id}
    assert b.decision_id not in {r["decision_id"] for r in store.search(rule="R-")}
    assert {r["decision_id"] for r in store.search(date_from="2026-12-02", date_to="2026-12-03")} >= {b.decision_id}
    assert a.decision_id not in {r["decision_id"] for r in store.search(date_from="2026-12-02")}
    assert store.get("missing") is None and store.writable()


def test_sqlite_store_is_append_only(tmp_path):
    store = open_log(str(tmp_path / "log.sqlite"))
    _store_contract(store)
    db = sqlite3.connect(tmp_path / "log.sqlite")
    for sql in ("UPDATE decisions SET decision = 'reject'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.DatabaseError, match="never"):
            db.execute(sql)
    store.close()


def test_postgres_store_is_append_only(postgres):
    store = open_log(postgres.dsn)
    _store_contract(store)
    with psycopg.connect(postgres.dsn, autocommit=True) as db:
        for sql in ("UPDATE decisions SET decision = 'reject'", "DELETE FROM decisions"):
            with pytest.raises(psycopg.errors.RaiseException):
                db.execute(sql)
        # A service role that may only insert and select cannot change history either.
        db.execute("DROP ROLE IF EXISTS svc; CREATE ROLE svc LOGIN; GRANT SELECT, INSERT ON decisions TO svc")
    with psycopg.connect(postgres.dsn.replace("postgres@", "svc@"), autocommit=True) as db:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("UPDATE decisions SET decision = 'reject'")
    restricted = open_log(postgres.dsn.replace("postgres@", "svc@"))
    restricted.append([row()])
    store.close()
    restricted.close()


def test_postgres_unreachable_is_log_unavailable():
    with pytest.raises(LogUnavailable):
        open_log("postgresql://postgres@127.0.0.1:1/none")


def test_service_on_postgres_logs_every_decision(postgres, tokens, svc_dir, tmp_path_factory):
    s = Service(tmp_path_factory.mktemp("pg") / "data", "--tokens", str(svc_dir / "tokens.json"), "--log", postgres.dsn)
    try:
        with s.client(tokens["decide"]) as c:
            ids = [c.post("/v1/decisions", content=CASE, headers=YAML).json()["decision_id"] for _ in range(5)]
        with s.client(tokens["review"]) as c:
            assert all(c.get(f"/v1/decisions/{i}").status_code == 200 for i in ids)
        with s.client(tokens["admin"]) as c:
            assert c.get("/v1/status").json()["log"]["backend"] == "postgresql"
        with psycopg.connect(postgres.dsn) as db:
            assert db.execute("SELECT count(*) FROM decisions WHERE decision_id = ANY(%s)", [ids]).fetchone()[0] == 5
    finally:
        s.stop()


def test_no_decision_without_its_record(server, tokens, svc_dir):
    """While another process holds the SQLite write lock the log cannot be written: 503, no decision."""
    path = svc_dir / "main" / "decisions.sqlite"
    rows = rows_in(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with server.client(tokens["decide"]) as c:
            r = c.post("/v1/decisions", content=CASE, headers=YAML)
            batch = c.post("/v1/decisions:batch", json={"items": [{"application": 3}, {"application": 3}]})
        assert r.status_code == 503 and r.json()["code"] == "log_unavailable" and "不作决定" in r.json()["message"]
        assert "decision_id" not in r.json() and "result" not in r.json()
        assert batch.status_code == 200  # nothing to record: every item was an error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rows_in(path) == rows
    with server.client(tokens["decide"]) as c:
        assert c.post("/v1/decisions", content=CASE, headers=YAML).status_code == 200
    assert rows_in(path) == rows + 1


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "log.sqlite")
    stores = [open_log(path) for _ in range(4)]
    ids: list[str] = []

    def write(store):
        for _ in range(50):
            r = row()
            store.append([r])
            ids.append(r.decision_id)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rows_in(tmp_path / "log.sqlite") == 200 == len(set(ids))
