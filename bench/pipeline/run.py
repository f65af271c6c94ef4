"""Throughput benchmark: the synthetic site, then each mode in a fresh process.

    python -m bench.pipeline.run --pages 100 1000 [--modes plain flow ...] [--repeat 2]

For each N the site (``bench.pipeline.site``) is served from its own process, so its
CPU and memory are not counted against the pipeline; each mode runs in a fresh process
(``bench.pipeline.measure``) with a fresh data directory and the same settings:
``PAPERTRAIL_ALLOW_PRIVATE=true``, ``PAPERTRAIL_PER_HOST_DELAY=0``, robots.txt honoured
(every host answers 404), raw WARC archive on, no arXiv enrichment (``enrich=False``:
the arXiv API is rate-limited to one call per 3 s, so it would measure the limiter).
The flows talk to a Prefect server started here on loopback with its own
``PREFECT_HOME`` (the set-up ``docs/performance.md`` recommends); its start-up is not
part of any figure. The overhead ratio is flow wall time / plain wall time for the
same N. Results are appended as JSON lines to ``--results``; a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.server import temporary_server

from .measure import MODES

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SERVER_PID: list[int] = []


def server_cpu() -> float:
    """CPU seconds used so far by the Prefect server's process tree (it shares our cores)."""
    import psutil

    if not SERVER_PID:
        return 0.0
    root = psutil.Process(SERVER_PID[0])
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        times = proc.cpu_times()
        total += times.user + times.system
    return total


def base_env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERTRAIL_", "PREFECT_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PAPERTRAIL_PREFECT_SERVER="ephemeral",
        PAPERTRAIL_ALLOW_PRIVATE="true",
        PAPERTRAIL_PER_HOST_DELAY="0",
    )
    return env


@contextmanager
def site(pages: int, workdir: Path) -> Iterator[Path]:
    urls = workdir / f"urls-{pages}.txt"
    proc = subprocess.Popen(
        [PYTHON, "-m", "bench.pipeline.site", "--pages", str(pages), "--urls", str(urls)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield urls
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


@contextmanager
def prefect_server(env: dict[str, str]) -> Iterator[str]:
    with temporary_server(env, Path(env["PREFECT_HOME"]) / "server.log") as (url, pid):
        SERVER_PID.append(pid)
        try:
            yield url
        finally:
            SERVER_PID.clear()


def measure(mode: str, urls: Path, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    cpu_before = server_cpu()
    with tempfile.TemporaryDirectory(prefix="bench-data-") as data:
        run_env = dict(env, PAPERTRAIL_DATA_DIR=data)
        out = subprocess.run(
            [PYTHON, "-m", "bench.pipeline.measure", mode, str(urls),
             "--batch-size", str(args.batch_size), "--concurrency", str(args.concurrency)],
            cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-3000:]}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    result["server_cpu_s"] = round(server_cpu() - cpu_before, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["plain", "flow"])
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", help="PAPERTRAIL_PROCESS_WORKERS (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; best is kept")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/pipeline/results.jsonl")
    parser.add_argument("--label", default="", help="free text stored with each result")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        (work / "prefect").mkdir()
        env = base_env(work / "prefect")
        if args.workers is not None:
            env["PAPERTRAIL_PROCESS_WORKERS"] = args.workers
        with prefect_server(env) as api:
            env["PREFECT_API_URL"] = api
            for pages in args.pages:
                with site(pages, work) as urls:
                    # repeats interleave the modes, so load from elsewhere hits them alike
                    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in args.modes}
                    for _ in range(args.repeat):
                        for mode in args.modes:
                            runs[mode].append(measure(mode, urls, env, args))
                    for mode in args.modes:
                        best = min(runs[mode], key=lambda r: r["wall_s"])
                        best.update(
                            batch_size=args.batch_size,
                            concurrency=args.concurrency,
                            workers=args.workers or "cores",
                            label=args.label,
                            walls=[r["wall_s"] for r in runs[mode]],
                        )
                        rows.append(best)
                        print(json.dumps(best), file=sys.stderr, flush=True)
    with args.results.open("a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    print(table(rows))
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    plain = {r["pages"]: r["wall_s"] for r in rows if r["mode"] == "plain"}
    lines = [
        "| N | mode | wall s (runs) | pages/s | overhead ratio | peak RSS MB main / tree "
        "| same, before catalogue | failed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r['wall_s'] / plain[r['pages']]:.3f}" if r["pages"] in plain else "-"
        lines.append(
            f"| {r['pages']} | {r['mode']} | {r['wall_s']:.2f} ({', '.join(map(str, r['walls']))}) "
            f"| {r['pages_per_s']} | {ratio} | {r['peak_rss_mb']} / {r['peak_rss_tree_mb']} "
            f"| {' / '.join(map(str, r['peak_rss_pages_mb']))} | {r['failed']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
