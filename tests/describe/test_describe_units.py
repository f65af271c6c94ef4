"""Segmentation, clues, dates and verification of described papers (no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papertrail.describe import clues_for, judge, segment_items
from papertrail.describe.clues import find_names, find_numbers, find_terms, glossary
from papertrail.describe.dates import article_day, printed_dates
from papertrail.describe.resolver import build_queries, mostly_cjk
from papertrail.describe.verify import ACCEPT, number_in, where_is_name
from papertrail.record import ArxivRef, Paper
from papertrail.testing.fake_arxiv import FakePaper, search_catalogue

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED_000 = (FIXTURES / "seeds" / "000_340f0f37da041932.txt").read_text(encoding="utf-8")
NUMBERED = (FIXTURES / "describe" / "pages" / "digest_numbered.txt").read_text(encoding="utf-8")


def _paper(title: str, abstract: str, day: str = "2024-03-01", arxiv_id: str = "2403.00001"):
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=["A. Author"],
        abstract=abstract,
        categories=["cs.CL"],
        published=datetime.fromisoformat(day).replace(tzinfo=UTC),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
    )


# --- segmentation ---------------------------------------------------------------------


def test_digest_without_headings_splits_into_one_item_per_paper():
    items = segment_items(SEED_000)
    names = [clues_for(i.text).best_name for i in items]
    found = [n.name for n in names if n]
    assert found == [
        "SLM", "Think-and-Execute", "aiXcoder-7B", "APAM", "CT-LLM", "Gecko",
        "Infini-Transformer", "Mini-Gemini",
    ]  # fmt: skip
    # the context paragraph stays with the paragraph that introduces the system
    ct = next(i for i in items if "CT-LLM" in i.text)
    assert ct.text.startswith("当前,绝大多数大模型") and len(ct.paragraphs) == 2
    # a question and its answer are one item (the layer-pruning study)
    pruning = next(i for i in items if "剪枝策略" in i.text)
    assert "QLoRA" in pruning.text
    # spans point into the page
    assert all(SEED_000[i.span[0] : i.span[1]] == i.text for i in items)


def test_numbered_headings_make_items_with_their_heading():
    items = segment_items(NUMBERED)
    headed = [i.heading for i in items if i.heading and i.heading[0].isdigit()]
    assert [h.split(":")[0] for h in headed] == [
        "1.SeedBench",
        "2.TableWeaver",
        "3.Jamba",
        "4.PhotoMaker-Lite",
    ]
    assert all(i.text.startswith(i.heading or "") for i in items)


def test_empty_text_has_no_items():
    assert segment_items("") == []
    assert segment_items("\n\n  \n") == []


# --- clues ----------------------------------------------------------------------------


def test_the_items_own_name_wins_over_names_it_mentions():
    apam = next(i for i in segment_items(SEED_000) if "APAM" in i.text)
    names = [n.name for n in clues_for(apam.text).names]
    assert names[0] == "APAM"
    assert "GPT-4" not in names  # "准确率比GPT-4高": a comparison, not the paper's own
    assert all(n.name not in {"LLM", "LLMs", "SFT"} for n in find_names(SEED_000))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("本文作者提出了Think-and-Execute框架。", "Think-and-Execute"),
        ("研究团队推出了名为 PathoDuet 的病理模型。", "PathoDuet"),
        ("提出了一种新型的训练方法:选择性语言建模法(SLM),SLM 方法", "SLM"),
        ("构建了一个Mini-Gemini 架构", "Mini-Gemini"),
    ],
)
def test_names_claimed_by_their_context(text, name):
    assert clues_for(text).best_name is not None
    assert clues_for(text).best_name.name == name


def test_unclaimed_or_compared_names_are_not_candidates():
    assert clues_for("与 GPT-4 和 Gemini 等高级模型相比差距还是很大。").names == ()
    assert clues_for("我们使用 Python 和 GitHub 进行开发。").names == ()


def test_numbers_an_abstract_would_repeat():
    text = "提高了多达30%;平均6.8%;内存节约114倍;256 个维度;得分 66.31;12,000 张图像;2024年;7B"
    assert find_numbers(text) == ["30%", "6.8%", "114x", "256", "66.31", "12000", "7B"]
    assert number_in("114x", "a 114x compression ratio")
    assert number_in("12000", "a benchmark of 12,000 images")
    assert not number_in("66.3", "a score of 66.31")


def test_terms_come_from_the_glossary_longest_first():
    assert "剪枝" in glossary() and "蒸馏" in glossary()
    terms = find_terms("一种多功能文本嵌入模型,从大模型中蒸馏而来")
    assert terms[:2] == ["text embedding", "distill"]
    assert "embedding" not in terms  # inside 文本嵌入, not counted again


# --- dates ----------------------------------------------------------------------------


def test_article_date_metadata_then_text_then_papers():
    assert article_day("2024-05-01", SEED_000) == (date(2024, 5, 1), "metadata")
    assert article_day(None, SEED_000) == (date(2024, 4, 14), "text")  # 后台回复:20240414
    refs = [ArxivRef(id="2403.19928", found_by="link")]
    assert article_day(None, "没有日期", refs) == (date(2024, 3, 31), "papers")
    assert article_day(None, "没有日期") == (None, None)
    assert printed_dates("发布时间:2024年03月10日,电话 13812345678") == [date(2024, 3, 10)]


# --- queries and verification ---------------------------------------------------------


def test_queries_name_and_terms_then_name_alone_within_the_date():
    q = build_queries("CT-LLM", ("Chinese-centric", "corpus"), date(2024, 4, 17))
    assert q == [
        '(ti:"ct llm" OR abs:"ct llm") AND (abs:"chinese centric" OR abs:corpus)'
        " AND submittedDate:[199101010000 TO 202404172359]",
        '(ti:"ct llm" OR abs:"ct llm") AND submittedDate:[199101010000 TO 202404172359]',
    ]
    assert build_queries("Gecko", (), None) == ["(ti:gecko OR abs:gecko)"]


def test_a_matching_paper_is_accepted_with_its_evidence():
    gecko = next(i for i in segment_items(SEED_000) if "Gecko" in i.text)
    clues = clues_for(gecko.text)
    paper = _paper(
        "Gecko: Compact Text Embeddings Distilled from Large Language Models",
        "Gecko distills an LLM into a retriever. With 256 embedding dimensions it beats 768; "
        "with 768 dimensions it scores 66.31 on MTEB.",
    )
    verdict = judge(clues.names[0], clues, paper, latest=date(2024, 4, 17))
    assert verdict.acceptable and verdict.score >= ACCEPT
    assert verdict.evidence is not None and verdict.evidence.name_in == "title"
    assert {"66.31", "256", "768"} <= set(verdict.evidence.numbers)
    assert "distill" in verdict.evidence.terms


def test_near_misses_are_refused():
    gecko = next(i for i in segment_items(SEED_000) if "Gecko" in i.text)
    clues = clues_for(gecko.text)
    name = clues.names[0]
    other_gecko = _paper(
        "Gecko: Retrieval of Code Snippets with Small Embedding Models",
        "We present Gecko, a code search tool that embeds snippets for retrieval. A new "
        "benchmark of 5,000 queries shows Gecko is fast.",
    )
    later = _paper("Gecko: text embeddings 66.31", "Gecko, 256, 768, distill", day="2024-04-25")
    unnamed = _paper("Distilling text embeddings from LLMs", "256 and 768 dimensions, 66.31.")
    assert not judge(name, clues, other_gecko, latest=date(2024, 4, 17)).acceptable
    assert "after the article" in judge(name, clues, later, latest=date(2024, 4, 17)).refusal
    assert judge(name, clues, unnamed).evidence is None


def test_a_short_acronym_needs_the_numbers():
    slm = next(i for i in segment_items(SEED_000) if "SLM" in i.text)
    clues = clues_for(slm.text)
    small_lm = _paper(
        "SLM: Small Language Models Are Capable Math Reasoners",
        "A small language model (SLM) pretrained on math text reaches strong few-shot "
        "accuracy; we analyse the pretraining loss.",
    )
    assert not judge(clues.names[0], clues, small_lm).acceptable


def test_name_found_whole_or_by_its_distinctive_first_part():
    p = _paper("Leave No Context Behind: Infini-attention", "Infini-attention adds memory.")
    assert where_is_name("Infini-Transformer", p) == "title_part"
    assert where_is_name("think and execute", _paper("x", "we introduce Think-and-Execute")) == (
        "abstract"
    )
    assert where_is_name("CT-LLM", _paper("x", "a DCT-LLM hybrid")) is None
    assert where_is_name("Think-and-Execute", _paper("x", "Let's think step by step")) is None


def test_only_mostly_chinese_pages_are_read():
    assert mostly_cjk(SEED_000)
    assert not mostly_cjk("Researchers at Google have introduced Gecko, a text embedding model.")


# --- the fake arXiv understands what the resolver sends --------------------------------


def test_fake_arxiv_groups_and_date_ranges():
    def fp(i: str, title: str, day: str) -> FakePaper:
        when = datetime.fromisoformat(day).replace(tzinfo=UTC)
        return FakePaper(i, title, ["A"], title, ["cs.CL"], when, when)

    papers = [
        fp("1", "Gecko text embedding", "2024-03-29"),
        fp("2", "Gecko image evaluation", "2024-04-25"),
        fp("3", "Text embedding survey", "2024-01-01"),
    ]
    q = "(ti:gecko OR abs:gecko) AND (abs:embedding OR abs:distill)"
    assert [p.id for p in search_catalogue(papers, q)] == ["1"]
    window = "(ti:gecko) AND submittedDate:[202401010000 TO 202404172359]"
    assert [p.id for p in search_catalogue(papers, window)] == ["1"]
    assert [p.id for p in search_catalogue(papers, "ti:gecko")] == ["1", "2"]


def test_a_page_costs_at_most_two_searches_for_each_of_its_first_40_items():
    from papertrail.describe import DescriptionResolver
    from papertrail.document import Document

    text = "\n".join(
        f"本文作者提出了Sys{i}-Net框架,在检索任务上提升{i + 10}.5%。" for i in range(45)
    )
    queries: list[str] = []
    doc = Document(url="x", text=text)
    DescriptionResolver(lambda q, n: queries.append(q) or []).resolve(doc)
    assert len(queries) <= 2 * 40
    reasons = [u.reason for u in doc.unresolved]
    assert reasons.count("item_limit") == 5 and len(reasons) == 45


def test_too_long_pages_and_items_are_not_read():
    from papertrail.describe import DescriptionResolver
    from papertrail.document import Document

    queries: list[str] = []
    long_page = ("本文作者提出了Foo-Net框架。" + "很长的正文" * 50) * 2000
    DescriptionResolver(lambda q, n: queries.append(q) or []).resolve(
        Document(url="x", text=long_page)
    )
    assert queries == []


def test_enumerated_paragraphs_open_items():
    text = (
        "1. 本文作者提出了Alpha-Net,用于图像分割。实验表明效果很好。\n"
        "2. 研究人员提出了Beta-Net,同样用于图像分割,速度提升3倍。\n"
        "三、为此作者推出了Gamma-Net框架。\n"
    )
    items = segment_items(text)
    assert [clues_for(i.text).best_name.name for i in items] == [
        "Alpha-Net", "Beta-Net", "Gamma-Net",
    ]  # fmt: skip
