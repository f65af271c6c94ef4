"""Property tests: id validation round-trips, and any text survives the Atom round trip."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from papertrail.arxiv import parse_feed
from papertrail.ids import parse_id
from papertrail.testing.fake_arxiv import FakePaper, atom_feed

new_ids = st.builds(
    lambda y, m, n, v: f"{y:02d}{m:02d}.{n:05d}" + (f"v{v}" if v else ""),
    st.integers(15, 25),  # not in the future: the id parser rejects months to come
    st.integers(1, 12),
    st.integers(1, 99999),
    st.integers(0, 30),
)
# XML 1.0 has no place for control characters other than tab/newline; arXiv has none.
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
).filter(lambda s: s.strip())


@given(new_ids)
def test_valid_ids_round_trip(raw: str) -> None:
    parsed = parse_id(raw)
    assert parsed is not None and str(parsed) == raw
    assert parse_id(f"arXiv:{raw}") == parsed


@given(st.text(max_size=30))
def test_parse_id_never_raises(raw: str) -> None:
    parsed = parse_id(raw)
    assert parsed is None or parse_id(str(parsed)) == parsed


@settings(max_examples=50)
@given(title=xml_text, author=xml_text, abstract=xml_text)
def test_any_text_survives_the_feed(title: str, author: str, abstract: str) -> None:
    when = datetime(2024, 1, 2, tzinfo=UTC)
    paper = FakePaper("2401.00001", title, [author], abstract, ["cs.LG"], when, when)
    page = parse_feed(atom_feed([paper], total=1, start=0, per_page=10, query="q").encode())
    (got,) = page.papers
    assert got.title == " ".join(title.split())
    assert got.abstract == " ".join(abstract.split())
    assert got.authors == [" ".join(author.split())]
    assert got.arxiv_id == "2401.00001" and got.published == when
