"""Choose behaviours on the tuning part only.

    nice .venv/bin/python -m bench.extraction.tune --dump DUMP.jsonl VARIANT [VARIANT ...]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--dump", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=find_corpus())
    parser.add_argument("--sets", nargs="+", default=[WCXB, "zh-wced", "en-scrapinghub"])
    parser.add_argument("--types", nargs="+", help="only pages of these (gold) types")
    parser.add_argument("--save", type=Path, help="write the variants' outputs as JSONL")
    args = parser.parse_args()
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
