"""Bearer tokens with roles, from a file of token hashes; the page's login cookie.

The tokens file is JSON: ``[{"name": "…", "sha256": "<hex of the token>", "roles": ["decide", …]}]``.
Only hashes are stored; a presented token is hashed and compared with every entry in constant
time. ``admin`` may do everything. Without a tokens file the service answers on loopback only
and every caller has every role. The cookie carries the token's hash, an expiry and an HMAC
under a per-installation key, HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLES = ("decide", "review", "author", "admin")
ROLE_ZH = {"decide": "审查调用", "review": "审查人员", "author": "规则编写", "admin": "管理员"}
COOKIE = "ar_session"
COOKIE_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Caller:
    name: str
    roles: tuple[str, ...]
    token_sha256: str = ""

    def may(self, allowed: tuple[str, ...]) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in allowed)

    def role_for(self, allowed: tuple[str, ...]) -> str:
        return next((r for r in allowed if r in self.roles), "admin" if "admin" in self.roles else "")


LOCAL = Caller("本机（未配置令牌）", ROLES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def load_tokens(path: str | Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(Path(path).read_text(encoding="utf-8"))
    for e in entries:
        bad = [r for r in e["roles"] if r not in ROLES]
        if bad:
            raise ValueError(f"令牌「{e['name']}」的角色 {bad} 无效，可选：{', '.join(ROLES)}")
    return entries


def add_token(path: str | Path, name: str, roles: list[str]) -> str:
    """Append a new random token to the file (created if absent); return the token, shown once."""
    path = Path(path)
    entries = load_tokens(path) if path.exists() else []
    token = "ar_" + secrets.token_urlsafe(32)
    entries.append({"name": name, "sha256": hash_token(token), "roles": roles})
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return token


class Tokens:
    def __init__(self, path: str | Path | None, key_file: Path):
        self.entries = load_tokens(path) if path else None
        self.key = _session_key(key_file)

    @property
    def open(self) -> bool:
        return self.entries is None

    def _by_hash(self, digest: str) -> Caller | None:
        found = None
        for e in self.entries or []:
            if hmac.compare_digest(e["sha256"], digest):  # every entry is compared: no early exit
                found = Caller(e["name"], tuple(e["roles"]), e["sha256"])
        return found

    def bearer(self, header: str | None) -> Caller | None:
        if self.open:
            return LOCAL
        if not header or not header.startswith("Bearer "):
            return None
        return self._by_hash(hash_token(header[7:].strip()))

    def login(self, token: str) -> tuple[Caller, str] | None:
        """The caller of a token and the cookie value that stands for it."""
        caller = LOCAL if self.open else self._by_hash(hash_token(token.strip()))
        if caller is None:
            return None
        expires = str(int(time.time()) + COOKIE_SECONDS)
        payload = f"{caller.token_sha256}.{expires}"
        mac = hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()
        return caller, base64.urlsafe_b64encode(f"{payload}.{mac}".encode()).decode()

    def cookie(self, value: str | None) -> Caller | None:
        if not value:
            return None
        try:
            digest, expires, mac = base64.urlsafe_b64decode(value.encode()).decode().split(".")
        except (ValueError, UnicodeDecodeError):
            return None
        good = hmac.new(self.key, f"{digest}.{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac) or not expires.isdigit() or int(expires) < time.time():
            return None
        return LOCAL if self.open else self._by_hash(digest)


def _session_key(path: Path) -> bytes:
    """The per-installation cookie key, made once (``serve`` makes it before the workers start)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_bytes(secrets.token_bytes(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # the first process to get here wins; the others read its key
        except FileExistsError:
            pass
        tmp.unlink()
        return path.read_bytes()
