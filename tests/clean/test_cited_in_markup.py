"""Papers an article cites without an ordinary link or printed id: an embedded PDF viewer,
a quotation's ``cite`` attribute, a URL broken by ``<br>``. Served over loopback and
run through the session, the way a user's page goes; none of them is text the cleaner
keeps, so only the region reader and the ids stage can find them."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.clean import clean, clean_html
from papertrail.clean.behaviour import behaviour_for
from papertrail.clean.pagetype import PAGE_TYPES
from papertrail.document import Document
from papertrail.ids import extract_ids
from papertrail.testing.pages import Page, PageServer

from ..conftest import session_records

PAPER = "2403.19928"
PROSE = (
    "研究团队提出了一种新的大模型训练方法，在多个基准测试上取得了显著提升，同时训练成本降低了一半。",
    "实验表明，该方法在长文本理解任务上优于此前的所有开源模型，推理速度也快得多，值得关注。",
    "作者还公开了代码和模型权重，社区可以在此基础上继续改进，进一步降低部署所需的显存。",
)
FULL_WIDTH = PAPER.translate(str.maketrans("0123456789.", "０１２３４５６７８９."))
FORMS = {
    "iframe": f'<iframe src="https://arxiv.org/pdf/{PAPER}" width="100%" height="600"></iframe>',
    "lazy-iframe": f'<iframe data-src="https://arxiv.org/pdf/{PAPER}v2"></iframe>',
    "pdfjs-viewer": '<iframe src="/pdfjs/viewer.html?file=https%3A%2F%2Farxiv.org%2Fpdf%2F'
    f'{PAPER}"></iframe>',
    "embed": f'<embed src="https://arxiv.org/pdf/{PAPER}.pdf" type="application/pdf">',
    "object": f'<object data="https://arxiv.org/pdf/{PAPER}.pdf" type="application/pdf"></object>',
    "blockquote-cite": f'<blockquote cite="https://arxiv.org/abs/{PAPER}"><p>{PROSE[0]}</p>'
    "</blockquote>",
    "br-in-url": f"<p>论文地址：https://arxiv.org/abs/<br>{PAPER}</p>",
    "br-after-host": f"<p>论文地址：https://arxiv.org/<br>abs/{PAPER}</p>",
    # links written unusually
    "uppercase-url": f'<p>论文：<a href="HTTPS://ARXIV.ORG/ABS/{PAPER}">链接</a></p>',
    "full-width-href": f'<p>论文：<a href="https://arxiv.org/abs/{FULL_WIDTH}">链接</a></p>',
    # targets only a script or an attribute holds
    "onclick-button": f"<p><button onclick=\"window.open('https://arxiv.org/pdf/{PAPER}')\">"
    "PDF</button></p>",
    "data-href-card": f'<div class="card" data-href="https://arxiv.org/abs/{PAPER}">'
    "<p>点击查看论文</p></div>",
    "javascript-href": f"<p><a href=\"javascript:openPaper('https://arxiv.org/abs/{PAPER}')\">"
    "论文</a></p>",
    "json-prop": f'<div data-props=\'{{"paper":"https:\\/\\/arxiv.org\\/abs\\/{PAPER}"}}\'></div>',
    "image-map": f'<map name="m"><area shape="rect" coords="0,0,9,9" '
    f'href="https://arxiv.org/abs/{PAPER}"></map>',
    "noscript": f'<noscript><a href="https://arxiv.org/abs/{PAPER}">论文</a></noscript>',
    "bibtex-textarea": "<textarea readonly>@misc{x, title={...}, "
    f"url={{https://arxiv.org/abs/{PAPER}}}}}</textarea>",
}
CHROME = "2312.11805"  # an embed outside the article is a widget, not a citation


def page(form: str) -> str:
    share = (  # chrome inside the article, naming the page's paper of the week
        f'<div class="share-bar" data-url="https://arxiv.org/abs/{CHROME}">分享到微博</div>'
        f'<button class="share-btn" onclick="share(\'https://arxiv.org/abs/{CHROME}\')">'
        "分享</button>"
    )
    body = "".join(f"<p>{p}</p>" for p in PROSE[:2]) + form + f"<p>{PROSE[2]}</p>" + share
    sidebar = f'<aside><iframe src="https://arxiv.org/pdf/{CHROME}"></iframe></aside>'
    return (
        '<html><head><meta charset="utf-8"><title>论文速递</title></head><body>'
        f'<nav><a href="/">首页</a></nav><article class="post">{body}</article>{sidebar}'
        "<footer>版权所有</footer></body></html>"
    )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_cited_paper_is_found_by_the_stages(name: str) -> None:
    doc = Document(url="http://127.0.0.1/a.html", kind="http", markup=page(FORMS[name]))
    assert [ref.id for ref in extract_ids(clean(doc)).arxiv] == [PAPER]


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_cited_paper_is_found_whatever_the_page_type(page_type: str) -> None:
    """Threads, listings and product pages take trafilatura's whole-page path, not the
    pre-pass: the papers they cite outside links are read there too."""
    behaviour = behaviour_for(page_type)
    for name, form in FORMS.items():
        got = clean_html(page(form), "http://127.0.0.1/a.html", behaviour=behaviour)
        doc = Document(url="http://127.0.0.1/a.html", kind="http", markup="", text=got.text)
        doc.links = got.links
        doc.region_text = got.region.text if got.region is not None else None
        assert [ref.id for ref in extract_ids(doc).arxiv] == [PAPER], name


@pytest.mark.slow  # pages fetched over loopback HTTP by the session
def test_cited_paper_is_found_on_served_pages(tmp_path: Path) -> None:
    with PageServer() as server:
        urls = {
            server.add(f"/{name}.html", Page(page(form).encode("utf-8"))): name
            for name, form in FORMS.items()
        }
        records = session_records(tmp_path / "data", list(urls))
    assert {urls[r.url]: [ref.id for ref in r.arxiv] for r in records} == {
        name: [PAPER] for name in FORMS
    }


def test_relative_links_resolve_against_the_pages_base() -> None:
    """``<base href>`` sets what every relative link of the page resolves against."""
    html = page(f'<p>论文：<a href="abs/{PAPER}">链接</a></p>').replace(
        "<title>", '<base href="https://arxiv.org/"><title>'
    )
    doc = extract_ids(clean(Document(url="http://127.0.0.1/a.html", kind="http", markup=html)))
    assert [ref.id for ref in doc.arxiv] == [PAPER]
    assert f"https://arxiv.org/abs/{PAPER}" in [link.href for link in doc.links]


def test_a_bare_number_after_an_unrelated_line_break_is_not_an_id() -> None:
    """Only an arXiv URL cut at ``/abs/`` continues on the next line."""
    html = page(f"<p>详见 https://example.org/abs/<br>{PAPER}</p>")
    doc = extract_ids(clean(Document(url="http://127.0.0.1/a.html", kind="http", markup=html)))
    assert doc.arxiv == []
