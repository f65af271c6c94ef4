"""A closed-world arXiv title search for tests: word overlap over the fixture catalogue.

Like a real search engine it ranks titles by shared words weighted by rarity (idf) and
returns near misses too: ask for "Orca 2: ..." and "Orca: Progressive Learning ..." comes
back as well.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from papertrail.record import Paper

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
CATALOGUE = FIXTURES / "catalogue" / "seed-titles.jsonl"
_WORD = re.compile(r"[a-z0-9]+")
_QUERY_TERMS = re.compile(r'ti:(?:"([^"]*)"|(\S+))')


def load_papers(paths: Iterable[Path] = (CATALOGUE,)) -> list[Paper]:
    papers = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                papers.append(paper_from_snapshot(json.loads(line)))
    return papers


def paper_from_snapshot(rec: dict) -> Paper:
    """A Kaggle/OAI snapshot record as the arXiv client would return it."""
    created = rec.get("versions") or [{}]
    published = parsedate_to_datetime(created[0]["created"]) if created[0].get("created") else None
    categories = rec["categories"].split()
    return Paper(
        arxiv_id=rec["id"],
        version=len(rec.get("versions") or []) or None,
        title=" ".join(rec["title"].split()),
        authors=[a.strip() for a in rec["authors"].split(",") if a.strip()],
        abstract=" ".join(rec["abstract"].split()),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=published or datetime(2000, 1, 1, tzinfo=UTC),
        abs_url=f"https://arxiv.org/abs/{rec['id']}",
    )


class CatalogueSearch:
    """``search(search_query, max_results)`` over a list of papers; logs every query."""

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = papers
        self.queries: list[str] = []
        self._words = [set(_WORD.findall(p.title.lower())) for p in papers]
        df: dict[str, int] = {}
        for words in self._words:
            for word in words:
                df[word] = df.get(word, 0) + 1
        self._idf = {w: math.log((1 + len(papers)) / n) for w, n in df.items()}

    def __call__(self, query: str, max_results: int) -> list[Paper]:
        self.queries.append(query)
        terms = set()
        for phrase, word in _QUERY_TERMS.findall(query):
            terms.update(_WORD.findall((phrase or word).lower()))
        scored = []
        for paper, words in zip(self.papers, self._words, strict=True):
            weight = sum(self._idf[w] for w in terms & words)
            if weight > 0:
                scored.append((weight, paper))
        scored.sort(key=lambda sp: -sp[0])
        return [paper for _, paper in scored[:max_results]]
