"""The block model's training script: its labels and its fit (the shipped model's source)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")  # the training script's only extra (`.[bench]`)

from bench.extraction.train_blocks import PageRows, fit, rebuild, selected
from papertrail.clean.blocks import probability

STORY = "The study shows that sparse attention works on long documents."
RESULTS = "Results improve on six public benchmarks against strong baselines."


def test_labels_are_the_blocks_that_best_rebuild_the_gold_text() -> None:
    texts = ["Home About Contact", STORY, "Share this story", RESULTS, "the study"]
    # the last block's words are in the gold, but the gold has them once: taking it lowers F1
    assert rebuild(texts, f"{STORY}\n{RESULTS}") == {1, 3}
    assert rebuild(texts, "") == set()


def _page(n: int) -> PageRows:
    texts = [f"menu item {n}", f"{STORY} ({n})", f"footer {n}"]
    feats = [["io:no", "in:nav"], ["io:full", "tag:p"], ["io:no", "in:footer"]]
    return PageRows(
        f"p{n}", "wcxb-dev", "listing", STORY, STORY, True, texts, feats, [False, True, False]
    )


def test_fit_learns_the_labels_and_selected_keeps_those_blocks() -> None:
    pages = [_page(n) for n in range(20)]
    model = fit(pages, l2=1e-4)
    assert probability(["io:full", "tag:p"], model) > 0.5 > probability(["io:no", "in:nav"], model)
    assert selected(_page(99), model, 0.5) == f"{STORY} (99)"
