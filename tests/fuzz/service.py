"""The service's request bodies: the project-file mutations sent to a real server on loopback.

A body the library refuses must be a 4xx with a Chinese message; one it accepts must be decided
(200) with its decision record readable back; never a 5xx, never a decision without its record."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path

from approval_rules import parse_project
from approval_rules.core.diagnostics import ProjectFileError

from ..service.servers import Service, make_tokens
from .hostile import CJK
from .project import load_bases, mutated

TYPES = {"json": "application/json", "yaml": "application/yaml"}


class ServiceTarget:
    name = "service"

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="fuzz-service-"))
        self.tokens = make_tokens(self.tmp / "tokens.json")
        self.service = Service(self.tmp / "data", "--tokens", str(self.tmp / "tokens.json"))
        self.bases = load_bases(None)
        self.last = ""

    def one(self, rng: random.Random) -> tuple[str, list[str]]:
        m = mutated(rng, rng.choice(self.bases))
        self.last = m.what
        problems: list[str] = []
        with self.service.client(self.tokens["admin"]) as c:
            for fmt, text in m.texts:
                accepted = _accepted(text, fmt)
                endpoint = rng.choice(["/v1/decisions", "/v1/validate"])
                r = c.post(endpoint, content=text.encode("utf-8", "surrogatepass"), headers={"content-type": TYPES[fmt]})
                problems += _answer_problems(r, accepted, endpoint, c)
        return m.what, problems

    def close(self) -> None:
        self.service.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _accepted(text: str, fmt: str) -> bool:
    try:
        parse_project(text, f"request.{fmt}")
    except ProjectFileError:
        return False
    return True


def _answer_problems(r, accepted: bool, endpoint: str, client) -> list[str]:
    if r.status_code >= 500:
        return [f"{endpoint} 答复 {r.status_code}：{r.text[:200]}"]
    try:
        body = r.json()
    except json.JSONDecodeError:
        return [f"{endpoint} 答复不是 JSON：{r.text[:200]}"]
    if r.status_code != 200:
        problems = [] if CJK.search(str(body.get("message", ""))) else [f"错误答复没有中文说明：{body}"[:300]]
        if accepted and r.status_code not in (413,):
            problems.append(f"库接受的文件被服务拒绝（{r.status_code} {body.get('code')}）")
        return problems
    if endpoint == "/v1/validate":
        return [] if body.get("valid") == accepted else [f"/v1/validate 说 valid={body.get('valid')}，库的结论相反"]
    if not accepted:
        return [f"库拒绝的文件被服务接受（{endpoint}）"]
    if endpoint == "/v1/decisions":
        got = client.get(f"/v1/decisions/{body['decision_id']}")
        if got.status_code != 200 or got.json().get("decision") != body["result"]["decision"]:
            return [f"决定 {body['decision_id']} 没有可读回的记录"]
    return []
