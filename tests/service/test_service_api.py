"""The decision endpoints against a real server: decide (JSON, YAML, envelope), batch, validate, explain, the log, the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from approval_rules import evaluate, load_project
from approval_rules.core.bundled import cases_dir

CASES = sorted(cases_dir().rglob("*.yaml"))
CASE = next(p for p in CASES if "renewal" in str(p))
YAML = {"content-type": "application/yaml"}


def project_json(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    return json.loads(json.dumps(data, default=str))


def test_decide_yaml_json_and_envelope_agree_with_the_library(server, tokens, book):
    expected = evaluate(book, load_project(CASE).project).to_dict()
    with server.client(tokens["decide"]) as c:
        a = c.post("/v1/decisions", content=CASE.read_bytes(), headers=YAML)
        b = c.post("/v1/decisions", json=project_json(CASE))
        e = c.post("/v1/decisions", json={"input": project_json(CASE), "as_of": expected["as_of"]})
    for r in (a, b, e):
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["result"] == expected
        assert r.headers["X-Rules-Revision"] == body["revision"] and len(body["revision"]) == 64
        assert "trace" not in body
    assert len({a.json()["decision_id"], b.json()["decision_id"], e.json()["decision_id"]}) == 3


def test_explain_flag_adds_the_trace(server, tokens):
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions?explain=true", content=CASE.read_bytes(), headers=YAML)
    assert r.status_code == 200
    assert r.json()["trace"]["rules"] and "tree" in r.json()["trace"]["rules"][0]["when"]


def test_bad_file_is_422_with_every_diagnostic_at_its_line(server, tokens):
    text = CASE.read_text(encoding="utf-8").replace("application:", "applicaton:", 1)
    with server.client(tokens["decide"]) as c:
        before = c.get("/v1/decisions", headers={"Authorization": f"Bearer {tokens['review']}"}).json()["count"]
        r = c.post("/v1/decisions", content=text.encode(), headers=YAML)
        after = c.get("/v1/decisions", headers={"Authorization": f"Bearer {tokens['review']}"}).json()["count"]
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_project_file" and "错误" in body["message"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("applicaton:"))
    assert any(e["line"] == line and e["file"] == "request.yaml" for e in body["errors"])
    assert before == after


def test_envelope_diagnostics_point_into_the_body(server, tokens):
    body = '{\n  "input": {\n    "application": 3\n  }\n}'
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert any(e["line"] == 3 for e in r.json()["errors"])


def test_batch_gives_one_id_and_one_row_per_item_and_per_item_errors(server, tokens):
    items = [project_json(p) for p in CASES[:5]] + [{"application": 3}]
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions:batch", json={"items": items})
        too_many = c.post("/v1/decisions:batch", json={"items": [items[0]] * 101})
    assert r.status_code == 200, r.text
    out = r.json()["items"]
    assert [i["index"] for i in out] == list(range(6))
    assert all("decision_id" in i for i in out[:5]) and out[5]["error"]["code"] == "invalid_project_file"
    with server.client(tokens["review"]) as c:
        for i in out[:5]:
            assert c.get(f"/v1/decisions/{i['decision_id']}").status_code == 200
    assert too_many.status_code == 413 and too_many.json()["code"] == "batch_too_large"


def test_validate_logs_nothing(server, tokens):
    with server.client(tokens["decide"]) as c:
        good = c.post("/v1/validate", content=CASE.read_bytes(), headers=YAML)
        bad = c.post("/v1/validate", json={"application": 3})
    assert good.json() == {"valid": True, "message": "项目文件有效", "errors": []}
    assert bad.status_code == 200 and bad.json()["valid"] is False and bad.json()["errors"]


def test_explain_endpoint(server, tokens):
    with server.client(tokens["review"]) as c:
        r = c.post("/v1/explain", content=CASE.read_bytes(), headers=YAML)
        missing = c.post("/v1/explain?rule=NO-SUCH-RULE", content=CASE.read_bytes(), headers=YAML)
    assert r.status_code == 200 and r.json()["rules"]
    assert missing.status_code == 404 and missing.json()["message"].startswith("没有规则")


def test_log_row_is_complete_and_masked_and_searchable(server, tokens):
    data = project_json(CASE)
    data.setdefault("enterprise", {})["legal_rep"] = "张三"
    with server.client(tokens["decide"]) as c:
        answer = c.post("/v1/decisions", json=data, headers={"X-Request-Id": "req-123"}).json()
    with server.client(tokens["review"]) as c:
        row = c.get(f"/v1/decisions/{answer['decision_id']}").json()
        found = c.get("/v1/decisions", params={"case_id": answer["result"]["case_id"]}).json()
        by_decision = c.get("/v1/decisions", params={"decision": answer["result"]["decision"]}).json()
        bad = c.get("/v1/decisions", params={"decision": "maybe"})
        missing = c.get("/v1/decisions/nope")
    assert row["result"] == answer["result"] and row["revision"] == answer["revision"]
    assert row["caller"] == "测试-decide" and row["role"] == "decide" and row["request_id"] == "req-123"
    assert row["input_masked"]["enterprise"]["legal_rep"] == "***" and "/enterprise/legal_rep" in row["masked"]
    assert len(row["input_sha256"]) == 64 and row["engine_version"] and row["rulesets"]
    assert answer["decision_id"] in [d["decision_id"] for d in found["decisions"]]
    assert answer["decision_id"] in [d["decision_id"] for d in by_decision["decisions"]]
    assert bad.status_code == 400 and missing.status_code == 404


def test_search_by_rule_and_date(server, tokens):
    with server.client(tokens["decide"]) as c:
        answers = [c.post("/v1/decisions", content=p.read_bytes(), headers=YAML).json() for p in CASES[:20]]
    rule = next(a["result"]["findings"][0]["rule_id"] for a in answers if a["result"]["findings"])
    with server.client(tokens["review"]) as c:
        found = c.get("/v1/decisions", params={"rule": rule, "limit": 500}).json()["decisions"]
        today = answers[0]["decision_id"] and c.get("/v1/decisions", params={"from": "2000-01-01", "to": "2999-12-31"}).json()
        none = c.get("/v1/decisions", params={"to": "2000-01-01"}).json()
    assert found and all(rule in d["rules"] for d in found)
    assert today["count"] > 0 and none["count"] == 0


def test_override_is_a_new_row_referring_to_the_decision(server, tokens):
    with server.client(tokens["decide"]) as c:
        answer = c.post("/v1/decisions", content=CASE.read_bytes(), headers=YAML).json()
    with server.client(tokens["review"]) as c:
        r = c.post(f"/v1/decisions/{answer['decision_id']}/overrides", json={"decision": "refer", "reason": "现场核查后转人工"})
        bad = c.post(f"/v1/decisions/{answer['decision_id']}/overrides", json={"decision": "refer"})
        row = c.get(f"/v1/decisions/{answer['decision_id']}").json()
    assert r.status_code == 201 and r.json()["refers_to"] == answer["decision_id"]
    assert bad.status_code == 422
    assert row["result"] == answer["result"]  # the original is unchanged
    assert [o["decision"] for o in row["overrides"]] == ["refer"]


def test_catalogue_endpoints(server, tokens, book):
    with server.client(tokens["review"]) as c:
        sets = c.get("/v1/rulesets").json()
        rules = c.get("/v1/rules").json()
        found = c.get("/v1/rules", params={"q": "延期"}).json()
        one = c.get(f"/v1/rules/{book.rules[0].id}").json()
        missing = c.get("/v1/rules/NO-SUCH")
    assert {s["id"] for s in sets["rulesets"]} == {s.id for s in book.rulesets}
    assert rules["count"] == len(book.rules)
    r = rules["rules"][0]
    assert r["source"].startswith("rules/") and ":" in r["source"] and r["citations"][0]["law_version"]
    assert 0 < found["count"] < rules["count"]
    assert one["versions"][0]["id"] == book.rules[0].id and "cases" in one["versions"][0]
    assert missing.status_code == 404


def test_health_status_metrics(server, tokens):
    with server.client() as c:
        assert c.get("/health/live").json() == {"status": "live"}
        ready = c.get("/health/ready").json()
        metrics = c.get("/metrics").text
    assert ready["status"] == "ready" and ready["warmed_plans"] > 0
    assert "approval_rules_decisions_total" in metrics and "approval_rules_log_write_seconds" in metrics
    with server.client(tokens["admin"]) as c:
        status = c.get("/v1/status").json()
    assert status["active"]["revision"] == ready["revision"] and status["log"] == {"backend": "sqlite", "writable": True, "error": None}


def test_openapi_states_every_role_and_the_docs_page_is_self_hosted(server):
    from approval_rules.service.routes import ENDPOINTS

    with server.client() as c:
        spec = c.get("/openapi.json").json()
        docs = c.get("/docs").text
    for e in ENDPOINTS:
        op = spec["paths"][e.path][e.method.lower()]
        assert op["x-roles"] == list(e.roles)
    assert "ProjectFile" in spec["components"]["schemas"] and "DecisionAnswer" in spec["components"]["schemas"]
    assert "http://" not in docs.replace("http://www.w3.org", "") and "https://" not in docs and "cdn" not in docs.lower()


def test_answer_matches_its_openapi_model(server, tokens):
    from approval_rules.service.schemas import DecisionAnswer

    with server.client(tokens["decide"]) as c:
        for path in CASES[:10]:
            DecisionAnswer.model_validate(c.post("/v1/decisions?explain=true", content=path.read_bytes(), headers=YAML).json())


def test_unknown_paths_and_methods_are_json_in_chinese(server):
    with server.client() as c:
        r404 = c.get("/v1/nothing")
        r405 = c.delete("/v1/decisions")
    assert r404.status_code == 404 and r404.json()["message"] == "没有这个地址"
    assert r405.status_code == 405 and r405.json()["code"] == "method_not_allowed"


def test_profile_is_passed_to_the_engine(server, tokens, book):
    from approval_rules.ruleset.profile import Profile

    data = project_json(CASE)
    profile = {"name": "测试部署", "strict": True}
    expected = evaluate(book, load_project(CASE).project, profile=Profile.model_validate(profile)).to_dict()
    with server.client(tokens["decide"]) as c:
        r = c.post("/v1/decisions", json={"input": data, "profile": profile})
        bad = c.post("/v1/decisions", json={"input": data, "profile": {"strict": "maybe"}})
    assert r.status_code == 200 and r.json()["result"] == expected
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_profile"
