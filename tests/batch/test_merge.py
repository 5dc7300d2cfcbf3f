"""``merge``: shard stores into one, by identity, with provenance; mixed rules refused; conflicts reported."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from approval_rules.batch.merge import MergeError, merge
from approval_rules.cli import cli

from sharddata import RULES, cases_of, generated, runs_of  # noqa: F401 - generated is a fixture


@pytest.fixture(scope="module")
def stores(generated, tmp_path_factory):
    """One run over all the inputs, and three shard runs over the same inputs."""
    from click.testing import CliRunner

    where = tmp_path_factory.mktemp("stores")
    runner = CliRunner()

    def screen(db, *extra):
        r = runner.invoke(cli, ["screen", "--rules", RULES, str(generated), "-j", "1", "--db", str(where / db),
                                "-o", str(where / (db + ".jsonl")), "--as-of", "2024-06-01", *extra])
        assert r.exit_code == 0, r.output
        return where / db

    return screen("whole.sqlite"), [screen(f"s{i}.sqlite", "--shard", f"{i}/3") for i in (1, 2, 3)]


def _copy(src, tmp_path, name):
    return shutil.copyfile(src, tmp_path / name)


def test_three_shard_stores_merge_into_the_single_run_store(runner, stores, tmp_path):
    whole, shards = stores
    out = tmp_path / "merged.sqlite"
    r = runner.invoke(cli, ["merge", str(out), *map(str, shards)])
    assert r.exit_code == 0, r.output
    assert cases_of(out) == cases_of(whole)
    runs = runs_of(out)
    assert [(run["id"], run["shard"], run["source_store"], run["source_run"]) for run in runs] == [
        (i, f"{i}/3", str(shards[i - 1]), 1) for i in (1, 2, 3)]
    assert [run["ruleset_hash"] for run in runs] == [runs_of(whole)[0]["ruleset_hash"]] * 3
    assert [f.name for f in tmp_path.iterdir()] == ["merged.sqlite"]  # no temporary file left behind
    # Every row points at the run of the shard it came from.
    con = sqlite3.connect(out)
    by_run = dict(con.execute("SELECT run_id, count(*) FROM cases GROUP BY run_id").fetchall())
    assert by_run == {i: len(cases_of(shards[i - 1])) for i in (1, 2, 3)}
    con.close()
    report = tmp_path / "merged.html"
    r = runner.invoke(cli, ["report", str(out), "-o", str(report)])
    assert r.exit_code == 0, r.output
    assert "第 2 片（共 3 片）" in report.read_text(encoding="utf-8")


def test_merging_again_is_idempotent_and_the_output_may_be_a_source(stores, tmp_path):
    whole, shards = stores
    out = tmp_path / "merged.sqlite"
    merge(out, shards[:2])
    with pytest.raises(MergeError, match="已存在"):
        merge(out, shards[2:])  # would replace the first two shards' rows
    again = merge(out, [out, *shards])  # the output is merged in, then replaced
    assert again.rows == len(cases_of(whole)) and again.conflict_count == 0
    assert cases_of(out) == cases_of(whole)
    assert [r["source_store"] for r in runs_of(out)] == [str(s) for s in (*shards[:2], *shards)]


def test_stores_under_different_rules_are_refused_unless_asked(runner, stores, tmp_path):
    whole, shards = stores
    other = _copy(shards[1], tmp_path, "other-rules.sqlite")
    con = sqlite3.connect(other)
    con.execute("UPDATE runs SET ruleset_hash='f00d' || ruleset_hash, started_at='2999-01-01T00:00:00+08:00'")
    con.execute("UPDATE cases SET ruleset_hash='f00d' || ruleset_hash, decision='approve'")
    con.commit()
    con.close()
    out = tmp_path / "mixed.sqlite"
    r = runner.invoke(cli, ["merge", str(out), str(shards[0]), str(other)])
    assert r.exit_code == 2 and "规则集不同" in r.output and "--allow-mixed-rules" in r.output
    assert not out.exists()
    r = runner.invoke(cli, ["merge", str(out), str(whole), str(other), "--allow-mixed-rules"])
    assert r.exit_code == 0, r.output  # different rules: not a conflict; the later decision wins
    merged = cases_of(out)
    assert len(merged) == len(cases_of(whole))
    assert all(merged[k][2] == "approve" for k in cases_of(other))


def test_a_conflict_under_the_same_rules_is_reported_and_kept(runner, stores, tmp_path):
    whole, _ = stores
    later = _copy(whole, tmp_path, "later.sqlite")
    con = sqlite3.connect(later)
    identity, decision = con.execute("SELECT identity, decision FROM cases WHERE decision != 'approve' LIMIT 1").fetchone()
    con.execute("UPDATE cases SET decision='approve' WHERE identity=?", (identity,))
    con.execute("UPDATE runs SET started_at='2999-01-01T00:00:00+08:00'")
    con.commit()
    con.close()
    out = tmp_path / "merged.sqlite"
    r = runner.invoke(cli, ["merge", str(out), str(later), str(whole)])  # the later run is named first
    assert r.exit_code == 1
    assert "冲突" in r.output and "共 1 处冲突" in r.output and "merge_conflicts" in r.output
    assert cases_of(out)[identity][2] == "approve"  # the run that started later
    con = sqlite3.connect(out)
    lost = con.execute("SELECT identity, decision, run_id, kept_run FROM merge_conflicts").fetchall()
    con.close()
    assert lost == [(identity, decision, 2, 1)]
    assert len(cases_of(out)) == len(cases_of(whole))


def test_what_is_not_a_store_leaves_the_output_untouched(runner, stores, tmp_path):
    _, shards = stores
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database", encoding="utf-8")
    out = tmp_path / "out.sqlite"
    for sources in ([str(shards[0]), str(bad)], [str(shards[0]), str(tmp_path / "missing.sqlite")]):
        r = runner.invoke(cli, ["merge", str(out), *sources])
        assert r.exit_code == 2 and "结果库" in r.output
    assert sorted(f.name for f in tmp_path.iterdir()) == ["bad.sqlite"]
