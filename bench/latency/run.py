"""One page, one command: ``python -m flows.ingest page.html --no-enrich`` against
trafilatura's own CLI on the same page, each in a fresh shell, interleaved.

    python -m bench.latency.run [--repeat 9] [--cold 2] [--ephemeral 0] [--page FILE]

- ``cold``: the first run on a fresh ``PREFECT_HOME``: it starts papertrail's background
  Prefect server (migrating a new SQLite database) and reports to it;
- ``warm``: later runs, reporting to that server;
- ``ephemeral``: ``PAPERTRAIL_PREFECT_SERVER=ephemeral`` on a migrated home (the old
  default: Prefect's temporary server per run);
- ``trafilatura -i page.html`` (the brief's command: it reads the file as a list of
  URLs) and ``trafilatura < page.html`` (extracts the page): the same Python start-up,
  trafilatura import and page.

Every run writes to its own ``--out`` directory, so every run does the whole work (fetch,
clean, ids, a new record); the data directory (ledger, caches, raw archive) persists per
``PREFECT_HOME``, as a user's does (``--fresh-data``: a new one per run, which adds the
creation of its SQLite files to every run). Prints a
Markdown table (median, p90, best) and the warm/trafilatura ratios; appends the raw
seconds to ``bench/latency/results.jsonl``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from .common import (
    BIN,
    PYTHON,
    ROOT,
    load_average,
    p90,
    record,
    row,
    shell_time,
    stop_server,
    user_env,
    wait_for_runner,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="warm and trafilatura runs")
    parser.add_argument("--cold", type=int, default=2, help="cold runs (fresh homes)")
    parser.add_argument("--ephemeral", type=int, default=0, help="runs on the old default")
    parser.add_argument("--page", type=Path, default=ROOT / "tests/fixtures/pages/roundup.html")
    parser.add_argument("--fresh-data", action="store_true", help="a new data dir per run")
    args = parser.parse_args(argv)
    results: dict[str, list[float]] = {
        k: [] for k in ("trafilatura -i", "trafilatura <", "cold", "warm", "ephemeral")
    }
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        work = Path(tmp)
        page = work / "page.html"
        page.write_bytes(args.page.read_bytes())
        traf = str(BIN / "trafilatura")
        n = 0

        def ingest(home: Path, **extra: str) -> float:
            nonlocal n
            n += 1
            data = work / (f"data-{n}" if args.fresh_data else f"data-{home.name}")
            env = user_env(home, data, **extra)
            out = ["--out", str(work / f"out-{n}")]
            return shell_time([PYTHON, "-m", "flows.ingest", str(page), "--no-enrich", *out], env)

        for i in range(args.cold):
            home = work / f"home-cold-{i}"
            try:
                results["cold"].append(ingest(home))
            finally:
                stop_server(user_env(home, work))
            print(f"cold {i}: {results['cold'][-1]:.2f}", file=sys.stderr, flush=True)
        home = work / "home-warm"
        try:
            ingest(home)  # starts the server: not counted
            if not wait_for_runner(home):
                print("warning: no warm runner; warm runs import Prefect", file=sys.stderr)
            for i in range(args.repeat):
                results["trafilatura -i"].append(shell_time([traf, "-i", str(page)], {}))
                results["trafilatura <"].append(shell_time([traf], {}, stdin=page))
                results["warm"].append(ingest(home))
                print(f"round {i}: " + ", ".join(
                    f"{k} {v[-1]:.2f}" for k, v in results.items() if v
                ), file=sys.stderr, flush=True)  # fmt: skip
        finally:
            stop_server(user_env(home, work))
        if args.ephemeral:
            eph = work / "home-ephemeral"
            ingest(eph, PAPERTRAIL_PREFECT_SERVER="ephemeral")  # migrate once
            for _ in range(args.ephemeral):
                results["ephemeral"].append(ingest(eph, PAPERTRAIL_PREFECT_SERVER="ephemeral"))
    results = {k: v for k, v in results.items() if v}
    print(f"load average before/after: {load_before} / {load_average()}")
    print("| command | median s | p90 s | best s | runs |")
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        print(row(name, runs))
    warm = statistics.median(results["warm"])
    for name in ("trafilatura -i", "trafilatura <"):
        print(f"warm / {name}: {warm / statistics.median(results[name]):.1f}x (medians)")
    if "cold" in results:
        print(f"cold p90: {p90(results['cold']):.2f} s")
    record("one-page", results, page=args.page.name, fresh_data=args.fresh_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
