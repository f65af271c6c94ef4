"""HTML mode on small pages built like the seeds: text, links and metadata."""

from __future__ import annotations

import pytest

from papertrail.clean import EXTRACTOR_VERSION, clean, clean_html
from papertrail.clean.extract import paragraph_divs, untable_layout
from papertrail.clean.tree import load_tree
from papertrail.document import Document
from papertrail.errors import ExtractError
from papertrail.ids import extract_ids

PARA = (
    "研究团队提出了一种新的大模型训练方法，在多个基准测试上取得了显著提升，"
    "同时训练成本降低了一半，推理速度也快得多。"
)

PARA_EN = (
    "The screen is bright enough for a sunny train platform, the keyboard is quiet, and the "
    "fan stays silent through a day of documents, calls and browsing."
)

PORTAL = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>谷歌提出Gecko：强大的检索性能 | 某某科技网</title>
<meta name="author" content="田佳恬">
<link rel="canonical" href="/news/42.html">
</head><body>
<div class="top-nav"><a href="/">首页</a> <a href="/ai">人工智能</a> <a href="/login">登录</a></div>
<div class="main"><h1>谷歌提出Gecko：强大的检索性能</h1>
<div class="article-info">发布时间：2024-04-02 来源：某某科技网 编辑：张三</div>
<div class="content">
<p>{PARA}</p>
<p>{PARA}论文地址见下文，欢迎阅读。</p>
<p>论文链接：<a href="https://arxiv.org/abs/2403.20327">https://arxiv.org/abs/2403.20327</a></p>
<p>{PARA}详见 https://arxiv.org/abs/2403.19887 的实验部分。</p>
<figure><img src="fig1.png"><figcaption>图1：模型结构，来自 https://arxiv.org/abs/2403.20329</figcaption></figure>
<p>图1：模型结构，来自 https://arxiv.org/abs/2403.20329</p>
<p>更多细节见<a href="/papers/gecko.html">项目主页</a>。</p>
<p>责任编辑：李四</p>
</div>
<div class="share-bar"><a href="#">分享到微信</a> <a href="#">微博</a></div>
<div class="qrcode-box"><img src="/qrcode.png"><p>扫码关注公众号，获取更多论文</p></div>
<div class="related-news"><h3>相关推荐</h3><ul><li><a href="/1">另一篇新闻标题一</a></li>
<li><a href="/2">另一篇新闻标题二</a></li></ul></div>
</div>
<div class="footer">版权所有 © 2024 某某科技网 京ICP备12345678号
违法和不良信息举报电话：010-12345678</div>
</body></html>"""

WECHAT = f"""<!doctype html><html><head><meta charset="utf-8"><title>八篇大模型论文速递</title>
<meta property="og:title" content="八篇大模型论文速递"></head><body>
<div id="js_article" class="rich_media">
<h1 class="rich_media_title">八篇大模型论文速递</h1>
<div class="rich_media_meta_list"><span id="js_author_name">王小明</span>
<a id="js_name">AI前沿速递</a></div>
<div class="rich_media_content" id="js_content" style="visibility: hidden;">
<section><span>{PARA}</span></section>
<section><span>{PARA}我们逐一介绍。</span></section>
<section><span>论文链接：https://arxiv.org/abs/2404.07143</span></section>
<section><span>{PARA}这是最后一段。</span></section>
<section><span>点击阅读原文，关注我们，后台回复“论文”获取合集</span></section>
</div>
<div id="js_profile_qrcode" class="profile_container"><strong>AI前沿速递</strong>
<p>关注AI前沿，分享最新论文，每天更新，欢迎关注本公众号，长按识别二维码。</p></div>
</div>
<script>var nickname = "AI前沿速递"; var author = "王小明"; var ct = "1712345678";</script>
</body></html>"""


def test_portal_page_keeps_article_and_drops_chrome() -> None:
    result = clean_html(PORTAL, "https://news.example.cn/news/42.html")
    text = result.text
    assert PARA in text
    for chrome in (
        "首页",
        "分享到",
        "扫码关注",
        "相关推荐",
        "另一篇新闻",
        "ICP",
        "责任编辑",
        "版权所有",
    ):
        assert chrome not in text, chrome
    assert "论文链接：https://arxiv.org/abs/2403.20327" in text.replace("\n", "")
    assert "https://arxiv.org/abs/2403.19887" in text
    assert text.count("图1：模型结构") == 1  # caption printed twice, kept once


def test_portal_links_are_absolute_and_inside_the_article() -> None:
    result = clean_html(PORTAL, "https://news.example.cn/news/42.html")
    hrefs = [link.href for link in result.links]
    assert "https://arxiv.org/abs/2403.20327" in hrefs
    assert "https://news.example.cn/papers/gecko.html" in hrefs
    assert "https://arxiv.org/abs/2403.20329" in hrefs  # printed in a caption
    assert not any(h.endswith(("/login", "/1", "/2")) for h in hrefs)


def test_portal_metadata() -> None:
    meta = clean_html(PORTAL, "https://news.example.cn/news/42.html").meta
    assert meta.title == "谷歌提出Gecko：强大的检索性能"
    assert meta.author == "田佳恬"
    assert meta.lang == "zh"
    assert meta.canonical_url == "https://news.example.cn/news/42.html"


def test_wechat_hidden_body_author_and_script_date() -> None:
    doc = Document(url="https://mp.weixin.qq.com/s/abc", kind="http", markup=WECHAT)
    doc = clean(doc)
    assert PARA in doc.text
    assert "这是最后一段" in doc.text
    assert "https://arxiv.org/abs/2404.07143" in doc.text
    assert "长按识别二维码" not in doc.text
    assert "后台回复" not in doc.text
    assert doc.meta.published == "2024-04-05"  # 1712345678 is 2024-04-05 UTC
    assert doc.meta.author == "王小明"
    assert doc.meta.title == "八篇大模型论文速递"
    assert doc.extractor_version == EXTRACTOR_VERSION
    assert [link.href for link in doc.links] == ["https://arxiv.org/abs/2404.07143"]


def test_text_file_document() -> None:
    last = "最后，" + PARA
    text = f"首页\n登录\n{PARA}\n论文链接:\nhttps://arxiv.org/abs/2403.19928\n{last}\n相关推荐\n"
    doc = clean(Document(url="file:///tmp/a.txt", kind="text_file", markup=text))
    assert doc.text.splitlines() == [PARA, "论文链接:", "https://arxiv.org/abs/2403.19928", last]
    assert [link.href for link in doc.links] == ["https://arxiv.org/abs/2403.19928"]


@pytest.mark.parametrize(
    ("kind", "markup", "reason"),
    [
        ("http", "", "empty_input"),
        ("http", "<html><body><nav><a href='/'>首页</a></nav></body></html>", "empty_text"),
        ("text_file", "首页\n登录\n", "empty_text"),
    ],
)
def test_empty_results_raise_extract_error(kind: str, markup: str, reason: str) -> None:
    doc = Document(url="https://example.com/x", kind=kind, markup=markup)  # type: ignore[arg-type]
    with pytest.raises(ExtractError) as info:
        clean(doc)
    assert info.value.reason == reason


def test_results_pickle_for_process_pools() -> None:
    """The lead runs clean under a per-page time limit in a process pool."""
    import pickle

    doc = clean(Document(url="https://example.cn/a.html", kind="html_file", markup=PORTAL))
    assert pickle.loads(pickle.dumps(doc)).text == doc.text
    result = clean_html(PORTAL, None)
    assert pickle.loads(pickle.dumps(result)).links == result.links
    assert all(link.href.startswith("http") for link in result.links)


def _layout_page(cells: list[str]) -> str:
    """A 2005-era page: a menu cell beside article cells, laid out in a table."""
    menu = "<td><a href='/'>首页</a> <a href='/news'>新闻</a> <a href='/edu'>教育</a></td>"
    rows = "".join(f"<tr>{menu}<td>{cell}</td></tr>" for cell in cells)
    return f"<html><body><table><tr><td>站点</td><td>标题</td></tr>{rows}</table></body></html>"


def test_article_typed_into_a_layout_cell_keeps_every_line() -> None:
    """Bare text split by <br> in one layout cell: each line becomes a paragraph."""
    lines = [f"第{i}条：{PARA}{PARA}" for i in range(1, 5)]
    cell = "<br>".join(lines) + "<br>附：招生专业及考试科目"
    tree = load_tree(_layout_page([cell]))
    untable_layout(tree)
    paragraphs = ["".join(p.itertext()) for p in tree.iter("p")]
    assert paragraphs[:4] == lines
    assert clean_html(_layout_page([cell])).text.splitlines()[:4] == lines


def test_comparable_prose_cells_are_a_listing_and_stay_divs() -> None:
    """Several posts of similar size (a blog archive, a forum thread): no single article."""
    post = "<br>".join([PARA * 2, PARA * 2])
    tree = load_tree(_layout_page([post, post]))
    untable_layout(tree)
    assert next(tree.iter("p"), None) is None


def test_paragraph_divs_only_for_sentence_length_inline_runs() -> None:
    tree = load_tree(
        f"<html><body><div>{PARA * 2}<b>加粗</b></div><div><a href='/'>首页</a> 新闻</div>"
        f"<div><div>{PARA * 2}</div></div></body></html>"
    )
    assert paragraph_divs(tree) == 2  # the first and the innermost div; not the menu or wrapper
    assert [el.tag for el in tree.iter("div", "p")] == ["p", "div", "div", "p"]


def test_review_paragraph_naming_its_section_headings_is_kept() -> None:
    """A paragraph that mentions a review's short section headings ("pros", "cons",
    "price") is prose, not a one-line table of contents."""
    intro = (
        "This laptop improves on last year's model in price and battery life, and for most "
        "buyers the pros clearly outweigh the cons; here is what we found after a month."
    )
    body = "".join(
        f"<h2>{h}</h2><p>{' '.join([PARA_EN] * 2)}</p>" for h in ("Pros", "Cons", "Price")
    )
    page = (
        '<html><head><title>Laptop review</title><meta property="og:type" content="article">'
        f"</head><body><article><h1>Laptop review</h1><p>{intro}</p>{body}</article></body></html>"
    )
    result = clean_html(page, "https://example.com/2024/05/laptop-review")
    assert result.page_type == "article"
    assert intro in result.text
    assert result.stats["line:toc"] == 0


def test_code_comments_are_article_text_not_a_comment_section() -> None:
    """A syntax highlighter names a code comment's span "hljs-comment": it is the
    article's code, not a comment section (the pre-pass removed every one of them)."""
    code = (
        '<pre><code class="language-bash"><span class="hljs-comment"># stage the change, '
        'then record it with a message</span>\ngit add notes.txt\ngit commit -m "notes"\n'
        '<span class="hljs-comment"># the paper: https://arxiv.org/abs/2403.20327</span>\n'
        "</code></pre>"
    )
    page = (
        '<html><head><title>A brief intro to git</title><meta property="og:type" '
        'content="article"></head><body><article><h1>A brief intro to git</h1>'
        f"<p>{PARA_EN}</p>{code}<p>{PARA_EN}</p></article>"
        '<div class="comments"><h3>Comments</h3><p>Nice post!</p></div></body></html>'
    )
    result = clean_html(page, "https://example.com/posts/2021/a-brief-intro-to-git")
    assert result.page_type == "article"
    assert "# stage the change, then record it with a message" in result.text
    assert result.region is not None
    assert "https://arxiv.org/abs/2403.20327" in result.region.text
    assert "Nice post!" not in result.text


@pytest.mark.parametrize(
    "heading", ["<h2>References &amp; Sources</h2>", "<p><b>参考文献：</b></p>"]
)
def test_reference_list_is_article_text_and_its_papers_have_spans(heading: str) -> None:
    """A reference list is one link per item, titled by the work: precision mode dropped
    it whole (link density 1), and each paper's id had no place in the text."""
    refs = (
        '<li><a href="https://arxiv.org/abs/2404.12691">Data Authenticity, Consent, and '
        "Provenance for AI are all broken</a></li>"
        '<li><a href="https://example.org/berne">Berne Convention for the Protection of '
        "Literary and Artistic Works</a></li>"
    )
    page = (
        '<html><head><title>AI and your art</title><meta property="og:type" content="article">'
        f"</head><body><article><h1>AI and your art</h1><p>{PARA_EN}</p><p>{PARA_EN}</p>"
        f"{heading}<ul>{refs}</ul></article>"
        '<div class="related"><h3>Related posts</h3><ul><li><a href="/a">Another post of '
        "ours on a similar subject</a></li></ul></div></body></html>"
    )
    doc = Document(url="https://example.com/2025/12/ai-and-your-art", kind="http")
    doc.markup = page
    doc = extract_ids(clean(doc))
    assert "Data Authenticity, Consent, and Provenance for AI are all broken" in doc.text
    assert "Berne Convention for the Protection of Literary and Artistic Works" in doc.text
    assert "Another post of ours" not in doc.text
    [ref] = doc.arxiv
    assert ref.span is not None
    assert doc.text[ref.span[0] : ref.span[1]].startswith("Data Authenticity")


def test_a_link_list_under_another_heading_is_left_to_the_extractor() -> None:
    links = "".join(
        f'<li><a href="/t/{i}">Topic number {i} of the forum</a></li>' for i in range(5)
    )
    page = (
        '<html><head><title>Post</title><meta property="og:type" content="article">'
        f"</head><body><article><h1>Post</h1><p>{PARA_EN}</p><p>{PARA_EN}</p>"
        f"<h2>Popular topics</h2><ul>{links}</ul></article></body></html>"
    )
    result = clean_html(page, "https://example.com/2025/12/post")
    assert "Topic number 3 of the forum" not in result.text
