"""The HTML report: self-contained, with the right counts, rules, corrections and case links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from approval_rules.cli import cli
from approval_rules.batch.report import render
from approval_rules.batch.store import Store

from batchdata import RULES, mixed


class _Page(HTMLParser):
    """Collects ids, links, element attributes and text of the report."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)


def _cases(page_text: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="case-data">(.*?)</script>', page_text).group(1))


def _build(runner, rule_set, tmp_path, n=41):
    rules = rule_set(RULES)
    records = mixed(n)
    lines = [json.dumps(r) for r in records] + ["{not json"]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "r.sqlite"
    r = runner.invoke(cli, ["screen", "--rules", str(rules), str(src), "--db", str(db), "--format", "csv", "--no-progress"])
    assert r.exit_code == 2
    return db, records


def test_report_counts_and_content(runner, rule_set, tmp_path):
    db, records = _build(runner, rule_set, tmp_path)
    out = tmp_path / "report.html"
    r = runner.invoke(cli, ["report", str(db), "-o", str(out)])
    assert r.exit_code == 0, r.output
    page_text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(page_text)
    text = "".join(page.text)

    # counts by decision: 41 cases cycling approve, reject, needs_correction, refer; one broken line
    cards = {a["data-decision"]: int(a["data-count"]) for t, a in page.tags if "data-count" in a}
    assert cards == {"approve": 11, "reject": 10, "needs_correction": 10, "refer": 10, "error": 1}
    assert re.search(r'id="total">42<', page_text)
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page_text).group(1))
    assert data == {"total": 42, "counts": {"error": 1, "reject": 10, "needs_correction": 10, "refer": 10, "approve": 11}}

    # counts by rule set: every decided case had a rule of the fixture set applied
    (row,) = [a for t, a in page.tags if a.get("data-ruleset")]
    assert row["data-ruleset"] == "fixture"
    assert re.search(r'data-ruleset="fixture"><td><code>fixture</code></td><td class="n">41</td>'
                     r'<td class="n">11</td><td class="n">10</td><td class="n">10</td><td class="n">10</td>', page_text)

    # most frequent failing rules: an inline-SVG bar chart, with citations in the table
    assert "<svg" in page_text and "B-EXPIRY" in page_text and "B-STATUS" in page_text
    assert re.search(r"B-EXPIRY 许可证有效期届满前申请延期：不符合 10 件，无法判断 10 件", page_text)
    assert re.search(r"B-STATUS 许可证须有效：不符合 10 件，无法判断 0 件", page_text)
    assert "《安全生产许可证条例》（2014年7月29日施行版本）第九条第一款" in text

    # needs correction, with what is missing
    assert "四、需补正材料的案卷（10 件）" in text
    assert "licence.expiry_date" in text

    # the per-case table: every case as compact JSON, with its findings, paged by the inline script
    assert any(t == "input" and a.get("id") == "q" for t, a in page.tags)
    table = _cases(page_text)
    assert len(table["c"]) == 42
    by_id = {c[0]: c for c in table["c"]}
    assert table["k"][by_id["r-1"][4]] == "reject"
    ((rule, unknown, message),) = by_id["r-1"][8]
    assert table["s"][table["r"][rule][0]] == "B-STATUS" and unknown == 0 and table["s"][message] == "许可证状态为吊销/撤销"
    (broken,) = [c for c in table["c"] if table["k"][c[4]] == "error"]
    assert table["s"][broken[8][0][0]] == "E101"
    internal = [link[1:] for link in page.links if link.startswith("#")]
    assert internal and all(target in page.ids for target in internal)

    # self-contained: nothing is fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page_text)
    assert "@import" not in page_text and "url(http" not in page_text and "<link" not in page_text


def test_report_limit_and_run_filter(runner, rule_set, tmp_path):
    db, _ = _build(runner, rule_set, tmp_path)
    with Store(db) as store:
        page = render(store, limit=5)
        assert len(_cases(page)["c"]) == 5
        assert "列出前 5 件" in page
        assert 'id="total">42<' in render(store, run_id=1)
        assert 'id="total">0<' in render(store, run_id=99)


def test_report_of_a_missing_store_is_bad_input(runner, tmp_path):
    r = runner.invoke(cli, ["report", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 2 and "找不到结果库" in r.output
    assert not (tmp_path / "none.sqlite").exists()


def test_report_to_an_unwritable_place_is_bad_input(runner, rule_set, tmp_path):
    db, _ = _build(runner, rule_set, tmp_path)
    r = runner.invoke(cli, ["report", str(db), "-o", str(tmp_path / "no" / "such" / "r.html")])
    assert r.exit_code == 2 and "无法写入报告" in r.output
