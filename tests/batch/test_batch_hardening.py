"""A batch loses nothing: bad lines are rows, storage faults end a run cleanly, the store and the
export agree, dead runs are resolved, and corrupt stores are read around, not trusted."""

from __future__ import annotations

import csv
import errno
import gc
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import shutil
import weakref
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval_rules import load_rule_book
from approval_rules.batch import store as store_mod
from approval_rules.batch.exports import Writer
from approval_rules.batch.inputs import iter_items
from approval_rules.batch.screening import Batch, screen, summary_line
from approval_rules.batch.rows import Row
from approval_rules.batch.store import Store
from approval_rules.cli import cli

from batchdata import RULES, mixed, project, write_jsonl


@pytest.fixture()
def rules(rule_set):
    return rule_set(RULES)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    target = tmp_path_factory.mktemp("rules") / "set"
    shutil.copytree(Path(__file__).parents[1] / "data" / "ruleset_header", target)
    (target / "10-rules.yaml").write_text(RULES, encoding="utf-8")
    return load_rule_book(target)


def _screen(runner, rules, *args):
    return runner.invoke(cli, ["screen", "--rules", str(rules), "--no-progress", *args])


def _store_rows(db) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT source, case_id, decision, errors FROM cases ORDER BY rowid").fetchall()
    finally:
        con.close()


def _runs(db) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT status, note, total FROM runs ORDER BY id").fetchall()
    finally:
        con.close()


# --- garbage lines: a corpus, then a property ---------------------------------------------------

_DEEP = 100_000
GARBAGE: dict[str, bytes] = {
    "surrogate-case-id": json.dumps(project("\ud800")).encode(),
    "surrogate-in-a-fact": json.dumps({**project("s2"), "enterprise": {"industry": "metal_nonmetal_mine", "name": "\udfff"}}).encode(),
    "surrogate-alone": b'{"case_id": "\\ud800"}',
    "huge-number": b'{"case_id": "big", "n": 1' + b"0" * 5000 + b"}",
    "huge-number-in-a-fact": json.dumps(project("h")).encode()[:-1] + b', "x": ' + b"9" * 5000 + b"}",
    "huge-float": b'{"case_id": "f", "n": 1e999999}',
    "deep-list": b"[" * _DEEP + b"]" * _DEEP,
    "deep-object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "not-json": b"{this is not json",
    "not-an-object": b"[1, 2, 3]",
    "a-number": b"42",
    "null": b"null",
    "not-utf-8": b'{"case_id": "\xff\xfe"}',
    "nul-bytes": b'{"case_id": "a\x00b"}',
    "nan": b'{"case_id": "nan", "n": NaN}',
    "bom-mid-file": b"\xef\xbb\xbf" + json.dumps(project("bom")).encode(),
    "formula-case-id": json.dumps(project('=HYPERLINK("http://example.invalid","点我")')).encode(),
}


def _run(book, lines: list[bytes], tmp_path, fmt: str = "jsonl", jobs: int = 1, name: str = "in.jsonl"):
    src = tmp_path / name
    src.write_bytes(b"".join(line + b"\n" for line in lines))
    out = io.StringIO()
    with Store(tmp_path / "r.sqlite") as store:
        batch = Batch(book, "rules", jobs=jobs, store=store)
        batch.on_row = Writer(fmt, out, lambda row: batch.rulesets_json).write
        summary = batch.run(iter_items([str(src)]))
        rows = list(store.rows())
        runs = store.runs()
    return summary, out.getvalue(), rows, runs


def _check(summary, out: str, rows, runs, lines: list[bytes]) -> None:
    inputs = sum(1 for line in lines if line.strip())
    exported = out.splitlines()
    assert summary.total == inputs == len(exported)
    # One stored row per identity: every decided line here names its case, so equal bytes are one case.
    assert len(rows) == len({line for line in lines if line.strip()})
    assert summary.internal == 0, [r.errors for r, _ in rows if "E900" in r.failing]
    assert runs[-1]["status"] == "done" and runs[-1]["total"] == inputs
    for line in exported:
        json.loads(line)  # every exported line is whole JSON, in UTF-8
    out.encode("utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_corpus_of_garbage_lines_is_one_row_each(book, tmp_path, jobs):
    good = [json.dumps(r).encode() for r in mixed(6)]
    lines = good[:3] + list(GARBAGE.values()) + [b"", b"   "] + good[3:]
    summary, out, rows, runs = _run(book, lines, tmp_path, jobs=jobs)
    _check(summary, out, rows, runs, lines)
    by_line = {int(r.source.rsplit(":", 1)[1]): r for r, _ in rows}
    for name in ("surrogate-case-id", "surrogate-in-a-fact"):  # refused by the loader, never stored raw
        row = by_line[4 + list(GARBAGE).index(name)]
        assert row.decision == "error" and row.failing == "E107"
    for row, _ in rows:
        "".join(v for v in row if isinstance(v, str)).encode("utf-8")  # SQLite and the exports can hold it
    big = next(r for r, _ in rows if r.source.endswith(f":{4 + list(GARBAGE).index('huge-number')}"))
    assert big.decision == "error" and big.failing == "E207" and "位数过多" in big.errors


_valid = st.sampled_from(mixed(8)).map(lambda r: json.dumps(r, ensure_ascii=False).encode())
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=40)
_line = st.one_of(
    _valid,
    st.sampled_from(list(GARBAGE.values())),
    _text.map(lambda t: t.encode()),
    st.binary(max_size=30).map(lambda b: b.replace(b"\n", b" ")),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(4300, 6000).map(lambda n: b'{"n": ' + b"7" * n + b"}"),
    _valid.map(lambda line: b"\xef\xbb\xbf" + line),
    st.just(b""),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(_line, max_size=12))
def test_any_mix_of_lines_is_one_row_per_line(book, tmp_path_factory, lines):
    tmp = tmp_path_factory.mktemp("mix")
    _check(*_run(book, lines, tmp), lines)


def test_the_cli_screens_garbage_with_input_errors_only(runner, rules, tmp_path):
    lines = [json.dumps(r).encode() for r in mixed(4)] + list(GARBAGE.values())
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    db = tmp_path / "r.sqlite"
    r = _screen(runner, rules, str(src), "-o", str(tmp_path / "out.csv"), "--db", str(db), "-j", "2")
    assert r.exit_code == 2, r.output
    assert "内部错误" not in r.output
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as f:
        exported = list(csv.reader(f))[1:]
    assert len(exported) == len(_store_rows(db)) == len(lines)
    assert _runs(db)[0][0] == "done"
    # a formula in a submitted case id is text in a spreadsheet
    assert "'=HYPERLINK(\"http://example.invalid\",\"点我\")" in [row[0] for row in exported]


def test_csv_cells_a_spreadsheet_would_run_are_quoted():
    out = io.StringIO()
    w = Writer("csv", out, lambda row: "[]")
    ids = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "案-1", "a=b"]
    for cid in ids:
        w.write(Row(cid, cid, "approve", "2024-03-14", "[]", "[]", "[]", "", "", None, "h"))
    got = [row[0] for row in csv.reader(io.StringIO(out.getvalue(), newline=""))][1:]
    assert got == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "案-1", "a=b"]


def test_stdin_detection_survives_deep_nesting_and_huge_numbers():
    deep = b'{"a": ' + b"[" * _DEEP + b"]" * _DEEP + b"}\n"
    items = list(iter_items(["-"], stdin=io.BytesIO(deep)))
    assert len(items) == 1
    huge = b'{"n": ' + b"1" * 5000 + b"}\n"
    assert len(list(iter_items(["-"], stdin=io.BytesIO(huge)))) == 1


# --- storage faults ---------------------------------------------------------------------------


def test_a_full_disk_aborts_the_run_and_keeps_what_was_committed(book, tmp_path, monkeypatch):
    import approval_rules.batch.screening as screening

    monkeypatch.setattr(screening, "FLUSH_ROWS", 20)
    src = write_jsonl(tmp_path / "in.jsonl", mixed(400))
    out = io.StringIO()
    with Store(tmp_path / "r.sqlite") as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count={pages + 30}")  # a disk that fills after a few commits
        batch = Batch(book, "rules", store=store)
        batch.on_row = Writer("jsonl", out, lambda row: batch.rulesets_json).write
        summary = batch.run(iter_items([str(src)]))
        stored = [r.source for r, _ in store.rows(order="source")]
        (run,) = store.runs()
    assert summary.fault and summary.fault.startswith("磁盘已满")
    assert 0 < len(stored) < 400
    exported = out.getvalue().splitlines()
    assert len(exported) == len(stored) == summary.total  # the export agrees with the store
    assert run["status"] == "aborted" and "磁盘已满" in (run["note"] or "")


def test_a_full_disk_in_the_cli_then_resume(runner, rules, tmp_path, monkeypatch):
    import approval_rules.batch.screening as screening

    monkeypatch.setattr(screening, "FLUSH_ROWS", 50)
    real = Store.write
    calls = []

    def filling(self, *args):
        calls.append(1)
        if len(calls) == 3:  # the disk is full from the third commit on
            pages = self.db.execute("PRAGMA page_count").fetchone()[0]
            self.db.execute(f"PRAGMA max_page_count={pages}")
        return real(self, *args)

    src = write_jsonl(tmp_path / "in.jsonl", mixed(300))
    db, out = tmp_path / "r.sqlite", tmp_path / "out.csv"
    with monkeypatch.context() as m:
        m.setattr(Store, "write", filling)
        r = _screen(runner, rules, str(src), "-o", str(out), "--db", str(db), "-j", "1")
    assert r.exit_code == 3, (len(calls), r.output)
    assert "磁盘已满" in r.output and "rollback" not in r.output.lower() and "Traceback" not in r.output
    stored = len(_store_rows(db))
    assert stored == 128  # two commits of 64 rows each (the rows read between progress ticks)
    assert len(out.read_text(encoding="utf-8").splitlines()) == stored + 1
    assert _runs(db)[0][0] == "aborted"
    r = _screen(runner, rules, str(src), "-o", str(out), "--db", str(db), "--resume")
    assert r.exit_code == 0, r.output
    assert f"沿用已有结果 {stored} 件" in r.output
    assert len(_store_rows(db)) == 300 and len(out.read_text(encoding="utf-8").splitlines()) == 301


class _FullFile(io.StringIO):
    def __init__(self, room: int):
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(text)


def test_an_export_on_a_full_disk_aborts_the_run(book, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", mixed(300))
    out = _FullFile(20_000)
    with Store(tmp_path / "r.sqlite") as store:
        batch = Batch(book, "rules", store=store)
        batch.on_row = Writer("jsonl", out, lambda row: batch.rulesets_json).write
        summary = batch.run(iter_items([str(src)]))
        (run,) = store.runs()
        stored = len(list(store.rows()))
    assert summary.fault and "磁盘已满" in summary.fault and "--resume" in summary.fault
    assert run["status"] == "aborted"
    # committed before it was exported: the store is ahead, and --resume exports it all again
    assert len(out.getvalue().splitlines()) <= stored == summary.total


# --- runs of dead processes -------------------------------------------------------------------


def _start(store: Store) -> int:
    return store.start_run(rulesets=[], ruleset_hash="h", as_of_option="", argv=[], rules="r", jobs=1)


def test_running_runs_of_gone_processes_are_aborted_on_open(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        reused_pid = _start(store)  # our pid, but recorded as started at another time: pid reuse
        store.db.execute("UPDATE runs SET pid_start='1' WHERE id=?", (reused_pid,))
        elsewhere = _start(store)  # another machine's run: cannot tell, left alone
        store.db.execute("UPDATE runs SET host='another-host', pid=1 WHERE id=?", (elsewhere,))
        mine = _start(store)
        assert [r["status"] for r in Store(path, readonly=True).runs()] == ["aborted", "running", "running"]
    with Store(path) as store:
        runs = store.runs()
    assert [r["status"] for r in runs] == ["aborted", "running", "running"]
    assert "已结束" in runs[0]["note"] and runs[2]["id"] == mine


def test_a_killed_screen_is_aborted_when_the_store_is_next_opened(rules, tmp_path):
    src = write_jsonl(tmp_path / "big.jsonl", [project(f"k-{i}") for i in range(40000)])
    db = tmp_path / "r.sqlite"
    cmd = [sys.executable, "-m", "approval_rules", "screen", "--rules", str(rules), str(src), "--db", str(db),
           "--format", "csv", "-o", str(tmp_path / "out.csv"), "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and _committed(db)):
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert _runs(db)[0][0] == "running"  # as the killed process left it
    r = subprocess.run([sys.executable, "-m", "approval_rules", "report", str(db), "-o", str(tmp_path / "r.html")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "异常终止" in (tmp_path / "r.html").read_text(encoding="utf-8")
    with Store(db):
        pass
    status, note, _ = _runs(db)[0]
    assert status == "aborted" and "--resume" in note


def _committed(db) -> int:
    try:
        con = sqlite3.connect(db)
        try:
            return con.execute("SELECT count(*) FROM cases").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


# --- the report on stores it cannot write, or cannot fully read --------------------------------


@pytest.fixture()
def screened(runner, rules, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", mixed(12))
    db = tmp_path / "store" / "r.sqlite"
    db.parent.mkdir()
    r = _screen(runner, rules, str(src), "--format", "csv", "--db", str(db))
    assert r.exit_code == 0, r.output
    return src, db


def test_report_never_writes_to_the_store(runner, screened, tmp_path):
    _, db = screened
    before = db.read_bytes()
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert db.read_bytes() == before  # (a read-only reader of a WAL store may leave empty -wal/-shm files)


def test_report_falls_back_to_immutable_where_mode_ro_cannot_open(runner, screened, tmp_path, monkeypatch):
    _, db = screened
    real = sqlite3.connect

    def no_shm(target, *args, **kwargs):
        if "mode=ro" in str(target):  # what a WAL store in a read-only directory does
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(store_mod.sqlite3, "connect", no_shm)
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert '"total": 12' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_report_on_a_store_in_a_read_only_directory(screened):
    # Root writes anywhere, so the report runs as an unprivileged user when the tests run as root
    # (in a directory of its own under /tmp: pytest's tmp_path is private to root).
    _, db = screened
    home = Path(tempfile.mkdtemp(prefix="ro-store-"))
    try:
        store_dir, out = home / "store", home / "out"
        store_dir.mkdir()
        out.mkdir()
        for f in db.parent.glob(db.name + "*"):
            shutil.copy(f, store_dir / f.name)
        for path, mode in ((home, 0o755), (out, 0o777), (store_dir, 0o555), *((f, 0o444) for f in store_dir.iterdir())):
            path.chmod(mode)
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        r = subprocess.run([*drop, sys.executable, "-m", "approval_rules", "report", str(store_dir / db.name),
                            "-o", str(out / "r.html")], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert '"total": 12' in (out / "r.html").read_text(encoding="utf-8")
    finally:
        (home / "store").chmod(0o755)
        shutil.rmtree(home)


def _corrupt(db) -> None:
    con = sqlite3.connect(db)
    with con:
        rowids = [r[0] for r in con.execute("SELECT rowid FROM cases ORDER BY rowid")]
        con.execute("UPDATE cases SET findings='[{\"rule_id\": ' WHERE rowid=?", (rowids[0],))
        con.execute("UPDATE cases SET passed='{}' WHERE rowid=?", (rowids[1],))
        con.execute("UPDATE cases SET notices='\"to_verify\": [' WHERE rowid=?", (rowids[2],))
        con.execute("UPDATE cases SET findings='[{\"rule_id\": 7}]' WHERE rowid=?", (rowids[3],))
    con.close()


def test_report_shows_corrupt_rows_as_unreadable(runner, screened, tmp_path):
    _, db = screened
    _corrupt(db)
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "有 4 件的已存结果无法读取" in page
    assert '"unreadable": 4' in page and '"total": 12' in page


def test_resume_decides_corrupt_rows_again_and_says_so(runner, rules, screened, tmp_path):
    src, db = screened
    _corrupt(db)
    out = tmp_path / "out.jsonl"
    r = _screen(runner, rules, str(src), "-o", str(out), "--db", str(db), "--resume")
    assert r.exit_code == 0, r.output
    assert "结果库中 4 件的已存结果无法读取（已损坏），已重新审查" in r.output
    assert "新审查 4 件，沿用已有结果 8 件" in r.output
    assert len([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]) == 12
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "r.html")])
    assert "件的已存结果无法读取" not in (tmp_path / "r.html").read_text(encoding="utf-8")


# --- a double Ctrl-C ----------------------------------------------------------------------------


def test_a_double_ctrl_c_leaves_export_and_store_agreeing(rules, tmp_path):
    src = write_jsonl(tmp_path / "big.jsonl", [project(f"i-{i}") for i in range(40000)])
    db, out = tmp_path / "r.sqlite", tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "approval_rules", "screen", "--rules", str(rules), str(src), "--db", str(db),
           "-o", str(out), "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _committed(db) < 1000:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    stored = _committed(db)
    with open(out, encoding="utf-8", newline="") as f:
        exported = sum(1 for _ in csv.reader(f)) - 1
    assert 0 < stored < 40000
    assert exported == stored
    assert _runs(db)[0][0] == "interrupted" and _runs(db)[0][2] == stored


# --- memory ---------------------------------------------------------------------------------


def test_screen_keeps_no_rule_book_alive(rules, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", mixed(4))
    refs = []
    for _ in range(10):
        book = load_rule_book(rules)
        assert len(list(screen(book, [src]))) == 4
        refs.append(weakref.ref(book))
        del book
    gc.collect()
    assert sum(1 for r in refs if r() is not None) <= 1


def test_summary_line_mentions_re_decided_rows():
    from approval_rules.batch.screening import Summary

    s = Summary(decided=2, reused=3, unreadable=2)
    assert "2 件的已存结果无法读取" in summary_line(s)


def test_a_file_named_twice_is_one_input(runner, rules, tmp_path, monkeypatch):
    (tmp_path / "d").mkdir()
    write_jsonl(tmp_path / "d" / "a.jsonl", mixed(3))
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "r.sqlite"
    r = _screen(runner, rules, "d", "d/a.jsonl", "./d/a.jsonl", "d/*.jsonl", "--format", "jsonl", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert len([line for line in r.output.splitlines() if line.startswith("{")]) == len(_store_rows(db)) == 3


class _FullDisk:
    """A store connection on a disk with no room for one more run."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT INTO runs"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_store_full_before_the_run_starts(runner, rules, tmp_path, monkeypatch):
    real = Store.start_run

    def full(self, **kwargs):
        self.db = _FullDisk(self.db)
        return real(self, **kwargs)

    monkeypatch.setattr(Store, "start_run", full)
    src = write_jsonl(tmp_path / "in.jsonl", mixed(3))
    r = _screen(runner, rules, str(src), "--format", "csv", "--db", str(tmp_path / "r.sqlite"))
    assert r.exit_code == 3
    assert "无法开始审查：磁盘已满" in r.output and "内部错误" not in r.output


def test_a_file_name_that_is_not_utf_8_is_stored_escaped(runner, rules, tmp_path):
    (tmp_path / "d").mkdir()
    name = os.fsdecode(b"\xff\xfe.jsonl")
    write_jsonl(tmp_path / "d" / name, mixed(2))
    db = tmp_path / "r.sqlite"
    r = _screen(runner, rules, str(tmp_path / "d"), "--format", "jsonl", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert [s for s, *_ in _store_rows(db)] == [f"{tmp_path}/d/\\udcff\\udcfe.jsonl:{n}" for n in (1, 2)]
