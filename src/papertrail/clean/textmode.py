"""Text mode: find the article in a page already rendered to text (``.txt`` input).

No DOM, so no class names: each line is classified by what it looks like (jusText's idea,
made CJK-aware: an ideograph counts as a word, Chinese punctuation counts as punctuation):

- *bad*: matches a chrome rule in :mod:`papertrail.clean.lines`, or is a short line that
  the page repeats elsewhere (menus, bylines and titles printed in several places);
- *good*: long, sentence-like (enough tokens, sentence punctuation);
- *near-good*: medium length, or short but ending a sentence;
- *short*: headings, list items, labels, menu entries.

The article is the span from the first to the last good line, with its short and
near-good lines; it is extended backwards over a heading and near-good lines until chrome,
and forwards over near-good lines and printed URLs (``论文链接:`` + URL) past a few chrome
lines. Everything outside (menus, related lists, tag clouds, footers) goes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from .lines import line_key, match_rule, normalize

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")
_SENTENCE_PUNCT = re.compile(r"[，。！？；、,.!?;：:]")
_SENTENCE_END = re.compile(r"[。！？.!?」”\"）)]\s*$")
_URL = re.compile(r"https?://\S+")
_LABEL = re.compile(r"[:：]\s*$")

GOOD_TOKENS = 40
GOOD_PUNCT_DENSITY = 0.02
NEAR_GOOD_TOKENS = 15
REPEAT_MAX_TOKENS = 30
MAX_TRAILING_BAD = 3


class Kind(Enum):
    BAD = "bad"
    SHORT = "short"
    NEAR_GOOD = "near_good"
    GOOD = "good"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    kind: Kind
    reason: str


def _size(line: str) -> int:
    return len(_TOKEN.findall(_URL.sub(" ", line)))


def classify(lines: list[str]) -> list[Line]:
    """Classify each (normalized, non-empty) line on its own and against the page."""
    keys = [line_key(line) for line in lines]
    counts = Counter(keys)
    prose = [
        _size(line) >= NEAR_GOOD_TOKENS and bool(_SENTENCE_PUNCT.search(line)) for line in lines
    ]
    out: list[Line] = []
    for i, line in enumerate(lines):
        size = _size(line)
        # A heading between two paragraphs ("结论") may repeat; furniture is not flanked by prose.
        heading = 0 < i < len(lines) - 1 and _size(lines[i - 1]) >= 8 and prose[i + 1]
        rule = match_rule(line)
        label = bool(_LABEL.search(line)) and i + 1 < len(lines) and bool(_URL.search(lines[i + 1]))
        repeated = (
            counts[keys[i]] > 1
            and not label
            and not heading
            and size <= REPEAT_MAX_TOKENS
            and not _URL.search(line)
            # a caption printed twice in a row is one caption, not site furniture
            and counts[keys[i]] - (keys[i - 1] == keys[i] if i else 0) > 1
        )
        if rule is not None:
            out.append(Line(line, Kind.BAD, rule.name))
        elif repeated:
            out.append(Line(line, Kind.BAD, "repeated"))
        elif size >= NEAR_GOOD_TOKENS and not _SENTENCE_PUNCT.search(_URL.sub(" ", line)):
            out.append(Line(line, Kind.SHORT, "no_sentence"))  # tag clouds, menus in one line
        elif (
            size >= GOOD_TOKENS and len(_SENTENCE_PUNCT.findall(line)) >= GOOD_PUNCT_DENSITY * size
        ):
            out.append(Line(line, Kind.GOOD, "prose"))
        elif size >= NEAR_GOOD_TOKENS or (size >= 4 and _SENTENCE_END.search(line)):
            out.append(Line(line, Kind.NEAR_GOOD, "medium"))
        else:
            out.append(Line(line, Kind.SHORT, "short"))
    return out


def _is_link_line(lines: list[Line], i: int) -> bool:
    """A printed URL, or a label ("论文链接:") whose next line is one."""
    text = lines[i].text
    if _URL.search(text):
        return True
    return bool(_LABEL.search(text)) and i + 1 < len(lines) and bool(_URL.search(lines[i + 1].text))


def article_span(lines: list[Line]) -> list[Line]:
    """The lines of the article, in order (see the module docstring)."""
    good = [i for i, line in enumerate(lines) if line.kind is Kind.GOOD]
    if not good:
        good = [i for i, line in enumerate(lines) if line.kind is Kind.NEAR_GOOD]
    if not good:
        return []
    start, end = good[0], good[-1]
    while start > 0 and lines[start - 1].kind in (Kind.NEAR_GOOD, Kind.SHORT):
        start -= 1
        if lines[start].kind is Kind.SHORT:  # one heading, then stop
            break
    start = _own_list_start(lines, start, end)
    kept = [line for line in lines[start : end + 1] if line.kind is not Kind.BAD]
    bad_run = 0
    for i in range(end + 1, len(lines)):
        line = lines[i]
        if line.kind is Kind.BAD:
            bad_run += 1
            if bad_run >= MAX_TRAILING_BAD:
                break
            continue
        if line.kind is Kind.NEAR_GOOD or _is_link_line(lines, i):
            kept.append(line)
            bad_run = 0
            continue
        break
    return kept


_ITEM_MARK = re.compile(r"^(?:[•·●○■□◆◇▪▸►\-–—*+]|\d{1,2}[.)、．:：]|[(（]\d{1,2}[)）])\s*")
MIN_OWN_LIST = 3
MAX_GAP_BEFORE_LIST = 2


def _item_key(text: str) -> str:
    return line_key(_ITEM_MARK.sub("", text))


def _own_list_start(lines: list[Line], start: int, end: int) -> int:
    """Extend the span back over the article's own list of what it covers.

    A roundup opens with a line and a list of the items it then covers one by one ("今日值得
    关注的论文" + eight titles): 3+ consecutive lines, each one the text of a later heading of
    the span (bullets and numbering aside), at most :data:`MAX_GAP_BEFORE_LIST` chrome lines
    before the span, plus the line that introduces them. Menus and related lists name other
    pages, never the span's own headings, so they stay out.
    """
    headings = {_item_key(line.text) for line in lines[start : end + 1]}
    headings.discard("")
    i = start - 1
    gap = 0
    while i >= 0 and lines[i].kind is Kind.BAD and gap < MAX_GAP_BEFORE_LIST:
        i, gap = i - 1, gap + 1
    run_end = i
    while i >= 0 and len(_item_key(lines[i].text)) >= 4 and _item_key(lines[i].text) in headings:
        i -= 1
    if run_end - i < MIN_OWN_LIST:
        return start
    if i >= 0 and lines[i].kind in (Kind.SHORT, Kind.NEAR_GOOD):
        i -= 1  # the line introducing the list
    return i + 1


def extract_text(text: str) -> list[str]:
    """The article lines of a rendered page."""
    lines = [normalize(line) for line in text.splitlines()]
    return [line.text for line in article_span(classify([line for line in lines if line]))]
