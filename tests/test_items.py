"""Roundup items: text cut at its headings, and the item an offset falls in."""

from __future__ import annotations

from papertrail.document import Document
from papertrail.items import Item, item_at, segment
from papertrail.record import ArxivRef

ROUNDUP = """本周我们挑选了三篇论文。
1.华为新研究：减少计算负荷
为了减少 transformer 的计算负荷，线性关注的研究获得了显著的发展。
论文链接：
https://arxiv.org/abs/2403.19928
2.苹果提出ReALM：用大模型解析参考信息
参考解析一直以来都是一个重要问题，对于理解上下文至关重要。
论文链接：
https://arxiv.org/abs/2403.20329"""


def test_numbered_headings_open_items_and_the_lead_is_none() -> None:
    items = segment(ROUNDUP)
    assert [i.heading for i in items] == [
        "1.华为新研究：减少计算负荷",
        "2.苹果提出ReALM：用大模型解析参考信息",
    ]
    assert "线性关注" in items[0].text and "ReALM" not in items[0].text
    assert items[0].text.endswith("https://arxiv.org/abs/2403.19928")
    start, end = items[1].span
    assert ROUNDUP[start:end].startswith("2.苹果") and end == len(ROUNDUP)
    assert item_at(items, ROUNDUP.index("2403.19928")) == items[0]
    assert item_at(items, ROUNDUP.index("2403.20329")) == items[1]
    assert item_at(items, 3) is None  # the lead
    assert item_at(items, len(ROUNDUP) + 5) is None


def test_marked_headings_win_and_unsectioned_text_has_no_items() -> None:
    lines = ["导语在这里，介绍本期内容。", "甲论文", "这是甲论文的介绍，写得比较长一些。"]
    text = "\n".join([*lines, "乙论文", "乙的介绍。"])
    items = segment(text, headings=["甲论文", "乙论文", "不在正文里的标题"])
    assert [(i.heading, i.text) for i in items] == [
        ("甲论文", "这是甲论文的介绍，写得比较长一些。"),
        ("乙论文", "乙的介绍。"),
    ]
    essay = "这是一篇普通的文章，没有任何小标题。\n第二段同样没有标题，只有正文。"
    assert segment(essay) == []


def test_other_heading_styles() -> None:
    text = "一、背景\n这一节介绍背景知识，内容比较长，足够成为一个段落。\n二、方法\n方法部分。"
    assert [i.heading for i in segment(text)] == ["一、背景", "二、方法"]
    md = "# Intro\nSome text here.\n## Method\nMore text here."
    assert [i.heading for i in segment(md)] == ["# Intro", "## Method"]
    assert isinstance(segment(md)[0], Item)


def test_record_refs_carry_their_item_title_refs_included() -> None:
    title_at = ROUNDUP.index("2.苹果")
    doc = Document(url="x.txt", kind="text_file", text=ROUNDUP)
    doc.arxiv = [
        ArxivRef(id="2403.19928", found_by="link", span=(ROUNDUP.index("https://"), 80)),
        ArxivRef(id="2403.20329", found_by="title", span=(title_at, title_at + 5)),
        ArxivRef(id="2401.00001", found_by="text", span=(0, 4)),  # in the lead
        ArxivRef(id="2401.00002", found_by="link", span=None),
    ]
    refs = doc.to_record().arxiv
    assert refs[0].item is not None and refs[0].item.heading.startswith("1.华为")
    assert refs[1].item is not None and refs[1].item.heading.startswith("2.苹果")
    assert refs[1].item.text.startswith("参考解析")
    assert refs[2].item is None and refs[3].item is None
    assert doc.arxiv[0].item is None, "the document's own refs are not changed"
