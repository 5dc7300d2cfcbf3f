"""Tokens and roles: every endpoint without a token and with each wrong role; the cookie login."""

from __future__ import annotations

import json

import httpx
import pytest

from approval_rules.service.auth import ROLES, Tokens, hash_token
from approval_rules.service.routes import ENDPOINTS

from .servers import rows_in

GUARDED = [e for e in ENDPOINTS if e.roles]


def _call(c: httpx.Client, e, **kw) -> httpx.Response:
    path = e.path.replace("{decision_id}", "x").replace("{rule_id}", "x").replace("{revision}", "x")
    if e.method == "GET":
        return c.get(path, **kw)
    return c.post(path, content=b"{}", headers={"content-type": "application/json", **kw.pop("headers", {})}, **kw)


@pytest.mark.parametrize("e", GUARDED, ids=[f"{e.method} {e.path}" for e in GUARDED])
def test_without_a_token_and_with_each_wrong_role(server, tokens, svc_dir, e):
    rows = rows_in(svc_dir / "main" / "decisions.sqlite")
    with server.client() as c:
        r = _call(c, e)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated" and r.headers["WWW-Authenticate"] == "Bearer"
        r = _call(c, e, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401
    for role in ROLES:
        with server.client(tokens[role]) as c:
            r = _call(c, e)
        allowed = role == "admin" or role in e.roles
        if allowed:
            assert r.status_code not in (401, 403), (role, r.text)
        else:
            assert r.status_code == 403 and r.json()["code"] == "forbidden" and "无权" in r.json()["message"], role
    assert rows_in(svc_dir / "main" / "decisions.sqlite") == rows  # nothing refused, or bad, was logged


def test_open_endpoints_need_no_token(server):
    with server.client() as c:
        for e in ENDPOINTS:
            if not e.roles:
                assert c.get(e.path).status_code == 200, e.path
        assert c.get("/openapi.json").status_code == 200


def test_cookie_login_is_httponly_samesite_strict(server, tokens):
    with httpx.Client(base_url=server.url, follow_redirects=False) as c:
        bad = c.post("/login", data={"token": "nope"})
        assert bad.status_code == 401 and "令牌无效" in bad.text
        r = c.post("/login?next=/log", data={"token": tokens["review"]})
        assert r.status_code == 303 and r.headers["location"] == "/log"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/v1/decisions").status_code == 200  # the cookie stands for the review token
        assert c.get("/v1/status").status_code == 403
        c.cookies.set("ar_session", c.cookies.get("ar_session")[:-4] + "AAAA")
        assert c.get("/v1/decisions").status_code == 401


def test_tokens_are_stored_as_hashes_only(svc_dir, tokens):
    entries = json.loads((svc_dir / "tokens.json").read_text(encoding="utf-8"))
    assert {e["sha256"] for e in entries} == {hash_token(t) for t in tokens.values()}
    assert not any(t in (svc_dir / "tokens.json").read_text(encoding="utf-8") for t in tokens.values())


def test_expired_cookie_is_refused(tmp_path, tokens, svc_dir, monkeypatch):
    t = Tokens(svc_dir / "tokens.json", tmp_path / "key")
    caller, value = t.login(tokens["author"])
    assert t.cookie(value) == caller
    import time as _time

    monkeypatch.setattr(_time, "time", lambda: 4_000_000_000)
    assert t.cookie(value) is None


def test_serve_refuses_a_public_address_without_tokens(runner, tmp_path):
    from approval_rules.cli import cli

    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "本机地址" in r.output
