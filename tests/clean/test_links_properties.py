"""Property: a paper linked from an article is found whatever the markup around it, and a
paper linked from the chrome around (or inside) the article never is."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertrail.clean import clean
from papertrail.document import Document
from papertrail.ids import extract_ids

PAPERS = ("2403.19928", "2307.09288", "1706.03762", "hep-th/9901001")
CHROME = ("2312.11805", "2401.04088", "2310.11511")
SENTENCES = (
    "研究团队提出了一种新的大模型训练方法，在多个基准测试上取得了显著提升，同时训练成本降低了一半。",
    "实验表明，该方法在长文本理解任务上优于此前的所有开源模型，推理速度也快得多，值得关注。",
    "作者还公开了代码和模型权重，社区可以在此基础上继续改进，进一步降低部署所需的显存。",
    "这项工作的关键在于把检索和生成结合起来，让模型在回答问题之前先查找相关的资料和证据。",
    "与同类工作相比，它不需要额外的人工标注数据，只依靠模型自己生成的样本就能完成训练过程。",
)

# How an article writes its paper (``{u}``: abs URL, ``{i}``: the id).
PAPER_FORMS = (
    '<p><a href="{u}">{u}</a></p>',
    '<p>论文链接：</p><p><a href="{u}">{u}</a></p>',
    '<p>论文：<a href="{u}">PDF</a> | <a href="https://github.com/x/y">Code</a></p>',
    "<p>论文地址：{u}</p>",
    '<section><span leaf="">论文地址：</span><span leaf="">{u}</span></section>',
    "<p>本文介绍的论文（arXiv:{i}）非常值得一读，我们下面详细说明它的思路。</p>",
    "<pre><code>paper = 'arXiv:{i}'</code></pre>",
    '<p><a href="https://huggingface.co/papers/{i}">项目地址</a></p>',
)
# Chrome that cites another paper: outside the article, or inside it at the end.
CHROME_OUTSIDE = (
    '<nav class="main-nav"><a href="/">首页</a> <a href="{u}">热门论文</a></nav>',
    '<aside class="sidebar"><h3>热门论文</h3><ul><li><a href="{u}">{u}</a></li></ul></aside>',
    '<div id="sidebar"><div class="widget"><a href="{u}">arXiv:{i}</a></div></div>',
    '<footer class="site-footer">版权所有 <a href="{u}">论文</a></footer>',
    '<div class="comments"><p>推荐这篇：{u}</p></div>',
)
CHROME_INSIDE = (
    '<div class="related-posts"><h3>相关文章</h3><a href="{u}">上周论文 arXiv:{i}</a></div>',
    '<div class="share-bar"><a href="{u}">分享</a></div>',
    '<p><strong>推荐阅读</strong></p><p><a href="/p/1">往期：arXiv:{i} 解读</a></p>',
    '<div id="comment-list"><p>网友：看看 {u}</p></div>',
)
WRAPPERS = (
    '<article class="post"><div class="entry-content">{}</div></article>',
    '<div id="js_content" style="visibility: hidden;">{}</div>',
    '<table><tr><td width="200">栏目</td><td class="content">{}</td></tr></table>',
    '<div class="post-body">{}</div>',
    "<main>{}</main>",
)


def url(i: str) -> str:
    return f"https://arxiv.org/abs/{i}"


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, str, str]:
    paper = draw(st.sampled_from(PAPERS))
    other = draw(st.sampled_from(CHROME))
    paragraphs = [f"<p>{s}</p>" for s in draw(st.lists(st.sampled_from(SENTENCES), min_size=4))]
    form = draw(st.sampled_from(PAPER_FORMS)).format(u=url(paper), i=paper)
    paragraphs.insert(draw(st.integers(0, len(paragraphs))), form)
    if draw(st.booleans()):  # a blog's footnotes, after the text
        paragraphs.append(f'<ol class="footnotes"><li id="fn1">{url(paper)}</li></ol>')
    inside = draw(st.lists(st.sampled_from(CHROME_INSIDE), max_size=2))
    article = "\n".join(paragraphs + [c.format(u=url(other), i=other) for c in inside])
    article = draw(st.sampled_from(WRAPPERS)).format(article)
    before = draw(st.lists(st.sampled_from(CHROME_OUTSIDE), max_size=2))
    after = draw(st.lists(st.sampled_from(CHROME_OUTSIDE), min_size=1, max_size=3))
    chrome = (
        [c.format(u=url(other), i=other) for c in before],
        [c.format(u=url(other), i=other) for c in after],
    )
    body = "\n".join([*chrome[0], article, *chrome[1]])
    head = '<head><meta charset="utf-8"><title>论文速递</title></head>'
    html = f"<html>{head}<body>{body}</body></html>"
    return html, paper, other


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_the_article_s_paper_is_found_and_the_chrome_s_never(page: tuple[str, str, str]) -> None:
    html, paper, other = page
    doc = extract_ids(clean(Document(url="http://127.0.0.1/a.html", kind="http", markup=html)))
    assert [ref.id for ref in doc.arxiv] == [paper]
    (ref,) = doc.arxiv
    assert ref.span is not None and 0 <= ref.span[0] < ref.span[1] <= len(doc.text)
    assert not [link for link in doc.links if other in link.href], "a chrome link was kept"


HEADING_FORMS = (
    "<h2>{}</h2>",
    "<h3>{}</h3>",
    "<p><strong>{}</strong></p>",
    '<section><strong><span leaf="">{}</span></strong></section>',
    "<p>{}</p>",
)
TITLES = (
    "华为新研究：减少计算负荷",
    "苹果提出新模型",
    "谷歌发布检索模型",
    "新的评估基准",
    "高效状态空间模型",
)


@st.composite
def roundups(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str]]]:
    """A roundup of 2-5 numbered items, each a heading, summary paragraphs and its paper."""
    count = draw(st.integers(2, 5))
    papers = [f"2403.{19900 + 7 * n}" for n in range(count)]
    heading_form = draw(st.sampled_from(HEADING_FORMS))
    parts = ["<p>本周我们从数百篇新论文中挑选了几篇值得一读的，下面逐一介绍它们的主要贡献。</p>"]
    sections = []
    for n, paper in enumerate(papers):
        heading = f"{n + 1}.{TITLES[n]}"
        summary = f"第{n + 1}篇论文的摘要：{draw(st.sampled_from(SENTENCES))}"
        form = draw(st.sampled_from(PAPER_FORMS)).format(u=url(paper), i=paper)
        parts += [heading_form.format(heading), f"<p>{summary}</p>", form]
        sections.append((paper, heading, summary))
    article = draw(st.sampled_from(WRAPPERS)).format("\n".join(parts))
    chrome = draw(st.sampled_from(CHROME_OUTSIDE)).format(u=url(CHROME[0]), i=CHROME[0])
    head = '<head><meta charset="utf-8"><title>论文速递</title></head>'
    return f"<html>{head}<body>{article}\n{chrome}</body></html>", sections


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roundups())
def test_each_paper_s_item_is_its_own_section(page: tuple[str, list[tuple[str, str, str]]]) -> None:
    html, sections = page
    doc = extract_ids(clean(Document(url="http://127.0.0.1/r.html", kind="http", markup=html)))
    record = doc.to_record()
    assert [ref.id for ref in record.arxiv] == [paper for paper, _, _ in sections]
    for ref, (_, heading, summary) in zip(record.arxiv, sections, strict=True):
        if ref.span is None:
            # trafilatura dropped the line citing it (a repeated "项目地址" on a page where
            # it recognises no article): no span and no item, never a wrong one
            assert ref.item is None
            continue
        assert ref.item is not None, (ref.id, doc.text)
        assert ref.item.heading == heading
        assert summary in ref.item.text
        others = [s for _, h, s in sections if h != heading]
        assert not [s for s in others if s in ref.item.text]
