"""Request spacing that holds across threads and processes on one machine.

arXiv asks for one request every three seconds, over one connection at a time, from all
of a user's machines together. A per-object delay (what the ``arxiv`` package does)
breaks as soon as two clients or two runs overlap, so the time the API is next free lives
in a small file in the user's state directory (``$XDG_STATE_HOME/papertrail``, whatever
each run's data directory), read and written under an exclusive ``fcntl`` lock.
``acquire`` sleeps until then and marks the API busy for up to ``hold`` seconds (the
request timeout); ``release`` (called when the answer is in) stamps the real end. The
next request therefore starts at least ``interval`` after the previous one *ended*: never
two in flight, never closer than the interval, whatever the network jitter.

A Prefect global concurrency limit implementing the same protocol
(``flows/arxiv_limit.py``) extends this across machines.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import StorageError
from ..settings import Settings

# Added to the interval to absorb clock granularity between processes.
SAFETY_MARGIN = 0.05
# Longest sleep between looks at the stamp while another request is in flight.
POLL = 0.05


class Limiter(Protocol):
    """Blocks until the next request may go; returns the seconds it waited."""

    def acquire(self) -> float: ...


@runtime_checkable
class ReleasingLimiter(Limiter, Protocol):
    """A limiter that also wants to know when the request finished."""

    def release(self) -> None: ...


class FileLimiter:
    """Machine-wide: requests at least ``interval`` apart, end to start, one at a time."""

    def __init__(
        self, path: Path, interval: float, *, hold: float = 60.0, margin: float = SAFETY_MARGIN
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self.hold = hold
        self.margin = margin if interval > 0 else 0.0
        self._thread_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {self.path.parent}: {exc}") from exc

    @contextmanager
    def _locked(self) -> Iterator[int]:
        with self._thread_lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield fd
            finally:
                os.close(fd)  # releases the flock

    @staticmethod
    def _read(fd: int) -> float:
        raw = os.pread(fd, 8, 0)
        return struct.unpack("<d", raw)[0] if len(raw) == 8 else 0.0

    @staticmethod
    def _write(fd: int, stamp: float) -> None:
        os.pwrite(fd, struct.pack("<d", stamp), 0)

    def acquire(self) -> float:
        spacing = self.interval + self.margin
        if spacing <= 0:
            return 0.0
        start = time.monotonic()
        while True:
            with self._locked() as fd:
                # The stamp is "the API is free from this wall time on"; a request in
                # flight keeps it ``hold`` seconds ahead until its release. Wall clock,
                # as it is shared between processes. A stamp that never comes closer (a
                # holder that died, the clock stepped back) is ignored after hold+spacing.
                waited = time.monotonic() - start
                wait = max(0.0, self._read(fd) + spacing - time.time())
                if wait <= 0 or waited >= spacing + self.hold:
                    self._write(fd, time.time() + self.hold)
                    return waited
            # Sleep outside the lock so the holder can release early; look again soon.
            time.sleep(min(wait, POLL))

    def release(self) -> None:
        if self.interval + self.margin <= 0:
            return
        with self._locked() as fd:
            self._write(fd, time.time())


def local_limiter(settings: Settings) -> FileLimiter:
    """The machine-wide limiter for ``settings``: its file in the user state dir.

    ``hold`` covers a whole request (connect and read timeouts can add up), so no other
    process starts while one may still be in flight.
    """
    return FileLimiter(
        settings.arxiv_limiter_file, settings.arxiv_interval, hold=2 * settings.arxiv_timeout
    )
