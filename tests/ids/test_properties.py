"""Properties over generated input: never raise, spans valid, ids round-trip."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrail.ids import OLD_ARCHIVES, ArxivId, find_ids, parse_id

TODAY = date(2026, 11, 23)
_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@st.composite
def new_ids(draw: st.DrawFn) -> str:
    year = draw(st.integers(7, 26))
    month = draw(st.integers(4 if year == 7 else 1, 11 if year == 26 else 12))
    digits = 5 if year >= 15 else 4
    number = draw(st.integers(1, 10**digits - 1))
    return f"{year:02d}{month:02d}.{number:0{digits}d}"


@st.composite
def old_ids(draw: st.DrawFn) -> str:
    archive = draw(st.sampled_from(sorted(OLD_ARCHIVES)))
    year, month = draw(st.sampled_from([(98, 1), (99, 12), (0, 6), (5, 11), (7, 3)]))
    return f"{archive}/{year:02d}{month:02d}{draw(st.integers(1, 999)):03d}"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_never_raises_and_spans_are_valid(text: str) -> None:
    for ref in find_ids(text, today=TODAY):
        assert parse_id(ref.id, today=TODAY) == ArxivId(ref.id)
        if ref.span:
            assert 0 <= ref.span[0] < ref.span[1] <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(new_ids(), old_ids()), st.integers(1, 99), st.booleans(), st.booleans())
def test_citations_round_trip_through_web_noise(
    arxiv_id: str, version: int, full_width: bool, zero_width: bool
) -> None:
    cited = f"arXiv:{arxiv_id}v{version}"
    if zero_width:
        cited = cited[:8] + "\u200b" + cited[8:]
    if full_width:
        cited = "".join(_FULL_WIDTH.get(c, c) for c in cited)
    text = f"这篇论文（{cited}）提出了新方法，https://arxiv.org/abs/{arxiv_id}。"
    [ref] = find_ids(text, today=TODAY)
    assert (ref.id, ref.version, ref.found_by) == (arxiv_id, version, "text")
    assert ref.span is not None and text[slice(*ref.span)] == cited
    assert parse_id(f"{arxiv_id}v{version}", today=TODAY) == ArxivId(arxiv_id, version)


@pytest.mark.timeout(30)
def test_large_dense_page_stays_linear() -> None:
    # 40,000 URLs, DOIs and number look-alikes on one line: quadratic overlap checks or
    # unbounded line searches would not finish in the timeout.
    chunk = (
        "数字 2307.09288 以及 arXiv:2311.11045 https://example.com/a/b 10.1145/1.2 hep-th/9901001 "
    )
    refs = find_ids(chunk * 10_000, today=TODAY)
    assert [r.id for r in refs] == ["2311.11045", "hep-th/9901001"]
