"""Plain composition of stages, with no orchestration framework in it.

A *stage* is a callable ``Document -> Document`` (see :class:`Stage`). :func:`run_stage`
is the stage boundary: it times the call and turns any exception into a
:class:`~papertrail.record.StageError` on the document, so a failing page never takes
the run down with it. :class:`papertrail.session.Session` composes the stages; the
Prefect flows (``flows/``) and the benchmarks call the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

from .crashpoints import crash_point
from .document import Document
from .errors import PapertrailError


class Stage(Protocol):
    """One step over one document. Stages fill fields; they never drop documents."""

    def __call__(self, doc: Document, /) -> Document: ...


def run_stage(name: str, stage: Callable[[Document], Document], doc: Document) -> Document:
    """Run one stage on one document, recording failure instead of raising.

    Stages after a failed fetch/decode/clean are skipped: there is no text to work on.
    """
    if doc.failed or doc.skipped:
        return doc
    crash_point(name)
    start = time.perf_counter()
    try:
        result = stage(doc)
    except PapertrailError as exc:
        doc.add_error(name, exc.reason, exc.message)
        result = doc
    except Exception as exc:
        doc.add_error(name, f"internal_{type(exc).__name__}", f"{type(exc).__name__}: {exc}")
        result = doc
    result.timings[name] = result.timings.get(name, 0.0) + time.perf_counter() - start
    return result


def run_stages(
    doc: Document, stages: Iterable[tuple[str, Callable[[Document], Document]]]
) -> Document:
    for name, stage in stages:
        doc = run_stage(name, stage, doc)
    return doc
