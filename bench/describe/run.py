"""Described papers on the fake arXiv: resolved, wrong, unresolved and API calls per page.

    PYTHONPATH=src .venv/bin/python -m bench.describe.run [--interval 0.5] [--json]

Pages and their gold are in ``tests/fixtures/describe`` (``gold.json``): the five seeds
and pages written for the test in their styles (a digest without headings, a numbered
digest without links, ordinary news in Chinese and in English). The fake arXiv holds the
described papers (titles and abstracts written for the test), near misses (another
Gecko, later papers by the same teams, same-topic papers without the name) and the
project's arXiv fixtures. Each page goes through the real pipeline (fetch, clean, ids,
titles, descriptions, enrichment) with the fake's 429 rule at the configured interval.

Calibration ("leave one out"): each named paper is removed from the catalogue in turn
and its page resolved again; whatever is then accepted for it is a wrong paper. With
the real runs, this is the project's test set for the rate of wrong papers.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from papertrail.describe import DescriptionResolver
from papertrail.document import Document
from papertrail.session import Session, document_for
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import DEFAULT_FIXTURES, FakeArxivAPI

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DESCRIBE = FIXTURES / "describe"
# Later directories win: the records written for this test replace the project's stubs.
CATALOGUE_DIRS = [
    DEFAULT_FIXTURES / "metadata",
    DEFAULT_FIXTURES / "catalogue",
    DESCRIBE / "catalogue",
]


def load_gold() -> dict[str, list[dict[str, Any]]]:
    return json.loads((DESCRIBE / "gold.json").read_text(encoding="utf-8"))["pages"]


@dataclass
class PageResult:
    page: str
    items: int = 0  # items naming a system (searched)
    described_before: int = 0  # gold papers published before the article, with a name
    resolved: int = 0
    wrong: list[str] = field(default_factory=list)
    later_reported: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # gold ids not resolved
    search_calls: int = 0  # every search request (title resolution included)
    describe_queries: int = 0  # the description stage's own
    enrich_calls: int = 0
    max_calls_per_item: int = 0
    min_gap_s: float | None = None
    rate_limited: int = 0  # 429s from the fake: a request closer than the interval
    judged: int = 0


def _settings(api: FakeArxivAPI, data_dir: Path, interval: float) -> Settings:
    return Settings(
        arxiv_api_url=api.url,
        arxiv_interval=interval,
        arxiv_backoff=interval,
        data_dir=data_dir,
        allow_private=True,
    )


def run_page(page: str, gold: list[dict[str, Any]], interval: float) -> PageResult:
    result = PageResult(page)
    with FakeArxivAPI(catalogue_dirs=CATALOGUE_DIRS, min_interval=interval) as api:
        with tempfile.TemporaryDirectory() as tmp:
            session = Session(_settings(api, Path(tmp), interval))
            try:
                doc = session.link(
                    session.process(session.fetch([document_for(str(FIXTURES / page))]))
                )[0]
                outcomes = session.describer.last_outcomes
            finally:
                session.close()
        requests = list(api.requests)
    before = {g["id"] for g in gold if g["before"] and g["name"] and g["id"]}
    later = {g["id"] for g in gold if not g["before"] and g["id"]}
    found = [r.id for r in doc.arxiv if r.found_by == "description"]
    result.items = sum(1 for o in outcomes if o.name is not None)
    result.described_before = len(before)
    result.resolved = len(before & set(found))
    result.wrong = [i for i in found if i not in {g["id"] for g in gold}]
    result.later_reported = [i for i in found if i in later]
    result.unresolved = sorted(before - set(found))
    result.search_calls = sum(1 for r in requests if r.params.get("search_query"))
    result.describe_queries = sum(len(o.queries) for o in outcomes)
    result.enrich_calls = sum(1 for r in requests if r.params.get("id_list"))
    result.max_calls_per_item = max((len(o.queries) for o in outcomes), default=0)
    result.judged = sum(o.judged for o in outcomes)
    result.rate_limited = sum(1 for r in requests if r.status == 429)
    gaps = [b.at - a.at for a, b in pairwise(requests)]
    result.min_gap_s = round(min(gaps), 3) if gaps else None
    return result


def leave_one_out(page: str, gold: list[dict[str, Any]], interval: float) -> list[dict[str, Any]]:
    """For each named paper: remove it from the catalogue; anything accepted for its
    page that is not one of the page's other papers is a wrong paper."""
    rows = []
    for entry in gold:
        if not (entry["before"] and entry["name"] and entry["id"]):
            continue
        with FakeArxivAPI(catalogue_dirs=CATALOGUE_DIRS, min_interval=interval) as api:
            api.papers.pop(entry["id"], None)
            with tempfile.TemporaryDirectory() as tmp:
                session = Session(_settings(api, Path(tmp), interval))
                try:
                    doc: Document = session.process(
                        session.fetch([document_for(str(FIXTURES / page))])
                    )[0]
                    resolver = DescriptionResolver(session.arxiv.search)
                    resolver.resolve(doc)
                finally:
                    session.close()
        others = {g["id"] for g in gold if g["id"] and g["id"] != entry["id"]}
        wrong = [r.id for r in doc.arxiv if r.found_by == "description" and r.id not in others]
        judged = sum(o.judged for o in resolver.last_outcomes)
        rows.append(
            {
                "page": page,
                "removed": entry["id"],
                "name": entry["name"],
                "wrong": wrong,
                "judged": judged,
            }
        )
    return rows


def ordinary_pages(pattern: str) -> dict[str, Any]:
    """The stage alone over ordinary Chinese pages (e.g. the shared corpus's gold texts):
    every description ref there is a false positive. Searches go straight to the
    catalogue (no HTTP), so thousands of pages take seconds."""
    import glob

    from papertrail.record import Paper
    from papertrail.testing.fake_arxiv import load_catalogue, search_catalogue

    catalogue = load_catalogue(CATALOGUE_DIRS)

    def search(query: str, max_results: int) -> list[Paper]:
        return [
            Paper(
                arxiv_id=p.id, title=p.title, authors=p.authors, abstract=p.abstract,
                categories=p.categories, published=p.published,
                abs_url=f"https://arxiv.org/abs/{p.id}",
            )
            for p in search_catalogue(catalogue.values(), query)[:max_results]
        ]  # fmt: skip

    pages = named = queries = 0
    false_positives: list[tuple[str, str]] = []
    for path in sorted(glob.glob(pattern)):
        doc = Document(url=path, text=Path(path).read_text(encoding="utf-8", errors="replace"))
        resolver = DescriptionResolver(search)
        resolver.resolve(doc)
        pages += 1
        named += sum(1 for o in resolver.last_outcomes if o.name)
        queries += sum(len(o.queries) for o in resolver.last_outcomes)
        false_positives += [(path, r.id) for r in doc.arxiv if r.found_by == "description"]
    return {"pages": pages, "named_items": named, "queries": queries, "refs": false_positives}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--interval", type=float, default=0.5, help="arXiv interval (s) for the run"
    )
    parser.add_argument("--no-loo", action="store_true", help="skip the leave-one-out calibration")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--ordinary",
        metavar="GLOB",
        help="also run the stage over these ordinary pages' texts (any ref is a false positive)",
    )
    args = parser.parse_args(argv)
    gold = load_gold()
    pages = [run_page(page, entries, args.interval) for page, entries in gold.items()]
    loo = (
        []
        if args.no_loo
        else [
            row
            for page, entries in gold.items()
            for row in leave_one_out(page, entries, args.interval)
        ]
    )
    ordinary = ordinary_pages(args.ordinary) if args.ordinary else None
    if args.json:
        report = {"pages": [p.__dict__ for p in pages], "leave_one_out": loo, "ordinary": ordinary}
        print(json.dumps(report, indent=2))
        return 0
    print(f"interval {args.interval} s\n")
    columns = [
        "page", "named items", "described before (named)", "resolved", "wrong",
        "later reported", "unresolved", "search calls (describe)", "max calls/item",
        "enrich calls", "min gap (s)", "429s",
    ]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for p in pages:
        print(
            f"| `{p.page}` | {p.items} | {p.described_before} | {p.resolved} | {len(p.wrong)} | "
            f"{len(p.later_reported)} | {', '.join(p.unresolved) or '-'} | "
            f"{p.search_calls} ({p.describe_queries}) | "
            f"{p.max_calls_per_item} | {p.enrich_calls} | {p.min_gap_s} | {p.rate_limited} |"
        )
    tot = lambda f: sum(f(p) for p in pages)  # noqa: E731
    print(
        f"\ntotal: {tot(lambda p: p.resolved)}/{tot(lambda p: p.described_before)} resolved, "
        f"{tot(lambda p: len(p.wrong))} wrong, "
        f"{tot(lambda p: len(p.later_reported))} later papers reported, "
        f"{tot(lambda p: p.judged)} results judged"
    )
    if loo:
        wrong = sum(1 for r in loo if r["wrong"])
        print(
            f"leave one out: {len(loo)} runs without the true paper, "
            f"{wrong} wrong paper(s) accepted, "
            f"{sum(r['judged'] for r in loo)} results judged"
        )
        for r in loo:
            if r["wrong"]:
                print(
                    f"  - {r['page']} without {r['removed']} ({r['name']}): accepted {r['wrong']}"
                )
    if ordinary:
        print(
            f"ordinary pages ({args.ordinary}): {ordinary['pages']} pages, "
            f"{ordinary['named_items']} named items, {ordinary['queries']} queries, "
            f"{len(ordinary['refs'])} description refs (false positives) {ordinary['refs']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
