"""Benchmark: requests and wall time to enrich 10, 100, 1,000 distinct ids, cold and warm.

Runs the real client against the fake API on loopback with the real 3 s interval
(the fake answers 429 if we are ever faster). Not run in CI: a cold 1,000-id run spends
about half a minute sleeping, by design.

    PYTHONPATH=src python bench/arxiv/run.py --sizes 10 100 1000 --out bench/arxiv/results.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import tempfile
import time
from pathlib import Path

import arxiv

from papertrail.arxiv import ArxivClient
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI


def distinct_ids(n: int, offset: int) -> list[str]:
    return [f"2{offset % 10}01.{i:05d}" for i in range(1, n + 1)]


def run_size(
    n: int, interval: float, chunk: int, offset: int, latency: float = 0.0
) -> dict[str, object]:
    ids = distinct_ids(n, offset)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeArxivAPI(synthesize=True, min_interval=interval, latency=latency) as api,
    ):
        settings = Settings(
            arxiv_api_url=api.url, data_dir=Path(tmp), arxiv_interval=interval,
            arxiv_chunk_size=chunk,
        )  # fmt: skip
        row: dict[str, object] = {
            "ids": n, "chunk": chunk, "interval_s": interval, "latency_s": latency,
        }  # fmt: skip
        for phase in ("cold", "warm"):
            before = len(api.requests)
            start = time.perf_counter()
            with ArxivClient(settings) as client:
                got = client.get_papers(ids)
            wall = time.perf_counter() - start
            reqs = api.requests[before:]
            assert len(got.papers) == n and not got.failed, got.failed
            gaps = [b.at - a.at for a, b in itertools.pairwise(reqs)]
            row[phase] = {
                "requests": len(reqs),
                "http_429": [i for i, r in enumerate(reqs) if r.status == 429],
                "min_gap_s": round(min(gaps), 3) if gaps else None,
                "wall_s": round(wall, 2),
                "stats": client.stats.as_dict(),
            }
        row["expected_cold_requests"] = math.ceil(n / chunk)
        return row


def package_baseline(n: int) -> dict[str, object]:
    """What the ``arxiv`` package does with the same ids and its defaults."""
    ids = distinct_ids(n, 9)
    with FakeArxivAPI(synthesize=True) as api:
        client = arxiv.Client(delay_seconds=0.0, num_retries=0)
        client.query_url_format = api.url + "?{}"
        start = time.perf_counter()
        try:
            results = list(client.results(arxiv.Search(id_list=ids)))
            outcome = f"{len(results)} results for {n} ids, no error"
        except arxiv.ArxivError as exc:
            outcome = f"{type(exc).__name__}: {exc.message}"
        return {
            "ids": n,
            "outcome": outcome,
            "requests": len(api.requests),
            "statuses": sorted({r.status for r in api.requests}),
            "wall_s": round(time.perf_counter() - start, 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0, help="fake answer time, s")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [
        run_size(n, args.interval, args.chunk, i, args.latency) for i, n in enumerate(args.sizes)
    ]
    baseline = [package_baseline(n) for n in (150, 1000)]
    report = {
        "machine": f"{platform.machine()} {platform.python_version()}",
        "runs": rows,
        "arxiv_package_defaults": baseline,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
