"""``python -m flows.ingest URL [URL ...]``: fetch, clean, link and write articles.

One Prefect flow run per invocation. Inputs are split into batches; each batch is one
coarse task (fetch -> process -> link -> write; ``--task-mode stage`` makes it four),
because Prefect costs milliseconds per task and a task per page per stage would cost
more than the work (see ``docs/performance.md``). All stage logic is in
:class:`papertrail.session.Session`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from papertrail.document import Document
from papertrail.errors import PapertrailError
from papertrail.preflight import preflight
from papertrail.session import BatchOutcome, batched, document_for, new_run_id
from papertrail.settings import Settings
from papertrail.summary import RunSummary

from .local_server import ServerSettingError, announce_run, prefect_api
from .runtime import session as session_for

EPILOG = """\
examples:
  python -m flows.ingest https://example.org/news/ai-roundup.html
  python -m flows.ingest page.html seeds/001.txt --out /tmp/clean
  python -m flows.ingest --from urls.txt --no-enrich --json

Settings come from PAPERTRAIL_* environment variables (see README: Settings).
Exit status: 0 when every input produced a record, 1 when some input failed, 2 on bad
arguments."""


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


# "batch": one task per batch (the default: fewest tasks, nothing moves between tasks);
# "stage": a chain of four tasks per batch (each stage visible in the UI, at about four
# times the orchestration cost and twice the data passed between tasks).
TASK_MODES = ("batch", "stage")


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
    overrides: dict[str, Any] = {"enrich": enrich, "resolve_titles": resolve_titles}
    if out:
        overrides["clean_dir"] = Path(out)
    if dask_address:
        overrides["dask_address"] = dask_address
    announce_run()
    settings = Settings(**overrides)
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id)
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    window = max(1, concurrency)

    def collect(future: Any) -> None:
        outcome: BatchOutcome = future.result()
        outcome.add_to(summary)
        rows.extend(outcome.rows)
        if progress_hook is not None:
            progress_hook(summary.inputs, len(urls))

    with make_runner(settings, window, task_mode) as runner:
        in_flight: deque[Any] = deque()
        for n, batch in enumerate(batched(urls, batch_size)):
            in_flight.append(submit_batch(runner, settings, batch, f"{run_id}-{n:05d}", task_mode))
            if len(in_flight) > window:
                collect(in_flight.popleft())
        while in_flight:
            collect(in_flight.popleft())
    if summary.records_written:
        summary.add_output(catalogue_task(settings))
    summary.arxiv = session_for(settings).arxiv.stats.as_dict()
    summary.wall_seconds = time.perf_counter() - start
    create_table_artifact(key="ingest-inputs", table=rows, description=run_id)
    create_markdown_artifact(key="ingest-summary", markdown=summary.markdown())
    return summary.as_dict()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m flows.ingest",
        description="Fetch articles, strip boilerplate, find and enrich arXiv papers, "
        "write clean JSONL.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help="http(s) URL, or a local .html/.htm file, or a .txt file already rendered to text",
    )
    parser.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="read inputs from FILE, one per line (# comments allowed)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: $PAPERTRAIL_DATA_DIR/clean)",
    )
    parser.add_argument(
        "--no-enrich",
        action="store_true",
        help="do not call the arXiv API; records are marked pending",
    )
    parser.add_argument(
        "--no-titles", action="store_true", help="do not resolve papers named only by their title"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="batches processed at once (default 4)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=100,
        metavar="N",
        help="inputs per task batch (default 100)",
    )
    parser.add_argument(
        "--task-mode",
        choices=TASK_MODES,
        default="batch",
        help="one Prefect task per batch (default), or one per batch and stage",
    )
    parser.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="run the tasks on this Dask scheduler (default: $PAPERTRAIL_DASK_ADDRESS, "
        "else threads in this process); needs the 'dask' extra",
    )
    parser.add_argument(
        "--keep-server",
        action="store_true",
        default=os.environ.get("PAPERTRAIL_PREFECT_KEEP_SERVER") == "1",
        help="with no Prefect API configured, start papertrail's local server with no idle "
        "exit (by default it stops after $PAPERTRAIL_PREFECT_IDLE_TIMEOUT s idle; stop it with "
        "python -m flows.server stop). Default: $PAPERTRAIL_PREFECT_KEEP_SERVER=1",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    inputs = list(args.urls)
    if args.from_file is not None:
        try:
            lines = args.from_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            parser.error(f"--from {args.from_file}: {exc.strerror or exc}")
        inputs += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not inputs:
        parser.error("no input: give at least one URL or file, or --from FILE")
    if args.concurrency < 1 or args.batch_size < 1:
        parser.error("--concurrency and --batch-size must be at least 1")
    if args.out is not None:
        _check_writable(parser, args.out)
    args.inputs = inputs
    return args


def _check_writable(parser: argparse.ArgumentParser, out: Path) -> None:
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not _access_w(probe):
        parser.error(f"--out {out}: not a writable directory")


def _access_w(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK | os.X_OK)


def print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    s = summary
    console.print(
        f"[bold]{s['inputs']}[/] inputs: [green]{s['pages']} pages[/], "
        f"[red]{s['failed']} failed[/], {s['unchanged']} unchanged; "
        f"{s['ids']} arXiv ids, {s['papers']} papers "
        f"({s['not_found']} not found, {s['enrichment_pending']} pending); "
        f"{s['records_written']} records written"
    )
    for reason, n in sorted(s["failures_by_reason"].items()):
        console.print(f"  failure {reason}: {n}")
    for path in s["outputs"]:
        console.print(f"  output: {path}")


@contextmanager
def short_run(short: bool) -> Iterator[None]:
    """No flow-run heartbeat for a one-batch run: its thread is joined at exit, which costs
    up to 1 s of a 2-3 s command, and it only helps the server tell that a long run
    crashed (a killed one-batch run stays "Running" in the UI instead)."""
    if not short:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def progress_bar(enabled: bool) -> Iterator[None]:
    """A rich progress bar on stderr while the run goes, when stderr is a terminal."""
    global progress_hook
    if not enabled or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task_id = bar.add_task("ingesting", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task_id, completed=done, total=total)

        progress_hook = update
        try:
            yield
        finally:
            progress_hook = None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings(**({"clean_dir": args.out} if args.out else {}))
    except Exception as exc:
        print(f"error: invalid PAPERTRAIL_* settings: {exc}", file=sys.stderr)
        return 2
    if problems := preflight(settings, args.inputs):  # before any work: nothing written
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        with (
            prefect_api(args.keep_server),
            short_run(len(args.inputs) <= args.batch_size),
            progress_bar(enabled=not args.json),
        ):
            summary = ingest(
                urls=args.inputs,
                out=str(args.out) if args.out else None,
                enrich=not args.no_enrich,
                resolve_titles=not args.no_titles,
                concurrency=args.concurrency,
                batch_size=args.batch_size,
                task_mode=args.task_mode,
                dask_address=args.dask_address,
            )
    except ServerSettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PapertrailError as exc:  # disk full, locked database...: committed data stays
        print(f"error: run stopped: {exc.message} [{exc.reason}]", file=sys.stderr)
        return 1
    print_summary(summary, args.json)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
