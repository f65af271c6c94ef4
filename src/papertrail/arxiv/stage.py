"""The enrichment stage: a whole batch of documents, one ``get_papers`` call.

A batch stage rather than a per-document one, so every id of a run that is not cached
goes out in as few requests as the API allows. It never raises: API trouble leaves the
affected documents ``pending`` or ``partial`` with a ``StageError(stage="enrich")``, and
:func:`complete_records` fills them in later from the written records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ..crashpoints import crash_point
from ..document import Document
from ..errors import PapertrailError
from ..pipeline import stage_error
from ..record import ArticleRecord, ArxivRef, EnrichmentStatus, Paper, StageError, UnresolvedTitle
from .client import ArxivClient, Lookup
from .identifiers import base_id

STAGE = "enrich"
_PENDING: set[str] = {"pending", "partial"}


def _merge(
    refs: Sequence[ArxivRef], have: Sequence[Paper], lookup: Lookup | None
) -> tuple[list[Paper], list[str], EnrichmentStatus, dict[str, str]]:
    """Papers in the order of ``refs``, not-found ids, status, and failures by id."""
    known = {p.arxiv_id: p for p in have}
    papers: list[Paper] = []
    not_found: list[str] = []
    failed: dict[str, str] = {}
    for ref in dict.fromkeys(base_id(r.id) or r.id for r in refs):
        if ref in known:
            papers.append(known[ref])
        elif lookup is None:
            failed[ref] = "enrichment_deferred"
        elif ref in lookup.papers:
            papers.append(lookup.papers[ref])
        elif ref in lookup.not_found:
            not_found.append(ref)
        else:
            failed[ref] = lookup.failed.get(ref, "arxiv_unavailable")
    # A malformed id can never be answered: report it, but do not leave it pending forever.
    open_ids = [i for i, why in failed.items() if why != "malformed_id"]
    if not refs:
        status: EnrichmentStatus = "none"
    elif not open_ids:
        status = "done"
    elif len(open_ids) == len(papers) + len(not_found) + len(failed):
        status = "pending"
    else:
        status = "partial"
    return papers, not_found, status, failed


def _missing(refs: Sequence[ArxivRef], have: Sequence[Paper]) -> list[str]:
    known = {p.arxiv_id for p in have}
    return [r.id for r in refs if (base_id(r.id) or r.id) not in known]


def _errors(failed: dict[str, str]) -> list[StageError]:
    """One StageError per failure reason (deferral is not an error)."""
    counts = Counter(why for why in failed.values() if why != "enrichment_deferred")
    out = []
    for reason, n in sorted(counts.items()):
        ids = ", ".join(sorted(i for i, w in failed.items() if w == reason)[:10])
        out.append(StageError(stage=STAGE, reason=reason, message=f"{n} id(s) not enriched: {ids}"))
    return out


def _lookup(ids: list[str], client: ArxivClient | None) -> tuple[Lookup | None, StageError | None]:
    if client is None or not ids:
        return None, None
    crash_point("enrich")
    try:
        if not client.settings.enrich:
            return _cached_only(ids, client), None
        return client.get_papers(ids), None
    except PapertrailError as exc:  # e.g. the cache file cannot be written
        return None, stage_error(STAGE, exc)


def _cached_only(ids: list[str], client: ArxivClient) -> Lookup:
    """Enrichment off: what the cache already knows costs nothing; the rest is deferred."""
    bases = {i: base_id(i) or i for i in ids}
    papers, not_found = client.cache.get_many(bases.values())
    deferred = {i: "enrichment_deferred" for i, b in bases.items() if b not in papers}
    deferred = {i: why for i, why in deferred.items() if bases[i] not in not_found}
    return Lookup(papers=papers, not_found=not_found, failed=deferred)


def enrich(docs: list[Document], client: ArxivClient | None) -> list[Document]:
    """Fill ``papers``, ``not_found`` and ``enrichment`` on every document. Never raises.

    ``client`` None: documents with ids become "pending". ``settings.enrich`` False: the
    cache answers what it knows (no request is made) and the rest is "pending".
    """
    live = [d for d in docs if not d.failed and not d.skipped]
    ids = list(dict.fromkeys(i for d in live for i in _missing(d.arxiv, d.papers)))
    lookup, fatal = _lookup(ids, client)
    for doc in live:
        papers, not_found, status, failed = _merge(doc.arxiv, doc.papers, lookup)
        status = _with_deferred(status, doc.unresolved)
        doc.papers, doc.not_found, doc.enrichment = papers, not_found, status
        doc.errors = [e for e in doc.errors if e.stage != STAGE]
        doc.errors += _errors(failed) if fatal is None or not failed else [fatal]
    return docs


def needs_enrichment(record: ArticleRecord) -> bool:
    """True for a record written while the API was down or enrichment was off."""
    return record.enrichment in _PENDING or has_deferred(record.unresolved)


def has_deferred(unresolved: Iterable[UnresolvedTitle]) -> bool:
    """Described papers left for later (enrichment was off when the page was read)."""
    return any(u.reason == "deferred" for u in unresolved)


def _with_deferred(
    status: EnrichmentStatus, unresolved: Iterable[UnresolvedTitle]
) -> EnrichmentStatus:
    """Deferred described papers keep a record pending (or partial) until resolved."""
    if not has_deferred(unresolved):
        return status
    return "pending" if status in {"none", "pending"} else "partial"


def complete_records(records: Iterable[ArticleRecord], client: ArxivClient) -> list[ArticleRecord]:
    """Records with pending/partial enrichment, completed as far as the API allows.

    One ``get_papers`` call for all their missing ids; records that were already done
    come back unchanged (same object), so a caller can write only those that changed
    (``new is not old``). Earlier enrichment errors are replaced by the current ones.
    """
    records = list(records)
    todo = [r for r in records if needs_enrichment(r)]
    ids = list(dict.fromkeys(i for r in todo for i in _missing(r.arxiv, r.papers)))
    lookup, fatal = _lookup(ids, client)
    out: list[ArticleRecord] = []
    for rec in records:
        if not needs_enrichment(rec):
            out.append(rec)
            continue
        papers, not_found, status, failed = _merge(rec.arxiv, rec.papers, lookup)
        status = _with_deferred(status, rec.unresolved)
        errors = [e for e in rec.errors if e.stage != STAGE]
        errors += _errors(failed) if fatal is None or not failed else [fatal]
        changed = (papers, not_found, status, errors) != (
            rec.papers, rec.not_found, rec.enrichment, rec.errors
        )  # fmt: skip
        out.append(
            rec.model_copy(
                update={
                    "papers": papers,
                    "not_found": not_found,
                    "enrichment": status,
                    "errors": errors,
                }
            )
            if changed
            else rec
        )
    return out
