"""Regenerate the extraction tables in ``bench/README.md``.

    nice .venv/bin/python -m bench.extraction.run [--corpus ../shared/corpus] [--dump DIR]

Every page of every set, tuning and held-out parts (:mod:`.split`), through our cleaner and
trafilatura (default and favor_precision) in the same run, page by page. Scores: WCXB's
own word F1 (mean over pages) on wcxb-dev; the Scrapinghub token-bag F1 on zh-wced and
en-scrapinghub. Reported per part, per set, per page type and per language, with the
median milliseconds per page. ``--dump`` writes every output for later analysis
(:mod:`.tune` reads it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from papertrail.clean import clean_html

from .corpus import WCXB, Page, find_corpus, load_set
from .score import aggregate, score_page, word_f1

ROOT = Path(__file__).resolve().parents[2]
SETS = (WCXB, "zh-wced", "en-scrapinghub")
PARTS = ("held-out", "tuning")
WARMUP = 3
OURS, TRAF, TRAF_P = "papertrail clean", "trafilatura", "trafilatura favor_precision"
BEGIN, END = "<!-- extraction:begin -->", "<!-- extraction:end -->"

SYSTEMS: dict[str, Callable[[str, str | None], str]] = {
    OURS: lambda h, u: clean_html(h, u).text,
    TRAF: lambda h, u: trafilatura.extract(h, url=u) or "",
    TRAF_P: lambda h, u: trafilatura.extract(h, url=u, favor_precision=True) or "",
}


@dataclass(slots=True)
class Result:
    """One page through every system: outputs and seconds."""

    page: Page
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_page(page: Page, systems: Iterable[str], repeats: int = 1, first: int = 0) -> Result:
    """Every system on one page in turn (so that load from other processes on a shared
    machine falls on all alike), starting with the ``first``-th: the system that meets a
    page first runs slower (measured: the same cleaner 49.5 ms first, 39.3 ms second, median
    over 306 pages), so the caller rotates it. The fastest of ``repeats`` runs is kept, as
    timeit does."""
    result = Result(page)
    order = list(systems)
    first %= len(order)
    for name in order[first:] + order[:first]:
        best, out = float("inf"), ""
        for _ in range(repeats):
            start = time.perf_counter()
            try:
                out = SYSTEMS[name](page.html, page.url)
            except Exception:  # a crash scores as an empty output
                out = ""
            best = min(best, time.perf_counter() - start)
        result.outputs[name], result.seconds[name] = out, best
    return result


def figure(results: list[Result], system: str) -> float:
    """The set's own metric: WCXB mean word F1, else the Scrapinghub aggregate F1."""
    if not results:
        return float("nan")
    if results[0].page.set_name == WCXB:
        return statistics.fmean(word_f1(r.outputs[system], r.page.gold) for r in results)
    return aggregate(score_page(r.outputs[system], r.page.gold) for r in results).f1


def _ms(results: list[Result], system: str) -> float:
    return 1000 * statistics.median(r.seconds[system] for r in results)


def table(results: list[Result], systems: list[str]) -> str:
    """Held-out first: per set, then per page type and per language within each set."""
    head = "| part | set | slice | pages | " + " | ".join(systems) + " |"
    rows = [head, "|" + "---|" * (4 + len(systems))]
    for part in PARTS:
        for set_name in SETS:
            mine = [r for r in results if r.page.part == part and r.page.set_name == set_name]
            if not mine:
                continue
            slices: dict[str, list[Result]] = {"**all**": mine}
            by_type: dict[str, list[Result]] = defaultdict(list)
            by_lang: dict[str, list[Result]] = defaultdict(list)
            for r in mine:
                by_type[f"type {r.page.page_type}"].append(r)
                by_lang[f"lang {r.page.lang}"].append(r)
            if len(by_type) > 1:
                slices |= dict(sorted(by_type.items()))
            if len(by_lang) > 1:
                slices |= dict(sorted(by_lang.items(), key=lambda kv: -len(kv[1])))
            for label, group in slices.items():
                cells = [f"{figure(group, s):.3f}" for s in systems]
                best = max(cells)
                cells = [f"**{c}**" if c == best else c for c in cells]
                rows.append(
                    f"| {part} | {set_name} | {label} | {len(group)} | " + " | ".join(cells) + " |"
                )
            ms = [f"{_ms(mine, s):.1f}" for s in systems]
            rows.append(f"| {part} | {set_name} | ms/page (median) | | " + " | ".join(ms) + " |")
    return "\n".join(rows)


def speed_line(results: list[Result]) -> str:
    ours, theirs = _ms(results, OURS), _ms(results, TRAF)
    return (
        f"All {len(results)} pages: median {ours:.1f} ms/page ours vs {theirs:.1f} ms/page "
        f"trafilatura default (ratio {ours / theirs:.2f})."
    )


def dump(results: list[Result], path: Path) -> None:
    """One JSON line per page: ids, part, type, language, every output and time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in results:
            p = r.page
            row = {
                "set": p.set_name,
                "id": p.id,
                "part": p.part,
                "type": p.page_type,
                "lang": p.lang,
                "outputs": r.outputs,
                "seconds": r.seconds,
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=find_corpus())
    parser.add_argument("--readme", type=Path, default=ROOT / "bench" / "README.md")
    parser.add_argument("--dump", type=Path, help="write every output as JSONL here")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--repeats", type=int, default=1, help="runs per page, fastest kept")
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args()
    if args.corpus is None:
        parser.error("corpus not found: pass --corpus or set PAPERTRAIL_CORPUS")
    systems = list(SYSTEMS)
    results: list[Result] = []
    warmed = False
    for set_name in args.sets:
        pages = list(load_set(args.corpus / set_name))
        if not warmed:  # first calls compile regexes and XPaths: not per-page cost
            for page in pages[:WARMUP]:
                run_page(page, systems)
            warmed = True
        results += [
            run_page(page, systems, args.repeats, first=len(results) + i)
            for i, page in enumerate(pages)
        ]
    text = table(results, systems) + "\n\n" + speed_line(results)
    print(text)
    if args.dump:
        dump(results, args.dump)
    if args.no_readme:
        return
    readme = (
        args.readme.read_text(encoding="utf-8") if args.readme.exists() else f"{BEGIN}\n{END}\n"
    )
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    args.readme.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
