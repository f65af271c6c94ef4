"""Metadata of a page already rendered to text (``.txt`` input): what the page printed.

A rendering keeps no ``<meta>`` tags, but pages print their metadata as labelled fields
near the title, often several on one line (``发布时间:2024年06月05日 浏览量:161次
发布者:田佳恬``), or English bylines (``By Jane Doe``, ``Published June 5, 2024``).
Fields are read from short lines only, a label must be followed by a colon (Chinese
labels) or stand at the start of the line (English), and each value is validated (a
date that parses, a name of name length), so prose mentioning 作者 or a date is not
taken for metadata. The title is the title-like line just above the first metadata
line; without one, the first line when it is not the body's own start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil import parser as dateutil_parser

from ..document import Metadata
from .metadata import detect_lang, strip_site_suffix

# Label -> field, strongest first: the first label found for a field wins.
LABELS: tuple[tuple[str, str], ...] = (
    ("发布时间", "published"), ("发布日期", "published"), ("发表时间", "published"),
    ("发表日期", "published"), ("发文时间", "published"), ("时间", "published"),
    ("日期", "published"), ("发布于", "published"), ("发表于", "published"),
    ("更新时间", "published"), ("更新日期", "published"), ("最近更新", "published"),
    ("最后更新", "published"), ("更新于", "published"),
    ("作者", "author"), ("撰文", "author"), ("文", "author"), ("记者", "author"),
    ("发布者", "author"), ("发布人", "author"), ("编辑", "author"), ("责任编辑", "author"),
    ("责编", "author"),
    ("来源", "sitename"), ("出处", "sitename"), ("本文来源", "sitename"),
)  # fmt: skip
_RANK = {label: n for n, (label, _) in enumerate(LABELS)}
_FIELD = dict(LABELS)
# "label:" at the start or after a separator; the value runs to the next "label:" or
# separator. Longest labels first so 发布时间 is not read as 时间.
_ZH_FIELD = re.compile(
    r"(?:^|(?<=[\s|｜/／]))(?P<label>"
    + "|".join(sorted((re.escape(k) for k in _FIELD), key=len, reverse=True))
    + r")\s*[:：]\s*(?P<value>.+?)(?=\s+\S{1,6}\s*[:：]|\s*[|｜]|\s{2,}|$)"
)
_EN_BYLINE = re.compile(r"^(?:By|Written by|Author:)\s+(?P<value>.+)$", re.IGNORECASE)
_EN_DATE = re.compile(
    r"^(?:Published|Posted|Updated|Last updated|Date)(?:\s+on)?\s*:?\s+(?P<value>.+)$",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)"
)
_EN_NAME = re.compile(r"^[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|and|&|,))*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_FIELD_LINE = 120  # longer lines are prose
MAX_NAME = 40
_SENTENCE_END = "。！？；!?;…"


@dataclass(slots=True)
class Found:
    value: str
    rank: int
    line: int


def parse_date(value: str, today: date | None = None) -> str | None:
    """ISO date (YYYY-MM-DD) of a printed date, or None if it is not one."""
    today = today or date.today()
    match = _NUMERIC_DATE.search(value)
    try:
        if match:
            found = date(int(match["y"]), int(match["m"]), int(match["d"]))
        else:
            if not re.search(r"\d", value) or not re.search(r"[A-Za-z]{3}", value):
                return None
            found = dateutil_parser.parse(value[:60], fuzzy=True).date()
    except (ValueError, OverflowError):
        return None
    if not date(1990, 1, 1) <= found <= date(today.year + 1, 12, 31):
        return None
    return found.isoformat()


def clean_name(value: str) -> str | None:
    """A person's or outlet's name as printed, or None when ``value`` is not one."""
    value = value.strip().strip("　 ,，。;；、|｜").strip()
    value = re.sub(r"^[（(]|[）)]$", "", value).strip()
    if not value or len(value) > MAX_NAME or "://" in value or "www." in value:
        return None
    if not re.search(r"[A-Za-z\u3400-\u9fff]", value):
        return None
    if _CJK.search(value) and any(ch in value for ch in _SENTENCE_END + "，,"):
        return None
    return value


def _english_name(value: str) -> str | None:
    value = re.split(r"\s+[|｜·•—–-]\s+|\s{2,}", value.strip())[0].strip(" ,")
    return value if len(value) <= MAX_NAME and _EN_NAME.match(value) else None


def find_fields(lines: list[str], today: date | None = None) -> dict[str, Found]:
    """The labelled fields printed on short lines: field -> best value found."""
    found: dict[str, Found] = {}

    def offer(field: str, value: str | None, rank: int, line: int) -> None:
        if value and (field not in found or rank < found[field].rank):
            found[field] = Found(value, rank, line)

    for n, raw in enumerate(lines):
        line = raw.strip()
        if not line or len(line) > MAX_FIELD_LINE:
            continue
        for match in _ZH_FIELD.finditer(line):
            label, value = match["label"], match["value"]
            field = _FIELD[label]
            parsed = parse_date(value, today) if field == "published" else clean_name(value)
            offer(field, parsed, _RANK[label], n)
        if byline := _EN_BYLINE.match(line):
            offer("author", _english_name(byline["value"]), len(LABELS), n)
        if dated := _EN_DATE.match(line):
            offer("published", parse_date(dated["value"], today), len(LABELS), n)
    return found


def _title_like(line: str) -> bool:
    line = line.strip()
    if not 6 <= len(line) <= MAX_FIELD_LINE or line[-1] in "。；;…，,:：":
        return False
    if _ZH_FIELD.search(line) or _EN_BYLINE.match(line) or _EN_DATE.match(line):
        return False
    date_like = _NUMERIC_DATE.search(line)
    if date_like and len(line) - len(date_like.group(0)) < 12:  # a date line, not a title
        return False
    return bool(re.search(r"[A-Za-z\u3400-\u9fff]{2}", line))


def _first_line_title(lines: list[str], kept: list[str]) -> str | None:
    """The first line of a rendered page is its <title> more often than not."""
    first = lines[0] if lines else None
    if not first or (len(first) % 2 == 0 and first[: len(first) // 2] * 2 == first):
        return None  # a logo and its alt text printed twice: the site, not the article
    if kept and first != kept[0] and 4 <= len(first) <= MAX_FIELD_LINE:
        return first
    return None


def find_title(lines: list[str], kept: list[str], meta_line: int | None) -> str | None:
    """The title-like line nearest above the first metadata line, else the first line."""
    if meta_line is not None:
        for n in range(meta_line - 1, max(-1, meta_line - 7), -1):
            if _title_like(lines[n]):
                return lines[n].strip()
    return _first_line_title(lines, kept)


def text_metadata(text: str, kept: list[str], today: date | None = None) -> Metadata:
    """Title, author, date and source of a rendered page; ``kept``: its body lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fields = find_fields(lines, today)
    first_meta = min((f.line for f in fields.values()), default=None)
    body = "\n".join(kept)
    title = find_title(lines, kept, first_meta)
    sitename = fields["sitename"].value if "sitename" in fields else None
    return Metadata(
        title=strip_site_suffix(title, sitename) if title else None,
        author=fields["author"].value if "author" in fields else None,
        published=fields["published"].value if "published" in fields else None,
        sitename=sitename,
        lang=detect_lang(body),
    )
