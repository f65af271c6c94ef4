"""The arXiv identifier scheme: which strings are real, mintable arXiv ids.

Regexes find candidates; this module decides. Keeping the rules here (and not in the
patterns) means every way of finding an id (URL, citation, DOI, bare number) applies the
same checks: the yymm period and its digit count, the month, the not-after-this-month
rule, the real archive list for old-style ids, and versions v1..v99.
See https://info.arxiv.org/help/arxiv_identifier.html.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: Archives that issued old-style ids (``archive/YYMMNNN``), 1991-08 to 2007-03.
OLD_ARCHIVES: frozenset[str] = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th",
        "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
        "quant-ph", "solv-int", "supr-con",
    }
)  # fmt: skip

# Longest first so that "math-ph" is not read as "math".
ARCHIVE_RE = "|".join(sorted((re.escape(a) for a in OLD_ARCHIVES), key=len, reverse=True))
#: An old-style subject class after the archive (``math.GT``, ``cs.DB``): dropped.
SUBJECT_RE = r"\.[A-Za-z]{2,}(?:-[A-Za-z]{2,})?"
NEW_RE = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
#: Any archive-shaped token: membership in :data:`OLD_ARCHIVES` is checked afterwards,
#: which is several times faster than a 34-way alternation tried at every position.
ARCHIVE_TOKEN = r"[A-Za-z]+(?:-[A-Za-z]+)?"
OLD_RE = (
    rf"(?P<archive>{ARCHIVE_TOKEN})(?:{SUBJECT_RE})?(?:/+|%2[Ff])"
    r"(?P<oyymm>\d{4})(?P<onum>\d{3})"
)
#: ``v`` with no number (``arXiv:2307.09288v``, a version cut off) is the base id.
VERSION_RE = r"(?:v(?P<version>[1-9]\d?)?)?"
#: What may not follow an id: more letters/digits, or a dot and a digit (dates, IPs).
END_RE = r"(?![A-Za-z0-9]|\.\d)"

FIRST_OLD = (1991, 8)
LAST_OLD = (2007, 3)
FIRST_NEW = (2007, 4)
FIVE_DIGITS_FROM = (2015, 1)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A validated id: canonical versionless ``id`` plus the version, if given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id


def valid_new(yymm: str, num: str, today: date) -> bool:
    """New-style ``YYMM.NNNN(N)``: right digit count for its period, real month."""
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        return False
    period = (year, month)
    if period < FIRST_NEW or period > (today.year, today.month):
        return False
    digits = 5 if period >= FIVE_DIGITS_FROM else 4
    return len(num) == digits and int(num) > 0


def valid_old(archive: str, yymm: str, num: str) -> bool:
    """Old-style ``archive/YYMMNNN``: a real archive, 1991-08..2007-03, number >= 001."""
    if archive.lower() not in OLD_ARCHIVES:
        return False
    yy, month = int(yymm[:2]), int(yymm[2:])
    year = 1900 + yy if yy >= 91 else 2000 + yy
    return 1 <= month <= 12 and FIRST_OLD <= (year, month) <= LAST_OLD and int(num) > 0


def from_match(m: re.Match[str], today: date) -> ArxivId | None:
    """Validate a match of a pattern built from :data:`NEW_RE` or :data:`OLD_RE`."""
    groups = m.groupdict()
    version = int(groups["version"]) if groups.get("version") else None
    if groups.get("yymm"):
        if not valid_new(groups["yymm"], groups["num"], today):
            return None
        return ArxivId(f"{groups['yymm']}.{groups['num']}", version)
    if groups.get("archive"):
        archive = groups["archive"].lower()
        if not valid_old(archive, groups["oyymm"], groups["onum"]):
            return None
        return ArxivId(f"{archive}/{groups['oyymm']}{groups['onum']}", version)
    return None


_PREFIX = r"/*(?:arxiv:)?"
_WHOLE_NEW = re.compile(
    rf"{_PREFIX}(?:(?:{ARCHIVE_RE})(?:{SUBJECT_RE})?/+)?{NEW_RE}{VERSION_RE}(?:/.*)?",
    re.IGNORECASE | re.DOTALL,
)
_WHOLE_OLD = re.compile(rf"{_PREFIX}{OLD_RE}{VERSION_RE}(?:/.*)?", re.IGNORECASE | re.DOTALL)


def parse_id(candidate: str, *, today: date | None = None) -> ArxivId | None:
    """Validate one string as a single arXiv id: its canonical :class:`ArxivId`, or None.

    Accepts ``2307.09288``, ``2307.09288v2``, ``arXiv:hep-th/9901001``,
    ``math.GT/0309136`` (subject class dropped), a leading ``/`` and a trailing
    ``/anything`` (a path). Anything else around the id makes it invalid.
    """
    candidate = candidate.strip()
    m = _WHOLE_NEW.fullmatch(candidate) or _WHOLE_OLD.fullmatch(candidate)
    if m is None:
        return None
    return from_match(m, today or date.today())


def base_id(candidate: str) -> str | None:
    """Versionless canonical id of ``candidate``, or None if malformed."""
    parsed = parse_id(candidate)
    return parsed.id if parsed else None
