"""Latency of one URL: ``python -m flows.ingest URL`` from process start to exit.

    PYTHONPATH=src python -m bench.pipeline.latency [--repeat 3]

Scenarios, each a fresh ``python`` process on the same loopback page
(``tests/fixtures/pages/roundup.html``), ``--no-enrich``:

- ``ephemeral-cold``: embedded Prefect server, a new empty ``PREFECT_HOME`` (migrations);
- ``ephemeral-warm``: embedded Prefect server, a ``PREFECT_HOME`` already migrated;
- ``server``: a ``python -m flows.server start`` server already up (found on its own);
- ``library``: ``Session.run`` from Python, no Prefect (the floor for our own work);
- ``library-inproc``: the same with ``PAPERTRAIL_PROCESS_WORKERS=0`` (no worker pool);
- ``trafilatura``: the ``trafilatura`` CLI on the same page, what users compare us with
  (given on stdin: its ``-u`` refuses loopback addresses).

Prints a Markdown table of the median and best wall times. The default set-up (the local
server the first run starts, and its warm runner) is measured by ``bench.latency.run``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from papertrail.testing.pages import Page, PageServer

from .run import ROOT, base_env

PYTHON = sys.executable
LIBRARY = (
    "import sys; from papertrail.session import Session; from papertrail.settings import "
    "Settings\nif __name__ == '__main__':\n    s = Session(Settings(enrich=False))\n"
    "    print(s.run(sys.argv[1:]).one_line()); s.close()"
)


def timed(cmd: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, input=stdin, timeout=300)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr[-2000:].decode(errors='replace')}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=[
            "trafilatura",
            "library",
            "library-inproc",
            "ephemeral-cold",
            "ephemeral-warm",
            "server",
        ],
    )
    args = parser.parse_args(argv)
    page = (ROOT / "tests/fixtures/pages/roundup.html").read_bytes()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp, PageServer() as site:
        url = site.add("/roundup.html", Page(page))
        work = Path(tmp)
        home = work / "prefect-warm"
        home.mkdir()
        env = base_env(home)
        env["PAPERTRAIL_DATA_DIR"] = str(work / "data")
        ingest = [PYTHON, "-m", "flows.ingest", url, "--no-enrich", "--json"]
        for scenario in args.scenarios:
            runs: list[float] = []
            for i in range(args.repeat):
                run_env = dict(env, PAPERTRAIL_DATA_DIR=str(work / f"data-{scenario}-{i}"))
                if scenario == "library":
                    runs.append(timed([PYTHON, "-c", LIBRARY, url], run_env))
                elif scenario == "library-inproc":
                    inproc = dict(run_env, PAPERTRAIL_PROCESS_WORKERS="0")
                    runs.append(timed([PYTHON, "-c", LIBRARY, url], inproc))
                elif scenario == "trafilatura":
                    # its CLI refuses loopback URLs (SSRF guard), so the page goes on stdin
                    exe = str(Path(PYTHON).parent / "trafilatura")
                    runs.append(timed([exe], run_env, stdin=page))
                elif scenario == "ephemeral-cold":
                    cold = work / f"prefect-cold-{i}"
                    cold.mkdir()
                    runs.append(timed(ingest, dict(run_env, PREFECT_HOME=str(cold))))
                elif scenario == "ephemeral-warm":
                    if i == 0:
                        timed(ingest, run_env)  # migrate this PREFECT_HOME once
                    runs.append(timed(ingest, run_env))
                elif scenario == "server":
                    server_env = dict(run_env, PAPERTRAIL_PREFECT_REUSE="1")
                    server_env["PAPERTRAIL_PREFECT_PORT"] = str(_port())
                    if i == 0:
                        subprocess.run(
                            [PYTHON, "-m", "flows.server", "start"],
                            cwd=ROOT, env=server_env, check=True, timeout=300,
                            capture_output=True,
                        )  # fmt: skip
                        timed(ingest, server_env)  # first client run: not counted
                    runs.append(timed(ingest, server_env))
            results[scenario] = runs
            print(f"{scenario}: {[round(r, 2) for r in runs]}", file=sys.stderr, flush=True)
        if "server" in args.scenarios:
            subprocess.run(
                [PYTHON, "-m", "flows.server", "stop"],
                cwd=ROOT, env=dict(env, PAPERTRAIL_PREFECT_PORT=str(_port())),
                timeout=60, capture_output=True,
            )  # fmt: skip
    print("| scenario | median s | best s | runs |")
    print("|---|---|---|---|")
    for scenario, runs in results.items():
        print(f"| {scenario} | {statistics.median(runs):.2f} | {min(runs):.2f} | {len(runs)} |")
    return 0


_PORT: list[int] = []


def _port() -> int:
    """One free port for this benchmark's server, chosen once."""
    if not _PORT:
        from flows.server import free_port

        _PORT.append(free_port())
    return _PORT[0]


if __name__ == "__main__":
    sys.exit(main())
