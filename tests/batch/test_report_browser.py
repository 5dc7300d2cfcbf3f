"""The report of 5,000 cases in a real browser: tabs with counts, paging, search over enterprise
name, 统一社会信用代码, application id, rule id and message text, findings built when a case is
opened, and the correction lists leading into the case table.

The store is made by real ``approval-rules screen -j 2`` and ``report`` subprocesses; the page is
opened by Playwright driving Debian's chromium through executable_path (as in
tests/authoring/test_catalogue_browser.py), never a downloaded browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from batchdata import RULES, mixed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
N = 5000  # cycling approve, reject, needs_correction, refer: 1,250 each; and one broken line


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        raise RuntimeError("没有找到 chromium：请先运行 scripts/install-test-deps")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}


def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("approval-rules")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "approval_rules.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    rules = tmp / "rules"
    shutil.copytree(Path(__file__).parents[1] / "data" / "ruleset_header", rules)
    (rules / "10-rules.yaml").write_text(RULES, encoding="utf-8")
    lines = []
    for i, record in enumerate(mixed(N)):
        record["enterprise"].update(name=f"测试{i:04d}化工有限公司", uscc=f"91320000MA{i:08d}")
        record["application"]["id"] = f"SQ-2024-{i:05d}"
        lines.append(json.dumps(record, ensure_ascii=False))
    src = tmp / "cases.jsonl"
    src.write_text("\n".join(lines[:10] + ["{not json"] + lines[10:]) + "\n", encoding="utf-8")
    db, page = tmp / "r.sqlite", tmp / "report.html"
    r = _cli("screen", "--rules", str(rules), str(src), "-j", "2", "--db", str(db), "--format", "csv",
             "-o", str(tmp / "out.csv"), "--no-progress")
    assert r.returncode == 2, r.stderr  # the broken line
    r = _cli("report", str(db), "-o", str(page))
    assert r.returncode == 0, r.stderr
    return page


def _tab(page: Page, label: str):
    return page.locator(".tabs button", has_text=label)


def _rows(page: Page):
    return page.locator("#case-table tbody tr:not(.detail)")


def test_the_page_is_bounded_and_self_contained(report):
    size = report.stat().st_size
    assert size < 200 * N  # a couple of hundred bytes a case, whatever it holds
    text = report.read_text(encoding="utf-8")
    assert "<link" not in text and "src=" not in text


def test_tabs_count_and_page_the_cases(page: Page, report):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    expect(_tab(page, "全部").locator("b")).to_have_text(str(N + 1))
    for label in ("不予许可", "需补正材料", "转人工审查", "准予许可"):
        expect(_tab(page, label).locator("b")).to_have_text("1250")
    expect(_tab(page, "输入有误").locator("b")).to_have_text("1")
    expect(_rows(page)).to_have_count(50)
    expect(page.locator("#pages")).to_have_text("101")
    expect(_rows(page).first).to_have_attribute("data-decision", "error")  # the most serious first

    first = _rows(page).nth(1).locator("td").first.inner_text()
    page.click("[data-go=next]")
    expect(page.locator("#page")).to_have_value("2")
    assert _rows(page).first.locator("td").first.inner_text() != first
    page.click("[data-go=last]")
    expect(_rows(page)).to_have_count(1)  # 5,001 cases: 100 full pages and one
    page.fill("#page", "7")
    page.locator("#page").dispatch_event("change")
    expect(page.locator("#page")).to_have_value("7")

    _tab(page, "需补正材料").click()
    expect(page.locator("#shown")).to_have_text("1250")
    expect(page.locator("#pages")).to_have_text("25")
    expect(page.locator("#case-table tbody tr[data-decision=needs_correction]")).to_have_count(50)
    assert [u for u in requests if not u.startswith("file:")] == []


@pytest.mark.parametrize(("query", "found"), [
    ("测试1234化工有限公司", 1),  # enterprise name
    ("91320000MA00004321", 1),  # 统一社会信用代码
    ("SQ-2024-04999", 1),  # application id
    ("r-4321", 1),  # case id
    ("b-status", 1250),  # a rule id, in any case
    ("许可证状态为吊销", 1250),  # message text
    ("licence.expiry_date", 1250),  # a missing fact
    ("没有这样的内容", 0),
])
def test_search(page: Page, report, query, found):
    page.goto(report.as_uri())
    page.fill("#q", query)
    expect(page.locator("#shown")).to_have_text(str(found))
    expect(_tab(page, "全部").locator("b")).to_have_text(str(found))
    expect(_rows(page)).to_have_count(min(found, 50))


def test_search_within_a_tab(page: Page, report):
    page.goto(report.as_uri())
    page.fill("#q", "B-EXPIRY")  # failed (refer) in 1,250 cases, unknown (needs correction) in 1,250
    expect(page.locator("#shown")).to_have_text("2500")
    _tab(page, "转人工审查").click()
    expect(page.locator("#shown")).to_have_text("1250")
    expect(_tab(page, "不予许可").locator("b")).to_have_text("0")


def test_findings_are_built_when_a_case_is_opened(page: Page, report):
    page.goto(report.as_uri())
    assert page.locator("tr.detail").count() == 0
    page.fill("#q", "测试0002化工有限公司")  # n-2: needs correction, its expiry date missing
    expect(_rows(page)).to_have_count(1)
    row = _rows(page).first
    expect(row.locator("td").nth(2)).to_have_text("91320000MA00000002")
    expect(row.locator("td").nth(3)).to_have_text("SQ-2024-00002")
    row.locator("button.open").click()
    detail = page.locator("tr.detail")
    expect(detail).to_have_count(1)
    expect(detail).to_contain_text("许可证有效期届满前申请延期")
    expect(detail).to_contain_text("无法判断")
    expect(detail).to_contain_text("缺少：licence.expiry_date")
    expect(detail).to_contain_text("依据：《安全生产许可证条例》")
    row.locator("button.open").click()
    expect(page.locator("tr.detail")).to_have_count(0)

    page.fill("#q", "E101")  # the broken line, by its problem's code: the problem and where it is
    expect(page.locator("#shown")).to_have_text("1")
    expect(_rows(page).first).to_have_attribute("data-decision", "error")
    _rows(page).first.locator("a").click()
    expect(page.locator("tr.detail")).to_contain_text("E101")
    expect(page.locator("tr.detail")).to_contain_text("cases.jsonl:11")


def test_corrections_are_collapsed_and_lead_to_their_cases(page: Page, report):
    page.goto(report.as_uri())
    fix = page.locator("details.fix[data-rule=B-EXPIRY]")
    expect(fix.locator("summary")).to_contain_text("1250")
    assert fix.get_attribute("open") is None
    expect(fix.locator("a").first).not_to_be_visible()
    fix.locator("summary").click()
    fix.locator("a", has_text="在逐件结果中查看全部").click()
    expect(page.locator("#q")).to_have_value("B-EXPIRY")
    expect(_tab(page, "需补正材料")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#shown")).to_have_text("1250")
