"""Citations of the bundled rules checked against the full law texts (issue 9 §6).

The texts live outside the package, in ../shared/law next to the repository (or the directory named by
APPROVAL_RULES_LAW_DIR); the logic is copied from check_citations.py there into citations_check.py.
Without the texts the tests are skipped, saying why.
"""

from __future__ import annotations

import datetime as dt

import pytest

from citations_check import (LAW_DIR_ENV, ROOT, LawLibrary, check_existence, check_review, label,
                             law_dir, load_review, load_rules)

RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def library() -> LawLibrary:
    d = law_dir()
    if not d.is_dir() or not any(d.glob("*.md")):
        pytest.skip(f"法律全文目录不存在：{d}（设置环境变量 {LAW_DIR_ENV} 指向 shared/law 后可运行本测试）"
                    f" / law texts not found at {d}; set {LAW_DIR_ENV} to the shared/law directory")
    return LawLibrary.load(d)


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES)


def test_law_texts_serve_the_rule_sources(library, rules):
    sources, cites = rules
    used = {c["source"] for c in cites}
    served = {sid for law in library.laws for sid in law.source_ids}
    assert library.laws, "no law text parsed"
    # the check is only meaningful if the texts cover the sources the rules cite most
    for sid in ("work-safety-law", "admin-licensing-law", "licence-regulation", "ts-measures"):
        assert sid in used and sid in served, sid


def test_every_cited_article_clause_and_item_exists_in_the_cited_version(library, rules):
    sources, cites = rules
    problems = check_existence(cites, sources, library)
    assert not problems, "citations pointing at an article, clause or item the text does not have:\n" + \
        "\n".join(problems)


def test_no_verified_citation_is_one_the_manual_review_found_wrong(library, rules):
    review = load_review(law_dir())
    if not review:
        pytest.skip(f"citation-review.yaml not found in {law_dir()}")
    _, cites = rules
    problems = check_review(cites, review)
    assert not problems, "\n".join(problems)


def test_checker_catches_a_wrong_article(library, rules):
    """The check itself: a citation of an article beyond the end of the text, a clause and an item that
    do not exist are all reported."""
    sources, cites = rules
    base = next(c for c in cites if c["source"] == "ts-measures" and c["article"] == 14 and c["item"] == 1)
    wrong = [dict(base, article=99, item=None), dict(base, article=15, item=4),
             dict(base, article=21, clause=4, item=None)]
    assert len(check_existence(wrong, sources, library)) == 3


# 安全生产法: the 三同时 articles are 第二十八至三十一条 in the 2014 text and 第三十一至三十四条 in the 2021 text.
WSL_2014, WSL_2021 = "2014-12-01", "2021-09-01"
WSL_2014_END = dt.date(2021, 8, 31)
WSL_2014_START = dt.date(2014, 12, 1)
WSL_2021_START = dt.date(2021, 9, 1)


def _wsl(c, version):
    v = c["version"]
    vs = [str(x) for x in v] if isinstance(v, list) else [str(v)]
    return c["source"] == "work-safety-law" and version in vs


def test_work_safety_law_three_simultaneous_articles_follow_the_version(library, rules):
    sources, cites = rules
    by_rule: dict[str, list[dict]] = {}
    for c in cites:
        by_rule.setdefault(c["rule"], []).append(c)
    problems = []
    for rule, cs in by_rule.items():
        for c in cs:
            a = c["article"]
            if a is None:
                continue
            if _wsl(c, WSL_2021) and 31 <= a <= 34 and c["eff_from"] <= WSL_2014_END and c["eff_to"] >= WSL_2014_START:
                if not any(_wsl(o, WSL_2014) and o["article"] == a - 3 for o in cs):
                    problems.append(f"{label(c)}: the rule is in force before 2021-09-01 but does not cite "
                                    f"the 2014 text 第{a - 3}条")
            if _wsl(c, WSL_2014) and 28 <= a <= 31:
                if c["eff_to"] >= WSL_2021_START and not any(_wsl(o, WSL_2021) and o["article"] == a + 3 for o in cs):
                    problems.append(f"{label(c)}: the rule is in force from 2021-09-01 but does not cite "
                                    f"the 2021 text 第{a + 3}条")
    assert not problems, "\n".join(problems)


def test_work_safety_law_articles_28_to_34_say_the_same_in_both_versions(library):
    """The shift by three that the test above relies on, checked in the texts themselves."""
    t14, _ = library.text_for("work-safety-law", WSL_2014)
    t21, _ = library.text_for("work-safety-law", WSL_2021)
    if t14 is None or t21 is None:
        pytest.skip("安全生产法 2014/2021 texts not found")
    for a in range(28, 32):
        s14 = "".join(t14.article(a))[:20]
        s21 = "".join(t21.article(a + 3))[:20]
        assert s14 == s21, (a, s14, s21)
