from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from approval_rules import compile_rules, load_rules
from approval_rules.authoring.catalogue import RANKS, UNVERIFIED, build, html_document, markdown
from approval_rules.cli import cli

DAY = dt.date(2026, 11, 22)


class Page(HTMLParser):
    """The parts of the catalogue page the tests read: ids, links, rules, citations, laws, sign-offs."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.laws: list[int] = []  # data-rank of each law section, in page order
        self.signoffs: list[str] = []
        self.cites: list[dict] = []  # {"text": the citation's text, "spans": its marker elements}
        self.messages: list[str] = []
        self.scripts: list[str] = []
        self._stack: list[str] = []
        self._cite: dict | None = None
        self._message: list[str] | None = None
        self._script: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        cls = a.get("class", "")
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"][1:])
        if tag == "details" and cls == "law":
            self.laws.append(int(a["data-rank"]))
        if tag == "section" and cls == "signoff":
            self.signoffs.append(a["id"])
        if tag == "div" and cls == "cite":
            self._cite = {"text": "", "spans": 0}
        if tag == "span" and cls == "unverified" and self._cite is not None:
            self._cite["spans"] += 1
        if tag == "span" and cls == "message":
            self._message = []
        if tag == "script":
            self._script = []
        self._stack.append(tag)

    def handle_endtag(self, tag):
        self._stack.pop()
        if tag == "div" and self._cite is not None:
            self.cites.append(self._cite)
            self._cite = None
        if tag == "span" and self._message is not None:
            self.messages.append("".join(self._message))
            self._message = None
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._cite is not None:
            self._cite["text"] += data
        if self._message is not None:
            self._message.append(data)
        if self._script is not None:
            self._script.append(data)


def test_every_rule_appears_grouped_by_law_and_article(book):
    md = markdown(book, DAY)
    for rule in book.rules:
        assert f"#### {rule.id} {rule.title}" in md or f"{rule.id} {rule.title}" in md
    assert "## 中华人民共和国安全生产法" in md
    assert "### 中华人民共和国安全生产法 第三十二条（2021年9月1日施行版本）" in md
    assert "### 中华人民共和国安全生产法 第二十九条（2014年12月1日施行版本）" in md
    assert UNVERIFIED in md


def test_links_resolve_and_every_rule_is_in_its_rule_sets_contents(book):
    page = Page(html_document(book, DAY))
    assert page.hrefs and set(page.hrefs) <= page.ids
    laws = build(book)
    for law in laws:
        assert law.anchor in page.hrefs and all(law.article_anchor(a) in page.hrefs for a in law.articles.values())
    rule_links = {h for h in page.hrefs if h.startswith("rule-")}
    assert {f"rule-{r.id}-{r.effective.start}" for r in book.rules} <= rule_links
    assert any(t == "details" and a.get("class") == "toc-set" for t, a in page.tags)  # collapsible contents


def test_placeholders_keep_their_quotes_balanced(book):
    """〔「从业人员」中（…）的项数〕 once lost its opening 「 to a strip of both ends."""
    page = Page(html_document(book, DAY))
    placeholders = [p for m in page.messages for p in re.findall(r"〔([^〔〕]*)〕", m)]
    assert len(placeholders) > 400
    unbalanced = [p for p in placeholders if p.count("「") != p.count("」") or re.search(r"」[^「]*」|「[^」]*「", p)]
    assert unbalanced == []
    assert any(p.startswith("「") and "」中" in p for p in placeholders)


def test_one_unverified_marker_per_unverified_citation(book):
    page = Page(html_document(book, DAY))
    unverified = sum(1 for r in book.rules for c in r.citations if not c.verified)
    assert unverified and len(page.cites) == sum(len(r.citations) for r in book.rules)
    assert sum(c["text"].count(UNVERIFIED) for c in page.cites) == unverified
    for c in page.cites:
        assert c["text"].count(UNVERIFIED) == c["spans"] <= 1, c["text"]
        assert "条文号待核实）" not in c["text"]  # the marker alone says it; no second wording
    md = markdown(book, DAY)
    assert md.count(UNVERIFIED) == unverified + 1  # plus the legend


def test_laws_are_ordered_by_rank_then_date(book):
    page = Page(html_document(book, DAY))
    assert page.laws == sorted(page.laws) and page.laws[0] == 0
    laws = build(book)
    assert laws[0].rank_text == "法律" and {law.rank_text for law in laws} >= set(RANKS[:4])
    for a, b in zip(laws, laws[1:]):
        if a.rank == b.rank:
            assert min(a.versions) <= min(b.versions)
    names = [law.name for law in laws]
    assert names.index("安全生产许可证条例") < names.index("危险化学品生产企业安全生产许可证实施办法") < names.index("促进产业结构调整暂行规定")


def test_search_box_and_sign_off_per_rule_set(book):
    text = html_document(book, DAY)
    page = Page(text)
    assert ("input", {"id": "search", "type": "search", "autocomplete": "off",
                      "placeholder": "规则编号、标题、告知内容或法律名称，空格分隔多个词"}) in page.tags
    assert page.signoffs == [f"signoff-{r.id}" for r in book.rulesets]
    for r in book.rulesets:
        assert r.sha256 in text
    assert text.count("审核人") == text.count("审核日期") == len(book.rulesets)
    md = markdown(book, DAY)
    assert md.count("- 审核人：____") == len(book.rulesets)


def test_html_is_self_contained(book):
    page = html_document(book, DAY)
    assert not re.search(r"<(link|img)\b|<script\b[^>]*\bsrc=", page)
    assert "http://" not in page and "https://" not in page and "@import" not in page
    assert len(Page(page).scripts) == 1


def test_rule_text_is_escaped(rule_set):
    rules = rule_set("""
rules:
  - id: T-ESC
    title: 标题<b>粗</b>
    digest: TS-LIC-VAL-002
    effective: {from: 2015-01-01}
    require: enterprise.liability_insurance
    effect: reject
    message: <script>alert("x")</script> & 「{licence.status}」
    cite: [{source: licence-regulation, article: 9, verified: false, note: "<i>待查</i>"}]
""")
    page = html_document(compile_rules(load_rules(rules)), DAY)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in page
    assert "<b>粗</b>" not in page and "<i>待查</i>" not in page
    parsed = Page(page)
    assert len(parsed.scripts) == 1 and parsed.messages[0].startswith('<script>alert("x")')
    assert parsed.cites[0]["spans"] == 1


def test_prose_reads_like_law(book):
    md = markdown(book, DAY)
    assert "「申请·申请事项」为「安全生产许可证延期」" in md
    assert "现行有效" in md


def test_doc_cli_writes_both_files(runner, tmp_path):
    r = runner.invoke(cli, ["doc", "-o", str(tmp_path / "out")])
    assert r.exit_code == 0
    assert (tmp_path / "out" / "catalogue.md").stat().st_size > 10_000
    assert (tmp_path / "out" / "catalogue.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
