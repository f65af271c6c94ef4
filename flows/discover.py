"""``python -m flows.discover [SOURCE ...]``: follow the sources file, ingest what is new.

Reads the sources file (``PAPERTRAIL_SOURCES_FILE``, default ``sources.toml``), finds
article URLs in each enabled source (feeds, sitemaps, listing pages, URL lists), drops
those already ingested (the output store's index of URLs), and ingests the rest with
the same ingest flow, as one subflow run. Scheduled per source by ``flows.serve`` and
``prefect.yaml``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import httpx
from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from papertrail.discover import discover_detailed
from papertrail.errors import PapertrailError
from papertrail.output import OutputStore
from papertrail.settings import Settings
from papertrail.sources import load_sources

from .ingest import ingest
from .local_server import announce_run


@task(name="discover-source", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[10, 60])
def discover_source(settings: Settings, name: str, known: set[str]) -> dict[str, Any]:
    source = load_sources(settings.sources_file).get(name)
    with httpx.Client(
        timeout=settings.fetch_timeout,
        follow_redirects=True,
        headers={"User-Agent": settings.effective_user_agent},
    ) as client:
        try:
            # Sitemaps may be larger than an article page: the discovery default cap applies.
            found = discover_detailed(source, client, seen=known.__contains__)
        except PapertrailError as exc:
            return {"source": name, "urls": [], "error": f"{exc.reason}: {exc.message}"}
    return {
        "source": name,
        "urls": found.urls,
        "found": found.found,
        "seen": found.seen,
        "warnings": list(found.warnings),
        "error": None,
    }


@flow(name="discover", persist_result=False)
def discover(
    sources: list[str] | None = None, enrich: bool = True, concurrency: int = 4
) -> dict[str, Any]:
    """Discover new article URLs in the named (default: all enabled) sources, ingest them."""
    announce_run()
    settings = Settings()
    catalogue = load_sources(settings.sources_file)
    names = sources or [s.name for s in catalogue.enabled]
    for name in names:
        catalogue.get(name)  # an unknown name fails here, before any request
    known = OutputStore.from_settings(settings).known_urls()
    results = [discover_source(settings, name, known) for name in names]
    urls = list(dict.fromkeys(u for r in results for u in r["urls"]))
    create_table_artifact(
        key="discover-sources",
        table=[
            {"source": r["source"], "new": len(r["urls"]), "seen": r.get("seen", 0),
             "error": r["error"] or ""}
            for r in results
        ],
    )  # fmt: skip
    summary: dict[str, Any] = {"sources": results, "new_urls": len(urls)}
    if urls:
        summary["ingest"] = ingest(urls=urls, enrich=enrich, concurrency=concurrency)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.discover",
        description="Find new articles in the sources file and ingest them.",
    )
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="source names (default: all enabled)"
    )
    parser.add_argument("--no-enrich", action="store_true", help="do not call the arXiv API")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    try:
        load_sources(Settings().sources_file)
    except PapertrailError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    result = discover(sources=args.sources or None, enrich=not args.no_enrich)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for r in result["sources"]:
            extra = f" ({r['error']})" if r["error"] else ""
            print(f"{r['source']}: {len(r['urls'])} new{extra}")
        if "ingest" in result:
            s = result["ingest"]
            print(f"ingested {s['inputs']} inputs: {s['pages']} pages, {s['failed']} failed")
    failed = any(r["error"] for r in result["sources"]) or not result.get("ingest", {}).get(
        "ok", True
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
