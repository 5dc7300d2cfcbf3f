"""The Dask recipe end to end on a real LocalCluster, and its parts: pieces keep labels, the rule
book cache refuses other rules, a missing Dask is said in Chinese."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from approval_rules.batch import dask_recipe
from approval_rules.batch.dask_recipe import DaskMissing, Part, pieces, screen_on_dask
from approval_rules.batch.inputs import iter_items
from approval_rules.cli import cli

from sharddata import RULES, cases_of, generated, runs_of  # noqa: F401 - generated is a fixture

distributed = pytest.importorskip("dask.distributed")  # in the test extra: skipped only outside it


def test_screening_on_a_local_cluster_gives_the_single_run_store(runner, generated, tmp_path):
    whole = tmp_path / "whole.sqlite"
    (tmp_path / "files").mkdir()
    for n, line in enumerate(generated.read_text(encoding="utf-8").splitlines()[:3]):
        (tmp_path / "files" / f"{n}.json").write_text(line, encoding="utf-8")
    inputs = [str(generated), str(tmp_path / "files")]
    r = runner.invoke(cli, ["screen", "--rules", RULES, *inputs, "-j", "1", "--db", str(whole),
                            "-o", str(tmp_path / "whole.jsonl"), "--as-of", "2024-06-01"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "dask.sqlite"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        stores, merged = screen_on_dask(inputs, str(out), rules=RULES, work_dir=str(tmp_path / "pieces"),
                                        as_of=dt.date(2024, 6, 1), blocksize=64 * 1024, files_per_piece=2)
    assert len(stores) >= 4 and merged.conflict_count == 0
    assert cases_of(out) == cases_of(whole)  # same identities, decisions and labels (path:line)
    assert {run["source_store"] for run in runs_of(out)} == set(stores)


@pytest.mark.parametrize("blocksize", [1, 7, 300, 10**6])
def test_pieces_start_at_the_right_lines(tmp_path, blocksize):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n\n{"bb": 22}\r\n   \n' + b'{"c": "' + b"x" * 500 + b'"}\n{"d": 4}')
    parts = pieces([str(path)], blocksize)
    assert all(len(p) == 1 for p in parts)
    got = [(i.label, i.text, i.digest) for piece in parts for i in dask_recipe._items(piece)]
    assert got == [(i.label, i.text, i.digest) for i in iter_items([str(path)])]


def test_whole_files_are_grouped(tmp_path):
    for n in range(5):
        (tmp_path / f"{n}.yaml").write_text("case_id: x\n", encoding="utf-8")
    assert [len(p) for p in pieces([str(tmp_path)], files_per_piece=2)] == [2, 2, 1]
    assert pieces([str(tmp_path)], files_per_piece=2)[0][0] == Part(str(tmp_path / "0.yaml"))
    with pytest.raises(ValueError, match="标准输入"):
        pieces(["-"])


def test_a_worker_with_other_rules_stops(tmp_path):
    with pytest.raises(RuntimeError, match="与提交作业时不同"):
        dask_recipe._book(RULES, "0" * 64)


def test_without_dask_the_recipe_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(DaskMissing, match="approval-rules\\[dask\\]"):
        dask_recipe._bag()
