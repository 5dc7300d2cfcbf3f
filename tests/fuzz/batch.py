"""JSON Lines batches: good cases mixed with hostile lines, screened by a real ``screen`` process into
an export and a store; every line must come out as one row in both, and the run must finish."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from approval_rules.core.bundled import cases_dir

from .hostile import HOSTILE, MARK, as_json, leaves, put


def _garbage(rng: random.Random, good: dict, i: int) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        h = rng.choice(HOSTILE)
        return as_json(put(good, rng.choice(leaves(good)), MARK), h).replace("\n", "")
    if kind == 1:
        return json.dumps({**good, "case_id": f"坏{i}"}, ensure_ascii=False)[: rng.randrange(1, 200)]
    if kind == 2:
        return rng.choice(['"只是字符串"', "[1, 2]", "null", "{", "\ufeff{}", "{}", '{"case_id": "\\ud800"}',
                           '{"case_id": "=HYPERLINK(\\"http://x\\")"}', "[" * 5000, '{"a": ' + "9" * 5000 + "}"])
    if kind == 3:
        return json.dumps({**good, "case_id": f"重复键{i}"}, ensure_ascii=False)[:-1] + ', "case_id": "另一个"}'
    if kind == 4:
        return '{"case_id": "\\ud800' + str(i) + '", ' + json.dumps(good, ensure_ascii=False)[1:]
    if kind == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))).decode("latin-1")
    return json.dumps({**good, "case_id": f"无效编码{i}"}, ensure_ascii=False) + "\udcff"


def _rows(export: Path) -> list:
    if not export.exists():
        return []
    text = export.read_text(encoding="utf-8-sig", errors="replace")
    if export.suffix == ".csv":
        return list(csv.reader(io.StringIO(text)))[1:]
    return [line for line in text.split("\n") if line.strip()]


class BatchTarget:
    name = "batch"

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="fuzz-batch-"))
        self.good = []
        for path in sorted(cases_dir().rglob("*.yaml"))[::5]:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.pop("expect", None)
            self.good.append(json.loads(json.dumps(data, default=str)))

    def one(self, rng: random.Random) -> tuple[str, list[str]]:
        self.last = "（变异之前）"
        lines: list[str] = []
        for i in range(rng.randrange(5, 40)):
            good = rng.choice(self.good)
            if rng.random() < 0.5:
                lines.append(json.dumps({**good, "case_id": f"案卷{i}"}, ensure_ascii=False))
            else:
                lines.append(_garbage(rng, good, i))
        work = self.tmp / "run"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        src = work / "in.jsonl"
        src.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
        self.last = f"{len(lines)} 行（输入留在 {src}）"
        raws = [raw.rstrip(b"\r") for raw in src.read_bytes().split(b"\n") if raw.strip()]
        kept, distinct = len(raws), len(set(raws))  # the store keeps one row per case identity (id + bytes)
        export, db = work / f"out.{rng.choice(['jsonl', 'csv'])}", work / "out.sqlite"
        cmd = [sys.executable, "-m", "approval_rules", "screen", str(src), "-o", str(export), "--db", str(db),
               "-j", str(rng.choice([1, 2])), "--no-progress"]
        proc = subprocess.run(cmd, capture_output=True, timeout=300)
        what = f"{len(lines)} 行，退出码 {proc.returncode}"
        problems = []
        if proc.returncode not in (0, 2):
            problems.append(f"退出码 {proc.returncode}：{proc.stderr.decode('utf-8', 'replace')[-300:]}")
        exported = _rows(export)
        if len(exported) != kept:
            problems.append(f"导出 {len(exported)} 行，输入 {kept} 行")
        with sqlite3.connect(db) as con:
            stored = con.execute("SELECT count(*) FROM cases").fetchone()[0]
            status = [r[0] for r in con.execute("SELECT status FROM runs")]
        if stored != distinct:
            problems.append(f"结果库 {stored} 行，输入中不同的行 {distinct} 行")
        if status != ["done"]:
            problems.append(f"运行状态 {status}")
        formulas = [c for row in exported if isinstance(row, list) for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        if formulas:
            problems.append(f"CSV 中有会被电子表格执行的单元格：{formulas[:3]}")
        return what, problems

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
