"""Inputs: files, directories (recursively), globs, JSON Lines and standard input, with stable labels and hashes."""

from __future__ import annotations

import hashlib
import io
import json

from approval_rules.batch.inputs import case_id, count, iter_items, missing

from batchdata import project, write_jsonl, yaml_text


def _tree(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.yaml").write_text(yaml_text(project("a")), encoding="utf-8")
    (tmp_path / "d" / "sub" / "b.json").write_text(json.dumps(project("b")), encoding="utf-8")
    (tmp_path / "d" / "sub" / "notes.txt").write_text("not a project file", encoding="utf-8")
    write_jsonl(tmp_path / "d" / "sub" / "c.jsonl", [project("c1"), project("c2")])
    (tmp_path / "g").mkdir()
    for name in ("x1.yaml", "x2.yaml", "y.yaml"):
        (tmp_path / "g" / name).write_text(yaml_text(project(name)), encoding="utf-8")
    (tmp_path / "odd.txt").write_text(yaml_text(project("odd")), encoding="utf-8")
    return tmp_path


def test_files_directories_globs_and_json_lines(tmp_path):
    root = _tree(tmp_path)
    args = [str(root / "d"), str(root / "g" / "x*.yaml"), str(root / "odd.txt")]
    items = list(iter_items(args))
    labels = [i.label for i in items]
    assert labels == [
        str(root / "d" / "a.yaml"),
        str(root / "d" / "sub" / "b.json"),
        f"{root / 'd' / 'sub' / 'c.jsonl'}:1",
        f"{root / 'd' / 'sub' / 'c.jsonl'}:2",
        str(root / "g" / "x1.yaml"),
        str(root / "g" / "x2.yaml"),
        str(root / "odd.txt"),  # named explicitly: read whatever its suffix
    ]
    assert [i.fmt for i in items] == ["yaml", "json", "json", "json", "yaml", "yaml", "yaml"]
    assert [i.line for i in items][:4] == [0, 0, 1, 2]
    assert count(args) == len(items)
    # the hash is of the input's bytes: a whole file, or one line of a JSON Lines file
    assert items[0].digest == hashlib.sha256((root / "d" / "a.yaml").read_bytes()).hexdigest()
    line1 = (root / "d" / "sub" / "c.jsonl").read_bytes().splitlines()[0]
    assert items[2].digest == hashlib.sha256(line1).hexdigest()
    # stable: the same arguments give the same labels and hashes
    assert list(iter_items(args)) == items


def test_missing_inputs_are_named(tmp_path):
    _tree(tmp_path)
    assert missing([str(tmp_path / "d"), str(tmp_path / "nope.yaml"), str(tmp_path / "g" / "z*.yaml"), "-"]) == [
        str(tmp_path / "nope.yaml"), str(tmp_path / "g" / "z*.yaml"),
    ]


def test_stdin_json_lines_and_single_document():
    lines = (json.dumps(project("s1")) + "\n\n" + json.dumps(project("s2")) + "\n").encode()
    items = list(iter_items(["-"], stdin=io.BytesIO(lines)))
    assert [(i.label, i.line, i.fmt) for i in items] == [("-:1", 1, "json"), ("-:3", 3, "json")]
    doc = yaml_text(project("one")).encode()
    items = list(iter_items(["-"], stdin=io.BytesIO(doc)))
    assert [(i.label, i.fmt, i.text) for i in items] == [("-", "yaml", doc.decode())]
    pretty = json.dumps(project("p"), indent=2).encode()
    assert [i.fmt for i in iter_items(["-"], stdin=io.BytesIO(pretty))] == ["json"]
    assert list(iter_items(["-"], stdin=io.BytesIO(b"  \n"))) == []
    assert count(["-"]) is None


def test_unreadable_inputs_become_items_with_a_problem(tmp_path):
    jl = tmp_path / "bad.jsonl"
    jl.write_bytes(json.dumps(project("ok")).encode() + b"\n\xff\xfe broken\n")
    items = list(iter_items([str(jl)]))
    assert items[0].problem is None
    assert items[1].text is None and items[1].problem.code == "E104"
    assert str(items[1].problem.pos) == f"{jl}:2:1"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("case_id: é\n".encode("latin-1"))
    (item,) = iter_items([str(latin)])
    assert item.problem.code == "E104" and "UTF-8" in item.problem.message


def test_case_id_comes_from_the_file_else_the_label():
    from approval_rules.model.project import ProjectFile

    with_id = ProjectFile.model_validate(project("given"))
    with_app_id = ProjectFile.model_validate(project(None, app_id="APP-7"))
    bare = ProjectFile.model_validate(project(None))
    assert case_id(with_id, "f.jsonl:3") == "given"
    assert case_id(with_app_id, "f.jsonl:3") == "APP-7"
    assert case_id(bare, "f.jsonl:3") == "f.jsonl:3"
