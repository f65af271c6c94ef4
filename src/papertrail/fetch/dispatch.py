"""Per-key dispatch over a thread pool: at most ``per_key`` items of one key in flight,
``total`` in all, so a long queue for one slow site never holds every thread while
other sites wait. Knows nothing of fetching: the caller gives the key and the work.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")

READ_AHEAD = 1000  # items taken from the input iterable before any is yielded


def dispatch_by_key(
    items: Iterable[T],
    *,
    key: Callable[[T], str | None],
    work: Callable[[T], T],
    per_key: Callable[[str], int],
    total: int,
    thread_name: str = "dispatch",
) -> Iterator[T]:
    """Yield every item exactly once, in completion order: ``work(item)`` for items with
    a key, the item itself (at once, untouched) for those whose key is None.

    ``work`` must not raise (record failures on the item); ``per_key(k)`` is the number
    of items of key ``k`` that may be in flight together.
    """
    source = iter(items)
    exhausted = False
    pending: dict[str, deque[T]] = {}
    queued = 0
    in_flight: dict[Future[T], str] = {}
    running: dict[str, int] = {}
    pool = ThreadPoolExecutor(total, thread_name_prefix=thread_name)
    try:
        while True:
            while not exhausted and queued < READ_AHEAD:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                k = key(item)  # type: ignore[arg-type]
                if k is None:
                    yield item  # type: ignore[misc]
                    continue
                pending.setdefault(k, deque()).append(item)  # type: ignore[arg-type]
                queued += 1
            for k in list(pending):
                queue = pending[k]
                cap = per_key(k)
                while queue and running.get(k, 0) < cap and len(in_flight) < total:
                    in_flight[pool.submit(work, queue.popleft())] = k
                    running[k] = running.get(k, 0) + 1
                    queued -= 1
                if not queue:
                    del pending[k]
            if not in_flight:
                if exhausted and not pending:
                    return
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                running[in_flight.pop(future)] -= 1
                yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_END = object()
