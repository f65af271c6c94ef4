"""Regenerate the extraction table in ``bench/README.md``.

    /work/venv/bin/python -m bench.extraction.run [--corpus ../shared/corpus]

For each page of each set: our cleaner vs trafilatura (default, favor_precision) vs
readability-lxml; bag-of-tokens precision, recall, F1 overall and pages per second;
pages where we trail trafilatura's best mode by more than 0.05 are listed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from lxml import html as lxml_html
from readability import Document as Readability

from papertrail.clean import clean_html

from .corpus import Page, load_set
from .score import PageScore, aggregate, score_page

ROOT = Path(__file__).resolve().parents[2]
SETS = ("zh-wced", "en-scrapinghub")
BEGIN, END = "<!-- extraction:begin -->", "<!-- extraction:end -->"


def _readability(html: str, url: str | None) -> str:
    summary = Readability(html, url=url).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


SYSTEMS: dict[str, Callable[[str, str | None], str]] = {
    "papertrail clean": lambda h, u: clean_html(h, u).text,
    "trafilatura": lambda h, u: trafilatura.extract(h, url=u) or "",
    "trafilatura favor_precision": lambda h, u: trafilatura.extract(h, url=u, favor_precision=True)
    or "",
    "readability-lxml": _readability,
}


def run_system(fn: Callable[[str, str | None], str], pages: list[Page]) -> tuple[list[PageScore], float]:
    scores: list[PageScore] = []
    start = time.perf_counter()
    for page in pages:
        try:
            out = fn(page.html, page.url)
        except Exception:  # noqa: BLE001 - a crashing baseline scores zero on that page
            out = ""
        scores.append(score_page(out, page.gold))
    return scores, len(pages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--readme", type=Path, default=ROOT / "bench" / "README.md")
    args = parser.parse_args()
    rows = ["| set | extractor | precision | recall | F1 | pages/s |", "|---|---|---|---|---|---|"]
    notes: list[str] = []
    for set_name in SETS:
        pages = list(load_set(args.corpus / set_name))
        results = {name: run_system(fn, pages) for name, fn in SYSTEMS.items()}
        for name, (scores, speed) in results.items():
            o = aggregate(scores)
            rows.append(f"| {set_name} ({o.pages}) | {name} | {o.precision:.3f} | {o.recall:.3f} "
                        f"| **{o.f1:.3f}** | {speed:.0f} |")
        ours = results["papertrail clean"][0]
        best = [max(a.f1, b.f1) for a, b in zip(results["trafilatura"][0],
                                                 results["trafilatura favor_precision"][0], strict=True)]
        for page, mine, theirs in zip(pages, ours, best, strict=True):
            if mine.f1 < theirs - 0.05:
                notes.append(f"| {set_name} | `{page.id[:12]}` | {mine.f1:.3f} | {theirs:.3f} |")
    table = "\n".join(rows)
    if notes:
        table += ("\n\nPages where we trail trafilatura's better mode by more than 0.05 "
                  "(explained in docs/cleaning.md):\n\n| set | page | ours | trafilatura |\n"
                  "|---|---|---|---|\n" + "\n".join(notes))
    print(table)
    text = args.readme.read_text(encoding="utf-8") if args.readme.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    args.readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
