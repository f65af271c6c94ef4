"""Train the block model of :mod:`papertrail.clean.blocks`, shipped in ``clean/models/``.

    nice .venv/bin/python -m bench.extraction.train_blocks [--cv] [--corpus ../shared/corpus]

Data: the *tuning* part (:mod:`.split`) of wcxb-dev and en-scrapinghub (English news
articles, some of which the page-type model sends to the listing path); held-out pages
are never read. Each page is typed out of fold (:func:`types_out_of_fold`: as an unseen
page is, sometimes wrongly) and extracted by that type's behaviour without block
selection (what the model sees at run time); its blocks
(:func:`papertrail.clean.blocks.segment`) are labelled by a greedy rebuild of the gold
text: blocks in order of the share of their words found in the gold, each kept when it
does not lower the page's word F1 (this rebuild scores 0.94 on the tuning part; the
pipeline before it 0.82). Model: logistic regression over the features of
:func:`papertrail.clean.blocks.features` seen on at least ``MIN_DF`` blocks, each block
weighted by its words (the metric counts words), full-batch Adam with L2, no random state.
``--cv`` scores 3 folds of tuning pages out of fold (how the threshold, the page types it
serves and L2 were chosen); numpy is used here only, never at run time.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from papertrail.clean import CJK_LANGS, clean_html
from papertrail.clean.behaviour import BY_TYPE, behaviour_for
from papertrail.clean.blocks import (
    MODEL_FILE,
    features,
    pick,
    segment,
    word_bag,
)
from papertrail.clean.guard import defuse
from papertrail.clean.pagetype import decide, signals
from papertrail.clean.pagetype import probabilities as type_probabilities

from .corpus import WCXB, Page, find_corpus, load_set
from .score import aggregate, score_page, word_f1
from .train_pagetype import MIN_ARTICLE_PROBABILITY, examples, train

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "papertrail" / "clean" / "models" / MODEL_FILE
MIN_DF = 5
L2 = 1e-3
ITERATIONS = 300
RATE = 0.05
THRESHOLD = 0.4
# Tuning pages read here, in train_pagetype's order. zh-wced is left out: Chinese pages
# never take the block model (its word features mean nothing without spaces).
SETS = (WCXB, "en-scrapinghub")


@dataclass(slots=True)
class PageRows:
    page_id: str
    set_name: str
    page_type: str
    gold: str
    extracted: str  # the pipeline's text without block selection
    uses_blocks: bool  # its predicted type's behaviour selects blocks
    texts: list[str]
    feats: list[list[str]]
    labels: list[bool]


def rebuild(texts: list[str], gold: str) -> set[int]:
    """The blocks whose union best rebuilds ``gold`` (greedy on word F1)."""
    want = word_bag(gold)
    total = sum(want.values())
    bags = [(i, bag) for i, text in enumerate(texts) if (bag := word_bag(text))]
    bags.sort(key=lambda ib: -sum((ib[1] & want).values()) / sum(ib[1].values()))
    chosen: set[int] = set()
    kept: Counter[str] = Counter()
    best = 0.0
    for i, bag in bags:
        trial = kept + bag
        size = sum(trial.values())
        f1 = 2 * sum((trial & want).values()) / (size + total) if size + total else 0.0
        if f1 > best:  # strictly: on a page whose gold is empty no block is content
            best, kept = f1, trial
            chosen.add(i)
    return chosen


def types_out_of_fold(corpus: Path, pages: list[Page], folds: int = 3) -> list[str]:
    """Each tuning page's type by a page-type model trained without it: the folds of
    ``train_pagetype.cross_validate`` (its rows in its order, wcxb-dev first). The shipped
    model knows its own training pages (in-sample types are nearly always right): typed by
    it, no page here would take the wrong path, as unseen pages do."""
    rows = examples(corpus, "tuning")
    assert [label for _, label in rows[: len(pages)]] == [p.page_type for p in pages]
    judged = [signals(LexborHTMLParser(defuse(p.html)), p.url) is not None for p in pages]
    types = ["article"] * len(pages)
    for k in range(folds):
        model = train([r for i, r in enumerate(rows) if i % folds != k])
        for i in range(k, len(pages), folds):
            if judged[i]:
                types[i] = decide(type_probabilities(rows[i][0], model), MIN_ARTICLE_PROBABILITY)
    return types


def page_rows(page: Page, predicted: str) -> PageRows:
    html = defuse(page.html)
    behaviour = behaviour_for(predicted)
    plain = clean_html(html, page.url, behaviour=replace(behaviour, select_blocks=False))
    extracted = plain.text
    blocks = segment(LexborHTMLParser(html))
    texts = [b.text for b in blocks]
    chosen = rebuild(texts, page.gold)
    return PageRows(
        page.id,
        page.set_name,
        page.page_type,
        page.gold,
        extracted,
        behaviour.select_blocks and plain.meta.lang not in CJK_LANGS,  # as clean_html decides
        texts,
        features(blocks, predicted, extracted),
        [i in chosen for i in range(len(texts))],
    )


def fit(pages: list[PageRows], l2: float = L2) -> dict[str, object]:
    df = Counter(f for p in pages for feats in p.feats for f in set(feats))
    vocab = {f: j for j, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    rows: list[int] = []
    cols: list[int] = []
    labels: list[float] = []
    weights: list[float] = []
    for p in pages:
        for text, feats, label in zip(p.texts, p.feats, p.labels, strict=True):
            for f in feats:
                if (j := vocab.get(f)) is not None:
                    rows.append(len(labels))
                    cols.append(j)
            labels.append(float(label))
            weights.append(max(1, sum(word_bag(text).values())))
    r, c = np.array(rows), np.array(cols)
    y, sw = np.array(labels), np.array(weights, dtype=float)
    sw /= sw.mean()
    n = len(y)
    w = np.zeros(len(vocab) + 1)  # the last one: the bias
    c = np.concatenate([c, np.full(n, len(vocab))])
    r = np.concatenate([r, np.arange(n)])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for it in range(1, ITERATIONS + 1):
        p = 1 / (1 + np.exp(-np.bincount(r, weights=w[c], minlength=n)))
        err = (p - y) * sw
        grad = np.bincount(c, weights=err[r], minlength=len(w)) / n + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= RATE * (m / (1 - 0.9**it)) / (np.sqrt(v / (1 - 0.999**it)) + 1e-8)
    pruned = {f: round(float(w[j]), 4) for f, j in vocab.items() if abs(w[j]) >= 5e-4}
    return {"weights": pruned, "bias": round(float(w[-1]), 4), "threshold": THRESHOLD}


def selected(p: PageRows, model: dict[str, object], threshold: float) -> str:
    """The page's text as :func:`papertrail.clean.blocks.select` makes it."""
    return pick(p.texts, p.feats, model, threshold, p.extracted) or p.extracted


def _score(set_name: str, outputs: list[tuple[str, str]]) -> float:
    """The set's own metric (as bench.extraction.run scores it)."""
    if set_name == WCXB:
        return statistics.fmean(word_f1(out, gold) for out, gold in outputs)
    return aggregate(score_page(out, gold) for out, gold in outputs).f1


def cross_validate(
    pages: list[PageRows], l2s: list[float], train_sets: set[str], folds: int = 3
) -> None:
    """Each page's text with and without the model of the other folds (trained on the pages
    of ``train_sets``), by set and by wcxb-dev page type."""
    thresholds = (0.3, 0.4, 0.5)
    for l2 in l2s:
        # (threshold or "without", slice) -> [(output, gold)]
        outs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for k in range(folds):
            train_on = [
                p for i, p in enumerate(pages) if i % folds != k and p.set_name in train_sets
            ]
            model = fit(train_on, l2)
            for p in (p for i, p in enumerate(pages) if i % folds == k):
                slices = [p.set_name] + ([f"type {p.page_type}"] if p.set_name == WCXB else [])
                for key in slices:
                    outs["without", key].append((p.extracted, p.gold))
                    for threshold in thresholds:
                        text = selected(p, model, threshold) if p.uses_blocks else p.extracted
                        outs[str(threshold), key].append((text, p.gold))
        keys = sorted({key for _, key in outs}, key=lambda k: (k.startswith("type"), k))
        print(f"l2={l2} trained on {sorted(train_sets)}; " + ", ".join(keys))
        for variant in ("without", *map(str, thresholds)):
            cells = [
                f"{_score(WCXB if key.startswith('type') else key, outs[variant, key]):.3f}"
                for key in keys
            ]
            print(f"  {variant:9} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=find_corpus())
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cv", action="store_true", help="cross-validate on tuning folds")
    parser.add_argument("--cv-l2", type=float, nargs="+", default=[3e-3, 1e-3, 3e-4])
    parser.add_argument("--train-sets", nargs="+", default=list(SETS), choices=SETS)
    args = parser.parse_args()
    # train_pagetype's order (wcxb-dev, then en-scrapinghub): the folds line up
    tuning = [p for s in SETS for p in load_set(args.corpus / s, part="tuning")]
    types = types_out_of_fold(args.corpus, tuning)
    with Pool(2) as pool:
        pages = pool.starmap(page_rows, zip(tuning, types, strict=True), chunksize=8)
    train_sets = set(args.train_sets)
    if args.cv:
        cross_validate(pages, args.cv_l2, train_sets)
        return
    model = fit([p for p in pages if p.set_name in train_sets])
    model |= {
        "version": MODEL_FILE.removesuffix(".json"),
        "provenance": {
            "trained_by": "bench/extraction/train_blocks.py",
            "data": "tuning part (sha256(id) % 10 >= 3) of "
            + " and ".join(sorted(train_sets))
            + " (wcxb-dev CC-BY-4.0, en-scrapinghub MIT): blocks labelled by a greedy rebuild "
            "of each page's gold text; page types out of fold",
            "pages": len(pages),
            "blocks": sum(len(p.texts) for p in pages),
            "serves": sorted(t for t, b in BY_TYPE.items() if b.select_blocks),
            "trained_at": datetime.now(UTC).strftime("%Y-%m-%d"),
            "hyperparameters": {
                "l2": L2,
                "iterations": ITERATIONS,
                "rate": RATE,
                "min_df": MIN_DF,
            },
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
    print(
        f"wrote {args.out} ({args.out.stat().st_size // 1024} kB, {len(model['weights'])} weights)"
    )


if __name__ == "__main__":
    main()
