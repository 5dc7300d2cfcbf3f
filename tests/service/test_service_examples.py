"""The README's curl examples, run against a real service started as the README starts it (no tokens)."""

from __future__ import annotations

import json
import subprocess

from examples import ROOT, commands

from .servers import Service

CURL = commands("curl ")


def test_readme_curl_examples_answer(tmp_path):
    assert len(CURL) >= 4
    service = Service(tmp_path / "svc")
    try:
        for where, line in CURL:
            for part in line.split(" ; "):
                cmd = part.split("  #")[0].replace("http://127.0.0.1:8080", service.url)
                r = subprocess.run(["bash", "-c", cmd + " -w '\\n%{http_code}'"], cwd=ROOT, capture_output=True,
                                   text=True, timeout=120)
                body, _, status = r.stdout.rpartition("\n")
                assert r.returncode == 0 and status == "200", f"{where}: {cmd}\n{status} {body[:500]}"
                json.loads(body)
    finally:
        service.stop()
