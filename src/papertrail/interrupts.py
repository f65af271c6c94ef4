"""Ctrl-C ends a command within seconds and loses nothing committed.

A run writes each output file atomically and its ledger in transactions, so it survives
being killed at any point (``tests/reliability/test_crash_resume.py``). What Ctrl-C used
to wait for was not the run's data:

- a batch in flight, to the end: a thread cannot be cancelled, and both the task runner
  and the interpreter's exit wait for it (a page stalling until the fetch timeout, then
  its retries);
- with Prefect's embedded server, which the same Ctrl-C stops (it shares the terminal's
  process group), the engine retrying for about a minute to report the crash to it.

So the first Ctrl-C interrupts the command as before (Prefect marks the run crashed, the
command prints ``interrupted``) and, if the process is still there :data:`GRACE` seconds
later, it ends at once; a second Ctrl-C ends it at once too. Ending at once stops the
processes this one started in its process group (the embedded server, the cleaning
workers; not papertrail's background server) and exits 130;
the pages that were in flight have no record yet, so the next run fetches them again.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

EXIT_INTERRUPTED = 130
#: Seconds the first Ctrl-C gives a command to stop by itself.
GRACE = 5.0

_last_words: list[Callable[[int], None]] = []


def before_exit_now(hook: Callable[[int], None]) -> None:
    """Call ``hook(exit_status)`` before a command ends at once (the warm runner hands
    its caller the exit status this way)."""
    _last_words.append(hook)


@contextmanager
def prompt_interrupts(grace: float = GRACE) -> Iterator[None]:
    """Ctrl-C as described above, for the duration. Only in the main thread, and only
    where Ctrl-C would raise KeyboardInterrupt anyway (not where it is ignored)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    interrupts = 0

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            exit_now(EXIT_INTERRUPTED)
        print(
            "papertrail: stopping (Ctrl-C again to stop at once); pages in flight are "
            "fetched again by the next run",
            file=sys.stderr,
            flush=True,
        )
        timer = threading.Timer(grace, exit_now, args=(EXIT_INTERRUPTED,))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        if not interrupts:  # once interrupted, a second Ctrl-C still ends it at once
            signal.signal(signal.SIGINT, previous)


def exit_now(status: int) -> None:
    """End the process now: last words, streams flushed, child processes stopped."""
    with suppress(BaseException):
        print("interrupted: stopped without waiting for work in flight", file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with suppress(BaseException):
            stream.flush()
    for hook in _last_words:
        with suppress(BaseException):
            hook(status)
    for pid in _children():
        with suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    os._exit(status)


def _children() -> list[int]:
    """This process's child processes in its own process group (Linux; elsewhere none are
    known). One started in a session of its own (papertrail's background server, meant
    to outlive the command) is left alone."""
    pids: list[int] = []
    with suppress(OSError):
        group = os.getpgid(0)
        for task in Path("/proc/self/task").iterdir():
            with suppress(OSError, ValueError):
                pids += [int(p) for p in (task / "children").read_text().split()]
    alive = []
    for pid in pids:
        with suppress(OSError):
            if os.getpgid(pid) == group:
                alive.append(pid)
    return alive
