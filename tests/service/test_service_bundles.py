"""Rule bundles: build, sign, verify; upload = validate then swap; refusals leave the active bundle; roll back."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from approval_rules.cli import cli
from approval_rules.core.bundled import cases_dir, rules_dir
from approval_rules.service import bundles

from .servers import Service, rows_in

GZ = {"content-type": "application/gzip"}


def make_bundle(tmp: Path, name: str, edit=None, signature_key: bytes | None = None) -> bytes:
    """A bundle of the bundled rules and cases, after ``edit(root)``; built without validation (so it can be bad)."""
    root = tmp / name
    shutil.copytree(rules_dir(), root / "rules")
    shutil.copytree(cases_dir(), root / "cases")
    if edit:
        edit(root)
    manifest = bundles.manifest_for(root, [], "test")
    sig = bundles.sign(manifest, signature_key, "测试签署人") if signature_key else None
    out = tmp / f"{name}.tar.gz"
    bundles.write_archive(out, root, manifest, sig)
    return out.read_bytes()


def comment(root: Path) -> None:
    p = root / "rules" / "licence-renewal" / "10-validity.yaml"
    p.write_text(p.read_text(encoding="utf-8") + "\n# 仅为改变版本的注释\n", encoding="utf-8")


def break_rule(root: Path) -> None:
    p = root / "rules" / "licence-renewal" / "10-validity.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("when:", "when: 未知函数(1) and", 1), encoding="utf-8")


def break_case(root: Path) -> None:
    p = next((root / "cases").rglob("approve-*.yaml"))
    text = p.read_text(encoding="utf-8")
    assert "\n  decision: approve\n" in text
    p.write_text(text.replace("\n  decision: approve\n", "\n  decision: reject\n"), encoding="utf-8")


def evil_tar(members: list[tuple[str, bytes | None, str | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            else:
                info.size = len(data or b"")
                tar.addfile(info, io.BytesIO(data or b""))
    return buf.getvalue()


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory, tokens, svc_dir):
    s = Service(tmp_path_factory.mktemp("bundles") / "data", "--tokens", str(svc_dir / "tokens.json"))
    yield s
    s.stop()


def _status(server, tokens):
    with server.client(tokens["admin"]) as c:
        return c.get("/v1/status").json()


def test_upload_validates_then_swaps_and_rolls_back(admin_server, tokens, tmp_path):
    before = _status(admin_server, tokens)["active"]["revision"]
    data = make_bundle(tmp_path, "comment", comment)
    with admin_server.client(tokens["admin"]) as c:
        r = c.post("/v1/bundles", content=data, headers=GZ)
        assert r.status_code == 200, r.text
        new = r.json()["revision"]
        assert new != before and r.headers["X-Rules-Revision"] == new
    with admin_server.client(tokens["decide"]) as c:
        answer = c.post("/v1/decisions", content=next(cases_dir().rglob("*.yaml")).read_bytes(),
                        headers={"content-type": "application/yaml"})
    assert answer.json()["revision"] == new
    with admin_server.client(tokens["review"]) as c:
        assert c.get(f"/v1/decisions/{answer.json()['decision_id']}").json()["revision"] == new
    with admin_server.client(tokens["admin"]) as c:
        listed = c.get("/v1/bundles").json()
        assert {b["revision"] for b in listed["bundles"]} >= {before, new} and listed["active"] == new
        back = c.post(f"/v1/bundles/{before}/activate")
        assert back.status_code == 200
        assert c.post("/v1/bundles/deadbeef/activate").status_code == 404
    assert _status(admin_server, tokens)["active"]["revision"] == before


@pytest.mark.parametrize("case", ["traversal", "absolute", "symlink", "extra", "not-a-tar", "lint", "failing-case", "tampered"])
def test_bad_bundles_are_refused_and_nothing_changes(admin_server, tokens, tmp_path, case):
    status = _status(admin_server, tokens)
    log = admin_server.data_dir / "decisions.sqlite"
    rows = rows_in(log)
    manifest = bundles.manifest_bytes({"format": 1, "revision": "x", "files": {}})
    data = {
        "traversal": lambda: evil_tar([("manifest.json", manifest, None), ("rules/../../escape.yaml", b"x: 1", None)]),
        "absolute": lambda: evil_tar([("manifest.json", manifest, None), ("/tmp/escape.yaml", b"x: 1", None)]),
        "symlink": lambda: evil_tar([("manifest.json", manifest, None), ("rules/link.yaml", None, "/etc/passwd")]),
        "extra": lambda: evil_tar([("manifest.json", manifest, None), ("setup.py", b"print(1)", None)]),
        "not-a-tar": lambda: b"\x1f\x8b this is not an archive",
        "lint": lambda: make_bundle(tmp_path, "lint", break_rule),
        "failing-case": lambda: make_bundle(tmp_path, "case", break_case),
        "tampered": lambda: _tampered(tmp_path),
    }[case]()
    with admin_server.client(tokens["admin"]) as c:
        r = c.post("/v1/bundles", content=data, headers=GZ)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "bundle_refused" and "原规则包继续有效" in body["message"]
    assert body["errors"] or body["failing_cases"]
    if case == "failing-case":
        assert body["failing_cases"][0]["problems"]
    if case == "lint":
        assert any(e["file"] and e["line"] for e in body["errors"])
    after = _status(admin_server, tokens)
    assert after["active"]["revision"] == status["active"]["revision"] and after["pointer"] == status["pointer"]
    assert after["last_failure"]["message"] and after["last_failure"]["time"]
    assert rows_in(log) == rows
    assert not (admin_server.data_dir.parent / "escape.yaml").exists() and not Path("/tmp/escape.yaml").exists()


def _tampered(tmp: Path) -> bytes:
    data = make_bundle(tmp, "tamper", comment)
    root = tmp / "unpacked"
    bundles.unpack(data, root)
    p = root / "rules" / "licence-renewal" / "10-validity.yaml"
    p.write_text(p.read_text(encoding="utf-8") + "# 改动\n", encoding="utf-8")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    out = tmp / "tampered.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(root / "manifest.json", "manifest.json")
        for path in manifest["files"]:
            tar.add(root / path, path)
    out.write_bytes(buf.getvalue())
    return out.read_bytes()


def test_with_a_verification_key_only_signed_bundles_are_accepted(tmp_path_factory, tokens, svc_dir, tmp_path):
    private, public = bundles.new_key_pair()
    other, _ = bundles.new_key_pair()
    key = tmp_path / "pub.pem"
    key.write_bytes(public)
    s = Service(tmp_path_factory.mktemp("signed") / "data", "--tokens", str(svc_dir / "tokens.json"), "--verify-key", str(key))
    try:
        with s.client(tokens["admin"]) as c:
            unsigned = c.post("/v1/bundles", content=make_bundle(tmp_path, "u", comment), headers=GZ)
            wrong = c.post("/v1/bundles", content=make_bundle(tmp_path, "w", comment, other), headers=GZ)
            signed = c.post("/v1/bundles", content=make_bundle(tmp_path, "s", comment, private), headers=GZ)
            first = next(b["revision"] for b in c.get("/v1/bundles").json()["bundles"] if b["signer"] is None)
            rollback_to_unsigned = c.post(f"/v1/bundles/{first}/activate")
            active = c.get("/v1/status").json()["active"]["revision"]
        assert unsigned.status_code == 422 and "签名" in unsigned.json()["message"]
        assert wrong.status_code == 422 and "签名" in wrong.json()["message"]
        assert signed.status_code == 200 and signed.json()["signer"] == "测试签署人"
        # The bundle made from plain rules at start is unsigned: with a key configured it cannot come back.
        assert rollback_to_unsigned.status_code == 422 and "签名" in rollback_to_unsigned.json()["message"]
        assert active == signed.json()["revision"]
    finally:
        s.stop()


def test_bundle_commands_build_sign_verify(runner, tmp_path):
    out = tmp_path / "b.tar.gz"
    r = runner.invoke(cli, ["bundle", "build", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "已生成规则包" in r.output
    r = runner.invoke(cli, ["bundle", "keygen", "--private", str(tmp_path / "k"), "--public", str(tmp_path / "k.pub")])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["bundle", "verify", str(out), "--key", str(tmp_path / "k.pub")])
    assert r.exit_code == 1 and "签名" in r.output
    r = runner.invoke(cli, ["bundle", "sign", str(out), "--key", str(tmp_path / "k"), "--signer", "法规处"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["bundle", "verify", str(out), "--key", str(tmp_path / "k.pub")])
    assert r.exit_code == 0 and "签署人 法规处" in r.output
    with tarfile.open(out) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["signer"] == "法规处" and manifest["rulesets"] and manifest["revision"] == bundles.revision_of(manifest["files"])
