"""Bad input on every endpoint that takes a body: a clear 4xx in Chinese, nothing logged, nothing activated."""

from __future__ import annotations

import pytest

from approval_rules.service.routes import ENDPOINTS

from .servers import rows_in

BODIES = [e for e in ENDPOINTS if e.method == "POST" and not e.path.endswith("/activate")]  # activate takes no body


def _path(e) -> str:
    return e.path.replace("{decision_id}", "x").replace("{revision}", "x")


@pytest.fixture()
def unchanged(server, svc_dir, tokens):
    log = svc_dir / "main" / "decisions.sqlite"
    rows = rows_in(log)
    with server.client(tokens["admin"]) as c:
        active = c.get("/v1/status").json()["pointer"]
    yield
    assert rows_in(log) == rows
    with server.client(tokens["admin"]) as c:
        assert c.get("/v1/status").json()["pointer"] == active


@pytest.mark.parametrize("e", BODIES, ids=[e.path for e in BODIES])
def test_oversized_body(server, tokens, unchanged, e):
    with server.client(tokens["admin"]) as c:
        big = b"{" + b" " * (17 << 20) + b"}"
        ctype = "application/gzip" if e.body == "archive" else "application/json"
        r = c.post(_path(e), content=big, headers={"content-type": ctype})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large" and "过大" in r.json()["message"]


@pytest.mark.parametrize("e", BODIES, ids=[e.path for e in BODIES])
def test_wrong_content_type(server, tokens, unchanged, e):
    with server.client(tokens["admin"]) as c:
        r = c.post(_path(e), content=b"hello", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type" and "内容类型" in r.json()["message"]


JSON_BODIES = [e for e in BODIES if e.body != "archive"]


@pytest.mark.parametrize("e", JSON_BODIES, ids=[e.path for e in JSON_BODIES])
def test_invalid_utf8(server, tokens, unchanged, e):
    with server.client(tokens["admin"]) as c:
        r = c.post(_path(e), content=b'{"a": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_encoding" and "UTF-8" in r.json()["message"]


@pytest.mark.parametrize("e", JSON_BODIES, ids=[e.path for e in JSON_BODIES])
@pytest.mark.parametrize("levels", [100, 100_000])
def test_deep_nesting(server, tokens, unchanged, e, levels):
    with server.client(tokens["admin"]) as c:
        r = c.post(_path(e), content=b"[" * levels + b"]" * levels, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "too_deep" and "嵌套过深" in r.json()["message"]


def test_deep_yaml(server, tokens, unchanged):
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions", content=b"a: " + b"[" * 5000 + b"]" * 5000, headers={"content-type": "application/yaml"})
    assert 400 <= r.status_code < 500 and r.json()["message"]


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'{"input": 3}', b'{"input": {}, "extra": 1}', b'{"input": {}, "as_of": "soon"}', b'{"input": {}, "profile": {"strict": "maybe"}}'])
def test_malformed_json(server, tokens, unchanged, body):
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert set(r.json()) >= {"code", "message", "errors"} and "Traceback" not in r.text


def test_bad_query_parameters(server, tokens, unchanged):
    with server.client(tokens["review"]) as c:
        assert c.get("/v1/decisions", params={"limit": "x"}).status_code == 400
        assert c.get("/v1/decisions", params={"from": "yesterday"}).status_code == 400
    with server.client(tokens["decide"]) as c:
        assert c.post("/v1/decisions?as_of=2024-13-01", content=b"{}", headers={"content-type": "application/json"}).status_code == 400
