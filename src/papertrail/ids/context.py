"""The bare-number policy: when does ``2307.09288`` with no ``arXiv:`` count?

A number shaped like a new-style id is taken only with arXiv context next to it, because
roundups are full of look-alikes (amounts, measurements, reference numbers). Context is:
- the word "arXiv" earlier on the same line, within :data:`WINDOW` characters;
- a label right before it: ``论文:``, ``论文编号``, ``paper:``, ``preprint``, ``e-print``,
  BibTeX's ``eprint = {``;
- an arXiv category right after it: ``2307.09288 [cs.CL]``;
- square brackets around the number alone: ``[2307.09288]``, ``【2307.09288】``
  (the reference-list style of physics and of many Chinese roundups);
- an arXiv URL cut right before it (``https://arxiv.org/abs/`` at the end of the line
  above, or ``https://arxiv.org/`` there and ``abs/`` before it: a ``<br>`` or a narrow
  column broke the link);
- nothing else in the text at all (someone pasted an id).
"""

from __future__ import annotations

import re

from .scheme import ARCHIVE_RE

WINDOW = 40
_ARXIV_WORD = re.compile(r"arxiv", re.IGNORECASE)
_LABEL_BEFORE = re.compile(
    r"(?:论文|预印本|paper|preprint|e-?print)\s*(?:编号|号|id|no\.?|number|链接|地址|link)?"
    r"\s*[:#=]?\s*[{\"]?\s*$",  # BibTeX too: eprint = {2307.09288}
    re.IGNORECASE,
)
_CATEGORY_AFTER = re.compile(
    rf"\s*\[\s*(?:{ARCHIVE_RE}|stat|eess|econ|q-fin)(?:\.[A-Za-z\-]+)?\s*\]", re.IGNORECASE
)
# An arXiv URL a line break cut before its number: after ``/abs/`` or after the host
# (``https://arxiv.org/`` + ``<br>`` + ``abs/2403.19928``).
_CUT_URL = re.compile(
    r"arxiv\.org/+[ \t]*\n?[ \t]*(?:abs|pdf|html)/+[ \t]*\n?[ \t]*$", re.IGNORECASE
)
_OPEN = re.compile(r"[\[【]\s*$")
_CLOSE = re.compile(r"\s*[\]】]")


def has_arxiv_context(text: str, start: int, end: int, *, alone: bool = False) -> bool:
    """True when the bare number ``text[start:end]`` has arXiv context (see module doc).

    ``alone``: the caller has established that nothing but whitespace surrounds it.
    """
    if alone:
        return True
    window_start = max(0, start - WINDOW)
    line_start = text.rfind("\n", window_start, start) + 1  # 0 when no newline in window
    before = text[max(line_start, window_start) : start]
    if _ARXIV_WORD.search(before) or _LABEL_BEFORE.search(before):
        return True
    if _CUT_URL.search(text, window_start, start):
        return True
    after = text[end : end + WINDOW]
    if _CATEGORY_AFTER.match(after):
        return True
    return bool(_OPEN.search(before) and _CLOSE.match(after))
