"""WeChat's "阅读原文" target (a script variable, no element) is one of the post's links."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.clean import clean_html
from papertrail.clean.wechat import ANCHOR, source_link
from papertrail.testing.article_templates import content_type, render
from papertrail.testing.pages import Page, PageServer

from ..conftest import session_records

SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"
SEED = "002_42328441e1192498"


def wechat_page(source: str) -> str:
    """The seed as a WeChat post whose "阅读原文" points at ``source`` (as WeChat writes it)."""
    lines = (SEEDS / "gold" / f"{SEED}.txt").read_text("utf-8").splitlines()
    page = render("wechat", lines).decode("utf-8")
    return page.replace("var msg_source_url = '';", f"var msg_source_url = '{source}';")


@pytest.mark.parametrize(
    ("script", "href"),
    [
        ("var msg_source_url = 'https://arxiv.org/abs/2501.00001#rd';", "https://arxiv.org/abs/2501.00001#rd"),
        ('msg_source_url = "https://a.example/x?a=1\\x26amp;b=2#rd";', "https://a.example/x?a=1&b=2#rd"),
        ("var msg_source_url = '';", None),
        ("var msg_source_url = 'javascript:;';", None),
        ("var product_msg_source_url = 'https://arxiv.org/abs/2501.00001';", None),
        ("var msg_title = 'no source here';", None),
    ],
)  # fmt: skip
def test_source_link(script: str, href: str | None) -> None:
    link = source_link(f"<html><head><script>{script}</script></head><body></body></html>")
    assert (link.href if link else None) == href
    assert link is None or link.text == ANCHOR


def test_source_already_in_the_text_is_not_a_second_link() -> None:
    page = wechat_page("https://arxiv.org/abs/2403.19928")  # printed in the post too
    hrefs = [link.href for link in clean_html(page, "http://127.0.0.1/s/x").links]
    assert hrefs.count("https://arxiv.org/abs/2403.19928") == 1


@pytest.mark.slow  # one page fetched over loopback HTTP by the session
def test_source_paper_through_the_session(tmp_path: Path) -> None:
    """The real path: the served post's record cites its eight papers, then the source's."""
    with PageServer() as server:
        page = wechat_page("https://arxiv.org/abs/2501.00001v2#rd").encode()
        url = server.add("/s/post.html", Page(page, content_type("wechat")))
        [record] = session_records(tmp_path / "data", [url])
    assert len(record.arxiv) == 9
    last = record.arxiv[-1]
    assert (last.id, last.version, last.found_by) == ("2501.00001", 2, "link")
    assert last.url == "https://arxiv.org/abs/2501.00001v2#rd"
    assert last.span is None  # no element of the page holds it
