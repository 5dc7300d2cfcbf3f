"""The page in a real browser (Playwright driving Debian's chromium) against the real service.

Screenshots of failures go to test-results/ (pytest-playwright's --screenshot only-on-failure,
set in pyproject); ``screens`` also keeps one screenshot per page for the record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from approval_rules.core.bundled import cases_dir

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "pages"
CASE = next(p for p in sorted(cases_dir().rglob("*.yaml")) if "needs" in p.name or "correction" in p.name)


def login(page: Page, server, token: str, target: str = "/") -> None:
    page.goto(f"{server.url}/login?next={target}")
    page.fill("#token", token)
    page.click("#login")
    page.wait_for_url(f"{server.url}{target}")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.fixture()
def external_requests(page: Page, server):
    """Every request the page makes to anywhere but the service itself (there must be none)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if not r.url.startswith(server.url) and not r.url.startswith("data:") else None)
    return seen


def test_login_required_and_refused_role(page: Page, server, tokens):
    page.goto(server.url + "/log")
    expect(page).to_have_url(f"{server.url}/login?next=/log")
    page.fill("#token", "wrong")
    page.click("#login")
    expect(page.locator("#login-error")).to_have_text("令牌无效")
    login(page, server, tokens["decide"], "/")
    page.goto(server.url + "/playground")
    expect(page.locator("#refused")).to_contain_text("无权")
    shot(page, "refused")


def test_upload_a_file_and_read_the_decision(page: Page, server, tokens, external_requests):
    login(page, server, tokens["review"], "/")
    page.set_input_files("#upload", str(CASE))
    expect(page.locator("#text")).not_to_have_value("")
    page.check("input[name=explain]")
    page.click("#submit")
    expect(page.locator("#decision-kind")).to_be_visible()
    kind = page.locator("#decision-kind").inner_text()
    assert kind in ("准予许可", "不予许可", "需补正材料", "转人工审查")
    assert page.locator(".finding").count() > 0
    assert page.locator(".cite").first.inner_text().startswith("依据：《")
    expect(page.locator("#trace")).to_be_attached()
    shot(page, "review-decision")
    page.click("#decision-id")  # the decision's log record
    expect(page.locator("#record-decision")).to_have_text(kind)
    shot(page, "record")
    assert external_requests == []


def test_a_bad_file_shows_its_line(page: Page, server, tokens):
    login(page, server, tokens["review"], "/")
    text = CASE.read_text(encoding="utf-8").replace("application:", "applicaton:", 1)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("applicaton:"))
    page.fill("#text", text)
    page.click("#submit")
    expect(page.locator("#errors")).to_be_visible()
    lines = page.locator("#errors .line").all_inner_texts()
    assert str(line) in lines
    expect(page.locator("#errors pre.context").first).to_be_visible()
    shot(page, "review-error")


def test_catalogue_search(page: Page, server, tokens, external_requests):
    login(page, server, tokens["review"], "/catalogue")
    total = page.locator("article.rule").count()
    assert total > 50
    page.fill("#q", "延期")
    visible = page.locator("article.rule:not([hidden])").count()
    assert 0 < visible < total
    expect(page.locator("#count")).to_have_text(f"共 {visible} 条")
    page.press("#q", "Enter")  # the server filters too
    page.wait_for_url("**/catalogue?q=*")
    assert page.locator("article.rule").count() == visible
    shot(page, "catalogue")
    assert external_requests == []


def test_playground_shows_the_diff(page: Page, server, tokens):
    login(page, server, tokens["author"], "/playground")
    page.select_option("#rule-file", "rules/licence-renewal/10-validity.yaml")
    page.wait_for_url("**/playground?file=*")
    text = page.locator("#rule-text").input_value()
    # A value the language does not know: lint shows it at its line.
    page.fill("#rule-text", text.replace('application.kind == "licence_extension"', 'application.kind == "nothing_at_all"', 1))
    page.click("#run")
    expect(page.locator("#lint")).to_contain_text("10-validity.yaml:8:")
    expect(page.locator("#lint")).to_contain_text("E304")
    # Every licence extension that reached TS-LIC-VAL-002 now meets it as a change application instead: decisions change.
    page.fill("#rule-text", text.replace("effect: info", "effect: reject"))
    page.click("#run")
    expect(page.locator("#diff-summary")).to_be_visible()
    assert page.locator("#rule-changes li").count() >= 1
    assert page.locator("#case-changes tbody tr").count() >= 1
    shot(page, "playground")
    with server.client(tokens["admin"]) as c:
        status = c.get("/v1/status").json()
    assert status["pointer"] == status["active"]["revision"]  # nothing was activated


def test_decision_log_search(page: Page, server, tokens):
    with server.client(tokens["decide"]) as c:
        case_id = c.post("/v1/decisions", content=CASE.read_bytes(), headers={"content-type": "application/yaml"}).json()["result"]["case_id"]
    login(page, server, tokens["review"], "/log")
    page.fill("input[name=case_id]", case_id)
    page.click("#log-search button")
    rows = page.locator("#log-rows tbody tr")
    expect(rows.first).to_contain_text(case_id)
    shot(page, "log")


def test_docs_page_is_self_hosted(page: Page, server, external_requests):
    page.goto(server.url + "/docs")
    expect(page.locator(".api-op").first).to_be_visible()
    assert page.locator(".api-op").count() >= 15
    shot(page, "docs")
    assert external_requests == []
