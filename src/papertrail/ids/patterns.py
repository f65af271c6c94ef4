"""Where arXiv ids hide in web pages: one regex per form, each tagged with ``found_by``.

Every pattern embeds the grammar of :mod:`papertrail.ids.scheme` (``NEW_RE``/``OLD_RE``),
so a match still has to pass :func:`papertrail.ids.scheme.from_match`. Patterns work on
normalised text (:mod:`papertrail.ids.normalize`), where full-width forms are ASCII.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..record import FoundBy
from .scheme import ARCHIVE_RE, ARCHIVE_TOKEN, END_RE, NEW_RE, OLD_RE, SUBJECT_RE, VERSION_RE

_ID = rf"(?:{NEW_RE}|{OLD_RE}){VERSION_RE}"
# A host may not continue a longer name: "ar5iv.labs.arxiv.org" is not "arxiv.org".
_HOST_START = r"(?<![A-Za-z0-9.\-])(?:https?://)?"
_FLAGS = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class SitePattern:
    """A URL (or DOI) form whose path carries an arXiv id.

    ``keyword`` (lower case) must occur in the text for the regex to be worth running:
    scanning a long page with six lookbehind patterns costs more than six substring
    tests.
    """

    found_by: FoundBy
    keyword: str
    regex: re.Pattern[str]


SITE_PATTERNS: tuple[SitePattern, ...] = (
    SitePattern(
        "ar5iv",
        "ar5iv",
        re.compile(
            rf"{_HOST_START}(?:www\.)?ar5iv(?:\.labs\.arxiv)?\.org/+(?:abs|html|papers)/+{_ID}{END_RE}",
            _FLAGS,
        ),
    ),
    SitePattern(
        "link",
        "arxiv.org",
        re.compile(
            # two letters: arXiv's own country mirrors (cn.arxiv.org, de.arxiv.org ...)
            rf"{_HOST_START}(?:(?:www|export|browse|lanl|xxx|[a-z]{{2}})\.)?arxiv\.org/+"
            rf"(?:(?:abs|pdf|html|format|ps|src|e-print)/+(?:arxiv:)?|abs/?\?(?:[^\s#]*?&)?id=)"
            rf"{_ID}(?:\.pdf)?{END_RE}",
            _FLAGS,
        ),
    ),
    SitePattern(
        "link",
        "lanl.gov",
        re.compile(
            rf"{_HOST_START}xxx\.lanl\.gov/+(?:abs|pdf|ps|format)/+{_ID}(?:\.pdf)?{END_RE}",
            _FLAGS,
        ),
    ),
    SitePattern(
        "link",
        "itp.ac.cn",
        # arXiv's mirror in China (where cn.arxiv.org points), run by ITP-CAS
        re.compile(
            rf"{_HOST_START}xxx\.itp\.ac\.cn/+(?:abs|pdf|html|format)/+{_ID}(?:\.pdf)?{END_RE}",
            _FLAGS,
        ),
    ),
    SitePattern(
        "huggingface",
        "/papers/",
        re.compile(
            rf"{_HOST_START}(?:www\.)?(?:huggingface\.co|hf\.co)/papers/+{_ID}{END_RE}", _FLAGS
        ),
    ),
    SitePattern(
        "alphaxiv",
        "alphaxiv",
        re.compile(
            rf"{_HOST_START}(?:www\.)?alphaxiv\.org/+(?:abs|overview|pdf)/+{_ID}{END_RE}", _FLAGS
        ),
    ),
    SitePattern(
        "paperscool",
        "papers.cool",
        # Cool Papers (Kimi summaries of new arXiv papers), linked from Chinese roundups
        re.compile(rf"{_HOST_START}(?:www\.)?papers\.cool/+arxiv/+{_ID}{END_RE}", _FLAGS),
    ),
    SitePattern(
        "semanticscholar",
        "semanticscholar",
        re.compile(
            rf"{_HOST_START}(?:www\.|api\.)?semanticscholar\.org/+"
            rf"(?:arxiv/+|graph/v1/paper/+arxiv:){_ID}{END_RE}",
            _FLAGS,
        ),
    ),
    SitePattern(
        "doi",
        "10.48550",
        re.compile(
            rf"(?<![A-Za-z0-9.])(?:(?:https?://)?(?:dx\.)?doi\.org/+|doi:\s*)?"
            rf"10\.48550/+arxiv\.{_ID}{END_RE}",
            _FLAGS,
        ),
    ),
)

#: Any other URL or DOI: ids inside them are not the article's (other publishers'
#: DOIs, GitHub paths, arXiv listing and author pages).
FOREIGN_URL = re.compile(
    # No IGNORECASE here: with it, the non-ASCII range would also exclude "i", "k", "s"
    # (U+0130, U+212A and U+017F fold to them).
    r"(?i:https?://|www\.)[^\s<>\"'\u0080-\uffff]+"
    r"|(?<![A-Za-z0-9.])10\.\d{4,9}/[^\s\u0080-\uffff]+"
)

#: ``arXiv:2307.09288``, ``arXiv:math.RT/1206.5933``, ``arXiv:quant-ph 1503.01017``.
CITATION = re.compile(
    rf"(?<![A-Za-z0-9])arxiv\s*:\s*"
    rf"(?:(?:(?:{ARCHIVE_RE})(?:{SUBJECT_RE})?(?:/+|\s+))?{NEW_RE}|{OLD_RE}){VERSION_RE}{END_RE}",
    _FLAGS,
)

#: ``hep-th/9901001``, ``math.GT/0309136``: the archive itself is the context.
OLD_STYLE = re.compile(rf"(?<![A-Za-z0-9\-]){OLD_RE}{VERSION_RE}{END_RE}", _FLAGS)

#: ``hep-th/1601.07616``, ``math. RT/0903.2992``: an archive prefix glued to a new id
#: (``prefix`` must be in :data:`~papertrail.ids.scheme.OLD_ARCHIVES`).
ARCHIVE_PREFIXED = re.compile(
    rf"(?<![A-Za-z0-9\-])(?P<prefix>{ARCHIVE_TOKEN})(?:\.\s?[A-Za-z]{{2,}}(?:-[A-Za-z]{{2,}})?)?/+"
    rf"{NEW_RE}{VERSION_RE}{END_RE}",
    _FLAGS,
)

#: Old-style and archive-prefixed ids both need a slash (or %2F) right before digits.
SLASH_DIGITS = re.compile(r"(?:/|%2[Ff])\d{4}")

#: A bare new-style number: only taken with arXiv context (see ``context.py``).
BARE_NEW = re.compile(rf"(?<![A-Za-z0-9+\-])(?<!\d\.){NEW_RE}{VERSION_RE}{END_RE}", _FLAGS)
