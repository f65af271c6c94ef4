"""Request spacing that holds across threads and processes on one machine.

arXiv asks for one request every three seconds from all of a user's machines together.
A per-object delay (what the ``arxiv`` package does) breaks as soon as two clients or two
runs overlap, so the last request time lives in a small file under the data directory,
read and written under an exclusive ``fcntl`` lock: whoever holds the lock sleeps out the
rest of the interval, stamps the file and lets the next one in. A Prefect global
concurrency limit implementing the same protocol (``flows/arxiv_limit.py``) extends this
across machines.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
import time
from pathlib import Path
from typing import Protocol

from ..errors import StorageError

# Added to the interval: the server measures spacing between *arrivals*, and a reused
# keep-alive connection can arrive a little sooner after its stamp than a fresh one did.
SAFETY_MARGIN = 0.05


class Limiter(Protocol):
    """Blocks until the next request may go; returns the seconds it waited."""

    def acquire(self) -> float: ...


class FileLimiter:
    """At most one ``acquire`` per ``interval`` seconds per lock file, machine-wide."""

    def __init__(self, path: Path, interval: float, *, margin: float = SAFETY_MARGIN) -> None:
        self.path = Path(path)
        self.interval = interval
        self.margin = margin if interval > 0 else 0.0
        self._thread_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {self.path.parent}: {exc}") from exc

    def acquire(self) -> float:
        spacing = self.interval + self.margin
        if spacing <= 0:
            return 0.0
        with self._thread_lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                raw = os.pread(fd, 8, 0)
                last = struct.unpack("<d", raw)[0] if len(raw) == 8 else 0.0
                # Wall clock, since the stamp is shared between processes; a stamp in the
                # future (clock stepped back) waits at most one interval.
                wait = min(max(0.0, last + spacing - time.time()), spacing)
                if wait > 0:
                    time.sleep(wait)
                os.pwrite(fd, struct.pack("<d", time.time()), 0)
                return wait
            finally:
                os.close(fd)  # releases the flock
