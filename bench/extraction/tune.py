"""Choose behaviours on the tuning part only.

    nice .venv/bin/python -m bench.extraction.tune --dump DUMP.jsonl VARIANT [VARIANT ...]
    nice .venv/bin/python -m bench.extraction.tune --route 0.5 0.7 0.8 0.9

``--route``: the article-probability threshold of :mod:`papertrail.clean.pagetype`, scored
end to end with *out-of-fold* page types: the tuning pages in 3 folds (as
``train_pagetype.cross_validate``), each typed by a model trained on the other two, then the
article path or the whole-page path by each threshold. In-sample types (the shipped model
on its own training pages) are nearly always right and hide what a misclassified page
costs.

Runs each named variant (a fixed :class:`~papertrail.clean.behaviour.Behaviour` for every
page, or ``auto``: the shipped classifier and behaviours) over the *tuning* pages and
prints its score per set and per page type next to the trafilatura outputs saved in a
``bench.extraction.run --dump`` file, so that a choice never sees a held-out page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from papertrail.clean import clean_html
from papertrail.clean.behaviour import BY_TYPE, Behaviour

from .corpus import WCXB, find_corpus, load_set
from .run import OURS, TRAF, TRAF_P
from .score import aggregate, score_page, word_f1

_LOOSE = {"favor_precision": False}
VARIANTS: dict[str, Behaviour | None] = {
    "auto": None,
    **{f"type-{name}": b for name, b in BY_TYPE.items()},
    "whole-default": Behaviour(hints=False, container=False, options=_LOOSE),
    "whole-default-nofilter": Behaviour(
        hints=False, container=False, options=_LOOSE, line_filter=False
    ),
    "container-default": Behaviour(options=_LOOSE),
    "whole-precision": Behaviour(hints=False, container=False),
    "article-loose": Behaviour(options=_LOOSE),
    "plain": Behaviour(plain=True, line_filter=False),
    "plain-filter": Behaviour(plain=True),
}


def _score(set_name: str, outs: list[tuple[str, str]]) -> float:
    if set_name == WCXB:
        return statistics.fmean(word_f1(o, g) for o, g in outs)
    return aggregate(score_page(o, g) for o, g in outs).f1


def route(corpus: Path, sets: list[str], thresholds: list[float], folds: int = 3) -> None:
    """Score each article-probability threshold with out-of-fold page types (module doc)."""
    # imported here: the training code is only needed for this mode
    from selectolax.lexbor import LexborHTMLParser

    from papertrail.clean.behaviour import ARTICLE, behaviour_for
    from papertrail.clean.pagetype import features, probabilities

    from .train_pagetype import train

    order = [s for s in (WCXB, "en-scrapinghub", "zh-wced") if s in sets]  # train_pagetype's
    pages = [page for s in order for page in load_set(corpus / s, part="tuning")]
    feats = [features(LexborHTMLParser(page.html), page.url) for page in pages]
    article_p: list[float] = [0.0] * len(pages)
    for k in range(folds):
        model = train(
            [
                (f, p.page_type)
                for i, (f, p) in enumerate(zip(feats, pages, strict=True))
                if i % folds != k
            ]
        )
        for i in range(k, len(pages), folds):
            article_p[i] = probabilities(feats[i], model)["article"]
    whole = behaviour_for("service")  # every non-article type: the whole-page path
    outs = [
        (
            clean_html(p.html, p.url, behaviour=ARTICLE).text,
            clean_html(p.html, p.url, behaviour=whole).text,
        )
        for p in pages
    ]
    print("| threshold | " + " | ".join(sets) + " | wcxb types |")
    for t in thresholds:
        by: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for page, p_art, (art, plain) in zip(pages, article_p, outs, strict=True):
            out = art if p_art >= t else plain
            by[page.set_name].append((out, page.gold))
            if page.set_name == WCXB:
                by[page.page_type].append((out, page.gold))
        cells = [f"{_score(s, by[s]):.3f}" for s in sets]
        types = ", ".join(
            f"{k} {_score(WCXB, v):.3f}" for k, v in sorted(by.items()) if k not in sets
        )
        print(f"| {t} | " + " | ".join(cells) + f" | {types} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # no choices=: argparse rejects an empty list against them (needed with --route)
    parser.add_argument("variants", nargs="*", help=f"one of {', '.join(sorted(VARIANTS))}")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--route", nargs="+", type=float, help="article thresholds to score")
    parser.add_argument("--corpus", type=Path, default=find_corpus())
    parser.add_argument("--sets", nargs="+", default=[WCXB, "zh-wced", "en-scrapinghub"])
    parser.add_argument("--types", nargs="+", help="only pages of these (gold) types")
    parser.add_argument("--save", type=Path, help="write the variants' outputs as JSONL")
    args = parser.parse_args()
    if args.route:
        route(args.corpus, args.sets, args.route)
        return
    if args.dump is None or not args.variants:
        parser.error("VARIANT and --dump are needed (or --route)")
    if unknown := [v for v in args.variants if v not in VARIANTS]:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    saved = {}
    for line in args.dump.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        saved[(row["set"], row["id"])] = row["outputs"]
    out_rows = []
    for set_name in args.sets:
        groups: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        ms: dict[str, list[float]] = defaultdict(list)
        for page in load_set(args.corpus / set_name, part="tuning"):
            if args.types and page.page_type not in args.types:
                continue
            base = saved[(set_name, page.id)]
            for key in ("all", page.page_type):
                for name in (OURS, TRAF, TRAF_P):
                    groups[key][name].append((base[name], page.gold))
            for variant in args.variants:
                start = time.perf_counter()
                out = clean_html(page.html, page.url, behaviour=VARIANTS[variant]).text
                ms[variant].append(time.perf_counter() - start)
                out_rows.append({"set": set_name, "id": page.id, "variant": variant, "out": out})
                for key in ("all", page.page_type):
                    groups[key][variant].append((out, page.gold))
        names = [OURS, TRAF, TRAF_P, *args.variants]
        print(f"\n{set_name} (tuning)\n| slice | n | " + " | ".join(names) + " |")
        for key, by_name in sorted(groups.items(), key=lambda kv: kv[0] != "all"):
            cells = [f"{_score(set_name, by_name[n]):.3f}" for n in names]
            print(f"| {key} | {len(by_name[OURS])} | " + " | ".join(cells) + " |")
        print(
            "median ms: "
            + ", ".join(f"{v} {1000 * statistics.median(t):.1f}" for v, t in ms.items())
        )
    if args.save:
        args.save.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in out_rows), "utf-8"
        )


if __name__ == "__main__":
    main()
