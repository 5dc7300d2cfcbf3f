"""``screen --shard I/N``: a stable, complete, disjoint partition of the inputs by case identity."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approval_rules.batch.inputs import Item
from approval_rules.batch.shard import Shard, parse_shard, shard_of
from approval_rules.cli import cli

from sharddata import RULES, cases_of, generated, runs_of  # noqa: F401 - generated is a fixture


def _item(data: bytes | None, label: str) -> Item:
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""  # None: a file that could not be read
    return Item(label, label, 0, "json", None if data is None else data.decode("latin-1"), digest)


_items = st.lists(st.tuples(st.none() | st.binary(max_size=40), st.text(min_size=1, max_size=12)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(raw=_items, count=st.integers(1, 9), seed=st.integers(0, 2**32))
def test_shards_are_complete_disjoint_and_independent_of_order(raw, count, seed):
    items = [_item(data, label) for data, label in raw]
    shards = [Shard(i, count) for i in range(1, count + 1)]
    owners = [[s for s in shards if s.owns(item)] for item in items]
    assert all(len(o) == 1 for o in owners)  # each input in exactly one shard: the union is all, disjoint
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    for s in shards:
        assert sorted(map(repr, s.select(shuffled))) == sorted(map(repr, s.select(items)))
    # The same bytes are the same shard under any label (an identity holds the input hash).
    for item, owner in zip(items, owners):
        if item.digest:
            assert owner[0].owns(item._replace(label="elsewhere"))


def test_the_partition_does_not_depend_on_the_process():
    # Fixed values: Python's hash() is salted per process, and two machines' shards would overlap.
    assert (shard_of("e3b0c442", 16), shard_of("abc", 3)) == (2, 1)


@pytest.mark.parametrize(("text", "expected"), [("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), (" 3/3 ", Shard(3, 3))])
def test_shard_numbers_count_from_one(text, expected):
    assert parse_shard(text) == expected
    assert str(expected) == text.strip()


@pytest.mark.parametrize(("text", "says"), [("0/3", "从 1 数起"), ("4/3", "1 到 3"), ("1/0", "至少为 1"),
                                           ("3", "例如 2/3"), ("a/b", "例如 2/3"), ("-1/3", "例如 2/3")])
def test_a_bad_shard_is_refused_in_chinese(runner, generated, tmp_path, text, says):
    with pytest.raises(ValueError, match=says):
        parse_shard(text)
    r = runner.invoke(cli, ["screen", "--rules", RULES, str(generated), "--shard", text, "--no-db"])
    assert r.exit_code == 2 and "--shard" in r.output and says in r.output


def test_three_shard_runs_screen_every_case_once(runner, generated, tmp_path):
    whole = tmp_path / "whole.sqlite"
    assert runner.invoke(cli, ["screen", "--rules", RULES, str(generated), "-j", "1", "--db", str(whole),
                               "-o", str(tmp_path / "whole.jsonl")]).exit_code == 0
    seen: dict[str, tuple] = {}
    for i in (1, 2, 3):
        db = tmp_path / f"shard-{i}.sqlite"
        r = runner.invoke(cli, ["screen", "--rules", RULES, str(generated), "-j", "1", "--shard", f"{i}/3",
                                "--db", str(db), "-o", str(tmp_path / f"shard-{i}.jsonl")])
        assert r.exit_code == 0, r.output
        assert f"第 {i} 片（共 3 片）" in r.output
        assert [run["shard"] for run in runs_of(db)] == [f"{i}/3"]
        rows = cases_of(db)
        assert rows and not seen.keys() & rows.keys()
        seen.update(rows)
    assert seen == cases_of(whole)
    assert runs_of(whole)[0]["shard"] is None
