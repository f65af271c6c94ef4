"""A handful of real pages with gold text: a loose F1 floor against regressions.

Runs only where the shared corpus exists (``../shared/corpus`` next to the repository,
or ``PAPERTRAIL_CORPUS``); skipped elsewhere, since the corpus is not in the repository.
"""

from __future__ import annotations

from itertools import islice

import pytest

from bench.extraction.corpus import find_corpus, load_set
from bench.extraction.score import aggregate, score_page
from papertrail.clean import clean_html

CORPUS = find_corpus()
PAGES = 12


@pytest.mark.skipif(CORPUS is None, reason="shared extraction corpus not present")
@pytest.mark.parametrize(("set_name", "floor"), [("zh-wced", 0.92), ("en-scrapinghub", 0.96)])
def test_f1_floor_on_real_pages(set_name: str, floor: float) -> None:
    assert CORPUS is not None
    pages = list(islice(load_set(CORPUS / set_name), PAGES))
    overall = aggregate(score_page(clean_html(p.html, p.url).text, p.gold) for p in pages)
    assert overall.f1 >= floor, overall
