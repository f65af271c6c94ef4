"""``python -m flows.serve``: run papertrail's schedules on this machine.

Starts (or reuses) a local Prefect API server on 127.0.0.1 (the ephemeral default
refuses schedules), then serves one deployment per enabled source of the sources file
(``discover-<name>`` on the source's cron schedule) plus ``enrich-pending`` (hourly),
until interrupted. The same deployments are declared in ``prefect.yaml`` for a work pool
and workers, which is how the set-up scales out to more machines.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from papertrail import cli

from .local_server import ensure_server


def build_deployments(settings: Any) -> list[Any]:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from papertrail.sources import load_sources

    from .discover import discover
    from .enrich import enrich

    no_overlap = ConcurrencyLimitConfig(
        limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
    )
    deployments = [
        discover.to_deployment(
            name=f"discover-{source.name}",
            schedule=Cron(source.schedule, timezone=source.timezone),
            parameters={"sources": [source.name]},
            concurrency_limit=no_overlap,
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["papertrail", "discover"],
        )
        for source in load_sources(settings.sources_file).enabled
    ]
    deployments.append(
        enrich.to_deployment(
            name="enrich-pending",
            cron="17 * * * *",
            concurrency_limit=no_overlap,
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["papertrail", "enrich"],
        )
    )
    return deployments


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser("python -m flows.serve", __doc__)
    parser.add_argument("--limit", type=int, default=2, help="flow runs at once (default 2)")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    cli.configure_logging(args)
    settings = cli.load_settings()
    cli.load_catalogue(settings)  # an invalid sources file: one line, exit 2, no server
    if not os.environ.get("PREFECT_API_URL"):
        os.environ["PREFECT_API_URL"] = ensure_server(idle=None).url
    from prefect import serve

    deployments = build_deployments(settings)
    cli.echo(args, f"serving {len(deployments)} deployments on {os.environ['PREFECT_API_URL']}")
    serve(*deployments, limit=args.limit)
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
