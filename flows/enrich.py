"""``python -m flows.enrich``: complete records whose arXiv enrichment is pending.

Records written during an arXiv outage or with ``--no-enrich`` carry
``enrichment="pending"`` (or ``"partial"``). This flow asks the API for their missing ids
(cached, batched, rate-limited like every other call) and writes each completed record
as a new version in a shard of its own; records that are still pending stay as they are.
Nothing is lost, and nothing is written twice without a newer version. Papers a digest
only describes, left ``deferred`` then, are looked up first (``papertrail.describe``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from papertrail import cli
from papertrail.settings import Settings

from .local_server import announce_run
from .runtime import RUN_COUNTS
from .runtime import session as session_for


@task(name="complete-pending", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[30, 120])
def complete_pending(settings: Settings) -> dict[str, Any]:
    return session_for(settings).complete_pending()


@flow(name="enrich", persist_result=False)
def enrich(out: str | None = None) -> dict[str, Any]:
    """Fill in papers for records whose enrichment is pending, writing new versions."""
    announce_run()
    settings = Settings(clean_dir=Path(out)) if out else Settings()
    result = complete_pending(settings)
    create_markdown_artifact(
        key="enrich-summary",
        markdown="# Deferred enrichment\n\n" + "\n".join(f"- {k}: {v}" for k, v in result.items()),
    )
    create_table_artifact(  # what flows.status reports as the run's outcome
        key=RUN_COUNTS,
        table=[{"records": result["records_written"], "pending": result["still_pending"]}],
    )
    return result


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser(
        "python -m flows.enrich", "Complete records whose arXiv enrichment is pending."
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output directory to update")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    cli.configure_logging(args)
    if args.out is not None:
        cli.writable_dir(args.out, "--out")
    cli.load_settings(**({"clean_dir": args.out} if args.out else {}))
    result = enrich(out=str(args.out) if args.out else None)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        cli.echo(
            args,
            f"{result['pending_before']} pending records: {result['records_written']} "
            f"completed, {result['still_pending']} still pending"
            + (f" -> {result['output']}" if result["output"] else ""),
        )
    return cli.EXIT_OK if result["still_pending"] == 0 else cli.EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
