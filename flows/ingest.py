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
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from papertrail import cli
from papertrail.errors import InputError
from papertrail.inputs import read_input_file, set_aside_credentials

from .local_server import ServerSettingError, prefect_api, server_settings, start_early

# "batch": one task per batch (the default: fewest tasks, nothing moves between tasks);
# "stage": a chain of four tasks per batch (each stage visible in the UI, at about four
# times the orchestration cost and twice the data passed between tasks).
TASK_MODES = ("batch", "stage")

#: Names served from :mod:`flows.ingest_flow`, imported on first use (it imports Prefect).
_FLOW_NAMES = {
    "ingest", "fetch_task", "process_task", "link_task", "write_task", "batch_task",
    "catalogue_task", "make_runner", "submit_batch",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """``flows.ingest:ingest`` (deployments) and the tasks, without importing Prefect on
    ``python -m flows.ingest`` before it is needed."""
    if name in _FLOW_NAMES:
        from . import ingest_flow

        return getattr(ingest_flow, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EPILOG = """\
examples:
  python -m flows.ingest https://example.org/news/ai-roundup.html
  python -m flows.ingest page.html seeds/001.txt --out /tmp/clean
  python -m flows.ingest --from urls.txt --no-enrich --json

Settings come from PAPERTRAIL_* environment variables (see README: Settings).
Exit status: 0 when every input produced a record, 1 when some input failed, 2 on bad
arguments."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = cli.parser(
        "python -m flows.ingest",
        "Fetch articles, strip boilerplate, find and enrich arXiv papers, write clean JSONL.",
        epilog=EPILOG,
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
        "--no-describe",
        action="store_true",
        help="do not look up papers a digest only describes (no link, no title)",
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
        help="with no Prefect API configured, start papertrail's local server with no idle "
        "exit (by default it stops after $PAPERTRAIL_PREFECT_IDLE_TIMEOUT s idle; stop it with "
        "python -m flows.server stop). Default: $PAPERTRAIL_PREFECT_KEEP_SERVER",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    inputs = list(args.urls)
    if args.from_file is not None:
        try:
            inputs += read_input_file(args.from_file)
        except InputError as exc:  # one line naming the file (and the bad byte's offset)
            parser.error(f"--from {exc.message} [{exc.reason}]")
    if not inputs:
        parser.error("no input: give at least one URL or file, or --from FILE")
    if args.concurrency < 1 or args.batch_size < 1:
        parser.error("--concurrency and --batch-size must be at least 1")
    if args.out is not None:
        cli.writable_dir(args.out, "--out")
    args.inputs = inputs
    return args


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
    for note in s.get("notes", []):
        console.print(f"  note: {note}", markup=False)


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
def progress_bar(enabled: bool, total: int | None = None) -> Iterator[None]:
    """A rich progress bar on stderr while the run goes, when stderr is a terminal."""
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
        task_id = bar.add_task("ingesting", total=total)  # known: no "0/?" on one batch

        def update(done: int, total: int) -> None:
            bar.update(task_id, completed=done, total=total)

        from . import ingest_flow

        ingest_flow.progress_hook = update
        try:
            yield
        finally:
            ingest_flow.progress_hook = None


def start_cleaning_workers(settings: Any, dask_address: str | None) -> None:
    """Start the cleaning pool's forkserver now, in a thread: it imports the cleaning
    modules (0.5-1 s) while Prefect is imported and the flow run is created, instead of
    after the first page is fetched (see ``papertrail.timelimit``)."""
    if settings.process_workers == 0 or dask_address or settings.dask_address:
        return
    from papertrail import timelimit

    if not timelimit.can_start_workers():
        return

    def start() -> None:
        import multiprocessing
        from multiprocessing import forkserver

        timelimit.skip_main_in_workers()
        multiprocessing.get_context("forkserver").set_forkserver_preload(timelimit.PRELOAD)
        with suppress(Exception):  # the pool starts it again if this failed
            forkserver.ensure_running()

    threading.Thread(target=start, name="papertrail-forkserver-start", daemon=True).start()


def run_warm(argv: list[str]) -> int | None:
    """Hand this command to the warm runner next to papertrail's server, if there is one
    and it matches this process (``flows.warm_runner``): its exit status, else None."""
    from . import local_server, warm_runner

    if warm_runner.in_runner:
        return None
    try:
        if local_server.server_mode() != "background":
            return None
    except ServerSettingError:
        return None  # reported by the in-process path
    state = local_server.owned_server()
    if state is None:
        return None
    if os.environ.get("PREFECT_API_URL") != state.url and local_server._api_maybe_configured():
        return None  # an API named elsewhere (profile, prefect.toml): not the runner's
    return warm_runner.try_run(argv, state.url, local_server.prefect_home())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if (code := run_warm(argv)) is not None:
        return code
    return cli.run(lambda: _main(argv))


def _main(argv: list[str]) -> int:
    args = parse_args(argv)
    cli.configure_logging(args)
    from papertrail.errors import PapertrailError
    from papertrail.preflight import preflight

    settings = cli.load_settings(**({"clean_dir": args.out} if args.out else {}))
    if problems := preflight(settings, args.inputs):  # before any work: nothing written
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return cli.EXIT_USAGE
    start_cleaning_workers(settings, args.dask_address)
    try:
        keep_server = args.keep_server or server_settings().keep_server
        early = start_early(keep_server)  # the server starts while Prefect is imported
    except ServerSettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    from .ingest_flow import ingest

    try:
        with (
            prefect_api(keep_server, early),
            short_run(len(args.inputs) <= args.batch_size),
            progress_bar(not (args.json or args.quiet), total=len(args.inputs)),
        ):
            summary = ingest(
                urls=set_aside_credentials(args.inputs),  # no password in Prefect's database
                out=str(args.out) if args.out else None,
                enrich=not args.no_enrich,
                resolve_titles=not args.no_titles,
                resolve_descriptions=not args.no_describe,
                concurrency=args.concurrency,
                batch_size=args.batch_size,
                task_mode=args.task_mode,
                dask_address=args.dask_address,
            )
    except PapertrailError as exc:  # disk full, locked database...: committed data stays
        print(f"error: run stopped: {exc.message} [{exc.reason}]", file=sys.stderr)
        return cli.EXIT_FAILED
    if not args.quiet:
        print_summary(summary, args.json)
    return cli.EXIT_OK if summary["ok"] else cli.EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
