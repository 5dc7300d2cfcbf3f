"""``--profile`` and ``--strict`` on check, explain, test and screen; the notices in text output."""

from __future__ import annotations

import json

import yaml

from approval_rules.cli import cli

from conftest import ROOT, bundled_cases

PROFILE = ROOT / "profiles" / "example-provincial-emergency.yaml"


def _sparse(tmp_path):
    """A bundled approve case as a real file holds it: no receiving authority, no false-material finding."""
    data = yaml.safe_load((bundled_cases() / "high-risk-entry" / "approve-hazchem-use-licence.yaml").read_text(encoding="utf-8"))
    data.pop("expect")
    data["application"].pop("authority", None)
    data["application"].pop("false_material_flag", None)
    path = tmp_path / "sparse.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_without_a_profile_context_and_authority_facts_go_to_the_reviewer(runner, tmp_path):
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["decision"] == "refer" and d["corrections"] == []
    assert "application.authority.level" in {v["fact"] for v in d["to_verify"]}
    # the rule files presume no false materials absent a finding; strict mode asks the reviewer instead
    assert "application.false_material_flag" in {v["fact"] for v in d["to_verify"]} | {p["fact"] for p in d["presumed"]}
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--strict", "--format", "json"])
    assert "application.false_material_flag" in {v["fact"] for v in json.loads(r.stdout)["to_verify"]}


def test_the_profile_fills_the_receiving_authority_and_text_shows_it(runner, tmp_path):
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--profile", str(PROFILE)])
    assert r.exit_code == 0, r.output
    assert "【部署配置】申请·受理机关" in r.output
    assert "【推定】申请·是否隐瞒有关情况或者提供虚假材料" in r.output
    assert "请申请人补正" not in r.output
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--profile", str(PROFILE), "--strict"])
    assert "待核查事项（由审查机关核查，不要求申请人补正）" in r.output and "【推定】" not in r.output


def test_a_missing_document_is_one_consolidated_correction_in_text(runner, tmp_path):
    path = _sparse(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["materials"].pop(next(iter(data["materials"])))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = runner.invoke(cli, ["check", str(path), "--profile", str(PROFILE)])
    assert "一次告知" in r.output and "第三十二条" in r.output
    items = [line for line in r.output.splitlines() if line.startswith("  ") and "提交：" in line]
    assert items and len(items) == len(set(items))


def test_strict_and_a_bad_profile(runner, tmp_path):
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--profile", str(PROFILE), "--strict", "--format", "json"])
    assert json.loads(r.stdout)["presumed"] == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("authority: {level: 省级}\n", encoding="utf-8")
    r = runner.invoke(cli, ["check", str(_sparse(tmp_path)), "--profile", str(bad)])
    assert r.exit_code == 2 and "bad.yaml:1" in r.output


def test_explain_and_screen_take_the_profile(runner, tmp_path):
    path = _sparse(tmp_path)
    r = runner.invoke(cli, ["explain", str(path), "--profile", str(PROFILE), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["filled"]["application.authority"]["kind"] == "context"
    r = runner.invoke(cli, ["screen", str(path), "--profile", str(PROFILE), "--format", "jsonl", "--no-db", "--no-progress", "-j", "1"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout.splitlines()[0])
    assert row["context"][0]["fact"] == "application.authority"
