"""Every seed's article as HTML, in six kinds of page: exactly its ids, never a chrome id.

The pages come from :mod:`papertrail.testing.article_templates` (an article's lines in
WordPress, WeChat, a GBK portal, a CSDN-style post, a forum thread, a blog with a sidebar),
each with chrome citing other papers. The ids expected are the text path's on the seed's
rendered text (``.txt`` input), so a template can never be tuned to its own answer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from papertrail.clean import clean, clean_text
from papertrail.decode import decode
from papertrail.document import Document
from papertrail.ids import extract_ids, find_ids
from papertrail.testing.article_templates import CHROME_IDS, TEMPLATES, content_type, render
from papertrail.testing.pages import Page, PageServer

from ..conftest import session_records

SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"
NAMES = sorted(p.stem for p in SEEDS.glob("0*.txt"))
TODAY = date(2026, 11, 1)


def text_path_ids(name: str) -> list[str]:
    result = clean_text((SEEDS / f"{name}.txt").read_text("utf-8"))
    return [ref.id for ref in find_ids(result.text, result.links, today=TODAY)]


def gold_lines(name: str) -> list[str]:
    return (SEEDS / "gold" / f"{name}.txt").read_text("utf-8").splitlines()


def html_document(name: str, template: str) -> Document:
    """The page through the pipeline's own stages: decode, clean, ids."""
    kind = content_type(template)
    doc = Document(url=f"http://127.0.0.1/{template}/{name}.html", kind="http")
    doc.raw, doc.content_type, doc.headers = render(template, gold_lines(name)), kind, {}
    return extract_ids(clean(decode(doc)))


def test_every_seed_with_ids_is_covered() -> None:
    assert sum(bool(text_path_ids(name)) for name in NAMES) >= 3
    assert not set(CHROME_IDS) & {i for name in NAMES for i in text_path_ids(name)}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("name", NAMES)
def test_html_gives_exactly_the_text_paths_ids(name: str, template: str) -> None:
    doc = html_document(name, template)
    got = [ref.id for ref in doc.arxiv]
    assert not set(got) & set(CHROME_IDS), "a chrome id was reported"
    assert got == text_path_ids(name)
    for ref in doc.arxiv:  # every span points into the text
        assert ref.span is not None, ref
        start, end = ref.span
        assert 0 <= start < end <= len(doc.text)


@pytest.mark.parametrize("template", ["wordpress", "csdn", "forum"])
def test_link_only_paragraphs_stay_in_the_text(template: str) -> None:
    doc = html_document("002_42328441e1192498", template)
    assert "论文链接:\nhttps://arxiv.org/abs/2403.19928" in doc.text


@pytest.mark.slow  # ten pages fetched over loopback HTTP by the session
def test_ids_through_the_session_on_served_pages(tmp_path: Path) -> None:
    """The real path: pages served over HTTP on loopback, fetched, decoded, cleaned and
    linked by the session, one record each; every template serves at least one seed."""
    templates = sorted(TEMPLATES)
    with PageServer() as server:
        urls: dict[str, tuple[str, str]] = {}
        for i, name in enumerate(NAMES):
            for template in (templates[i % 6], templates[(i + 3) % 6]):
                page = Page(render(template, gold_lines(name)), content_type(template))
                urls[server.add(f"/{template}/{name}.html", page)] = (name, template)
        records = session_records(tmp_path / "data", list(urls), skip_unchanged=False)
    assert {r.url for r in records} == set(urls)
    assert {t for _, t in urls.values()} == set(TEMPLATES)
    for record in records:
        name, template = urls[record.url]
        assert record.errors == [], (template, record.errors)
        assert [ref.id for ref in record.arxiv] == text_path_ids(name), (name, template)


def gold_sections(name: str) -> list[list[str]]:
    """The seed's numbered items ("1.…" to "8.…"), read from its gold text by number."""
    sections: list[list[str]] = []
    for line in gold_lines(name):
        if line.startswith(f"{len(sections) + 1}."):
            sections.append([])
        elif sections and line.strip():
            sections[-1].append(line)
    return sections


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_paper_carries_its_own_summary_as_item(template: str) -> None:
    name = "002_42328441e1192498"
    record = html_document(name, template).to_record()
    sections = gold_sections(name)
    assert len(record.arxiv) == len(sections) == 8
    for n, ref in enumerate(record.arxiv):
        assert ref.item is not None, ref.id
        assert ref.item.heading.startswith(f"{n + 1}.")
        # the paragraphs, not the link lines ("论文链接:", a URL shown as "PDF")
        summary = [line for line in sections[n] if "http" not in line and line[-1] != ":"]
        for paragraph in summary:
            assert paragraph in ref.item.text, (ref.id, paragraph[:30])
        others = [line for k, s in enumerate(sections) if k != n for line in s if len(line) > 20]
        assert not [line for line in others if line in ref.item.text], ref.id
