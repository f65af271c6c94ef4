"""Ids as they appear in Chinese web articles, every URL form, and look-alikes that are not ids."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from papertrail.document import Document, Link
from papertrail.ids import ArxivId, extract_ids, find_ids, link_ids, parse_id

TODAY = date(2026, 11, 23)
SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"
EXPECTED = json.loads((SEEDS / "expected_ids.json").read_text("utf-8"))


def ids(text: str, links: list[Link] | None = None) -> list[str]:
    return [
        f"{r.id}v{r.version}" if r.version else r.id
        for r in find_ids(text, links or (), today=TODAY)
    ]


def found_by(text: str) -> list[str]:
    return [r.found_by for r in find_ids(text, today=TODAY)]


# --- Chinese text around ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("Llama 2 论文 https://arxiv.org/abs/2307.09288,比较了 Llama 2 模型", ["2307.09288"]),
        ("论文链接:https://arxiv.org/abs/2307.09288。", ["2307.09288"]),
        ("（arXiv:2307.09288）", ["2307.09288"]),
        ("(arXiv：2307.09288)提出", ["2307.09288"]),
        ("见arXiv:2307.09288v2，效果", ["2307.09288v2"]),
        ("https://arxiv.org/abs/2307.09288】", ["2307.09288"]),
        ("《论文》https://arxiv.org/pdf/2307.09288v3.pdf》", ["2307.09288v3"]),
        ("“https://arxiv.org/abs/2307.09288”", ["2307.09288"]),
        ("论文地址：arxiv.org/abs/2307.09288、代码", ["2307.09288"]),
        ("arXiv:2307.09288比较了", ["2307.09288"]),
        ("代码：https://github.com/x/y，arXiv：2307.09288", ["2307.09288"]),
        ("代码：https://github.com/x/y；论文：2307.09288", ["2307.09288"]),
    ],
)
def test_cjk_punctuation_and_letters_after_ids(text: str, expect: list[str]) -> None:
    assert ids(text) == expect


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("ａｒＸｉｖ：２３０７．０９２８８", ["2307.09288"]),
        ("ｈｔｔｐｓ：／／ａｒｘｉｖ．ｏｒｇ／ａｂｓ／２３０７．０９２８８", ["2307.09288"]),
        ("arXiv:2307.\u200b09288", ["2307.09288"]),
        ("https://arxiv.org/abs/23\u200b07.09288\u200c", ["2307.09288"]),
        ("arXiv:\ufeff2307.09288", ["2307.09288"]),
        ("arXiv:2307.09\u00ad288", ["2307.09288"]),
        ("arXiv:\u30002307.09288", ["2307.09288"]),
    ],
)
def test_full_width_and_invisible_characters(text: str, expect: list[str]) -> None:
    assert ids(text) == expect


def test_spans_point_into_the_original_text() -> None:
    text = "前文（ａｒＸｉｖ：２３０７．０９２８８）与 arXiv:2311.\u200b11045 后文"
    refs = find_ids(text, today=TODAY)
    assert [text[slice(*r.span)] for r in refs if r.span] == [
        "ａｒＸｉｖ：２３０７．０９２８８",
        "arXiv:2311.\u200b11045",
    ]


# --- URL forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expect", "how"),
    [
        ("https://arxiv.org/abs/2307.09288", "2307.09288", "link"),
        ("http://www.arxiv.org/abs/2307.09288v2", "2307.09288v2", "link"),
        ("https://export.arxiv.org/abs/2307.09288", "2307.09288", "link"),
        ("https://arxiv.org/pdf/2307.09288", "2307.09288", "link"),
        ("https://arxiv.org/pdf/2307.09288.pdf", "2307.09288", "link"),
        ("https://arxiv.org/pdf/2307.09288v1.pdf", "2307.09288v1", "link"),
        ("https://arxiv.org/html/2307.09288v2#S3", "2307.09288v2", "link"),
        ("https://arxiv.org/format/2307.09288", "2307.09288", "link"),
        ("https://arxiv.org/ps/hep-th/9901001", "hep-th/9901001", "link"),
        ("https://arxiv.org/src/2307.09288", "2307.09288", "link"),
        ("https://arxiv.org/abs/2307.09288?context=cs", "2307.09288", "link"),
        ("https://arxiv.org/abs/2307.09288#", "2307.09288", "link"),
        ("https://arxiv.org/abs/hep-th%2F9901001", "hep-th/9901001", "link"),
        ("https://arxiv.org/abs/hep-th%2f9901001v2", "hep-th/9901001v2", "link"),
        ("http://arxiv.org/abs?id=hep-th/9901001", "hep-th/9901001", "link"),
        ("https://arxiv.org/abs/math.GT/0309136", "math/0309136", "link"),
        ("https://ARXIV.ORG/ABS/2307.09288", "2307.09288", "link"),
        ("arxiv.org/abs/2307.09288", "2307.09288", "link"),
        ("http://cn.arxiv.org/abs/2307.09288", "2307.09288", "link"),
        ("https://xxx.itp.ac.cn/abs/2307.09288v2", "2307.09288v2", "link"),
        ("http://xxx.itp.ac.cn/pdf/hep-th/9901001", "hep-th/9901001", "link"),
        ("https://papers.cool/arxiv/2307.09288v1", "2307.09288v1", "paperscool"),
        ("https://huggingface.co/papers/2307.09288", "2307.09288", "huggingface"),
        ("https://www.alphaxiv.org/abs/2307.09288", "2307.09288", "alphaxiv"),
        ("https://www.alphaxiv.org/overview/2307.09288v2", "2307.09288v2", "alphaxiv"),
        ("https://ar5iv.org/abs/2307.09288", "2307.09288", "ar5iv"),
        ("https://ar5iv.labs.arxiv.org/html/2307.09288", "2307.09288", "ar5iv"),
        ("https://www.semanticscholar.org/arxiv/2307.09288", "2307.09288", "semanticscholar"),
        ("https://doi.org/10.48550/arXiv.2307.09288", "2307.09288", "doi"),
        ("doi:10.48550/ARXIV.2307.09288", "2307.09288", "doi"),
        ("10.48550/arxiv.hep-th/9901001", "hep-th/9901001", "doi"),
    ],
)
def test_url_forms_in_text_and_in_links(url: str, expect: str, how: str) -> None:
    assert ids(f"论文：{url}，值得一读") == [expect]
    assert found_by(f"论文：{url}，值得一读") == [how]
    link_found = link_ids(url, today=TODAY)
    assert [(str(i), h) for i, h in link_found] == [(expect, how)]


def test_printed_url_is_kept_whole() -> None:
    [ref] = find_ids("见 https://arxiv.org/abs/2307.09288?context=cs#S2，", today=TODAY)
    assert ref.url == "https://arxiv.org/abs/2307.09288?context=cs#S2"


def test_redirect_wrapped_link_target() -> None:
    href = "https://link.zhihu.com/?target=https%3A//arxiv.org/abs/2307.09288"
    assert ids("", [Link(href, "论文")]) == ["2307.09288"]


# --- not ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "全部论文获取方式,后台回复:20240414",
        "发布于 2024.0414 的更新",
        "日期 2024.04.14 与 2023.12.31",
        "客服电话 0755.2345678 或 400.123.4567",
        "服务器 192.168.1.100 和 10.2307.0928.1",
        "版本 v1.2307.09288 与 3.2307.1",
        "see doi:10.1145/2307.09288 and https://doi.org/10.1016/2307.09288",
        "https://github.com/org/repo/releases/2307.09288",
        "https://arxiv.org/a/smith_j_1 and https://arxiv.org/a/2307.09288",
        "https://arxiv.org/list/cs.CL/2307 https://arxiv.org/list/hep-th/new",
        "https://papers.cool/arxiv/cs.CL and https://papers.cool/venue/2307.09288",
        "https://ar5iv.notarxiv.org/abs/2307.09288 https://cn.arxiv.org.evil.com/abs/2307.09288",
        "https://arxiv.org/abs/2307.09288v0",
        "https://arxiv.org/abs/9912.12345",
        "https://arxiv.org/abs/1203.12345",
        "模型体积 1203.1234 MB,精度 2301.00234",
        "价格 2310.12345 元",
        "arxiv.org/abs/2212.1234",
        "astro-ph/0713001 and hep-th/9013001 and foo-ph/9901001",
    ],
)
def test_look_alikes_are_not_ids(text: str) -> None:
    assert ids(text) == []


def test_future_month_is_not_an_id_yet() -> None:
    assert ids("arXiv:2612.00001") == []
    assert find_ids("arXiv:2612.00001", today=date(2026, 12, 1))[0].id == "2612.00001"
    assert parse_id("2611.00001", today=TODAY) == ArxivId("2611.00001")


# --- the bare-number policy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("2307.09288", ["2307.09288"]),  # the whole text is an id
        ("Llama 2 [2307.09288] 是", ["2307.09288"]),
        ("Llama 2【2307.09288】是", ["2307.09288"]),
        ("论文编号：2307.09288", ["2307.09288"]),
        ("论文：2307.09288", ["2307.09288"]),
        ("Paper: 2307.09288", ["2307.09288"]),
        ("preprint 2307.09288", ["2307.09288"]),
        ("2307.09288 [cs.CL] 一文", ["2307.09288"]),
        ("@misc{t, eprint={2307.09288}, archivePrefix={arXiv}}", ["2307.09288"]),
        ('eprint = "2307.09288v2",', ["2307.09288v2"]),
        ("price = {2307.09288}", []),
        ("arXiv 上的 2307.09288 和 2311.11045", ["2307.09288", "2311.11045"]),
        ("Llama 2 2307.09288 是", []),
        ("提升了 2307.09288 倍", []),
        ("arXiv\n\n2307.09288", []),  # context must be on the same line
    ],
)
def test_bare_numbers_need_arxiv_context(text: str, expect: list[str]) -> None:
    assert ids(text) == expect


# --- dedup, order, links ---------------------------------------------------------------


def test_deduplicated_by_base_id_in_order_of_first_mention() -> None:
    text = (
        "先看 arXiv:2311.11045,再看 https://arxiv.org/abs/2307.09288 "
        "与 https://arxiv.org/pdf/2311.11045v2.pdf"
    )
    refs = find_ids(text, today=TODAY)
    assert [(r.id, r.found_by) for r in refs] == [("2311.11045", "text"), ("2307.09288", "link")]
    assert refs[0].version == 2  # the first mention gave none; a later one did


def test_links_merge_with_text_in_document_order() -> None:
    text = "第一篇 TinyLlama,第二篇见 arXiv:2311.11045,第三篇 RoBERTa。"
    links = [
        Link("https://arxiv.org/abs/1907.11692", "RoBERTa"),
        Link("https://arxiv.org/abs/2401.02385", "TinyLlama"),
        Link("https://example.com/about", "关于我们"),
        Link("https://huggingface.co/papers/2309.05463", "找不到的锚文本"),
        Link("https://arxiv.org/abs/2311.11045v3", "第二篇"),
    ]
    refs = find_ids(text, links, today=TODAY)
    assert [r.id for r in refs] == ["2401.02385", "2311.11045", "1907.11692", "2309.05463"]
    tiny = refs[0]
    assert (tiny.found_by, tiny.url) == ("link", "https://arxiv.org/abs/2401.02385")
    assert tiny.span is not None and text[slice(*tiny.span)] == "TinyLlama"  # its anchor
    # The anchor "第二篇" comes before the printed citation: the link is the first mention,
    # and its span is the anchor's.
    second = refs[1]
    assert (second.found_by, second.version) == ("link", 3)
    assert second.span is not None and text[slice(*second.span)] == "第二篇"
    assert refs[3].span is None  # its anchor text is not in the text
    assert refs[3].found_by == "huggingface"


def test_extract_ids_stage_fills_document() -> None:
    doc = Document(url="file:///x.txt", text="见 arXiv:2307.09288", links=[])
    assert [r.id for r in extract_ids(doc).arxiv] == ["2307.09288"]


# --- the seeds -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_yields_exactly_the_ids_its_article_cites(name: str) -> None:
    expected = EXPECTED[name]
    refs = find_ids((SEEDS / name).read_text("utf-8"), today=TODAY)
    assert [r.id for r in refs] == expected["ids"]
    assert {r.id: r.version for r in refs if r.version} == expected["versions"]


# --- every way pages write a paper (issue 12) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://xxx.lanl.gov/abs/hep-th/9901001", ["hep-th/9901001"]),
        ("见 http://xxx.lanl.gov/pdf/2307.09288v2", ["2307.09288v2"]),
        ("https://arxiv.org/abs/2305.18290?context=cs", ["2305.18290"]),
        ("https://arxiv.org/pdf/2305.10403v3.pdf", ["2305.10403v3"]),
        ("arXiv:2307.09288v 是 Llama 2 的论文", ["2307.09288"]),
        ("https://arxiv.org/abs/2310.16764v", ["2310.16764"]),
        ("ARXIV:2401.04088", ["2401.04088"]),
        ("论文：arXiv：2404.14619", ["2404.14619"]),
        ("（arXiv:2403.20213）", ["2403.20213"]),
        ("https://hf.co/papers/2402.17764", ["2402.17764"]),
        ("arXiv：２３０７．０９２８８", ["2307.09288"]),
        ("论文：２３０７．０９２８８", ["2307.09288"]),
        ("模型大小为 ２３０７．０９２８８ MB", []),  # full-width digits need arXiv context too
        ("arXiv:2307.09288v0", []),
        ("```\nmodel = load('arXiv:2305.14314')\n```", ["2305.14314"]),  # a code block
        ("[1] T. Dettmers. QLoRA. arXiv preprint arXiv:2305.14314, 2023.", ["2305.14314"]),
    ],
)
def test_every_way_pages_write_a_paper(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_region_is_searched_and_spans_point_into_the_text() -> None:
    """With ``region`` (the article's region of an HTML page), ids the extractor dropped
    still count; spans point into ``text`` when it has the characters, else None."""
    region = "论文链接:\nhttps://arxiv.org/abs/2403.19928\n代码:\nPDF\n另见 arXiv:2401.02385"
    text = "论文链接:\nhttps://arxiv.org/abs/2403.19928\n代码:\nPDF"
    links = [Link("https://arxiv.org/pdf/2403.20329", "PDF")]
    refs = find_ids(text, links, today=TODAY, region=region)
    assert [r.id for r in refs] == ["2403.19928", "2403.20329", "2401.02385"]
    assert [text[slice(*r.span)] if r.span else None for r in refs] == [
        "https://arxiv.org/abs/2403.19928",
        "PDF",
        None,
    ]
