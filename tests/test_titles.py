"""Title candidates and their resolution against a closed-world search with near misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertrail.document import Document, Metadata
from papertrail.errors import ArxivResponseError, ArxivUnavailable, InputError
from papertrail.ids import extract_ids
from papertrail.record import Paper
from papertrail.titles import (
    TitleCandidate,
    TitleResolver,
    build_title_query,
    build_title_words_query,
    find_title_candidates,
    title_numbers,
    title_similarity,
)
from tests.title_search import CatalogueSearch, load_papers

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
EXPECTED = json.loads((SEEDS / "expected_ids.json").read_text("utf-8"))
SEED_004 = "004_c7890c1a5ca76b8c.txt"
PAPERS = load_papers()
BY_ID = {p.arxiv_id: p for p in PAPERS}
TRANSCENDING = "Transcending Scaling Laws with 0.1% Extra Compute"
NEAR_TRANSCENDING = "Transcending the Scaling Laws using 0.1% Extra Compute"  # similarity 0.886


def seed_doc(name: str, published: str | None = None) -> Document:
    text = (SEEDS / name).read_text("utf-8")
    return extract_ids(
        Document(url=f"file:///{name}", text=text, meta=Metadata(published=published))
    )


def resolve(doc: Document, papers: list[Paper] = PAPERS) -> tuple[Document, CatalogueSearch]:
    search = CatalogueSearch(papers)
    return TitleResolver(search).resolve(doc), search


# --- candidates ------------------------------------------------------------------------


def test_seed_004_candidates() -> None:
    text = (SEEDS / SEED_004).read_text("utf-8")
    found = find_title_candidates(text)
    expected = [t["title"] for t in EXPECTED[SEED_004]["titles"]] + EXPECTED[SEED_004]["unresolved"]
    assert sorted(c.title for c in found) == sorted(expected)
    for cand in found:
        assert text[slice(*cand.span)] == cand.title
    sources = {c.title: c.source for c in found}
    assert sources["TinyLlama: An Open-Source Small Language Model"] == "label"
    assert sources["Textbooks Are All You Need"] == "quotes"
    assert sources["Orca 2: Teaching Small Language Models How to Reason"] == "line"


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (
            "论文《DeLighT: Deep and Light-weight Transformer》提出",
            ["DeLighT: Deep and Light-weight Transformer"],
        ),
        ("论文：Attention Is All You Need（Transformer）", ["Attention Is All You Need"]),
        ("Paper: Mistral 7B", ["Mistral 7B"]),
        ("标题：Segment Anything\n", ["Segment Anything"]),
        ("作者采用了“Textbooks Are All You Need”的方法", ["Textbooks Are All You Need"]),
        (
            "论文：《DeLighT: Deep and Light-weight Transformer》",
            ["DeLighT: Deep and Light-weight Transformer"],
        ),
        ("論文「Attention Is All You Need」提出了", ["Attention Is All You Need"]),
    ],
)
def test_candidate_forms(text: str, expect: list[str]) -> None:
    assert [c.title for c in find_title_candidates(text)] == expect


@pytest.mark.parametrize(
    "text",
    [
        "这是中文文章。\nThis is an ordinary English sentence about small models.\n中文结尾。",
        "这是中文文章，介绍模型。\nRoBERTa\nGPT-4\nLiteLlama-460M-1T\n中文结尾。",
        "论文:RoBERTa\n论文链接:https://arxiv.org/abs/1907.11692",
        "中文文章介绍代码：\nfrom papertrail import find_ids; print(find_ids)\n结尾。",
        "中文文章：\nhttps://github.com/jzhang38/TinyLlama Open Source Code\n结尾。",
        "关注下方《学姐带你玩AI》，回复“小模型”",
        "他说“Let's think step by step”很有用",
        "《GPT-4》的技术报告",
    ],
)
def test_not_candidates(text: str) -> None:
    assert find_title_candidates(text) == []


def test_heading_lines_in_english_pages_are_not_candidates() -> None:
    text = "Related Work and Further Reading\nWe compare against many models.\n"
    assert find_title_candidates(text) == []


# --- queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "query"),
    [
        (
            "TinyLlama: An Open-Source Small Language Model",
            'ti:"tinyllama an open source small language model"',
        ),
        (
            'Orca 2: "Teaching" (Small) LMs AND/OR Reason-ing?',
            'ti:"orca 2 teaching small lms and or reason ing"',
        ),
        ("It’s Not Just Size That Matters", 'ti:"its not just size that matters"'),
        ("LLaVA-ϕ: Efficient Multi-Modal Assistant", 'ti:"llava efficient multi modal assistant"'),
        ("ＲｏＢＥＲＴａ：Ａ Ｒｏｂｕｓｔｌｙ", 'ti:"roberta a robustly"'),
        ("《》：“”", ""),
    ],
)
def test_queries_are_sanitised(title: str, query: str) -> None:
    assert build_title_query(title) == query


def test_words_query_for_the_fallback() -> None:
    query = build_title_words_query("FINETUNED LANGUAGE MODELSARE ZERO-SHOT LEARNERS")
    assert set(query.split(" OR ")) == {
        "ti:modelsare",
        "ti:finetuned",
        "ti:language",
        "ti:learners",
        "ti:zero",
        "ti:shot",
    }
    assert '"' not in query and ":" not in query.replace("ti:", "")


# --- similarity ------------------------------------------------------------------------


def test_normalisation_ignores_case_punctuation_spacing_and_tex() -> None:
    assert (
        title_similarity(
            "FINETUNED LANGUAGE MODELSARE ZERO-SHOT LEARNERS",
            "Finetuned Language Models Are Zero-Shot Learners",
        )
        == 1.0
    )
    assert title_similarity("LLaVA-ϕ: Efficient", "LLaVA-$\\phi$: Efficient") == 1.0
    assert title_similarity("It’s Not Just Size", "It's Not Just Size") == 1.0


def test_numbers_and_roman_numerals() -> None:
    assert title_numbers("Orca 2: Teaching Small Language Models") == {"2"}
    assert title_numbers("Textbooks Are All You Need II: phi-1.5 technical report") == {"ii", "1.5"}
    assert title_numbers(TRANSCENDING) == {"0.1"}
    assert title_numbers("GSM8k with Llama") == {"gsm8k"}


# --- resolution ------------------------------------------------------------------------


def test_seed_004_resolves_its_titles_with_no_wrong_match() -> None:
    doc, search = resolve(seed_doc(SEED_004))
    expected = {t["title"]: t["id"] for t in EXPECTED[SEED_004]["titles"]}
    titled = [r for r in doc.arxiv if r.found_by == "title"]
    got = {doc.text[slice(*r.span)]: r.id for r in titled if r.span}
    assert got == expected
    assert {u.title for u in doc.unresolved} == set(EXPECTED[SEED_004]["unresolved"])
    assert all(u.reason == "below_threshold" for u in doc.unresolved)
    assert all(r.score is not None and r.score >= 0.9 and r.evidence for r in titled)
    assert [p.arxiv_id for p in doc.papers] == [r.id for r in titled]  # no second request
    assert len(search.queries) == len(expected) + len(EXPECTED[SEED_004]["unresolved"])


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_title_expectations(name: str) -> None:
    doc, _ = resolve(seed_doc(name))
    titled = {r.id for r in doc.arxiv if r.found_by == "title"}
    assert titled == {t["id"] for t in EXPECTED[name]["titles"]}
    unresolved = {u.title for u in doc.unresolved}
    assert set(EXPECTED[name]["unresolved"]) <= unresolved


def test_orca_near_miss_is_never_taken() -> None:
    without_orca_2 = [p for p in PAPERS if p.arxiv_id != "2311.11045"]
    doc, search = resolve(seed_doc(SEED_004), without_orca_2)
    assert "2306.02707" not in {r.id for r in doc.arxiv}
    [orca] = [u for u in doc.unresolved if u.title.startswith("Orca 2")]
    assert orca.reason == "below_threshold"
    assert any("orca 2" in q for q in search.queries)
    assert BY_ID["2306.02707"] in search(build_title_query(orca.title), 10)  # it was offered


def test_numbers_must_agree_even_when_the_rest_is_identical() -> None:
    resolver = TitleResolver(CatalogueSearch(PAPERS))
    cand = TitleCandidate("Textbooks Are All You Need III", (0, 30), "line")
    outcome = resolver.judge(cand, [BY_ID["2306.11644"], BY_ID["2309.05463"]])
    assert outcome.reason == "below_threshold"  # type: ignore[union-attr]
    llama = TitleCandidate("LLaMA 2: Open and Efficient Foundation Language Models", (0, 5), "line")
    assert resolver.judge(llama, [BY_ID["2302.13971"]]).reason == "below_threshold"  # type: ignore[union-attr]


def _near_doc(context: str, published: str | None = None) -> Document:
    text = f"这是一篇中文文章，介绍了很多模型。\n{NEAR_TRANSCENDING}\n{context}\n"
    return Document(url="file:///near.txt", text=text, meta=Metadata(published=published))


def test_between_thresholds_needs_corroboration() -> None:
    doc, _ = resolve(_near_doc("「简述:」论文介绍了UL2R方法。"))
    assert doc.arxiv == []
    [u] = doc.unresolved
    assert (u.reason, u.best_id) == ("below_threshold", "2210.11399")
    assert u.best_score is not None and 0.8 <= u.best_score < 0.9


def test_author_surname_corroborates() -> None:
    doc, _ = resolve(_near_doc("「简述:」Tay等人(2022)介绍了UL2R方法。"))
    [ref] = doc.arxiv
    assert (ref.id, ref.found_by) == ("2210.11399", "title")
    assert ref.score is not None and 0.8 <= ref.score < 0.9
    assert "tay" in (ref.evidence or "")


def test_predating_the_article_corroborates() -> None:
    doc, _ = resolve(_near_doc("「简述:」论文介绍了UL2R方法。", published="2024-01-15"))
    [ref] = doc.arxiv
    assert ref.id == "2210.11399" and "predates" in (ref.evidence or "")
    later, _ = resolve(_near_doc("「简述:」论文介绍了UL2R方法。", published="2022-01-15"))
    assert later.arxiv == []


def test_two_papers_with_the_same_title_are_ambiguous() -> None:
    twin = BY_ID["2210.11399"].model_copy(update={"arxiv_id": "2301.00001"})
    doc = Document(url="file:///a.txt", text=f"中文介绍文章。\n论文：{TRANSCENDING}\n")
    doc, _ = resolve(doc, [BY_ID["2210.11399"], twin])
    assert doc.arxiv == [] and doc.unresolved[0].reason == "ambiguous"


def test_no_results() -> None:
    doc = Document(
        url="file:///a.txt", text="中文介绍文章。\n论文：Quantum Gravity Cookbook Recipes\n"
    )
    doc, search = resolve(doc)
    assert [u.reason for u in doc.unresolved] == ["no_results"]
    assert len(search.queries) == 2  # the phrase, then the words


def test_fallback_words_query_when_the_phrase_finds_nothing() -> None:
    calls: list[str] = []

    def phrase_blind(query: str, max_results: int) -> list[Paper]:
        calls.append(query)
        return [] if '"' in query else [BY_ID["2210.11399"]]

    doc = Document(url="file:///a.txt", text=f"中文介绍文章。\n论文：{TRANSCENDING}\n")
    TitleResolver(phrase_blind).resolve(doc)
    assert [r.id for r in doc.arxiv] == ["2210.11399"]
    assert len(calls) == 2 and " OR " in calls[1]


@pytest.mark.parametrize("error", [ArxivUnavailable("down"), ArxivResponseError("bad feed")])
def test_search_failure_is_recorded_not_raised(error: Exception) -> None:
    calls: list[str] = []

    def failing(query: str, max_results: int) -> list[Paper]:
        calls.append(query)
        raise error

    doc = TitleResolver(failing).resolve(seed_doc(SEED_004))
    assert [r for r in doc.arxiv if r.found_by == "title"] == []
    assert len(doc.unresolved) == 16
    assert {u.reason for u in doc.unresolved} == {"search_failed"}
    assert len(calls) == 1  # the API is down: do not hammer it for every title


def test_candidates_covered_by_an_id_are_not_searched() -> None:
    doc, search = resolve(seed_doc("001_543402f31be759b0.txt"))
    assert not any("dpo superior" in q for q in search.queries)  # same line as its link
    # DeLighT is searched (its link is elsewhere) but not added twice.
    assert [r.id for r in doc.arxiv].count("2008.00623") == 1
    assert [r.found_by for r in doc.arxiv] == ["link", "link", "link"]


def test_known_papers_cover_their_titles() -> None:
    doc = Document(url="file:///a.txt", text=f"中文介绍文章。\n论文：{TRANSCENDING}\n")
    doc.papers.append(BY_ID["2210.11399"])
    doc, search = resolve(doc)
    assert search.queries == [] and doc.unresolved == []


def test_a_refused_query_fails_that_title_only() -> None:
    calls: list[str] = []

    def picky(query: str, max_results: int) -> list[Paper]:
        calls.append(query)
        if "orca" in query:
            raise InputError("query refused", reason="arxiv_bad_query")
        return CatalogueSearch(PAPERS)(query, max_results)

    doc = TitleResolver(picky).resolve(seed_doc(SEED_004))
    assert [u.title for u in doc.unresolved if u.reason == "search_failed"] == [
        "Orca 2: Teaching Small Language Models How to Reason"
    ]
    assert len([r for r in doc.arxiv if r.found_by == "title"]) == 11
    assert len(calls) == 16
