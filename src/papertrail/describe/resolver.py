"""The description stage: items -> clues -> at most two arXiv searches -> verified refs.

Per item that names a system of its own (and holds no arXiv id already), the first query
asks for the name AND the translated terms, within the article's date; when that brings
nothing acceptable, the second asks for the name alone. Both go through the pipeline's
arXiv client (the machine-wide limiter, the SQLite cache, retries). Accepted papers become
``found_by="description"`` refs with their score and evidence; every other named item goes
to ``unresolved`` with its best candidate and the reason it was refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..document import Document
from ..errors import ArxivError, PapertrailError
from ..ids import base_id
from ..record import ArxivRef, Paper, UnresolvedTitle
from .clues import Clues, NameClue, clues_for
from .dates import article_day
from .segment import Item, segment_items
from .verify import AMBIGUITY_MARGIN, Verdict, describe_evidence, judge

Search = Callable[[str, int], list[Paper]]

#: Terms added to the first query (OR-ed): the most specific ones.
QUERY_TERMS = 4
#: Pages longer than this are not digests (and would cost time for nothing): skipped.
MAX_TEXT = 200_000
#: An item longer than this is not one paper's description: skipped.
MAX_ITEM = 5_000
#: Named items searched per page (two requests each at most, 3 s apart): a digest has
#: a few dozen papers; beyond that a page costs minutes of arXiv time, so the rest are
#: reported ``item_limit`` without a request.
MAX_ITEMS = 40
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_QUERY_JUNK = re.compile(r"[^A-Za-z0-9]+")


def mostly_cjk(text: str) -> bool:
    """Descriptions this stage reads are Chinese: more CJK characters than Latin words."""
    return len(_CJK.findall(text)) >= max(1, len(_LATIN_WORD.findall(text)))


def _phrase(text: str) -> str:
    words = _QUERY_JUNK.sub(" ", text).lower().split()
    return " ".join(words)


def _term_clause(terms: tuple[str, ...]) -> str:
    parts = []
    for term in terms[:QUERY_TERMS]:
        words = _phrase(term)
        if words:
            parts.append(f'abs:"{words}"' if " " in words else f"abs:{words}")
    return " OR ".join(parts)


def build_queries(name: str, terms: tuple[str, ...], latest: date | None) -> list[str]:
    """The (at most two) arXiv queries for a name: with terms first, then the name alone."""
    words = _phrase(name)
    if not words:
        return []
    quoted = f'"{words}"' if " " in words else words
    named = f"(ti:{quoted} OR abs:{quoted})"
    window = f" AND submittedDate:[199101010000 TO {latest:%Y%m%d}2359]" if latest else ""
    queries = []
    if clause := _term_clause(terms):
        queries.append(f"{named} AND ({clause}){window}")
    queries.append(f"{named}{window}")
    return queries


@dataclass(slots=True)
class ItemOutcome:
    """What happened to one item (for the bench and the tests)."""

    item: Item
    clues: Clues
    name: NameClue | None
    queries: list[str] = field(default_factory=list)  # the queries actually sent
    judged: int = 0  # arXiv results weighed against the description
    accepted: Verdict | None = None
    best: Verdict | None = None
    reason: str | None = None  # unresolved reason code, None when accepted or skipped


def _base(paper: Paper) -> str:
    return base_id(paper.arxiv_id) or paper.arxiv_id


class DescriptionResolver:
    """Resolve described papers with an injected arXiv search (the pipeline's client).

    ``search(search_query, max_results)`` as :meth:`papertrail.arxiv.ArxivClient.search`.
    Never raises for a failed search: after an :class:`~papertrail.errors.ArxivError` the
    remaining items are marked ``deferred`` without further calls.
    """

    def __init__(self, search: Search, *, max_results: int = 10, grace_days: int = 3) -> None:
        self.search = search
        self.max_results = max_results
        self.grace = timedelta(days=grace_days)
        self._local = threading.local()

    @property
    def last_outcomes(self) -> list[ItemOutcome]:
        """What happened to each item of the last page this thread resolved (the bench
        and the tests read it; a session shares one resolver between threads)."""
        return getattr(self._local, "outcomes", [])

    # public --------------------------------------------------------------------------
    def candidates(self, doc: Document) -> list[ItemOutcome]:
        """The page's items with their clues. Items already holding an arXiv id or too
        long to be one description, and pages not mostly Chinese or too long to be a
        digest, give none."""
        text = doc.text or ""
        if not text or len(text) > MAX_TEXT or not mostly_cjk(text):
            return []
        spans = [r.span for r in doc.arxiv if r.span]
        out = []
        for item in segment_items(text):
            if len(item.text) > MAX_ITEM or any(item.span[0] <= s[0] < item.span[1] for s in spans):
                continue
            clues = clues_for(item.text)
            out.append(ItemOutcome(item, clues, clues.best_name))
        return out

    def resolve(self, doc: Document) -> Document:
        """Stage: append ``found_by="description"`` refs, the rest to ``unresolved``."""
        outcomes = self.candidates(doc)
        self._local.outcomes = outcomes
        named = [o for o in outcomes if o.name is not None]
        if not named:
            return doc
        day, _source = article_day(doc.meta.published, doc.text, doc.arxiv, doc.papers)
        latest = day + self.grace if day else None
        known = {r.id for r in doc.arxiv}
        failed = False
        for n, o in enumerate(named):
            if n >= MAX_ITEMS:
                o.reason = "item_limit"
            elif failed:
                o.reason = "deferred"
            else:
                try:
                    self._resolve_item(o, latest)
                except PapertrailError as exc:
                    # ArxivError: the API is unusable, stop asking; the item stays
                    # deferred so that ``python -m flows.enrich`` tries it again.
                    failed = failed or isinstance(exc, ArxivError)
                    o.reason = "deferred" if isinstance(exc, ArxivError) else "search_failed"
            self._record(doc, o, known)
        return doc

    def defer(self, doc: Document) -> Document:
        """Enrichment off: note every named item as ``deferred`` (no request) so that
        ``python -m flows.enrich`` can resolve it later."""
        for o in self.candidates(doc):
            if o.name is not None:
                o.reason = "deferred"
                self._record(doc, o, set())
        return doc

    # internals -----------------------------------------------------------------------
    def _resolve_item(self, o: ItemOutcome, latest: date | None) -> None:
        assert o.name is not None
        for query in build_queries(o.name.name, o.clues.terms, latest):
            o.queries.append(query)
            verdicts = [
                judge(o.name, o.clues, p, latest=latest)
                for p in self.search(query, self.max_results)
            ]
            o.judged += len(verdicts)
            if verdicts:
                top = max(verdicts, key=lambda v: v.score)
                if o.best is None or top.score > o.best.score:
                    o.best = top
            ok = sorted((v for v in verdicts if v.acceptable), key=lambda v: -v.score)
            if ok:
                rivals = [
                    v
                    for v in ok[1:]
                    if _base(v.paper) != _base(ok[0].paper)
                    and v.score >= ok[0].score - AMBIGUITY_MARGIN
                ]
                if rivals:
                    o.best, o.reason = ok[0], "ambiguous"
                    return
                o.accepted = ok[0]
                return
        if o.best is None:
            o.reason = "no_results"
        elif o.best.evidence is None:
            o.reason = "name_not_in_paper"
        else:
            o.reason = "no_agreement"

    def _record(self, doc: Document, o: ItemOutcome, known: set[str]) -> None:
        assert o.name is not None
        start = o.item.span[0]
        span = (start + o.name.span[0], start + o.name.span[1])
        if o.accepted is not None and o.accepted.evidence is not None:
            arxiv_id = _base(o.accepted.paper)
            if arxiv_id in known:
                return
            known.add(arxiv_id)
            doc.arxiv.append(
                ArxivRef(
                    id=arxiv_id,
                    found_by="description",
                    span=span,
                    score=o.accepted.score,
                    evidence=describe_evidence(o.accepted.evidence),
                    matched=o.accepted.evidence,
                )
            )
            if all(p.arxiv_id != o.accepted.paper.arxiv_id for p in doc.papers):
                doc.papers.append(o.accepted.paper)
            return
        best = o.best
        doc.unresolved.append(
            UnresolvedTitle(
                title=o.name.name,
                span=span,
                best_id=_base(best.paper) if best else None,
                best_score=best.score if best else None,
                reason=o.reason or "no_results",
                source="description",
                detail=best.refusal
                if best and o.reason != "ambiguous"
                else ("another paper scores as high" if o.reason == "ambiguous" else None),
            )
        )


__all__ = ["DescriptionResolver", "ItemOutcome", "build_queries", "mostly_cjk"]
