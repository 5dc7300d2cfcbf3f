"""Batch screening end to end: mixed inputs, bad inputs, the store, resume, exports, interrupts."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from approval_rules import load_rule_book
from approval_rules.cli import cli
from approval_rules.engine.evaluator import evaluate
from approval_rules.batch.inputs import iter_items
from approval_rules.batch.progress import Progress
from approval_rules.model.project import ProjectFile
from approval_rules.batch.screening import Batch, summary_line
from approval_rules.batch.workers import decide
from approval_rules.batch.store import Store

from batchdata import RULES, mixed, project, write_jsonl, yaml_text


@pytest.fixture()
def rules(rule_set):
    return rule_set(RULES)


def _screen(runner, rules, *args, input=None):
    return runner.invoke(cli, ["screen", "--rules", str(rules), "--no-progress", *args], input=input)


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _db_rows(db) -> dict[str, tuple]:
    con = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in con.execute("SELECT source, case_id, decision, run_id FROM cases")}
    finally:
        con.close()


def test_mixed_inputs_in_one_run(runner, rules, tmp_path):
    (tmp_path / "dir" / "deep").mkdir(parents=True)
    (tmp_path / "dir" / "a.yaml").write_text(yaml_text(project("yaml-file")), encoding="utf-8")
    (tmp_path / "dir" / "deep" / "b.json").write_text(json.dumps(project("json-file", status="revoked")), encoding="utf-8")
    write_jsonl(tmp_path / "dir" / "deep" / "c.jsonl", [project("line-1", expiry=None), project(None)])
    (tmp_path / "globbed-1.yaml").write_text(yaml_text(project("glob-1", expiry="2024-01-01")), encoding="utf-8")
    (tmp_path / "globbed-2.yaml").write_text(yaml_text(project("glob-2", kind="design_review")), encoding="utf-8")
    stdin = json.dumps(project("stdin-1")) + "\n" + json.dumps(project(None, app_id="APP-9")) + "\n"
    out = tmp_path / "out.jsonl"
    r = _screen(runner, rules, str(tmp_path / "dir"), str(tmp_path / "globbed-*.yaml"), "-", "-o", str(out), "-j", "1",
                input=stdin)
    assert r.exit_code == 0, r.output
    got = {d["case_id"]: d["decision"] for d in _jsonl(out.read_text(encoding="utf-8"))}
    jl = tmp_path / "dir" / "deep" / "c.jsonl"
    assert got == {
        "yaml-file": "approve", "json-file": "reject", "line-1": "needs_correction", f"{jl}:2": "approve",
        "glob-1": "refer", "glob-2": "refer", "stdin-1": "approve", "APP-9": "approve",
    }
    assert "共 8 件：准予许可 4，不予许可 1，需补正材料 1，转人工审查 2，输入有误 0" in r.output
    assert "件/秒" in r.output
    # the store sits next to the output and holds one row per input
    rows = _db_rows(tmp_path / "out.sqlite")
    assert len(rows) == 8 and rows["-:2"][0] == "APP-9" and rows[f"{jl}:1"][1] == "needs_correction"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_corrupt_file_in_the_middle_of_a_batch(runner, rules, tmp_path, jobs):
    records = mixed(40)
    lines = [json.dumps(r) for r in records]
    lines[17] = '{"case_id": "broken", "application": {'  # cut off mid-object
    lines[25] = json.dumps({"case_id": "wrong", "application": {"kind": "nope", "submitted_date": "2024-01-01"},
                            "enterprise": {"industry": "coal_mine"}})
    src = tmp_path / "batch.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "also.yaml").write_text("application: [\n", encoding="utf-8")
    db = tmp_path / "r.sqlite"
    r = _screen(runner, rules, str(src), str(tmp_path / "also.yaml"), "--format", "jsonl", "--db", str(db), "-j", jobs)
    assert r.exit_code == 2
    assert "3 个输入无法审查" in r.output
    out = _jsonl(r.output)
    assert len(out) == 41  # nothing lost: every input has its row, in input order
    errors = [o for o in out if "error" in o]
    assert [e["source"] for e in errors] == [f"{src}:18", f"{src}:26", str(tmp_path / "also.yaml")]
    assert errors[0]["error"][0]["code"] == "E101" and errors[0]["error"][0]["line"] == 18
    assert errors[1]["error"][0]["code"] == "E204" and errors[1]["error"][0]["line"] == 26
    decided = [o for o in out if "decision" in o]
    assert [d["case_id"] for d in decided] == [r["case_id"] for i, r in enumerate(records) if i not in (17, 25)]
    rows = _db_rows(db)
    assert len(rows) == 41 and rows[f"{src}:18"][1] == "error"
    assert "输入有误 3" in r.output


def _expected(rules, records):
    book = load_rule_book(rules)
    return [json.dumps(evaluate(book, ProjectFile.model_validate(r), case_id=r["case_id"]).to_dict(), ensure_ascii=False)
            for r in records]


def test_exports_round_trip_to_the_same_decisions(runner, rules, tmp_path):
    records = mixed(24)
    src = write_jsonl(tmp_path / "in.jsonl", records)
    db = tmp_path / "r.sqlite"
    r1 = _screen(runner, rules, str(src), "-o", str(tmp_path / "out.jsonl"), "--db", str(db), "-j", "2")
    r2 = _screen(runner, rules, str(src), "-o", str(tmp_path / "out.csv"), "--no-db", "-j", "1")
    r3 = _screen(runner, rules, str(src), "--format", "table", "--no-db")
    assert r1.exit_code == r2.exit_code == r3.exit_code == 0
    # JSON Lines rows are exactly the decision contract, byte for byte
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == _expected(rules, records)
    by_jsonl = {d["case_id"]: (d["decision"], " ".join(f["rule_id"] for f in d["findings"])) for d in map(json.loads, lines)}
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["case_id", "decision", "decision_zh", "findings", "source"]
    assert {(row["decision"], row["decision_zh"]) for row in rows} == {
        ("approve", "准予许可"), ("reject", "不予许可"), ("needs_correction", "需补正材料"), ("refer", "转人工审查")}
    assert {row["case_id"]: (row["decision"], row["findings"]) for row in rows} == by_jsonl
    assert {d for d, _ in by_jsonl.values()} == {"approve", "reject", "needs_correction", "refer"}
    # the store gives back the same lines (resume with nothing to do is an export)
    r4 = _screen(runner, rules, str(src), "--format", "jsonl", "--db", str(db), "--resume")
    assert r4.exit_code == 0 and "新审查 0 件，沿用已有结果 24 件" in r4.output
    assert [line for line in r4.output.splitlines() if line.startswith("{")] == lines
    # the table names every case with its decision in Chinese
    for cid, (decision, _) in by_jsonl.items():
        assert cid in r3.output
    assert "需补正材料" in r3.output


def test_resume_after_a_rule_change_decides_everything_again(runner, rules, tmp_path):
    records = mixed(12)
    src = write_jsonl(tmp_path / "in.jsonl", records)
    db = tmp_path / "r.sqlite"
    assert _screen(runner, rules, str(src), "--db", str(db), "--format", "csv").exit_code == 0
    # unchanged rules and inputs: nothing to do
    r = _screen(runner, rules, str(src), "--db", str(db), "--format", "csv", "--resume")
    assert "新审查 0 件，沿用已有结果 12 件" in r.output
    # one input edited: only that one is decided again
    records[3]["licence"]["status"] = "revoked"
    write_jsonl(src, records)
    r = _screen(runner, rules, str(src), "--db", str(db), "--format", "csv", "--resume")
    assert "新审查 1 件，沿用已有结果 11 件" in r.output
    assert _db_rows(db)[f"{src}:4"] == ("f-3", "reject", 3)
    # a rule change (here, a message): every case is decided again under the new rule-set hash
    (rules / "10-rules.yaml").write_text(RULES.replace("许可证状态为", "许可证的状态为"), encoding="utf-8")
    r = _screen(runner, rules, str(src), "--db", str(db), "--format", "jsonl", "--resume")
    assert r.exit_code == 0 and "共 12 件" in r.output and "沿用" not in r.output
    assert {run for _, _, run in _db_rows(db).values()} == {4}
    assert "许可证的状态为" in r.output
    # --as-of is part of what was decided: another date decides again
    r = _screen(runner, rules, str(src), "--db", str(db), "--format", "csv", "--resume", "--as-of", "2024-03-20")
    assert "沿用" not in r.output


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out |= {int(x) for x in f.read().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_resume_after_a_killed_run(rules, tmp_path):
    records = [project(f"k-{i}", status="valid" if i % 3 else "revoked") for i in range(40000)]
    src = write_jsonl(tmp_path / "big.jsonl", records)
    db = tmp_path / "r.sqlite"
    cmd = [sys.executable, "-m", "approval_rules", "screen", "--rules", str(rules), str(src), "--db", str(db),
           "--format", "csv", "-o", str(tmp_path / "out.csv"), "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: set[int] = set()
    committed = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            con = sqlite3.connect(db)
            committed = con.execute("SELECT count(*) FROM cases").fetchone()[0]
            con.close()
        except sqlite3.Error:
            committed = 0
        if committed >= 1000:
            break
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(workers) == 2
    deadline = time.monotonic() + 10  # the orphaned workers notice and exit
    while workers and time.monotonic() < deadline:
        workers = {w for w in workers if _alive(w)}
        time.sleep(0.05)
    assert not workers, "worker processes outlived their killed parent"
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    before = _db_rows(db)
    assert 1000 <= len(before) < len(records)
    assert {run for _, _, run in before.values()} == {1}

    p = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    after = _db_rows(db)
    assert len(after) == len(records)
    # the killed run's decisions were reused, not decided again; the rest were decided now
    assert all(after[s][2] == 1 for s in before)
    assert sum(1 for v in after.values() if v[2] == 2) == len(records) - len(before)
    assert f"新审查 {len(records) - len(before)} 件，沿用已有结果 {len(before)} 件" in p.stderr
    with Store(db) as store:
        assert [r["status"] for r in store.runs()] == ["aborted", "done"]
    # the resumed run's output is complete
    with open(tmp_path / "out.csv", encoding="utf-8") as f:
        assert sum(1 for _ in f) == len(records) + 1


def test_ctrl_c_commits_what_was_decided(rules, tmp_path):
    src = write_jsonl(tmp_path / "big.jsonl", [project(f"i-{i}") for i in range(40000)])
    db = tmp_path / "r.sqlite"
    cmd = [sys.executable, "-m", "approval_rules", "screen", "--rules", str(rules), str(src), "--db", str(db),
           "--format", "csv", "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = 0
    while seen < 1000:  # wait until it is well under way
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        seen += 1
    proc.send_signal(signal.SIGINT)
    out = proc.stdout.read()  # to the end: the process exits after committing
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err
    printed = seen + len(out.splitlines()) - 1  # less the header
    with Store(db) as store:
        (run,) = store.runs()
        assert run["status"] == "interrupted"
        assert run["total"] == len(list(store.rows())) == printed  # every row received was committed
        assert 0 < run["total"] < 40000


def test_an_internal_error_on_one_input_is_a_row(rules, tmp_path, monkeypatch):
    import approval_rules.batch.workers as workers

    book = load_rule_book(rules)
    real = workers.evaluate

    def flaky(book, project, as_of=None, case_id=None, backend=None, profile=None):
        if case_id == "boom":
            raise ZeroDivisionError("division by zero")
        return real(book, project, as_of, case_id, backend, profile)

    monkeypatch.setattr(workers, "evaluate", flaky)
    src = write_jsonl(tmp_path / "in.jsonl", [project("ok-1"), project("boom"), project("ok-2")])
    rows = []
    batch = Batch(book, str(rules), jobs=1, on_row=rows.append)
    s = batch.run(iter_items([str(src)]))
    assert [r.decision for r in rows] == ["approve", "error", "approve"]
    assert "E900" in rows[1].failing and "ZeroDivisionError" in rows[1].errors
    assert s.internal == 1 and s.errors == 1
    assert "输入有误 1" in summary_line(s)


def test_one_and_two_jobs_give_the_same_output(runner, rules, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", mixed(300))
    r1 = _screen(runner, rules, str(src), "--format", "jsonl", "--no-db", "-j", "1")
    r2 = _screen(runner, rules, str(src), "--format", "jsonl", "--no-db", "-j", "2")
    assert _jsonl(r1.output) == _jsonl(r2.output) and len(_jsonl(r1.output)) == 300


def test_usage_errors(runner, rules, tmp_path):
    r = _screen(runner, rules, str(tmp_path / "none*.yaml"))
    assert r.exit_code == 2 and "找不到输入" in r.output
    r = _screen(runner, rules, "--no-db", "--resume", str(tmp_path))
    assert r.exit_code == 2
    (tmp_path / "x.sqlite").write_text("not a database, just text " * 40, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(yaml_text(project("a")), encoding="utf-8")
    r = _screen(runner, rules, str(tmp_path / "a.yaml"), "--db", str(tmp_path / "x.sqlite"))
    assert r.exit_code == 2 and "结果库" in r.output
    r = _screen(runner, rules, str(tmp_path / "a.yaml"), "--no-db", "-o", str(tmp_path / "no" / "such" / "out.csv"))
    assert r.exit_code == 2 and "无法写入输出文件" in r.output


def test_decide_positions_in_a_json_lines_file(book):
    item = next(iter_items(["-"], stdin=io.BytesIO(b'{"a": 1}\n\n{"case_id": 5}\n')))
    row = decide(book, item)
    problems = json.loads(row.errors)
    assert row.decision == "error" and {p["line"] for p in problems} == {1}


def test_progress_line_only_on_a_terminal():
    buf = io.StringIO()
    p = Progress(buf, total=1000)
    p.update(10)
    assert buf.getvalue() == ""  # not a terminal
    p = Progress(buf, total=1000, enabled=True, every=0)
    p.start -= 2.0
    text = p.text(500, now=p.start + 2.0)
    assert "500/1,000" in text and "250 件/秒" in text and "剩余 0:02" in text
    p.update(500)
    p.close()
    assert buf.getvalue().startswith("\r[") and buf.getvalue().endswith("\r")
    assert "已审查 7 件" in Progress(buf, None, enabled=True).text(7)
