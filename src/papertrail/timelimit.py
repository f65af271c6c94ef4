"""Per-page stages in worker processes, each page under a hard time limit.

Cleaning is CPU-bound (lexbor, lxml, trafilatura), so threads would share one core; and
a pathological page (a regex or tree walk that never ends) cannot be interrupted inside
a thread. Worker processes fix both: pages are cleaned on every core, and a page that
exceeds ``page_time_limit`` has its worker killed and replaced (pebble does the
bookkeeping) while the page is recorded as ``StageError(stage="clean",
reason="time_limit")``. Nothing else in the batch is lost.

Workers are forked from a *forkserver* that imported the cleaning modules once: starting
or replacing a worker costs milliseconds, and the forkserver is a fresh process, so the
parent's threads (Prefect's event loops, httpx pools) are never forked with their locks.
Multiprocessing would also re-import the parent's ``__main__`` in every worker (for
``python -m flows.ingest``: all of Prefect, in every worker, again after every
replacement); our workers need nothing from it, so :func:`skip_main_in_workers` leaves
it out for them (the gain is in bench/README.md, "Latency of one command").

Crash points (:mod:`papertrail.crashpoints`) of the per-page stages are reached in the
parent as each page is sent: a test that kills the run "before clean" kills the run,
not a worker (a dying worker is only that page's ``worker_died``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from .crashpoints import crash_point
from .document import Document
from .errors import PageTimeLimit, WorkerDied
from .pipeline import StageList, add_time, record_failure, run_stages

if TYPE_CHECKING:
    from pebble import ProcessFuture, ProcessPool

log = logging.getLogger(__name__)

# Imported once by the forkserver so every forked worker starts warm.
PRELOAD = ["papertrail.decode", "papertrail.clean", "papertrail.ids"]
# Workers are replaced after this many pages: bounds slow growth inside lxml/trafilatura.
MAX_TASKS_PER_WORKER = 500


def default_workers() -> int:
    """One worker per usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_start_workers() -> bool:
    """False inside a daemonic process (e.g. a default Dask worker): it may not fork."""
    return not multiprocessing.current_process().daemon


_WORKER_NAME = "pebble_pool_worker"  # pebble's name for its pool processes
_shim_lock = threading.Lock()


def skip_main_in_workers() -> None:
    """Workers run only importable functions (``_run_in_worker`` and the stages, pickled by
    name), so they do not need the parent's ``__main__``: drop it from what
    multiprocessing sends a new pool worker. Installed once; other processes untouched."""
    from multiprocessing import spawn

    with _shim_lock:
        original = spawn.get_preparation_data
        if getattr(original, "_papertrail", False):
            return

        def preparation_data(name: str) -> dict[str, object]:
            data: dict[str, object] = original(name)
            if name.startswith(_WORKER_NAME):
                for key in ("init_main_from_name", "init_main_from_path", "main_path"):
                    data.pop(key, None)
            return data

        preparation_data._papertrail = True  # type: ignore[attr-defined]
        spawn.get_preparation_data = preparation_data


def _run_in_worker(doc: Document, stages: StageList) -> Document:
    """Worker side: the page's stages, returned without its raw bytes (the parent has them)."""
    doc = run_stages(doc, stages)
    doc.raw = None
    return doc


class PageProcessor:
    """Run per-page stages on a pool of worker processes with a per-page time limit.

    ``workers=0`` runs in the calling thread instead (no start-up cost, no hard limit);
    used where processes cannot be started. Thread-safe: several batches may be
    processed at once from different threads, sharing the pool.
    """

    def __init__(self, stages: StageList, *, workers: int, time_limit: float) -> None:
        self.stages = list(stages)
        self.time_limit = time_limit
        self.workers = workers if can_start_workers() else 0
        if workers and not self.workers:
            log.warning("daemonic process: pages are processed in-process, without time limit")
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPool:
        from pebble import ProcessPool

        with self._lock:
            if self._pool is None:
                skip_main_in_workers()
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(PRELOAD)
                self._pool = ProcessPool(
                    max_workers=self.workers, max_tasks=MAX_TASKS_PER_WORKER, context=ctx
                )
            return self._pool

    def warm_up(self) -> None:
        """Start the workers now (e.g. while the first pages are being fetched)."""
        if self.workers:
            self._get_pool().schedule(os.getpid)

    def process(self, docs: list[Document]) -> list[Document]:
        """Every document back, in order; stuck or crashed pages carry their error."""
        if not self.workers:
            return [run_stages(d, self.stages) for d in docs]
        pool = self._get_pool()
        futures: list[ProcessFuture[Document] | Exception | None] = []
        for doc in docs:
            if doc.failed or doc.skipped:
                futures.append(None)
                continue
            for name, _ in self.stages:  # reliability tests' crash points kill the *run*
                crash_point(name)
            try:
                futures.append(
                    pool.schedule(_run_in_worker, args=(doc, self.stages), timeout=self.time_limit)
                )
            except Exception as exc:  # a broken pool: recorded; the next batch gets a new one
                futures.append(exc)
        done = [self._collect(doc, fut) for doc, fut in zip(docs, futures, strict=True)]
        if any(isinstance(f, Exception) for f in futures) or not pool.active:
            self.close()
        return done

    def _collect(
        self, doc: Document, future: ProcessFuture[Document] | Exception | None
    ) -> Document:
        from pebble import ProcessExpired

        if future is None:
            return doc
        try:
            if isinstance(future, Exception):
                raise future
            done: Document = future.result()
        except FutureTimeout:
            record_failure(
                doc,
                "clean",
                PageTimeLimit(f"processing took longer than {self.time_limit:g} s; worker stopped"),
            )
            add_time(doc, "clean", self.time_limit)
            return doc
        except ProcessExpired as exc:
            record_failure(
                doc, "clean", WorkerDied(f"worker process died (exit code {exc.exitcode})")
            )
            return doc
        except Exception as exc:  # pickling problems and the like: recorded, never raised
            record_failure(doc, "clean", exc)
            return doc
        done.raw = doc.raw
        return done

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)
