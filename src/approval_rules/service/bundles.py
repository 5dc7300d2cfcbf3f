"""Rule bundles: ``manifest.json`` + ``rules/`` + ``cases/`` in a tar.gz; build, sign (Ed25519), verify, unpack safely.

The revision is the SHA-256 of the manifest's file list (each path with its own SHA-256), so
it names the content. A signature (``signature.json``) covers the manifest's exact bytes; the
manifest in turn covers every file. Unpacking refuses anything but plain files and folders
under the expected names: no ``..``, no absolute paths, no links or devices, bounded sizes.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..core.diagnostics import Diagnostic, SourcePos
from ..engine.contract import RuleSetRefDict

MANIFEST, SIGNATURE = "manifest.json", "signature.json"
TOP = ("rules", "cases")
MAX_FILES, MAX_FILE_BYTES, MAX_TOTAL_BYTES = 2000, 4 << 20, 64 << 20
_SUFFIXES = (".yaml", ".yml", ".json")


class BundleError(Exception):
    """A bundle that cannot be used; ``diagnostics`` say why, in Chinese."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None, failing: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or []
        self.failing = failing or []


def _problem(code: str, message: str, where: str = "bundle") -> Diagnostic:
    return Diagnostic(code, message, SourcePos(where, 1, 1))


def file_hashes(root: Path) -> dict[str, str]:
    """``rules/…`` and ``cases/…`` files under ``root`` with their SHA-256, sorted."""
    out = {}
    for top in TOP:
        base = root / top
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and p.suffix in _SUFFIXES:
                    out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def revision_of(files: dict[str, str]) -> str:
    text = "".join(f"{path}\0{digest}\n" for path, digest in sorted(files.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_for(root: Path, rulesets: list[RuleSetRefDict], engine_version: str) -> dict[str, Any]:
    files = file_hashes(root)
    return {
        "format": 1,
        "revision": revision_of(files),
        "rulesets": rulesets,
        "engine_version": engine_version,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "files": files,
    }


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def write_archive(out: Path, root: Path, manifest: dict[str, Any], signature: dict[str, Any] | None = None) -> None:
    """A tar.gz with the manifest, the signature if any, and every file the manifest lists."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        _add(tar, MANIFEST, manifest_bytes(manifest))
        if signature:
            _add(tar, SIGNATURE, json.dumps(signature, indent=2).encode())
        for path in manifest["files"]:
            _add(tar, path, (root / path).read_bytes())
    out.write_bytes(buf.getvalue())


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def unpack(data: bytes, target: Path) -> None:
    """Unpack an uploaded archive into the empty folder ``target``, refusing anything unsafe."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BundleError("规则包不是有效的 tar.gz 归档", [_problem("E101", f"无法读取归档：{exc}")]) from None
    problems: list[Diagnostic] = []
    total = 0
    if len(members) > MAX_FILES:
        problems.append(_problem("E203", f"归档中的文件过多（{len(members)} 个，上限 {MAX_FILES}）"))
    for m in members:
        name = m.name
        parts = Path(name).parts
        if name.startswith("/") or ".." in parts or "\\" in name or not parts:
            problems.append(_problem("E203", f"归档中的路径「{name}」不安全（绝对路径或含 ..）", name))
        elif m.issym() or m.islnk():
            problems.append(_problem("E203", f"归档中的「{name}」是链接，规则包只能含普通文件", name))
        elif not (m.isfile() or m.isdir()):
            problems.append(_problem("E203", f"归档中的「{name}」不是普通文件或目录", name))
        elif parts[0] not in TOP and name not in (MANIFEST, SIGNATURE):
            problems.append(_problem("E203", f"归档中有多余的「{name}」（只能有 manifest.json、signature.json、rules/、cases/）", name))
        elif m.isfile():
            total += m.size
            if m.size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                problems.append(_problem("E203", f"归档中的「{name}」过大", name))
    if problems:
        raise BundleError("规则包含有不安全或多余的内容，已拒绝", problems)
    for m in members:
        dest = target.joinpath(*Path(m.name).parts)
        if m.isdir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = tar.extractfile(m)
        assert src is not None
        dest.write_bytes(src.read())


def verify(root: Path, public_key_pem: bytes | None = None) -> dict[str, Any]:
    """The manifest of the unpacked bundle at ``root`` once every file, the revision and (if a key is given) the signature check out."""
    try:
        raw = (root / MANIFEST).read_bytes()
        manifest = json.loads(raw)
        assert isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)
    except (OSError, ValueError, AssertionError):
        raise BundleError("规则包缺少有效的 manifest.json", [_problem("E203", "manifest.json 缺失或不是有效的清单", MANIFEST)]) from None
    problems = []
    actual = file_hashes(root)
    for path in sorted(set(actual) | set(manifest["files"])):
        if path not in manifest["files"]:
            problems.append(_problem("E203", f"文件「{path}」不在清单中", path))
        elif path not in actual:
            problems.append(_problem("E203", f"清单中的文件「{path}」缺失", path))
        elif actual[path] != manifest["files"][path]:
            problems.append(_problem("E203", f"文件「{path}」与清单中的摘要不符（被改动过）", path))
    if manifest.get("revision") != revision_of(manifest["files"]):
        problems.append(_problem("E203", "清单中的 revision 与文件摘要不符", MANIFEST))
    if problems:
        raise BundleError("规则包内容与清单不符", problems)
    if public_key_pem is not None:
        check_signature(root, raw, public_key_pem)
    return manifest


def check_signature(root: Path, manifest_raw: bytes, public_key_pem: bytes) -> None:
    try:
        sig = json.loads((root / SIGNATURE).read_bytes())
        signature = base64.b64decode(sig["signature"])
    except (OSError, ValueError, KeyError, TypeError):
        raise BundleError("规则包没有签名，而本服务要求签名", [_problem("E203", "缺少有效的 signature.json", SIGNATURE)]) from None
    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError("配置的验证密钥不是 Ed25519 公钥")
    try:
        key.verify(signature, manifest_raw)
    except InvalidSignature:
        raise BundleError("规则包的签名无效", [_problem("E203", "签名与清单不符，或不是由配置的密钥签署", SIGNATURE)]) from None


def sign(manifest: dict[str, Any], private_key_pem: bytes, signer: str) -> dict[str, Any]:
    """Name the signer in the manifest and sign its bytes; the archive must then be rewritten with both."""
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError("签名密钥不是 Ed25519 私钥")
    manifest["signer"] = signer
    return {"algorithm": "ed25519", "signer": signer,
            "signature": base64.b64encode(key.sign(manifest_bytes(manifest))).decode()}


def new_key_pair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public
