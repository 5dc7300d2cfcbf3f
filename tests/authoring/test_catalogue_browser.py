"""The catalogue page in a real browser: typing in the search box filters the rules.

Same browser setup as tests/service/test_service_browser.py: Playwright driving Debian's chromium
through executable_path, never a downloaded browser."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from approval_rules.authoring.catalogue import html_document

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        raise RuntimeError("没有找到 chromium：请先运行 scripts/install-test-deps")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}


def test_search_filters_rules(page: Page, book, tmp_path):
    target = tmp_path / "catalogue.html"
    target.write_text(html_document(book, dt.date(2026, 11, 22)), encoding="utf-8")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(target.as_uri())
    rules = page.locator(".rule")
    total = rules.count()
    assert total == len({(r.id, r.effective.start) for r in book.rules})

    page.fill("#search", "TS-LIC-VAL-002")
    expect(page.locator(".rule:visible")).to_have_count(len([r for r in book.rules if r.id == "TS-LIC-VAL-002"]))
    expect(page.locator("#search-count")).to_contain_text(f"/ {total} 条规则")

    page.fill("#search", "危险化学品经营许可证管理办法")  # a law's name finds the rules citing it
    shown = page.locator(".rule:visible").count()
    assert 0 < shown < total
    expect(page.locator("details.law:visible")).not_to_have_count(0)

    page.fill("#search", "没有这样的规则")
    expect(page.locator(".rule:visible")).to_have_count(0)
    page.fill("#search", "")
    expect(page.locator(".rule:visible")).to_have_count(total)

    page.click("button.toggle[data-open='0']")  # collapse all, then follow a contents link into a section
    expect(page.locator(".rule:visible")).to_have_count(0)
    first = book.rules[0]
    link = page.locator(f"#toc-sets a[href='#rule-{first.id}-{first.effective.start}']")
    link.locator("xpath=ancestor::details[1]/summary").click(position={"x": 2, "y": 2})  # opens that set's contents
    link.click()
    expect(page.locator(f"[id='rule-{first.id}-{first.effective.start}']")).to_be_visible()
    assert [u for u in requests if not u.startswith("file:")] == []
