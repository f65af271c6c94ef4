"""The article container chosen by prose density, and the cases where the page stays whole."""

from __future__ import annotations

from lxml import etree

from papertrail.clean import clean_html
from papertrail.clean.container import choose_container, narrow
from papertrail.clean.tree import load_tree

PARA = (
    "研究团队提出了一种新的大模型训练方法，在多个基准测试上取得了显著提升，"
    "同时训练成本降低了一半，推理速度也快得多。"
)
MENU = "".join(
    f"<li><a href='/c{i}'>栏目名称{i}的一个很长的链接标题文字</a></li>" for i in range(40)
)


def _page(article: str, extra: str = "") -> str:
    return (
        "<html><head><title>t</title></head><body>"
        f'<div class="a1"><ul>{MENU}</ul></div>'
        f'<div class="b2"><div class="c3">{article}</div></div>'
        f'<div class="d4"><ul>{MENU}</ul>{extra}</div>'
        "</body></html>"
    )


def test_container_holds_the_prose_and_not_the_menus() -> None:
    tree = load_tree(_page("<h1>标题</h1>" + f"<p>{PARA}</p>" * 8))
    node = choose_container(tree)
    assert node is not None and node.get("class") == "c3"


def test_one_paragraph_holding_everything_widens_to_its_parent() -> None:
    tree = load_tree(_page(f"<h2>小标题</h2><p>{PARA * 6}</p>"))
    node = choose_container(tree)
    assert node is not None and node.get("class") == "c3"  # the heading comes along


def test_data_table_cells_count_as_article_text() -> None:
    rows = "".join(f"<tr><td>课程{i}</td><td>导师{i}</td><td>名额{i}</td></tr>" for i in range(60))
    tree = load_tree(_page(f"<table>{rows}</table>", extra=f"<p>{PARA}</p>"))
    node = choose_container(tree)
    assert node is not None and node.tag == "table"


def test_prose_split_between_two_places_leaves_the_page_whole() -> None:
    half = f"<p>{PARA}</p>" * 4
    tree = load_tree(_page(half, extra=half))
    assert choose_container(tree) is None
    assert narrow(tree) is tree


def test_too_little_prose_leaves_the_page_whole() -> None:
    assert choose_container(load_tree(_page(f"<p>{PARA}</p>"))) is None


def test_clean_html_keeps_the_article_and_drops_the_menus() -> None:
    article = "".join(f"<p>第{i}段。{PARA}</p>" for i in range(8))
    text = clean_html(_page(article)).text
    assert [line[:3] for line in text.splitlines()] == [f"第{i}段" for i in range(8)]
    assert "栏目名称" not in text


def _narrowed(inner: str) -> etree._Element:
    """The first element under <body> once the page is narrowed to its container."""
    article = "".join(f"<p>{PARA}</p>" for _ in range(8))
    root = narrow(load_tree(_page(article + inner)))
    return root.find("body")[0]


def test_a_container_with_nothing_named_like_an_article_body_is_marked_as_one() -> None:
    # trafilatura takes the first element named like an article body; with none inside the
    # container it recovers loose text only and loses lists and headings, so the container
    # itself is marked.
    top = _narrowed("")
    assert top.get("itemprop") == "articleBody"
    assert top[0].get("class") == "c3"


def test_an_article_body_named_inside_the_container_is_left_to_trafilatura() -> None:
    # the page's own article element inside the container (a portal's post-body) stays the pick
    top = _narrowed(f'<div class="post-body"><p>{PARA}</p></div>')
    assert top.get("class") == "c3" and top.get("itemprop") is None
