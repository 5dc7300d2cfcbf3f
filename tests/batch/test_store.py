"""The SQLite results store: schema, transactional writes, resume lookups, runs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from approval_rules.engine.decision import Decision, RuleSetRef
from approval_rules.batch.rows import Row, decision_line
from approval_rules.batch.store import Store, StoreError, default_path
from approval_rules.batch.store_schema import SCHEMA_VERSION
from approval_rules.batch.workers import _notices

import datetime as dt


def _row(source: str, decision: str = "approve", digest: str | None = None, na: str = "[]") -> Row:
    digest = digest or f"h-{source}"
    if decision == "error":
        errors = json.dumps([{"code": "E101", "message": "坏", "file": source, "line": 1, "col": 1}])
        return Row(source, source, "error", None, None, None, None, "E101", "", errors, digest)
    return Row(source, f"id-{source}", decision, "2024-03-14", "[]", '["R-1"]', na, "", "fixture", None, digest,
               None, f"企业{source}", f"91{source:0>16}", f"APP-{source}")


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
        found = store.decided("a", "h-a", "rules-1", "")
        assert found == (_row("a"), run)
        assert found[0].enterprise == "企业a" and found[0].credit_code == "91000000000000000a"
        # the same bytes read under another label: the same case, shown under the label read now
        assert store.decided("elsewhere", "h-a", "rules-1", "") == (_row("a")._replace(source="elsewhere"), run)
        # another input hash, another rule-set hash, another --as-of: decide again
        assert store.decided("a", "h2", "rules-1", "") is None
        assert store.decided("a", "h-a", "rules-2", "") is None
        assert store.decided("a", "h-a", "rules-1", "2024-01-01") is None
        # an error row is never reused
        assert store.decided("c", "h-c", "rules-1", "") is None
        assert [r["status"] for r in store.runs()] == ["done"]


def test_one_row_per_identity_whatever_the_label(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        r1 = _start(store)
        # the same file read from a directory and from standard input, twice each; a broken file twice
        store.write(r1, "rules-1", "", [_row("a"), _row("a")._replace(source="-:1"), _row("x", "error"),
                                        _row("x", "error")._replace(source="-:2", case_id="-:2")], [])
        assert [(r.source, r.case_id, r.decision) for r, _ in store.rows()] == [
            ("-:1", "id-a", "approve"), ("-:2", "-:2", "error")]
        r2 = _start(store)
        store.write(r2, "rules-1", "", [], [_row("a")._replace(source="dir/a.yaml")])
        ((row, run),) = [(r, run) for r, run in store.rows() if not r.is_error]
        assert row.source == "dir/a.yaml" and run == r1  # last seen label; decided by the first run
        assert store.counts(r2) == {"approve": 1}
        # changed bytes are another identity: the earlier decision stays, the run shows the new one
        r3 = _start(store)
        store.write(r3, "rules-1", "", [_row("a", "reject", "h2")], [])
        assert sorted(r.decision for r, _ in store.rows()) == ["approve", "error", "reject"]
        assert store.counts(r3) == {"reject": 1}


def test_a_case_named_by_its_label_is_reused_under_that_label_only(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        run = _start(store)
        nameless = _row("in.jsonl:3")._replace(case_id="in.jsonl:3")
        store.write(run, "rules-1", "", [nameless], [])
        assert store.decided("in.jsonl:3", "h-in.jsonl:3", "rules-1", "") == (nameless, run)
        assert store.decided("other.jsonl:3", "h-in.jsonl:3", "rules-1", "") is None


def test_not_applicable_lists_are_kept_once(tmp_path):
    na = json.dumps([f"R-{i:04d}" for i in range(300)])
    with Store(tmp_path / "s.sqlite") as store:
        run = _start(store)
        store.write(run, "rules-1", "", [_row(f"c{i}", na=na) for i in range(50)], [])
        store.write(run, "rules-1", "", [_row(f"d{i}", na=na) for i in range(50)] + [_row("e", na='["R-9"]')], [])
        assert store.db.execute("SELECT count(*) FROM id_lists").fetchone() == (2,)
        assert "not_applicable" not in {r[1] for r in store.db.execute("PRAGMA table_info(cases)")}
        assert {r.not_applicable for r, _ in store.rows()} == {na, '["R-9"]'}
        size = store.db.execute("SELECT sum(length(na_ref)) FROM cases").fetchone()[0]
        assert size == 101 * 16


def test_each_run_records_the_versions_it_ran_with(tmp_path):
    import platform
    from importlib import metadata

    with Store(tmp_path / "s.sqlite") as store:
        _start(store)
        (run,) = store.runs()
    versions = json.loads(run["versions"])
    assert versions["python"] == platform.python_version()
    for name in ("approval-rules", "pydantic", "PyYAML", "click"):
        assert versions[name] == metadata.version(name)


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


_V3 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
    pid INTEGER, host TEXT, pid_start TEXT, note TEXT, argv TEXT, rules TEXT, rulesets TEXT NOT NULL,
    ruleset_hash TEXT NOT NULL, as_of_option TEXT NOT NULL, jobs INTEGER, total INTEGER NOT NULL DEFAULT 0,
    decided INTEGER NOT NULL DEFAULT 0, reused INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,
    counts TEXT, seconds REAL);
CREATE TABLE cases (source TEXT PRIMARY KEY, case_id TEXT NOT NULL, decision TEXT NOT NULL, as_of TEXT,
    findings TEXT, passed TEXT, not_applicable TEXT, failing TEXT, applied TEXT, errors TEXT,
    input_hash TEXT NOT NULL, notices TEXT, ruleset_hash TEXT NOT NULL, as_of_option TEXT NOT NULL,
    run_id INTEGER NOT NULL, last_run INTEGER NOT NULL);
INSERT INTO meta VALUES ('schema_version', '3');
INSERT INTO runs (id, started_at, status, rulesets, ruleset_hash, as_of_option) VALUES (1, 'x', 'done', '[]', 'h', '');
INSERT INTO runs (id, started_at, status, rulesets, ruleset_hash, as_of_option) VALUES (2, 'y', 'done', '[]', 'h', '');
"""


def _v3_store(path) -> None:
    """A store as version 3 wrote it: keyed by label, the same file under two labels twice."""
    db = sqlite3.connect(path)
    db.executescript(_V3)
    rows = [("dir/a.yaml", "A", "approve", '["R-2"]', "h-a", 1), ("-:1", "A", "approve", '["R-2"]', "h-a", 2),
            ("dir/b.yaml", "B", "reject", '["R-2"]', "h-b", 1), ("dir/bad.yaml", "dir/bad.yaml", "error", None, "h-x", 2)]
    for source, cid, decision, na, digest, run in rows:
        db.execute("INSERT INTO cases VALUES (?, ?, ?, '2024-03-14', '[]', '[]', ?, '', '', NULL, ?, NULL, 'h', '',"
                   " ?, ?)", (source, cid, decision, na, digest, run, run))
    db.commit()
    db.close()


def test_a_version_3_store_reads_as_it_is_and_is_rebuilt_when_written(tmp_path):
    path = tmp_path / "v3.sqlite"
    _v3_store(path)
    with Store(path, create=False, readonly=True) as store:  # the report: nothing written
        rows = [r for r, _ in store.rows()]
        assert [(r.source, r.enterprise) for r in rows] == [("-:1", None), ("dir/a.yaml", None), ("dir/b.yaml", None),
                                                             ("dir/bad.yaml", None)]
        assert rows[0].not_applicable == '["R-2"]'
    with Store(path) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert [(r.source, r.case_id, r.not_applicable) for r, _ in store.rows()] == [
            ("-:1", "A", '["R-2"]'), ("dir/b.yaml", "B", '["R-2"]'), ("dir/bad.yaml", "dir/bad.yaml", None)]
        assert store.db.execute("SELECT count(*) FROM id_lists").fetchone() == (1,)
        run = _start(store)
        store.write(run, "h", "", [], [_row("A")._replace(case_id="A", input_hash="h-a", source="again")])
        assert store.decided("-:9", "h-a", "h", "")[0].source == "-:9"
        assert store.runs()[-1]["versions"] is not None and store.runs()[0]["versions"] is None


def test_a_version_1_store_is_brought_up_to_date(tmp_path):
    path = tmp_path / "v1.sqlite"
    _v3_store(path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE cases DROP COLUMN notices")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(path) as store:
        run = _start(store)
        store.write(run, "rules-1", "", [_row("a.yaml")], [])
        assert store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert [r.source for r, _ in store.rows()] == ["-:1", "a.yaml", "dir/b.yaml", "dir/bad.yaml"]


def test_default_path_is_next_to_the_output(tmp_path):
    assert default_path(str(tmp_path / "out.jsonl")) == tmp_path / "out.sqlite"
    assert default_path(str(tmp_path / "x.sqlite")) == tmp_path / "x.sqlite.db"
    assert str(default_path(None)) == "approval-rules.sqlite"
    assert str(default_path("-")) == "approval-rules.sqlite"
