"""Papers named only by their English title, resolved through the arXiv search API.

Chinese roundups often give a paper's title and no link ("论文:TinyLlama: An Open-Source
Small Language Model", 《DeLighT: ...》, a title on its own line). We find such
candidates, search arXiv by title, and accept a result only when the normalised titles
agree: similarity >= :data:`ACCEPT` alone, or >= :data:`CORROBORATED` with an author
surname in the article near the title or the paper predating the article. Numbers and
versions must agree in any case ("Orca 2" is never "Orca"). Anything else goes to
``doc.unresolved`` with the reason; a title is never guessed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .document import Document
from .errors import ArxivError, PapertrailError
from .ids import base_id
from .record import ArxivRef, Paper, UnresolvedTitle

#: Similarity at or above which a title match is accepted on its own.
ACCEPT = 0.9
#: Similarity at or above which a match is accepted with corroboration.
CORROBORATED = 0.8
#: Two accepted-level results closer than this are ambiguous.
AMBIGUITY_MARGIN = 0.02
#: Characters around a candidate searched for an author surname.
AUTHOR_WINDOW = 600

Search = Callable[[str, int], list[Paper]]
CandidateSource = Literal["label", "book_quotes", "quotes", "line"]


@dataclass(frozen=True, slots=True)
class TitleCandidate:
    """An English paper title found in the text, with its span and how it was found."""

    title: str
    span: tuple[int, int]
    source: CandidateSource


# --- normalisation --------------------------------------------------------------------

_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_NOT_WORD = re.compile(r"[^\w.]+|(?<!\d)\.|\.(?!\d)|_")
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii"})


def _latex_to_text(title: str) -> str:
    """``LLaVA-$\\phi$`` -> ``LLaVA-φ``: arXiv titles carry TeX, articles carry Unicode."""

    def greek(m: re.Match[str]) -> str:
        try:
            return unicodedata.lookup(f"GREEK SMALL LETTER {m.group(1).upper()}")
        except KeyError:
            return m.group(1)

    return _LATEX_CMD.sub(greek, title).replace("$", "").replace("{", "").replace("}", "")


def normalize_title(title: str) -> str:
    """NFKC, TeX removed, case-folded, punctuation to spaces (dots inside numbers kept)."""
    text = unicodedata.normalize("NFKC", _latex_to_text(title)).casefold()
    text = text.replace("’", "").replace("'", "")  # "it's" == "its"
    return " ".join(_NOT_WORD.sub(" ", text).split())


def title_similarity(a: str, b: str) -> float:
    """Character similarity of two normalised titles, spaces ignored ("MODELSARE")."""
    x, y = normalize_title(a).replace(" ", ""), normalize_title(b).replace(" ", "")
    if not x or not y:
        return 0.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def title_numbers(title: str) -> frozenset[str]:
    """Tokens with digits, and roman numerals: they must agree for a match."""
    tokens = normalize_title(title).split()
    return frozenset(t for t in tokens if any(c.isdigit() for c in t) or t in _ROMAN)


# --- candidates -----------------------------------------------------------------------

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CODE_OR_URL = re.compile(
    r"://|www\.|[{}=;|\\@#`\t]|\.(?:com|org|net|cn|io|py)\b"
    r"|\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|pptx?|xlsx?|zip)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’\-.]*|\d[\w.\-%]*")
#: Words too common to count as title words or search terms.
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_STOP = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is",
        "of", "on", "or", "the", "to", "via", "vs", "with", "without", "using", "toward",
        "towards", "do", "does", "can", "not", "its", "it", "than", "that", "this", "what",
        "when", "where", "which", "how", "why", "we", "our", "you", "your", "all",
    }
)  # fmt: skip
_LABEL = re.compile(
    r"(?:论文(?:标题|题目|名称)?|标题|题目|paper(?:\s+title)?|title)\s*[:：]\s*"
    r"(?P<title>[^\n]+)",
    re.IGNORECASE,
)
#: CJK title marks: 《》 and the corner brackets 「」『』 (only CJK pages use them).
_BOOK = re.compile(r"[《「『](?P<title>[^《》「」『』\n]{3,300})[》」』]")
_QUOTES = re.compile(r"[“\"](?P<title>[^“”\"\n]{3,300})[”\"]")
_PAPER_CUE = re.compile(r"论文|预印本|paper|arxiv", re.IGNORECASE)
#: Characters before a short quoted title searched for a paper cue.
CUE_WINDOW = 12
_LINE = re.compile(r"^[ \t]*(?P<title>[^\n]+?)[ \t]*$", re.MULTILINE)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _english(text: str, min_words: int) -> bool:
    """No CJK, no URL or code, enough Latin-script words."""
    if _CJK.search(text) or _CODE_OR_URL.search(text):
        return False
    words = _words(text)
    letters = sum(c.isalpha() for c in text)
    return len(words) >= min_words and letters >= 0.6 * len(text.replace(" ", ""))


def _title_like(text: str) -> bool:
    """Capitalised like a title (or a ``Name: subtitle``), not an ordinary sentence."""
    if text.endswith((".", ",", ";", "!", "。")) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if text.isupper():
        return True
    head, colon, _ = text.partition(": ")
    if colon and 1 <= len(_words(head)) <= 6:
        return True
    significant = [w for w in _words(text) if len(w) >= 4 and w.lower() not in _STOP]
    if not significant:
        return False
    capitalised = sum(w[0].isupper() or w[0].isdigit() for w in significant)
    return capitalised / len(significant) >= 0.6


def _trim(title: str) -> str:
    """Cut a labelled title at the first CJK character and strip stray punctuation."""
    if m := _CJK.search(title):
        title = title[: m.start()]
    return title.strip().strip("\"'“”‘’()[]（）").strip()


def _mostly_cjk(text: str) -> bool:
    """More CJK characters than Latin-script words: a Chinese (or Japanese...) article."""
    return len(_CJK.findall(text)) >= max(1, len(_LATIN_WORD.findall(text)))


def _quoted_title(text: str, start: int, title: str) -> bool:
    """A quoted English phrase is a title when long, ``Name: subtitle``, or cued as a paper.

    Chinese pages put every kind of title in 《》 (songs, films, books): short ones need
    a paper cue right before them.
    """
    if len(_words(title)) >= 4 or ": " in title:
        return True
    return bool(_PAPER_CUE.search(text[max(0, start - CUE_WINDOW) : start]))


def _raw_candidates(text: str) -> Iterator[TitleCandidate]:
    for m in _LABEL.finditer(text):
        title = _trim(m.group("title"))
        if title and _english(title, 2):
            start = text.index(title, m.start("title"))
            yield TitleCandidate(title, (start, start + len(title)), "label")
    for m in _BOOK.finditer(text):
        title = m.group("title").strip()
        if _english(title, 2) and _quoted_title(text, m.start(), title):
            yield TitleCandidate(title, m.span("title"), "book_quotes")
    # Quotes and lone lines mean something else in English pages (songs, slogans,
    # headings): they count only in articles that are mostly CJK.
    if not _mostly_cjk(text):
        return
    for m in _QUOTES.finditer(text):
        title = m.group("title").strip()
        if _english(title, 3) and _title_like(title) and _quoted_title(text, m.start(), title):
            yield TitleCandidate(title, m.span("title"), "quotes")
    for m in _LINE.finditer(text):
        title = m.group("title")
        if _english(title, 4) and _title_like(title):
            yield TitleCandidate(title, m.span("title"), "line")


def find_title_candidates(text: str) -> list[TitleCandidate]:
    """English paper titles in ``text``, in order, one per normalised title.

    Found after ``论文:`` / ``Paper:`` / ``标题:``, inside 《》 (or “” when capitalised
    like a title), or alone on a line of a mostly-CJK article. Model names alone, URLs,
    code and ordinary sentences are not candidates.
    """
    seen: set[str] = set()
    last_end = -1
    found: list[TitleCandidate] = []
    for cand in sorted(_raw_candidates(text), key=lambda c: c.span):
        key = normalize_title(cand.title)
        if key in seen or cand.span[0] < last_end:  # sorted: only the last can overlap
            continue
        seen.add(key)
        last_end = cand.span[1]
        found.append(cand)
    return found


# --- queries --------------------------------------------------------------------------

_QUERY_JUNK = re.compile(r"[^A-Za-z0-9]+")


def _query_words(title: str) -> list[str]:
    ascii_title = unicodedata.normalize("NFKC", _latex_to_text(title)).replace("’", "'")
    ascii_title = ascii_title.replace("'", "")
    return _QUERY_JUNK.sub(" ", ascii_title).lower().split()


def build_title_query(title: str) -> str:
    """The arXiv ``search_query`` for a title: ``ti:"..."`` with only letters and digits.

    Colons, hyphens, quotes, parentheses and boolean words break or change a Lucene
    query, so everything but ASCII letters and digits becomes a space, and the phrase is
    lower-cased (``AND`` inside it is then a word, not an operator).
    """
    words = _query_words(title)
    return f'ti:"{" ".join(words)}"' if words else ""


def build_title_words_query(title: str, limit: int = 8) -> str:
    """The fallback query: the title's longest distinctive words, OR-ed, ranked by arXiv."""
    words = [w for w in dict.fromkeys(_query_words(title)) if len(w) >= 3 and w not in _STOP]
    words = sorted(words, key=len, reverse=True)[:limit]
    return " OR ".join(f"ti:{w}" for w in words)


# --- resolution -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """An accepted match: the paper, its similarity and why it was accepted."""

    candidate: TitleCandidate
    paper: Paper
    arxiv_id: str
    score: float
    evidence: str


_LATIN_RUN = re.compile(r"[a-z\u00df-\u024f]+")


def _surname(author: str) -> str:
    runs = _LATIN_RUN.findall(normalize_title(author))
    return runs[-1] if runs else ""


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


class TitleResolver:
    """Resolve title candidates with an injected arXiv title search.

    ``search(search_query, max_results)`` returns arXiv results as :class:`Paper`; the
    pipeline passes the shared rate-limited, cached client. ``resolve`` never raises for
    a failed search: after the first :class:`~papertrail.errors.ArxivError` the remaining
    candidates of the document are marked ``search_failed`` without further calls.
    """

    def __init__(self, search: Search, *, max_results: int = 10) -> None:
        self.search = search
        self.max_results = max_results

    # public --------------------------------------------------------------------------
    def resolve(self, doc: Document) -> Document:
        """Stage: append title matches to ``doc.arxiv``/``doc.papers``, the rest to unresolved."""
        text = doc.text or ""
        article_day = _parse_day(doc.meta.published)
        known = {ref.id for ref in doc.arxiv}
        failed = False
        for cand in find_title_candidates(text):
            if self._covered(cand, doc):
                continue
            if failed:
                doc.unresolved.append(self._unresolved(cand, "search_failed"))
                continue
            try:
                results = self._search(cand.title)
            except PapertrailError as exc:
                # ArxivError: the API is unusable, stop asking. Anything else (a query the
                # client refuses) concerns this title only.
                failed = failed or isinstance(exc, ArxivError)
                doc.unresolved.append(self._unresolved(cand, "search_failed"))
                continue
            outcome = self.judge(cand, results, text=text, article_day=article_day)
            if isinstance(outcome, UnresolvedTitle):
                doc.unresolved.append(outcome)
            elif outcome.arxiv_id not in known:
                known.add(outcome.arxiv_id)
                doc.arxiv.append(
                    ArxivRef(
                        id=outcome.arxiv_id,
                        found_by="title",
                        span=cand.span,
                        score=round(outcome.score, 4),
                        evidence=outcome.evidence,
                    )
                )
                if all(p.arxiv_id != outcome.paper.arxiv_id for p in doc.papers):
                    doc.papers.append(outcome.paper)
        return doc

    def judge(
        self,
        cand: TitleCandidate,
        results: list[Paper],
        *,
        text: str = "",
        article_day: date | None = None,
    ) -> TitleMatch | UnresolvedTitle:
        """Accept one result for ``cand`` or say why none is safe."""
        if not results:
            return self._unresolved(cand, "no_results")
        numbers = title_numbers(cand.title)
        scored = sorted(
            ((title_similarity(cand.title, p.title), p) for p in results),
            key=lambda sp: sp[0],
            reverse=True,
        )
        best_score, best = scored[0]
        eligible = [(s, p) for s, p in scored if title_numbers(p.title) == numbers]
        if not eligible or eligible[0][0] < CORROBORATED:
            return self._unresolved(cand, "below_threshold", best, best_score)
        score, paper = eligible[0]
        arxiv_id = self._base_id(paper)
        rivals = [
            (s, p)
            for s, p in eligible[1:]
            if s >= CORROBORATED and s >= score - AMBIGUITY_MARGIN and self._base_id(p) != arxiv_id
        ]
        if rivals:
            return self._unresolved(cand, "ambiguous", paper, score)
        evidence = f"title similarity {score:.3f}"
        if score < ACCEPT:
            corroboration = self._corroboration(cand, paper, text, article_day)
            if corroboration is None:
                return self._unresolved(cand, "below_threshold", paper, score)
            evidence += f"; {corroboration}"
        return TitleMatch(cand, paper, arxiv_id, score, evidence)

    # internals -----------------------------------------------------------------------
    def _search(self, title: str) -> list[Paper]:
        query = build_title_query(title)
        if not query:
            return []
        results = self.search(query, self.max_results)
        if not results and (fallback := build_title_words_query(title)):
            results = self.search(fallback, self.max_results)
        return results

    @staticmethod
    def _base_id(paper: Paper) -> str:
        return base_id(paper.arxiv_id) or paper.arxiv_id

    @staticmethod
    def _covered(cand: TitleCandidate, doc: Document) -> bool:
        """A title on the same line as an id already found, or of a paper already known."""
        text = doc.text or ""
        line_start = text.rfind("\n", 0, cand.span[0]) + 1
        line_end = text.find("\n", cand.span[1])
        line_end = len(text) if line_end < 0 else line_end
        for ref in doc.arxiv:
            if ref.span and line_start <= ref.span[0] < line_end:
                return True
        return any(title_similarity(cand.title, p.title) >= ACCEPT for p in doc.papers)

    @staticmethod
    def _corroboration(
        cand: TitleCandidate, paper: Paper, text: str, article_day: date | None
    ) -> str | None:
        window = text[max(0, cand.span[0] - AUTHOR_WINDOW) : cand.span[1] + AUTHOR_WINDOW]
        # Latin runs only: "Touvron等人" must yield "touvron".
        window_words = set(_LATIN_RUN.findall(normalize_title(window)))
        for author in paper.authors:
            surname = _surname(author)
            if len(surname) >= 3 and surname in window_words:
                return f"author surname {surname!r} near the title"
        if article_day and paper.published and paper.published.date() < article_day:
            return f"paper ({paper.published.date()}) predates the article ({article_day})"
        return None

    @staticmethod
    def _unresolved(
        cand: TitleCandidate,
        reason: str,
        best: Paper | None = None,
        best_score: float | None = None,
    ) -> UnresolvedTitle:
        return UnresolvedTitle(
            title=cand.title,
            span=cand.span,
            best_id=TitleResolver._base_id(best) if best else None,
            best_score=round(best_score, 4) if best_score is not None else None,
            reason=reason,
        )


__all__ = [
    "ACCEPT",
    "CORROBORATED",
    "TitleCandidate",
    "TitleMatch",
    "TitleResolver",
    "build_title_query",
    "build_title_words_query",
    "find_title_candidates",
    "normalize_title",
    "title_numbers",
    "title_similarity",
]
