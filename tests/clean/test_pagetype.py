"""Page types: the shipped model, and what each type keeps."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

from selectolax.lexbor import LexborHTMLParser

from papertrail.clean import clean, clean_html
from papertrail.clean.behaviour import BY_TYPE
from papertrail.clean.extract import extract_plain
from papertrail.clean.pagetype import (
    MODEL_FILE,
    PAGE_TYPES,
    classify_page,
    features,
    probabilities,
)
from papertrail.document import Document

REPLY = "I had the same problem with the {n} release and fixed it by pinning the driver version."
POST = (
    "My laptop freezes every time I resume from sleep since the last kernel update. "
    "I tried reinstalling the graphics driver and resetting the BIOS, nothing helped."
)

THREAD = f"""<!doctype html><html><head><title>Laptop freezes after resume</title>
<script type="application/ld+json">{{"@context": "https://schema.org",
"@type": "DiscussionForumPosting", "headline": "Laptop freezes after resume",
"comment": [{{"@type": "Comment"}}, {{"@type": "Comment"}}, {{"@type": "Comment"}}]}}</script>
</head><body>
<nav class="forum-nav"><a href="/">Forums</a> <a href="/hardware">Hardware</a></nav>
<div class="thread">
<h1>Laptop freezes after resume</h1>
<div class="post message" id="post-1"><div class="user avatar">alice</div><p>{POST}</p>
<div class="signature">Sent from my phone</div></div>
{
    "".join(
        f'<div class="post message reply" id="post-{n}"><div class="user avatar">user{n}</div>'
        f"<p>{REPLY.format(n=n)}</p></div>"
        for n in range(2, 6)
    )
}
<form class="reply-form"><textarea></textarea><button>Post reply</button></form>
</div>
<footer>Powered by a forum engine. All rights reserved.</footer>
</body></html>"""


def test_model_ships_inside_the_package_with_provenance() -> None:
    raw = resources.files("papertrail.clean").joinpath("models", MODEL_FILE).read_text("utf-8")
    model = json.loads(raw)
    assert model["version"] == MODEL_FILE.removesuffix(".json")
    assert set(model["bias"]) == set(PAGE_TYPES)
    assert "tuning part" in model["provenance"]["data"]
    assert model["provenance"]["trained_by"] == "bench/extraction/train_pagetype.py"


def test_every_type_has_a_behaviour() -> None:
    assert set(BY_TYPE) == set(PAGE_TYPES)


def test_features_read_url_schema_org_and_markup() -> None:
    feats = features(LexborHTMLParser(THREAD), "https://forum.example.org/threads/freeze.123/")
    assert {"url:threads", "ld:DiscussionForumPosting", "ld:Comment:many"} <= feats
    assert any(f.startswith("cls:reply:") for f in feats)


def test_a_thread_keeps_its_opening_post_and_every_reply() -> None:
    url = "https://forum.example.org/threads/laptop-freezes-after-resume.123/"
    assert classify_page(THREAD, url) == "forum"
    result = clean_html(THREAD, url)
    assert result.page_type == "forum"
    assert POST in result.text
    for n in range(2, 6):
        assert REPLY.format(n=n) in result.text
    assert "Post reply" not in result.text


def test_page_type_is_recorded_on_the_document_and_record() -> None:
    url = "https://forum.example.org/threads/laptop-freezes-after-resume.123/"
    doc = Document(url=url, markup=THREAD)
    clean(doc)
    assert doc.page_type == "forum"
    assert doc.to_record().page_type == "forum"


def test_text_input_has_no_page_type() -> None:
    doc = Document(url="file:///x.txt", kind="text_file", markup=POST + "\n" + POST)
    clean(doc)
    assert doc.page_type is None and doc.to_record().page_type is None


def test_garbage_and_empty_pages_are_articles() -> None:
    assert classify_page("", None) == "article"
    assert classify_page("<p>just a line</p>", "not a url") == "article"


ITEM = "Paper {n}: a study of sparse attention for long documents, with code and weights."
LISTING = f"""<!doctype html><html><head><title>This week's papers</title></head><body>
<nav class="menu"><a href="/">Home</a> <a href="/archive">Archive</a></nav>
<main><h1>This week's papers</h1><ul class="cards">
{
    "".join(
        f'<li class="card item"><h2><a href="https://arxiv.org/abs/2403.{19900 + n}">'
        f"Paper {n}</a></h2><p>{ITEM.format(n=n)}</p></li>"
        for n in range(1, 9)
    )
}
</ul></main><footer>© 2026 Example Weekly</footer></body></html>"""


def test_a_listing_keeps_every_item_and_its_links() -> None:
    result = clean_html(LISTING, "https://example.org/weekly/", behaviour=BY_TYPE["listing"])
    for n in range(1, 9):
        assert ITEM.format(n=n) in result.text
    hrefs = {link.href for link in result.links}
    assert {f"https://arxiv.org/abs/2403.{19900 + n}" for n in range(1, 9)} <= hrefs


ZH_ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>大模型前沿论文</title>
</head><body><div class="nav"><a href="/">首页</a> <a href="/news">新闻</a></div>
<div class="content"><h1>今日值得关注的大模型前沿论文</h1>
<p>研究团队提出了一种新的稀疏注意力方法，在长文档理解任务上取得了显著提升，
同时把推理成本降低了一半。论文还公开了代码和模型权重，方便其他研究者复现实验结果。</p>
<p>作者在多个公开基准上做了对比实验，结果表明该方法在保持精度的同时显著减少了显存占用。</p>
</div></body></html>"""


def test_features_name_the_script_of_the_text() -> None:
    zh = features(LexborHTMLParser(ZH_ARTICLE), "https://example.cn/news/2026/11/29/1.html")
    en = features(LexborHTMLParser(THREAD), "https://forum.example.org/threads/freeze.123/")
    assert "lang:zh" in zh and "lang:en" in en


def _model() -> dict[str, object]:
    raw = resources.files("papertrail.clean").joinpath("models", MODEL_FILE).read_text("utf-8")
    return json.loads(raw)


def test_an_article_must_be_likely_else_the_likeliest_other_type() -> None:
    """The article path only for pages the model gives at least min_article_probability;
    any other page takes its likeliest non-article type (trafilatura's whole-page path)."""
    model = _model()
    threshold = model["min_article_probability"]
    assert isinstance(threshold, float) and 0.5 <= threshold < 1
    pages = [
        (THREAD, "https://forum.example.org/threads/laptop-freezes-after-resume.123/"),
        (LISTING, "https://example.org/weekly/"),
        (ZH_ARTICLE, "https://example.cn/news/2026/11/29/1.html"),
    ]
    seen = set()
    for html, url in pages:
        tree = LexborHTMLParser(html)
        probs = probabilities(features(tree, url), model)
        others = {t: p for t, p in probs.items() if t != "article"}
        expected = "article" if probs["article"] >= threshold else max(others, key=others.get)
        assert classify_page(html, url) == expected
        seen.add(expected)
    assert "article" in seen and len(seen) > 1


def test_every_type_but_the_article_takes_the_whole_page_path() -> None:
    assert not BY_TYPE["article"].plain
    assert all(BY_TYPE[t].plain for t in PAGE_TYPES if t != "article")


def test_a_bare_page_the_model_routes_whole_page_still_gives_its_text() -> None:
    """One paragraph and nothing else: trafilatura's whole-page cascade drops it, so the
    article rules read it instead of the page failing with empty_text."""
    from papertrail.clean import clean_html

    html = "<p>" + " ".join(f"arXiv:2307.{i:05d}" for i in range(50)) + "</p>"
    result = clean_html(html, "http://example.org/a.html")
    assert result.page_type != "article"  # the case: the model sends it down the whole page
    assert "arXiv:2307.00049" in result.text


def test_without_the_block_model_a_listing_is_trafilaturas_whole_page_text() -> None:
    # the fallback when the model file is missing (tests/clean/test_blocks.py has the model)
    url = "https://example.org/weekly/"
    behaviour = replace(BY_TYPE["listing"], select_blocks=False)
    assert clean_html(LISTING, url, behaviour=behaviour).text == extract_plain(LISTING, url).text
