"""``python -m flows.status``: what runs when, and how the last runs went.

Read from the Prefect API (``PREFECT_API_URL``, or the local server papertrail keeps
up): every deployment with its schedules, its last run (state, when, and the pages,
records and failures the run reported in its ``run-counts`` artifact) and its next
scheduled run; then each source of the sources file with the deployments that follow
it (``discover-<source>`` from ``flows.serve``, ``discover-all`` from ``prefect.yaml``).
``--json`` prints the same as one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any
from uuid import UUID

from papertrail import cli

from .runtime import RUN_COUNTS

NO_SERVER = (
    "no Prefect server to ask: start one with `python -m flows.server start` or set PREFECT_API_URL"
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _schedule_text(schedule: Any) -> str:
    if getattr(schedule, "cron", None):
        tz = getattr(schedule, "timezone", None)
        return f"cron {schedule.cron}" + (f" ({tz})" if tz and tz != "UTC" else "")
    if getattr(schedule, "interval", None):
        return f"every {int(schedule.interval.total_seconds())} s"
    return type(schedule).__name__


def _counts(client: Any, run_id: UUID) -> dict[str, Any]:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]),
            key=ArtifactFilterKey(any_=[RUN_COUNTS]),
        ),
        limit=1,
    )
    if not artifacts:
        return {}
    data = artifacts[0].data
    rows = json.loads(data) if isinstance(data, str) else data
    return dict(rows[0]) if isinstance(rows, list) and rows else {}


def _run(client: Any, run: Any, with_counts: bool) -> dict[str, Any]:
    row = {
        "name": run.name,
        "state": run.state_name,
        "scheduled_for": _when(run.expected_start_time),
        "started": _when(run.start_time),
        "ended": _when(run.end_time),
        "by_schedule": bool(run.auto_scheduled),
    }
    if with_counts:
        row["counts"] = _counts(client, run.id)
    return row


FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _runs(client: Any, deployment_id: UUID, scheduled: bool) -> list[Any]:
    """The next scheduled run (``scheduled``), else the last run that finished."""
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    types = [StateType.SCHEDULED] if scheduled else [StateType[t] for t in FINAL]
    sort = FlowRunSort.EXPECTED_START_TIME_ASC if scheduled else FlowRunSort.END_TIME_DESC
    return list(
        client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=types))
            ),
            sort=sort,
            limit=1,
        )
    )


def collect(client: Any, source_names: list[tuple[str, bool, str]]) -> dict[str, Any]:
    """The status as plain data: deployments, then sources with their deployments."""
    flows: dict[UUID, str] = {}
    deployments = []
    for dep in sorted(client.read_deployments(), key=lambda d: d.name):
        if dep.flow_id not in flows:
            flows[dep.flow_id] = client.read_flow(dep.flow_id).name
        last = _runs(client, dep.id, scheduled=False)
        upcoming = _runs(client, dep.id, scheduled=True)
        deployments.append(
            {
                "name": f"{flows[dep.flow_id]}/{dep.name}",
                "deployment": dep.name,
                "paused": bool(dep.paused),
                "work_pool": dep.work_pool_name,
                "schedules": [_schedule_text(s.schedule) for s in dep.schedules if s.active],
                "last_run": _run(client, last[0], with_counts=True) if last else None,
                "next_run": _when(upcoming[0].expected_start_time) if upcoming else None,
            }
        )
    names = {d["deployment"] for d in deployments}
    sources = []
    for name, enabled, schedule in source_names:
        following = [n for n in (f"discover-{name}", "discover-all") if n in names]
        if not enabled:
            following = [n for n in following if n != "discover-all"]
        sources.append(
            {"source": name, "enabled": enabled, "schedule": schedule, "deployments": following}
        )
    return {"deployments": deployments, "sources": sources}


def render(status: dict[str, Any]) -> str:
    """The status for a terminal: one block per deployment, one line per source."""
    out = [f"Prefect API: {status['api_url']}", ""]
    if not status["deployments"]:
        out.append("no deployments: run `python -m flows.serve` or `prefect deploy --all`")
    for dep in status["deployments"]:
        flags = " (paused)" if dep["paused"] else ""
        pool = f", pool {dep['work_pool']}" if dep["work_pool"] else ""
        out.append(f"{dep['name']}{flags}: {', '.join(dep['schedules']) or 'no schedule'}{pool}")
        last = dep["last_run"]
        if last:
            counts = last.get("counts") or {}
            shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            when = last["ended"] or last["started"] or last["scheduled_for"]
            how = "scheduled" if last["by_schedule"] else "by hand"
            out.append(
                f"  last run: {last['state']} at {when} ({how})" + (f": {shown}" if shown else "")
            )
        else:
            out.append("  last run: never")
        out.append(f"  next run: {dep['next_run'] or 'none scheduled'}")
    if status["sources"]:
        out += ["", "sources:"]
    for src in status["sources"]:
        state = "" if src["enabled"] else " (disabled)"
        deps = ", ".join(src["deployments"]) or "not deployed"
        out.append(f"  {src['source']}{state}: {src['schedule']} -> {deps}")
    return "\n".join(out)


def api_url() -> str:
    """The API to read from: configured, or papertrail's local server; else UsageError."""
    from .local_server import healthy, use_running_server

    url = os.environ.get("PREFECT_API_URL") or use_running_server()
    if not url:
        raise cli.UsageError(NO_SERVER)
    if not healthy(url, timeout=5):
        raise cli.UsageError(f"the Prefect API at {url} does not answer")
    return url


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser("python -m flows.status", __doc__)
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    args = parser.parse_args(argv)
    cli.configure_logging(args)
    settings = cli.load_settings()
    sources = []
    if settings.sources_file.exists():  # no sources file: deployments only
        catalogue = cli.load_catalogue(settings)
        sources = [(s.name, s.enabled, s.schedule) for s in catalogue.sources]
    url = api_url()
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        status = {"api_url": url, **collect(client, sources)}
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print(render(status))
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
