"""The stage boundary.

A *stage* is a callable ``Document -> Document`` that fills its own fields of the document
it is given (and returns it, for chaining) and never drops it. :func:`boundary` is the
stage boundary, the one place where time is recorded and any exception becomes a
:class:`~papertrail.record.StageError` on the document, so a failing page never takes the
run down with it; :func:`run_stage` runs one stage inside it. Composition lives in
:class:`papertrail.session.Session`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .crashpoints import crash_point
from .document import Document
from .errors import PapertrailError
from .record import StageError

Stage = Callable[[Document], Document]
# Named stages in the order they run: the name is the one StageErrors and timings carry.
StageList = Sequence[tuple[str, Stage]]


def run_stage(name: str, stage: Stage, doc: Document) -> Document:
    """Run one stage on one document, recording failure instead of raising.

    Stages after a failed fetch/decode/clean are skipped: there is no text to work on.
    """
    if doc.failed or doc.skipped:
        return doc
    crash_point(name)
    with boundary(doc, name):
        stage(doc)  # stages fill the fields of the document they are given
    return doc


@contextmanager
def boundary(doc: Document, stage: str) -> Iterator[None]:
    """The stage boundary as a block: any exception inside becomes a StageError on
    ``doc`` (never raised), and the time spent is added to ``doc.timings[stage]``."""
    start = time.perf_counter()
    try:
        yield
    except Exception as exc:
        record_failure(doc, stage, exc)
    finally:
        add_time(doc, stage, time.perf_counter() - start)


def stage_error(stage: str, exc: BaseException) -> StageError:
    """The one place an exception becomes a :class:`~papertrail.record.StageError`: our
    own errors keep their stable reason; anything else is ``internal_<Type>``."""
    if isinstance(exc, PapertrailError):
        return StageError(stage=stage, reason=exc.reason, message=exc.message[:2000])
    message = f"{type(exc).__name__}: {exc}"
    return StageError(stage=stage, reason=f"internal_{type(exc).__name__}", message=message[:2000])


def record_failure(doc: Document, stage: str, exc: BaseException) -> None:
    """``exc`` recorded on ``doc`` as the failure of ``stage``."""
    doc.errors.append(stage_error(stage, exc))


def add_time(doc: Document, stage: str, seconds: float) -> None:
    doc.timings[stage] = doc.timings.get(stage, 0.0) + seconds


def run_stages(doc: Document, stages: StageList) -> Document:
    """Run ``stages`` in order on one document through the stage boundary."""
    for name, stage in stages:
        doc = run_stage(name, stage, doc)
    return doc
