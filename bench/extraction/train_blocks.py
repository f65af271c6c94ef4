"""Train the block model of :mod:`papertrail.clean.blocks`, shipped in ``clean/models/``.

    nice .venv/bin/python -m bench.extraction.train_blocks [--cv] [--corpus ../shared/corpus]

Data: the *tuning* part (:mod:`.split`) of wcxb-dev only; held-out pages are never read.
Each page is typed by the shipped page-type model and extracted by its behaviour without
block selection (what the model sees at run time); its blocks
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
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from papertrail.clean import clean_html
from papertrail.clean.behaviour import BY_TYPE, behaviour_for
from papertrail.clean.blocks import MODEL_FILE, features, probability, segment
from papertrail.clean.guard import defuse
from papertrail.clean.pagetype import classify_tree

from .corpus import WCXB, Page, find_corpus, load_set
from .score import word_f1

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "papertrail" / "clean" / "models" / MODEL_FILE
MIN_DF = 5
L2 = 1e-3
ITERATIONS = 300
RATE = 0.05
THRESHOLD = 0.4
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class PageRows:
    page_type: str  # the corpus's label (for reports)
    gold: str
    extracted: str  # the pipeline's text without block selection
    uses_blocks: bool  # its predicted type's behaviour selects blocks
    texts: list[str]
    feats: list[list[str]]
    labels: list[bool]


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def rebuild(texts: list[str], gold: str) -> set[int]:
    """The blocks whose union best rebuilds ``gold`` (greedy on word F1)."""
    want = _words(gold)
    total = sum(want.values())
    bags = [(i, bag) for i, text in enumerate(texts) if (bag := _words(text))]
    bags.sort(key=lambda ib: -sum((ib[1] & want).values()) / sum(ib[1].values()))
    chosen: set[int] = set()
    kept: Counter[str] = Counter()
    best = 0.0
    for i, bag in bags:
        trial = kept + bag
        size = sum(trial.values())
        f1 = 2 * sum((trial & want).values()) / (size + total) if size + total else 0.0
        if f1 >= best:
            best, kept = f1, trial
            chosen.add(i)
    return chosen


def page_rows(page: Page) -> PageRows:
    html = defuse(page.html)
    tree = LexborHTMLParser(html)
    predicted = classify_tree(tree, page.url)
    behaviour = behaviour_for(predicted)
    extracted = clean_html(html, page.url, behaviour=replace(behaviour, select_blocks=False)).text
    blocks = segment(LexborHTMLParser(html))
    texts = [b.text for b in blocks]
    chosen = rebuild(texts, page.gold)
    return PageRows(
        page.page_type,
        page.gold,
        extracted,
        behaviour.select_blocks,
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
            weights.append(max(1, len(_WORD.findall(text))))
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
    kept = [t for t, f in zip(p.texts, p.feats, strict=True) if probability(f, model) >= threshold]
    return "\n".join(kept) or p.extracted


def cross_validate(pages: list[PageRows], l2s: list[float], folds: int = 3) -> None:
    for l2 in l2s:
        scores: dict[float, dict[str, list[tuple[float, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for k in range(folds):
            model = fit([p for i, p in enumerate(pages) if i % folds != k], l2)
            for p in (p for i, p in enumerate(pages) if i % folds == k):
                before = word_f1(p.extracted, p.gold)
                for threshold in (0.3, 0.4, 0.5):
                    after = (
                        word_f1(selected(p, model, threshold), p.gold) if p.uses_blocks else before
                    )
                    for key in ("all", p.page_type):
                        scores[threshold][key].append((before, after))
        for threshold, by_key in scores.items():
            print(f"l2={l2} threshold={threshold}")
            for key, pairs in sorted(by_key.items(), key=lambda kv: kv[0] != "all"):
                b, a = (statistics.fmean(x) for x in zip(*pairs, strict=True))
                print(f"  {key:14} {len(pairs):5} without {b:.3f} with {a:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=find_corpus())
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cv", action="store_true", help="cross-validate on tuning folds")
    parser.add_argument("--cv-l2", type=float, nargs="+", default=[3e-3, 1e-3, 3e-4])
    args = parser.parse_args()
    with Pool(2) as pool:
        pages = pool.map(page_rows, load_set(args.corpus / WCXB, part="tuning"), chunksize=8)
    if args.cv:
        cross_validate(pages, args.cv_l2)
        return
    model = fit(pages)
    model |= {
        "version": MODEL_FILE.removesuffix(".json"),
        "provenance": {
            "trained_by": "bench/extraction/train_blocks.py",
            "data": "tuning part (sha256(id) % 10 >= 3) of wcxb-dev (CC-BY-4.0): blocks "
            "labelled by a greedy rebuild of each page's gold text",
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
