"""The exports people read (the table, CSV for Excel) and one stored row per case, however it was read."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from approval_rules.batch.exports import DECISION_WIDTH, ID_WIDTH, INFO_WIDTH, Writer, _width
from approval_rules.batch.rows import Row
from approval_rules.cli import cli

from batchdata import RULES, mixed, write_jsonl, yaml_text


@pytest.fixture
def rules(rule_set):
    return rule_set(RULES)


def _screen(runner, rules, *args, input=None):
    return runner.invoke(cli, ["screen", "--rules", str(rules), "--no-progress", *args], input=input)


def _finding(rule_id: str, effect: str) -> dict:
    return {"rule_id": rule_id, "effect": effect, "outcome": "fail", "message": "m"}


def _approved(case_id: str, notices: int) -> Row:
    findings = json.dumps([_finding(f"INFO-{i}", "info") for i in range(notices)])
    failing = " ".join(f"INFO-{i}" for i in range(notices))
    return Row("f", case_id, "approve", "2024-03-14", findings, "[]", "[]", failing, "", None, "h")


def test_the_table_has_a_legend_a_header_and_aligned_columns():
    out = io.StringIO()
    w = Writer("table", out, lambda row: "[]")
    long_id = "案卷-" + "很长的编号" * 10
    w.write(_approved("a-1", 3))
    w.write(_approved("审查案卷甲", 0))
    w.write(_approved(long_id, 1))
    w.write(Row("f", "r-1", "reject", "2024-03-14", json.dumps([_finding("R-1", "reject"), _finding("I-1", "info")]),
                "[]", "[]", "R-1 I-1", "", None, "h"))
    w.write(Row("bad.yaml", "bad.yaml", "error", None, None, None, None, "E101", "",
                json.dumps([{"code": "E101", "message": "文件无法解析", "file": "bad.yaml", "line": 3, "col": 1}]), "h"))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("说明：") and "提示" in lines[1]
    header, rule = lines[2], lines[3]
    assert header.split() == ["案卷编号", "决定", "提示", "问题规则"]
    assert rule.split() == ["-" * ID_WIDTH, "-" * DECISION_WIDTH, "-" * INFO_WIDTH, "-" * 8]
    body = lines[4:]
    assert body[0].split() == ["a-1", "准予许可", "3"]  # approved: notices counted, never listed as failing
    assert body[1].split() == ["审查案卷甲", "准予许可"]
    assert body[2] == long_id  # too long for its column: a line of its own, the row aligned below
    assert body[3].split() == ["准予许可", "1"]
    assert body[4].split() == ["r-1", "不予许可", "1", "R-1"]
    assert body[5].split() == ["bad.yaml", "输入有误", "E101"] and body[6].startswith("    bad.yaml:3:1")
    # every column starts at the same terminal column, a Chinese character being two wide
    decision_at, rules_at = ID_WIDTH + 2, ID_WIDTH + 2 + DECISION_WIDTH + 2 + INFO_WIDTH + 2

    def at(line: str, text: str) -> int:
        return _width(line[:line.index(text)])

    assert at(header, "决定") == decision_at and at(header, "问题规则") == rules_at
    assert at(body[0], "准予许可") == at(body[3], "准予许可") == at(body[4], "不予许可") == at(body[5], "输入有误") == decision_at
    assert at(body[1], "准予许可") == decision_at  # after a Chinese case id
    assert _width(body[0]) == _width(body[3]) == rules_at - 2  # the notice counts end in one column
    assert at(body[4], "R-1") == at(body[5], "E101") == rules_at

def test_csv_for_excel_starts_with_a_byte_order_mark(runner, rules, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", mixed(4))
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert _screen(runner, rules, str(src), "-o", str(plain), "--no-db").exit_code == 0
    assert _screen(runner, rules, str(src), "--excel", "-o", str(excel), "--no-db").exit_code == 0
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    with open(excel, encoding="utf-8-sig", newline="") as f:  # what Excel does with it
        rows = list(csv.DictReader(f))
    assert [r["decision_zh"] for r in rows] == ["准予许可", "不予许可", "需补正材料", "转人工审查"]
    # --excel alone means CSV; with another format it is a usage error
    r = _screen(runner, rules, str(src), "--excel", "--no-db")
    assert r.exit_code == 0 and r.output.startswith("\ufeffcase_id,decision,decision_zh,")
    r = _screen(runner, rules, str(src), "--excel", "--format", "jsonl", "--no-db")
    assert r.exit_code == 2 and "--excel 只用于 CSV" in r.output


def test_the_same_files_from_a_directory_and_from_stdin_are_one_row_each(runner, rules, tmp_path):
    records = mixed(4)
    for i, record in enumerate(records):
        record["enterprise"].update(name=f"企业{i}", uscc=f"9132000000000000{i:02d}")
        record["application"]["id"] = f"SQ-{i}"
        (tmp_path / "dir").mkdir(exist_ok=True)
        (tmp_path / "dir" / f"{i}.yaml").write_text(yaml_text(record), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    assert _screen(runner, rules, str(tmp_path / "dir"), "--db", str(db)).exit_code == 0
    # the same cases, other bytes (JSON, not YAML), from standard input: new identities
    assert _screen(runner, rules, "-", "--db", str(db), input=stdin).exit_code == 0
    # the very same bytes under other labels: the same four rows, last seen under the new label
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in (tmp_path / "dir").iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    r = _screen(runner, rules, str(copy), "--db", str(db), "--resume", "--format", "csv")
    assert "沿用已有结果 4 件" in r.output
    con = sqlite3.connect(db)
    rows = con.execute("SELECT source, case_id, enterprise, credit_code, application_id FROM cases"
                       " ORDER BY source").fetchall()
    con.close()
    assert len(rows) == 8
    assert [r[0].split("/")[-2] for r in rows if not r[0].startswith("-")] == ["copy"] * 4
    assert ("a-0", "企业0", "913200000000000000", "SQ-0") in {r[1:] for r in rows}
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "r.html")])
    assert 'id="total">8<' in (tmp_path / "r.html").read_text(encoding="utf-8")
