from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from approval_rules.authoring.catalogue import build, html_document, markdown
from approval_rules.cli import cli

DAY = dt.date(2026, 11, 22)


def test_every_rule_appears_grouped_by_law_and_article(book):
    md = markdown(book, DAY)
    for rule in book.rules:
        assert f"#### {rule.id} {rule.title}" in md or f"{rule.id} {rule.title}" in md
    assert "## 中华人民共和国安全生产法" in md
    assert "### 中华人民共和国安全生产法 第三十二条（2021年9月1日施行版本）" in md
    assert "### 中华人民共和国安全生产法 第二十九条（2014年12月1日施行版本）" in md
    assert "〔未核实〕" in md


def test_laws_and_articles_are_indexed_and_links_resolve(book):
    page = html_document(book, DAY)

    class Collect(HTMLParser):
        ids: set[str] = set()
        hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if "id" in a:
                self.ids.add(a["id"])
            if tag == "a" and a.get("href", "").startswith("#"):
                self.hrefs.append(a["href"][1:])

    c = Collect()
    c.feed(page)
    assert c.hrefs and set(c.hrefs) <= c.ids
    laws = build(book)
    assert len(c.hrefs) == len(laws) + sum(len(law.articles) for law in laws)


def test_html_is_self_contained(book):
    page = html_document(book, DAY)
    assert not re.search(r"<(script|link|img)\b", page)
    assert "http://" not in page and "https://" not in page and "@import" not in page


def test_prose_reads_like_law(book):
    md = markdown(book, DAY)
    assert "「申请·申请事项」为「安全生产许可证延期」" in md
    assert "现行有效" in md


def test_doc_cli_writes_both_files(runner, tmp_path):
    r = runner.invoke(cli, ["doc", "-o", str(tmp_path / "out")])
    assert r.exit_code == 0
    assert (tmp_path / "out" / "catalogue.md").stat().st_size > 10_000
    assert (tmp_path / "out" / "catalogue.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
