"""The SQLite results store: schema, transactional writes, resume lookups, runs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from approval_rules.engine.decision import Decision, RuleSetRef
from approval_rules.batch.store import Row, Store, StoreError, decision_line, default_path
from approval_rules.batch.workers import _notices

import datetime as dt


def _row(source: str, decision: str = "approve", digest: str = "h1") -> Row:
    if decision == "error":
        errors = json.dumps([{"code": "E101", "message": "坏", "file": source, "line": 1, "col": 1}])
        return Row(source, source, "error", None, None, None, None, "E101", "", errors, digest)
    return Row(source, f"id-{source}", decision, "2024-03-14", "[]", '["R-1"]', "[]", "", "fixture", None, digest)


def _start(store: Store, h: str = "rules-1") -> int:
    return store.start_run(rulesets=[{"id": "fixture", "version": "1", "sha256": "abc"}], ruleset_hash=h,
                           as_of_option="", argv=["screen"], rules="rules", jobs=1)


def test_rows_round_trip_and_resume_lookup(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        run = _start(store)
        store.write(run, "rules-1", "", [_row("a"), _row("b", "reject"), _row("c", "error")], [])
        store.finish_run(run, "done", total=3, decided=3, reused=0, errors=1, counts={"approve": 1}, seconds=0.1)
        assert [r.source for r, _ in store.rows()] == ["a", "b", "c"]
        assert store.counts() == {"approve": 1, "reject": 1, "error": 1}
        found = store.decided("a", "h1", "rules-1", "")
        assert found == (_row("a"), run)
        # another input hash, another rule-set hash, another --as-of: decide again
        assert store.decided("a", "h2", "rules-1", "") is None
        assert store.decided("a", "h1", "rules-2", "") is None
        assert store.decided("a", "h1", "rules-1", "2024-01-01") is None
        # an error row is never reused
        assert store.decided("c", "h1", "rules-1", "") is None
        assert [r["status"] for r in store.runs()] == ["done"]


def test_rewriting_a_case_keeps_one_row_and_reused_rows_are_marked_seen(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        r1 = _start(store)
        store.write(r1, "rules-1", "", [_row("a"), _row("b")], [])
        r2 = _start(store)
        store.write(r2, "rules-1", "", [_row("a", "reject", "h2")], ["b"])
        rows = {r.source: (r.decision, run) for r, run in store.rows()}
        assert rows == {"a": ("reject", r2), "b": ("approve", r1)}
        assert [r.source for r, _ in store.rows(run_id=r2)] == ["a", "b"]
        assert [r.decision for r, _ in store.rows(order="severity")] == ["reject", "approve"]


def test_a_failed_batch_is_rolled_back(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        run = _start(store)
        bad = _row("x")._replace(case_id=None)  # NOT NULL violated
        with pytest.raises(StoreError, match="写入失败"):
            store.write(run, "rules-1", "", [_row("a"), bad], [])
        assert list(store.rows()) == []


def test_runs_of_dead_processes_are_marked_aborted(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        run = _start(store)
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        store.db.execute("UPDATE runs SET pid=? WHERE id=?", (int(dead.stdout), run))
    with Store(path) as store:
        _start(store)
        assert [r["status"] for r in store.runs()] == ["aborted", "running"]


def test_not_a_store(tmp_path):
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="不是 approval-rules 结果库"):
        Store(other)
    with pytest.raises(StoreError, match="找不到结果库"):
        Store(tmp_path / "none.sqlite", create=False)
    (tmp_path / "junk.sqlite").write_bytes(b"this is not sqlite at all, not even close" * 20)
    with pytest.raises(StoreError):
        Store(tmp_path / "junk.sqlite")


def test_decision_line_is_exactly_the_contract():
    d = Decision("案-1", "approve", dt.date(2024, 3, 14), [RuleSetRef("fixture", "1", "abc")], [], ["R-1"], ["R-2"],
                 corrections=[{"kind": "document", "key": "x", "item": "提交：x", "rules": ["R-3"]}])
    row = Row("f.yaml", "案-1", "approve", "2024-03-14", "[]", '["R-1"]', '["R-2"]', "", "fixture", None, "h", _notices(d))
    rulesets = json.dumps([r.to_dict() for r in d.rulesets], ensure_ascii=False)
    assert decision_line(row, rulesets) == json.dumps(d.to_dict(), ensure_ascii=False)


def test_a_version_1_store_gains_the_notices_column(tmp_path):
    path = tmp_path / "v1.sqlite"
    with Store(path) as store:
        store.db.execute("ALTER TABLE cases DROP COLUMN notices")
        store.db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    with Store(path) as store:
        run = _start(store)
        store.write(run, "rules-1", "", [_row("a.yaml")], [])
        assert store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("3",)
        assert [r.source for r, _ in store.rows()] == ["a.yaml"]


def test_default_path_is_next_to_the_output(tmp_path):
    assert default_path(str(tmp_path / "out.jsonl")) == tmp_path / "out.sqlite"
    assert default_path(str(tmp_path / "x.sqlite")) == tmp_path / "x.sqlite.db"
    assert str(default_path(None)) == "approval-rules.sqlite"
    assert str(default_path("-")) == "approval-rules.sqlite"
