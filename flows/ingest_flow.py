"""The ingest flow and its tasks (``python -m flows.ingest`` is the CLI in front of it).

Kept apart from the CLI so that the command can start papertrail's local Prefect server
(or hand the run to a warm runner) before paying for Prefect's import (see
``docs/performance.md``). ``flows.ingest`` re-exports everything here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from papertrail.document import Document
from papertrail.inputs import with_credentials
from papertrail.interrupts import watch_termination
from papertrail.session import (
    BatchOutcome,
    document_for,
    first_sightings,
    new_run_id,
    shards_of,
    windowed,
)
from papertrail.settings import Settings
from papertrail.summary import RunSummary, table_rows

from .local_server import announce_run
from .runtime import session as session_for


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(settings: Settings, docs: list[Document]) -> list[Document]:
    return session_for(settings).fetch(docs)


@task(name="process", cache_policy=NO_CACHE)
def process_task(settings: Settings, docs: list[Document]) -> list[Document]:
    return session_for(settings).process(docs)


@task(name="link", cache_policy=NO_CACHE)
def link_task(settings: Settings, docs: list[Document]) -> list[Document]:
    return session_for(settings).link(docs)


@task(name="write", cache_policy=NO_CACHE)
def write_task(settings: Settings, docs: list[Document], shard: str) -> BatchOutcome:
    paths, count = session_for(settings).write(docs, shard)
    return BatchOutcome.of(docs, paths, count)


@task(name="batch", cache_policy=NO_CACHE)
def batch_task(settings: Settings, inputs: list[str], shard: str) -> BatchOutcome:
    """fetch -> process -> link -> write for one batch, in one task (see TASK_MODES)."""
    return session_for(settings).run_batch(inputs, shard)


@task(name="catalogue", cache_policy=NO_CACHE)
def catalogue_task(settings: Settings) -> str:
    return session_for(settings).catalogue()


def make_runner(settings: Settings, concurrency: int, task_mode: str) -> Any:
    """Prefect's thread runner, or a Dask cluster's when ``dask_address`` is set."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    # In "stage" mode a waiting downstream task holds a thread: four per batch in flight.
    threads = concurrency * (4 if task_mode == "stage" else 1)
    return ThreadPoolTaskRunner(max_workers=max(1, threads))


#: Called with (inputs done, inputs in all) as batches finish; the CLI sets it to drive a
#: progress bar on a terminal. A module hook, not a flow parameter: it is not data.
progress_hook: Callable[[int, int], None] | None = None


def submit_batch(
    runner: Any, settings: Settings, inputs: list[str], shard: str, task_mode: str
) -> Any:
    # a URL's password, kept out of the flow run's stored parameters, goes to the fetch
    # (task inputs are not stored: papertrail.inputs.set_aside_credentials)
    inputs = [with_credentials(arg) for arg in inputs]
    if task_mode == "batch":
        return runner.submit(batch_task, {"settings": settings, "inputs": inputs, "shard": shard})
    docs = [document_for(u) for u in inputs]
    f = runner.submit(fetch_task, {"settings": settings, "docs": docs})
    p = runner.submit(process_task, {"settings": settings, "docs": f})
    li = runner.submit(link_task, {"settings": settings, "docs": p})
    return runner.submit(write_task, {"settings": settings, "docs": li, "shard": shard})


@flow(name="ingest", persist_result=False)
def ingest(
    urls: list[str],
    out: str | None = None,
    enrich: bool = True,
    resolve_titles: bool = True,
    resolve_descriptions: bool = True,
    concurrency: int = 4,
    batch_size: int = 100,
    task_mode: Literal["batch", "stage"] = "batch",
    dask_address: str | None = None,
) -> dict[str, Any]:
    """Ingest article URLs or local files into clean, enriched JSONL.

    At most ``concurrency`` batches are in flight (a sliding window), and each finished
    batch leaves only its counts and small per-input rows behind: memory stays flat
    however many URLs a run has.
    """
    # A run's flags only switch features off: PAPERTRAIL_ENRICH=false (or titles,
    # descriptions) stays off whatever the flow's defaults say.
    env = Settings()
    overrides: dict[str, Any] = {
        "enrich": enrich and env.enrich,
        "resolve_titles": resolve_titles and env.resolve_titles,
        "resolve_descriptions": resolve_descriptions and env.resolve_descriptions,
    }
    if out:
        overrides["clean_dir"] = Path(out)
    if dask_address:
        overrides["dask_address"] = dask_address
    announce_run()
    watch_termination()  # SIGTERM ends a CLI run within seconds (papertrail.interrupts)
    settings = Settings(**overrides)
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id)
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    window = max(1, concurrency)

    with make_runner(settings, window, task_mode) as runner:

        def submit(shard: tuple[list[str], str]) -> Any:
            return submit_batch(runner, settings, *shard, task_mode)

        outcome: BatchOutcome
        repeats: list[Document] = []  # the same page given again: fetched once
        shards = shards_of(first_sightings(urls, repeats), run_id, batch_size)
        for outcome in windowed(shards, submit, window):
            outcome.add_to(summary)
            rows.extend(outcome.rows)
            if progress_hook is not None:
                progress_hook(summary.inputs, len(urls))
    for doc in repeats:
        summary.add(doc)
    rows.extend(table_rows(repeats))
    if repeats and progress_hook is not None:
        progress_hook(summary.inputs, len(urls))
    if summary.records_written:
        summary.add_output(catalogue_task(settings))
    summary.arxiv = session_for(settings).arxiv.stats.as_dict()
    summary.wall_seconds = time.perf_counter() - start
    create_table_artifact(key="ingest-inputs", table=rows, description=run_id)
    create_markdown_artifact(key="ingest-summary", markdown=summary.markdown())
    return summary.as_dict()
