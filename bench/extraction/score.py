"""Bag-of-tokens scoring as the Scrapinghub article-extraction benchmark does it.

Every CJK character is its own token (Chinese has no spaces, so words are not
observable without a segmenter); other text splits into word runs. Precision is
averaged over pages that produced output, recall over pages that have gold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def tokens(text: str) -> Counter[str]:
    """The bag of tokens of ``text``."""
    return Counter(_TOKEN.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class PageScore:
    precision: float | None  # None: the extractor returned nothing
    recall: float

    @property
    def f1(self) -> float:
        p = self.precision or 0.0
        return 2 * p * self.recall / (p + self.recall) if p + self.recall else 0.0


def score_page(predicted: str, gold: str) -> PageScore:
    pred, ref = tokens(predicted), tokens(gold)
    common = sum((pred & ref).values())
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    precision = common / n_pred if n_pred else None
    recall = common / n_ref if n_ref else 1.0
    return PageScore(precision, recall)


@dataclass(frozen=True, slots=True)
class Overall:
    precision: float
    recall: float
    f1: float
    pages: int


def aggregate(scores: Iterable[PageScore]) -> Overall:
    scores = list(scores)
    precisions = [s.precision for s in scores if s.precision is not None]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(s.recall for s in scores) / len(scores) if scores else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Overall(p, r, f1, len(scores))


_WORD = re.compile(r"\w+")


def word_f1(predicted: str, gold: str) -> float:
    """WCXB's own per-page metric: F1 of the multisets of lower-cased ``\\w+`` words.

    An empty output scores 0; an empty gold scores 1 only for an empty output.
    """
    pred = Counter(_WORD.findall(predicted.lower()))
    ref = Counter(_WORD.findall(gold.lower()))
    if not ref:
        return 1.0 if not pred else 0.0
    if not pred:
        return 0.0
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    p, r = common / sum(pred.values()), common / sum(ref.values())
    return 2 * p * r / (p + r)
