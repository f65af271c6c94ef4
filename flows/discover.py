"""``python -m flows.discover [SOURCE ...]``: follow the sources file, ingest what is new.

Reads the sources file (``PAPERTRAIL_SOURCES_FILE``, default ``sources.toml``), finds
article URLs in each enabled source (feeds, sitemaps, listing pages, URL lists), drops
those already ingested (the output store's index of URLs), and ingests the rest with
the same ingest flow, as one subflow run. Scheduled per source by ``flows.serve`` and
``prefect.yaml``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from papertrail import cli
from papertrail.inputs import set_aside_credentials
from papertrail.settings import Settings

from .ingest import ingest
from .local_server import announce_run
from .runtime import RUN_COUNTS
from .runtime import session as session_for


@task(name="discover-source", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[10, 60])
def discover_source(settings: Settings, name: str, known: set[str]) -> dict[str, Any]:
    return session_for(settings).discover(name, known)


@flow(name="discover", persist_result=False)
def discover(
    sources: list[str] | None = None, enrich: bool = True, concurrency: int = 4
) -> dict[str, Any]:
    """Discover new article URLs in the named (default: all enabled) sources, ingest them."""
    announce_run()
    settings = Settings()
    session = session_for(settings)
    names = session.discovery_sources(sources or ())
    known = session.output.known_urls()
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
        # a URL's password (a sources file's private feed) stays out of the subflow run's
        # stored parameters, as with flows.ingest
        bare = set_aside_credentials(urls)
        summary["ingest"] = ingest(urls=bare, enrich=enrich, concurrency=concurrency)
    counts = summary.get("ingest", {})
    create_table_artifact(  # what flows.status reports as the run's outcome
        key=RUN_COUNTS,
        table=[
            {"new_urls": len(urls), "pages": counts.get("pages", 0),
             "records": counts.get("records_written", 0), "failed": counts.get("failed", 0),
             "source_errors": sum(1 for r in results if r["error"])}
        ],
    )  # fmt: skip
    return summary


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser(
        "python -m flows.discover", "Find new articles in the sources file and ingest them."
    )
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="source names (default: all enabled)"
    )
    parser.add_argument("--no-enrich", action="store_true", help="do not call the arXiv API")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    cli.configure_logging(args)
    cli.load_catalogue(cli.load_settings(), args.sources)  # before any flow run: exit 2
    result = discover(sources=args.sources or None, enrich=not args.no_enrich)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        lines = []
        for r in result["sources"]:
            extra = f" ({r['error']})" if r["error"] else ""
            lines.append(f"{r['source']}: {len(r['urls'])} new{extra}")
        if "ingest" in result:
            s = result["ingest"]
            lines.append(f"ingested {s['inputs']} inputs: {s['pages']} pages, {s['failed']} failed")
        cli.echo(args, *lines)
    failed = any(r["error"] for r in result["sources"]) or not result.get("ingest", {}).get(
        "ok", True
    )
    return cli.EXIT_FAILED if failed else cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
