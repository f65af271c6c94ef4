"""The 143 identifier cases from arXiv's own code and other projects, all of them.

``validate`` cases go through :func:`parse_id` (the whole string is one candidate),
``extract`` cases through :func:`find_ids`. ``policy`` cases follow the bare-number
policy in ``docs/identifiers.md``: no arXiv context, no id.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from papertrail.ids import find_ids, parse_id

CASES = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "arxiv" / "identifier-cases.json").read_text("utf-8")
)
TODAY = date(2026, 11, 23)


def _label(case: dict) -> str:
    return f"{case['kind']}:{case['input'][:40]}"


def _as_string(arxiv_id: str, version: int | None) -> str:
    return f"{arxiv_id}v{version}" if version else arxiv_id


@pytest.mark.parametrize("case", CASES, ids=[_label(c) for c in CASES])
def test_identifier_case(case: dict) -> None:
    expect = case["expect"] or None
    if case["kind"] == "validate":
        parsed = parse_id(case["input"], today=TODAY)
        got = _as_string(parsed.id, parsed.version) if parsed else None
    else:
        refs = find_ids(case["input"], today=TODAY)
        assert len(refs) <= 1, refs
        got = _as_string(refs[0].id, refs[0].version) if refs else None
    assert got == expect


def test_case_file_is_complete() -> None:
    assert len(CASES) == 143
    assert sum(1 for c in CASES if c.get("policy")) == 5
