"""``python -m flows.reprocess``: rebuild clean records from the raw archive.

No page is fetched: the newest capture of every archived URL is read back from the WARC
files in ``data/raw/`` and goes through decode, clean, ids, titles and enrichment again.
Use it after a change to the cleaner or the id finder. With unchanged code the records
are identical, so the output store writes nothing new; changed articles get a new
version. arXiv is asked only for ids missing from the cache (``--no-enrich`` to stay
strictly offline: those records are then marked pending).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from papertrail.document import Document
from papertrail.fetch.reprocess import reprocess as archived_documents
from papertrail.session import BatchOutcome, batched, new_run_id
from papertrail.settings import Settings
from papertrail.summary import RunSummary

from .local_server import announce_run
from .runtime import session as session_for


@task(name="reprocess-batch", cache_policy=NO_CACHE)
def reprocess_batch(settings: Settings, docs: list[Document], shard: str) -> BatchOutcome:
    session = session_for(settings)
    docs = session.link(session.process(docs))
    paths, count = session.write(docs, shard)
    return BatchOutcome.of(docs, paths, count)


@flow(name="reprocess", persist_result=False)
def reprocess(out: str | None = None, enrich: bool = True, batch_size: int = 50) -> dict[str, Any]:
    """Re-clean every archived page and write records that changed."""
    announce_run()
    overrides: dict[str, Any] = {"enrich": enrich}
    if out:
        overrides["clean_dir"] = Path(out)
    settings = Settings(**overrides)
    run_id = new_run_id() + "-reprocess"
    summary = RunSummary(run_id=run_id)
    for n, batch in enumerate(batched(archived_documents(settings), batch_size)):
        reprocess_batch(settings, batch, f"{run_id}-{n:05d}").add_to(summary)
    if summary.records_written:
        summary.add_output(session_for(settings).catalogue())
    create_markdown_artifact(key="reprocess-summary", markdown=summary.markdown())
    return summary.as_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.reprocess",
        description="Rebuild clean records from the raw archive, with no page fetched.",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output directory")
    parser.add_argument("--no-enrich", action="store_true", help="never call the arXiv API")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    result = reprocess(out=str(args.out) if args.out else None, enrich=not args.no_enrich)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(
            f"{result['inputs']} archived pages: {result['records_written']} records written "
            f"({result['unchanged']} unchanged, {result['failed']} failed)"
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
