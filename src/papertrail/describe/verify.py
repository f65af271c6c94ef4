"""Does an arXiv record match a description? Evidence, a score, and a verdict.

A result is accepted only when the description's name is in its title or abstract AND
the paper agrees with the description on translated terms or numbers; then its score is

    score = name weight + 0.1 per matched term (at most 4; a term naming the same concept
            as another counts once, a weak one such as "benchmark" half; an English phrase
            the description quotes counts as a term) + 0.2 per number
            - 0.25 when the description gives two or more telling numbers (66.31, 30%,
              114倍) and the abstract repeats none of them                  (capped at 1)

with name weights 0.55 (whole name in the title), 0.5 (in the abstract) and 0.3 (only
the name's distinctive first part: "Infini-Transformer" for a paper on "Infini-attention",
which must then agree on at least four points); a short acronym (SLM, APM: three capitals
or fewer) names many things, so its weight is four fifths of that. A score of
:data:`ACCEPT` is needed; the threshold is measured on the project's test set
(``bench/describe``, with and without each true paper in the catalogue). Two different
papers both acceptable within :data:`AMBIGUITY_MARGIN` are refused as ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from ..record import DescriptionEvidence, Paper
from .clues import GENERIC, Clues, NameClue, term_forms, weak_terms

#: Score at or above which a described paper is accepted.
ACCEPT = 0.7
#: A rival acceptable paper closer than this makes the match ambiguous.
AMBIGUITY_MARGIN = 0.05
NAME_WEIGHT = {"title": 0.55, "abstract": 0.5, "title_part": 0.3, "abstract_part": 0.3}
TERM_WEIGHT = 0.1
MAX_TERMS = 4
NUMBER_WEIGHT = 0.2
ACRONYM_FACTOR = 0.8
NUMBERS_DISAGREE = 0.25


@dataclass(frozen=True, slots=True)
class Verdict:
    """One result judged against one description."""

    paper: Paper
    score: float
    evidence: DescriptionEvidence | None  # None: the name is not in the paper
    refusal: str | None  # None when acceptable

    @property
    def acceptable(self) -> bool:
        return self.refusal is None


def _name_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[^A-Za-z0-9]+", name.lower()) if p]


@cache
def _name_pattern(name: str) -> re.Pattern[str]:
    """The name with hyphens, spaces and case ignored between its parts."""
    body = r"[\s\-_]*".join(re.escape(p) for p in _name_parts(name))
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])", re.IGNORECASE)


def _head(name: str) -> str | None:
    """A multi-part name's distinctive first part ("infini" of "Infini-Transformer")."""
    parts = _name_parts(name)
    if len(parts) < 2 or len(parts[0]) < 4 or parts[0] in GENERIC:
        return None
    return parts[0]


def where_is_name(name: str, paper: Paper) -> str | None:
    if _name_pattern(name).search(paper.title):
        return "title"
    if _name_pattern(name).search(paper.abstract):
        return "abstract"
    if head := _head(name):
        # as the head of another hyphenated name ("Infini-attention"), not as a word:
        # "think" of "Think-and-Execute" is not found in "Let's think step by step"
        pattern = re.compile(rf"(?<![a-z0-9]){re.escape(head)}-[a-z0-9]", re.IGNORECASE)
        if pattern.search(paper.title):
            return "title_part"
        if pattern.search(paper.abstract):
            return "abstract_part"
    return None


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@cache
def _term_pattern(form: str) -> re.Pattern[str]:
    words = [_stem(w) for w in re.split(r"[\s\-]+", form.lower()) if w]
    body = r"[\s\-]*".join(rf"{re.escape(w)}[a-z]*" for w in words)
    return re.compile(rf"(?<![a-z]){body}", re.IGNORECASE)


def term_in(term: str, text: str) -> bool:
    return any(_term_pattern(f).search(text) for f in term_forms(term))


def number_in(number: str, text: str) -> bool:
    if number.endswith("%"):
        pattern = rf"(?<![\d.]){re.escape(number[:-1])}\s*(?:%|percent)"
    elif number.endswith("x"):
        pattern = rf"(?<![\d.]){re.escape(number[:-1])}\s*(?:x|×|times|-fold|fold)(?![a-z])"
    elif number[-1] in "BMK":
        pattern = rf"(?<![\d.]){re.escape(number[:-1])}\s*{number[-1]}(?![a-zA-Z])"
    elif number.isdigit() and len(number) > 3:  # 12000 is also printed 12,000
        head, tail = number[: len(number) % 3 or 3], number[len(number) % 3 or 3 :]
        groups = [head] + [tail[i : i + 3] for i in range(0, len(tail), 3)]
        pattern = rf"(?<![\d.,]){',?'.join(groups)}(?![\d]|[.,]\d)"
    else:
        pattern = rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)"
    return re.search(pattern, text) is not None


def _concept(term: str) -> str:
    """Terms naming one concept count once: "retriever"/"retrieval", "text embedding"/
    "embedding" (the first six letters of the last word)."""
    return re.split(r"[\s\-]+", term.lower())[-1][:6]


def distinct_terms(terms: list[str]) -> list[str]:
    """One term per concept, the most specific (longest) kept, in the given order."""
    by_concept: dict[str, str] = {}
    for term in terms:
        key = _concept(term)
        if key not in by_concept or len(term) > len(by_concept[key]):
            by_concept[key] = term
    keep = set(by_concept.values())
    return [t for t in terms if t in keep]


def _short_acronym(name: str) -> bool:
    return name.isupper() and name.isalpha() and len(name) <= 3


def _telling(number: str) -> bool:
    """Decimals, percentages and multiples: figures an abstract repeats exactly."""
    return "." in number or number.endswith(("%", "x"))


def judge(name: NameClue, clues: Clues, paper: Paper, *, latest: date | None = None) -> Verdict:
    """Weigh one result for one description; ``latest``: the newest acceptable date."""
    if latest and paper.published and paper.published.date() > latest:
        return Verdict(paper, 0.0, None, f"published {paper.published.date()} after the article")
    where = where_is_name(name.name, paper)
    if where is None:
        return Verdict(paper, 0.0, None, f"name {name.name!r} not in title or abstract")
    text = f"{paper.title}\n{paper.abstract}"
    lowered = " ".join(text.lower().split())
    phrases = [p for p in clues.phrases if " ".join(p.lower().split()) in lowered]
    terms = distinct_terms([t for t in clues.terms if term_in(t, text)] + phrases)
    numbers = [n for n in clues.numbers if number_in(n, text)]
    evidence = DescriptionEvidence(name=name.name, name_in=where, terms=terms, numbers=numbers)
    weight = NAME_WEIGHT[where] * (ACRONYM_FACTOR if _short_acronym(name.name) else 1.0)
    term_points = sum(0.5 if t in weak_terms() else 1.0 for t in terms)
    points = term_points + 2 * len(numbers)
    score = weight + TERM_WEIGHT * min(term_points, MAX_TERMS) + NUMBER_WEIGHT * len(numbers)
    telling = [n for n in clues.numbers if _telling(n)]
    if len(telling) >= 2 and not any(n in numbers for n in telling):
        score -= NUMBERS_DISAGREE
    score = round(max(0.0, min(1.0, score)), 4)
    if points < (4 if where.endswith("_part") else 2):
        return Verdict(paper, score, evidence, f"too little agreement ({points} points)")
    if score < ACCEPT:
        return Verdict(paper, score, evidence, f"score {score:.2f} below {ACCEPT}")
    return Verdict(paper, score, evidence, None)


def describe_evidence(e: DescriptionEvidence) -> str:
    parts = [f"name {e.name!r} in {e.name_in.replace('_part', ' (first part)')}"]
    if e.terms:
        parts.append("terms: " + ", ".join(e.terms))
    if e.numbers:
        parts.append("numbers: " + ", ".join(e.numbers))
    return "; ".join(parts)


__all__ = [
    "ACCEPT",
    "AMBIGUITY_MARGIN",
    "Verdict",
    "describe_evidence",
    "judge",
    "number_in",
    "term_in",
    "where_is_name",
]
