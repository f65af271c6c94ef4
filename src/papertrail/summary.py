"""Run accounting: what a run did, in numbers a person and a machine can read.

Built from the documents a run produced (not from logs), so the CLI summary, the
``--json`` output and the Prefect artifacts all say the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .document import Document

MAX_NOTES = 20  # a run of thousands must not print thousands of notes


@dataclass(slots=True)
class RunSummary:
    run_id: str = ""
    inputs: int = 0
    pages: int = 0  # inputs that produced text
    failed: int = 0  # inputs whose fetch/decode/clean failed (a record is still written)
    unchanged: int = 0  # inputs skipped because nothing changed since the last run
    ids: int = 0
    papers: int = 0
    not_found: int = 0
    unresolved_titles: int = 0
    enrichment_pending: int = 0
    records_written: int = 0
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    seconds_by_stage: dict[str, float] = field(default_factory=dict)
    arxiv: dict[str, float] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the user, at most MAX_NOTES
    wall_seconds: float = 0.0

    def add(self, doc: Document) -> None:
        self.inputs += 1
        if doc.skipped:
            self.unchanged += 1
        elif doc.failed:
            self.failed += 1
        else:
            self.pages += 1
        if doc.note:
            self.add_note(doc.note)
        self.ids += len(doc.arxiv)
        self.papers += len(doc.papers)
        self.not_found += len(doc.not_found)
        self.unresolved_titles += len(doc.unresolved)
        if doc.enrichment in {"pending", "partial"}:
            self.enrichment_pending += 1
        reasons = Counter(f"{e.stage}:{e.reason}" for e in doc.errors)
        for key, n in reasons.items():
            self.failures_by_reason[key] = self.failures_by_reason.get(key, 0) + n
        for stage, seconds in doc.timings.items():
            self.seconds_by_stage[stage] = self.seconds_by_stage.get(stage, 0.0) + seconds

    def merge(self, part: RunSummary) -> None:
        """Fold a batch's summary into this one (its counts, failures, stage times)."""
        for name in (
            "inputs", "pages", "failed", "unchanged", "ids", "papers", "not_found",
            "unresolved_titles", "enrichment_pending", "records_written",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(part, name))
        for key, n in part.failures_by_reason.items():
            self.failures_by_reason[key] = self.failures_by_reason.get(key, 0) + n
        for key, secs in part.seconds_by_stage.items():
            self.seconds_by_stage[key] = self.seconds_by_stage.get(key, 0.0) + secs
        for path in part.outputs:
            self.add_output(path)
        for note in part.notes:
            self.add_note(note)

    def add_note(self, note: str) -> None:
        if len(self.notes) < MAX_NOTES and note not in self.notes:
            self.notes.append(note)

    def add_output(self, path: Path | str | None) -> None:
        if path is not None and str(path) not in self.outputs:
            self.outputs.append(str(path))

    @property
    def ok(self) -> bool:
        """Every input produced a usable record (or was legitimately unchanged)."""
        return self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds_by_stage"] = {k: round(v, 3) for k, v in self.seconds_by_stage.items()}
        data["wall_seconds"] = round(self.wall_seconds, 3)
        data["ok"] = self.ok
        return data

    def markdown(self) -> str:
        lines = [
            f"# papertrail run {self.run_id}",
            "",
            "| inputs | pages | failed | unchanged | ids | papers | not found | pending |",
            "|---|---|---|---|---|---|---|---|",
            f"| {self.inputs} | {self.pages} | {self.failed} | {self.unchanged} | {self.ids} "
            f"| {self.papers} | {self.not_found} | {self.enrichment_pending} |",
            "",
        ]
        if self.failures_by_reason:
            lines += ["## Failures by reason", "", "| stage:reason | count |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.failures_by_reason.items())]
            lines.append("")
        if self.seconds_by_stage:
            lines += ["## Time per stage (s, summed over inputs)", "", "| stage | s |", "|---|---|"]
            lines += [f"| {k} | {v:.3f} |" for k, v in self.seconds_by_stage.items()]
            lines.append("")
        if self.arxiv:
            lines += ["## arXiv API", "", "| counter | value |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in self.arxiv.items()]
            lines.append("")
        lines += ["Output: " + (", ".join(self.outputs) or "(no new records)")]
        return "\n".join(lines)


def table_rows(docs: list[Document]) -> list[dict[str, Any]]:
    """One row per input for the run's table artifact."""
    rows = []
    for doc in docs:
        status = "unchanged" if doc.skipped else ("failed" if doc.failed else "ok")
        rows.append(
            {
                "url": doc.url,
                "status": status,
                "http": doc.status,
                "ids": len(doc.arxiv),
                "papers": len(doc.papers),
                "error": "; ".join(f"{e.stage}:{e.reason}" for e in doc.errors),
                "note": doc.note or "",
            }
        )
    return rows


__all__ = [
    "MAX_NOTES",
    "RunSummary",
    "table_rows",
]
