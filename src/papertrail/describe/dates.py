"""The article's date, the upper bound for the papers it can describe.

In order: the page's metadata; else the latest date the text prints (a WeChat digest's
"后台回复:20240414", "2024年4月14日", "2024-04-14"); else the latest date of the papers
already found on the page (their metadata, or the month an id like 2403.19928 names).
Never the run date: a record processed a year later must find the same papers.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

from ..ids import parse_id
from ..record import ArxivRef, Paper

DateSource = Literal["metadata", "text", "papers"]

_COMPACT = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_SPELLED = re.compile(
    r"(?<!\d)(20\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?!\d)\s*日?"
)


def _day(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def printed_dates(text: str) -> list[date]:
    """Every plausible calendar date written in ``text`` (2000-2099)."""
    found = [_day(*m.groups()) for m in _COMPACT.finditer(text)]
    found += [_day(*m.groups()) for m in _SPELLED.finditer(text)]
    return [d for d in found if d is not None]


def _id_month_end(arxiv_id: str) -> date | None:
    parsed = parse_id(arxiv_id)
    if parsed is None or "/" in parsed.id:
        return None
    yymm = parsed.id[:4]
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def article_day(
    published: str | None, text: str, refs: Iterable[ArxivRef] = (), papers: Iterable[Paper] = ()
) -> tuple[date | None, DateSource | None]:
    """The article's date and where it came from, or ``(None, None)``."""
    if published:
        try:
            return date.fromisoformat(published[:10]), "metadata"
        except ValueError:
            pass
    if printed := printed_dates(text):
        return max(printed), "text"
    known = [p.published.date() for p in papers if p.published]
    known += [d for r in refs if r.found_by != "description" and (d := _id_month_end(r.id))]
    if known:
        return max(known), "papers"
    return None, None


__all__ = ["DateSource", "article_day", "printed_dates"]
