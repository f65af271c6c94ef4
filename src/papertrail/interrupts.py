"""Ctrl-C or SIGTERM ends a command within seconds and loses nothing committed.

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
later, it ends at once; a second Ctrl-C ends it at once too. SIGTERM (``kill``, a service
manager, a CI job's time limit) does the same inside a flow run (:func:`watch_termination`)
and ends the command at once outside one; before, it waited like Ctrl-C and then left
Prefect's embedded server running with no parent. Ending at once stops the processes
this one started in its process group (the embedded server, the cleaning workers; not
papertrail's background server) and exits 130 (143 for SIGTERM). The pages that were in
flight have no record yet, so the next run fetches them again.
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
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process SIGTERM ended
#: Seconds the first Ctrl-C gives a command to stop by itself.
GRACE = 5.0

_last_words: list[Callable[[int], None]] = []


def before_exit_now(hook: Callable[[int], None]) -> None:
    """Call ``hook(exit_status)`` before a command ends at once (the warm runner hands
    its caller the exit status this way)."""
    _last_words.append(hook)


_grace: float | None = None  # set while a command runs under prompt_interrupts


@contextmanager
def prompt_interrupts(grace: float = GRACE) -> Iterator[None]:
    """Ctrl-C and SIGTERM as described above, for the duration. Only in the main thread,
    and Ctrl-C only where it would raise KeyboardInterrupt anyway (not where ignored)."""
    global _grace
    if threading.current_thread() is not threading.main_thread():
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
        _arm(grace, EXIT_INTERRUPTED)
        raise KeyboardInterrupt

    def on_terminate(signum: int, frame: FrameType | None) -> None:
        exit_now(EXIT_TERMINATED)  # outside a flow run nothing is in flight

    catch_int = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    previous_int = signal.signal(signal.SIGINT, on_interrupt) if catch_int else None
    catch_term = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    previous_term = signal.signal(signal.SIGTERM, on_terminate) if catch_term else None
    _grace = grace
    try:
        yield
    finally:
        _grace = None
        if not interrupts:  # once interrupted, a second Ctrl-C still ends it at once
            if previous_int is not None:
                signal.signal(signal.SIGINT, previous_int)
            if previous_term is not None:
                signal.signal(signal.SIGTERM, previous_term)


def watch_termination() -> None:
    """Inside a flow run of a command: SIGTERM ends it within the grace period too.

    Prefect turns SIGTERM during a flow run into a crash of the run, waits for the
    tasks in flight, then sends the signal again to the handler it replaced (the
    command's, which ends it at once): that wait was unbounded (49 s for a stalled page),
    and a SIGKILL after it left Prefect's embedded server running with no parent. Here
    Prefect's handler is wrapped so that the signal also arms the timer. Does nothing
    outside a command (a worker's flow run keeps Prefect's own handling)."""
    grace = _grace
    if grace is None or threading.current_thread() is not threading.main_thread():
        return
    inner = signal.getsignal(signal.SIGTERM)
    if not callable(inner):
        return

    def on_terminate(signum: int, frame: FrameType | None) -> None:
        _arm(grace, EXIT_TERMINATED)
        inner(signum, frame)

    signal.signal(signal.SIGTERM, on_terminate)


def _arm(grace: float, status: int) -> None:
    timer = threading.Timer(grace, exit_now, args=(status,))
    timer.daemon = True
    timer.start()


def exit_now(status: int) -> None:
    """End the process now: last words, streams flushed, child processes stopped."""
    with suppress(BaseException):
        word = "interrupted" if status == EXIT_INTERRUPTED else "terminated"
        print(f"{word}: stopped without waiting for work in flight", file=sys.stderr)
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


__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "GRACE",
    "before_exit_now",
    "exit_now",
    "prompt_interrupts",
    "watch_termination",
]
