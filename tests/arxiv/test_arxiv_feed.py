"""Parsing real recorded API answers (old and new format) and refusing bad bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertrail.arxiv import parse_feed
from papertrail.errors import ArxivResponseError
from papertrail.ids import parse_id

ATOM = Path(__file__).parents[1] / "fixtures" / "arxiv" / "atom"
MANIFEST = {m["file"]: m for m in json.loads((ATOM / "MANIFEST.json").read_text())}


@pytest.mark.parametrize("path", sorted(ATOM.glob("*.xml")), ids=lambda p: p.name)
def test_every_recorded_answer_parses_or_is_an_error(path: Path) -> None:
    body = path.read_bytes()
    if b"api/errors#" in body:
        with pytest.raises(ArxivResponseError) as err:
            parse_feed(body)
        assert err.value.reason == "arxiv_error_feed"
        return
    page = parse_feed(body)
    if path.name in MANIFEST:
        assert page.entries == MANIFEST[path.name]["entries"]
        assert page.total == MANIFEST[path.name]["totalResults"]
    for paper in page.papers:
        assert parse_id(paper.arxiv_id) is not None and "v" not in paper.arxiv_id[-3:]
        assert paper.title and paper.authors and paper.abs_url.startswith("https://arxiv.org/abs/")
        assert paper.categories and paper.primary_category and paper.published


def test_old_style_id_fields() -> None:
    page = parse_feed((ATOM / "id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml").read_bytes())
    (paper,) = page.papers
    assert (paper.arxiv_id, paper.version) == ("quant-ph/0201082", 1)
    assert paper.primary_category == "quant-ph" and paper.categories == ["quant-ph", "cs.PL"]
    assert paper.comment == "32 pages"


def test_truncated_body_is_an_error_not_an_empty_success() -> None:
    body = (ATOM / "q_testing_s0_m10_bc5a6c384fe9.xml").read_bytes()
    with pytest.raises(ArxivResponseError) as err:
        parse_feed(body[: len(body) // 2])
    assert err.value.reason == "arxiv_truncated"


def test_non_atom_body_is_an_error() -> None:
    with pytest.raises(ArxivResponseError) as err:
        parse_feed(b"<html><body>maintenance</body></html>")
    assert err.value.reason == "arxiv_malformed_feed"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2307.09288", "2307.09288"),
        ("arXiv:2307.09288v2", "2307.09288v2"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.NA/9901123v3", "math/9901123v3"),
        ("abc", None),
        ("1234.12345", None),  # month 34
        ("2307.0928", None),  # four digits after 2015
        ("0703.0001", None),  # new style began 0704
        ("hep-th/0801001", None),  # old style ended 0703
        ("foo-ph/9901001", None),
        ("2307.00000", None),
    ],
)
def test_id_validation(raw: str, expected: str | None) -> None:
    parsed = parse_id(raw)
    assert (str(parsed) if parsed else None) == expected
