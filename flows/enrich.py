"""``python -m flows.enrich``: complete records whose arXiv enrichment is pending.

Records written during an arXiv outage or with ``--no-enrich`` carry
``enrichment="pending"`` (or ``"partial"``). This flow asks the API for their missing ids
(cached, batched, rate-limited like every other call) and writes each completed record
as a new version in a shard of its own; records that are still pending stay as they are.
Nothing is lost, and nothing is written twice without a newer version.
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

from papertrail.arxiv import complete_records
from papertrail.arxiv.stage import needs_enrichment
from papertrail.output import OutputStore, write_catalogue
from papertrail.session import new_run_id
from papertrail.settings import Settings

from .local_server import announce_run
from .runtime import session as session_for


@task(name="complete-pending", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[30, 120])
def complete_pending(settings: Settings) -> dict[str, Any]:
    store = OutputStore.from_settings(settings)
    pending = [r for r in store.iter_current_records() if needs_enrichment(r)]
    client = session_for(settings).arxiv
    completed = complete_records(pending, client)
    changed = [new for old, new in zip(pending, completed, strict=True) if new is not old]
    written = 0
    path = None
    if changed:
        with store.open_run(new_run_id() + "-enrich") as writer:
            for record in changed:
                written += writer.write(record)
        path = str(writer.path) if writer.written else None
        if writer.written:
            write_catalogue(settings.clean_path)
    still = sum(1 for r in completed if needs_enrichment(r))
    return {
        "pending_before": len(pending),
        "records_written": written,
        "still_pending": still,
        "output": path,
        "arxiv": client.stats.as_dict(),
    }


@flow(name="enrich", persist_result=False)
def enrich(out: str | None = None) -> dict[str, Any]:
    """Fill in papers for records whose enrichment is pending, writing new versions."""
    announce_run()
    settings = Settings(**({"clean_dir": Path(out)} if out else {}))
    result = complete_pending(settings)
    create_markdown_artifact(
        key="enrich-summary",
        markdown="# Deferred enrichment\n\n" + "\n".join(f"- {k}: {v}" for k, v in result.items()),
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.enrich",
        description="Complete records whose arXiv enrichment is pending.",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output directory to update")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    result = enrich(out=str(args.out) if args.out else None)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['pending_before']} pending records: {result['records_written']} "
            f"completed, {result['still_pending']} still pending"
            + (f" -> {result['output']}" if result["output"] else "")
        )
    return 0 if result["still_pending"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
