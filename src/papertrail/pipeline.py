"""The stage boundary.

A *stage* is a callable ``Document -> Document`` that fills its own fields and never drops
the document. :func:`run_stage` is the stage boundary: it times the call and turns any
exception into a :class:`~papertrail.record.StageError` on the document, so a failing
page never takes the run down with it. Composition lives in
:class:`papertrail.session.Session`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .crashpoints import crash_point
from .document import Document
from .errors import PapertrailError

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


def run_stages(doc: Document, stages: StageList) -> Document:
    """Run ``stages`` in order on one document through the stage boundary."""
    for name, stage in stages:
        doc = run_stage(name, stage, doc)
    return doc
