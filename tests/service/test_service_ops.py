"""``serve --ops-port``: health and metrics on their own port, and no longer on the public one."""

from __future__ import annotations

import httpx

from .servers import Service


def test_health_and_metrics_move_to_the_ops_port(tmp_path, tokens, svc_dir):
    s = Service(tmp_path / "ops", "--tokens", str(svc_dir / "tokens.json"), ops=True)
    try:
        assert s.ops_port != s.port
        ready = httpx.get(s.ops_url + "/health/ready", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert httpx.get(s.ops_url + "/health/live", timeout=10).json() == {"status": "live"}
        with s.client(tokens["decide"]) as c:
            assert c.post("/v1/decisions", json={"application": {"kind": "licence_extension", "submitted_date": "2024-03-01"},
                                                 "enterprise": {"industry": "hazchem_production"}}).status_code == 200
            for path in ("/health/live", "/health/ready", "/metrics"):
                assert c.get(path).status_code == 404, path
        metrics = httpx.get(s.ops_url + "/metrics", timeout=10)
        assert metrics.status_code == 200 and "approval_rules_decisions_total{decision=" in metrics.text  # workers' counts
        # the ops port serves nothing else
        assert httpx.get(s.ops_url + "/v1/rulesets", timeout=10).status_code == 404
    finally:
        s.stop()
