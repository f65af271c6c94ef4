"""One measured run, in its own process: wall time, pages/s and peak RSS of the process tree.

    python -m bench.pipeline.measure MODE URLS_FILE [--batch-size N] [--concurrency N]

Modes: ``plain`` (``Session.run``: the stages as plain functions, with the same window of
``--concurrency`` batches in threads as the flow; the baseline of the overhead ratio),
``plain-seq`` (``Session.run`` one batch after another), ``flow`` (the ingest flow, one
task per batch), ``flow-stage`` (one task per batch and stage), ``flow-page`` (one task
per page and stage: batch size 1).
Settings come from the environment (``PAPERTRAIL_*``), the same for every mode. Prints
one JSON object. RSS is sampled every 50 ms over this process and its children (the
cleaning workers and their forkserver), so the peak covers the whole run; the peak
before the final papers catalogue rebuild is reported too (``peak_rss_pages_mb``:
main process, tree).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

MODES = ("plain", "plain-seq", "flow", "flow-stage", "flow-page")


class RssSampler:
    """Peak resident memory of this process alone and of it with all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_self = 0
        self.peak_tree = 0
        self.marks: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        own = me.memory_info().rss
        tree = own
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                tree += child.memory_info().rss
        self.peak_self = max(self.peak_self, own)
        self.peak_tree = max(self.peak_tree, tree)

    def mark(self, name: str) -> None:
        """Remember the peaks so far (e.g. before the catalogue is rebuilt)."""
        self._sample()
        self.marks[name] = (self.peak_self, self.peak_tree)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def watch_catalogue(rss: RssSampler) -> None:
    """Note the peak RSS when the pages are done and the papers catalogue (rebuilt from
    every stored record, ``papertrail.catalogue``) starts, to tell the two apart."""
    from papertrail.session import Session

    original = Session.catalogue

    def catalogue(self: Session) -> str:
        rss.mark("catalogue")
        return original(self)

    Session.catalogue = catalogue  # type: ignore[method-assign]


def run_mode(mode: str, urls: list[str], batch_size: int, concurrency: int) -> dict[str, Any]:
    if mode.startswith("plain"):
        from papertrail.session import Session
        from papertrail.settings import Settings

        session = Session(Settings(enrich=False))
        window = 1 if mode == "plain-seq" else concurrency
        try:
            return session.run(urls, batch_size=batch_size, concurrency=window).as_dict()
        finally:
            session.close()
    from flows.ingest import ingest

    task_mode = "batch" if mode == "flow" else "stage"
    if mode == "flow-page":
        batch_size = 1
    return ingest(
        urls=urls,
        enrich=False,
        batch_size=batch_size,
        concurrency=concurrency,
        task_mode=task_mode,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("urls_file", type=Path)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    urls = args.urls_file.read_text(encoding="utf-8").split()
    if args.mode.startswith("flow"):
        import flows.ingest  # noqa: F401 - import cost is not part of the run

    with RssSampler() as rss:
        watch_catalogue(rss)
        start = time.perf_counter()
        cpu_start = time.process_time()
        summary = run_mode(args.mode, urls, args.batch_size, args.concurrency)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    result = {
        "mode": args.mode,
        "pages": len(urls),
        "wall_s": round(wall, 3),
        "pages_per_s": round(len(urls) / wall, 1),
        "main_cpu_s": round(cpu, 2),
        "peak_rss_mb": round(rss.peak_self / 2**20, 1),
        "peak_rss_tree_mb": round(rss.peak_tree / 2**20, 1),
        "peak_rss_pages_mb": [round(v / 2**20, 1) for v in rss.marks.get("catalogue", (0, 0))],
        "ok_pages": summary["pages"],
        "failed": summary["failed"],
        "failures_by_reason": summary["failures_by_reason"],
        "records_written": summary["records_written"],
        "ids": summary["ids"],
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
