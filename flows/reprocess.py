"""``python -m flows.reprocess``: rebuild clean records from the raw archive.

No page is fetched: the newest capture of every archived URL is read back from the WARC
files in ``data/raw/`` and goes through decode, clean, ids, titles and enrichment again.
Use it after a change to the cleaner or the id finder. With unchanged code the records
are identical, so the output store writes nothing new; changed articles get a new
version. arXiv is asked only for ids missing from the cache (``--no-enrich`` to stay
strictly offline: those records are then marked pending).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from papertrail import cli
from papertrail.document import Document
from papertrail.session import BatchOutcome, new_run_id, shards_of
from papertrail.settings import Settings
from papertrail.summary import RunSummary

from .local_server import announce_run
from .runtime import session as session_for


@task(name="reprocess-batch", cache_policy=NO_CACHE)
def reprocess_batch(settings: Settings, docs: list[Document], shard: str) -> BatchOutcome:
    return session_for(settings).finish_batch(docs, shard)


@flow(name="reprocess", persist_result=False)
def reprocess(out: str | None = None, enrich: bool = True, batch_size: int = 50) -> dict[str, Any]:
    """Re-clean every archived page and write records that changed."""
    announce_run()
    overrides: dict[str, Any] = {"enrich": enrich and Settings().enrich}  # flags only turn off
    if out:
        overrides["clean_dir"] = Path(out)
    settings = Settings(**overrides)
    run_id = new_run_id() + "-reprocess"
    summary = RunSummary(run_id=run_id)
    session = session_for(settings)
    for batch, shard in shards_of(session.archived(), run_id, batch_size):
        reprocess_batch(settings, batch, shard).add_to(summary)
    if summary.records_written:
        summary.add_output(session.catalogue())
    create_markdown_artifact(key="reprocess-summary", markdown=summary.markdown())
    return summary.as_dict()


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser(
        "python -m flows.reprocess",
        "Rebuild clean records from the raw archive, with no page fetched.",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output directory")
    parser.add_argument("--no-enrich", action="store_true", help="never call the arXiv API")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    cli.configure_logging(args)
    if args.out is not None:
        cli.writable_dir(args.out, "--out")
    settings = cli.load_settings(**({"clean_dir": args.out} if args.out else {}))
    if not settings.raw_path.is_dir():
        raise cli.UsageError(
            f"no raw archive at {settings.raw_path} (PAPERTRAIL_DATA_DIR / PAPERTRAIL_RAW_DIR)"
        )
    result = reprocess(out=str(args.out) if args.out else None, enrich=not args.no_enrich)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        cli.echo(
            args,
            f"{result['inputs']} archived pages: {result['records_written']} records written "
            f"({result['unchanged']} unchanged, {result['failed']} failed)",
        )
    return cli.EXIT_OK if result["ok"] else cli.EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
