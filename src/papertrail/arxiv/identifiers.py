"""arXiv identifiers as the query API accepts them.

The API fails a whole ``id_list`` request (HTTP 400, error feed) when any one id is
malformed, so every id is checked here before it is sent. This is deliberately stricter
than id *extraction* (``papertrail.ids``): it takes one candidate string and says whether
arXiv's scheme allows it (``YYMM.NNNN`` until 2014, ``YYMM.NNNNN`` from 1501, old-style
``archive/YYMMNNN`` before April 2007), with an optional ``vN`` suffix.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Archives that had old-style ids (arXiv identifier scheme, pre-2007).
OLD_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th",
        "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
        "quant-ph", "solv-int", "supr-con",
    }
)  # fmt: skip

_NEW = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v(?P<v>[1-9]\d*))?")
_OLD = re.compile(
    r"(?P<arch>[a-z-]+)(?:\.[A-Z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})(?P<num>\d{3})"
    r"(?:v(?P<v>[1-9]\d*))?"
)
_PREFIX = re.compile(r"^(?:arxiv:)", re.I)


class ArxivId(NamedTuple):
    """A validated id: versionless ``base`` and the ``version`` given, if any."""

    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_id(candidate: str) -> ArxivId | None:
    """The id in ``candidate`` (an optional ``arXiv:`` prefix allowed), or None if malformed."""
    s = _PREFIX.sub("", candidate.strip())
    if m := _NEW.fullmatch(s):
        yy, mm, num = int(m["yy"]), int(m["mm"]), m["num"]
        if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
            return None
        five_digits = (yy, mm) >= (15, 1)
        if len(num) != (5 if five_digits else 4) or int(num) == 0:
            return None
        return ArxivId(f"{m['yy']}{m['mm']}.{num}", int(m["v"]) if m["v"] else None)
    if m := _OLD.fullmatch(s):
        yy, mm = int(m["yy"]), int(m["mm"])
        if m["arch"] not in OLD_ARCHIVES or not 1 <= mm <= 12:
            return None
        # Old-style ids ran from 1991-08 to 2007-03.
        if not ((91 <= yy <= 99) or (0 <= yy <= 7)) or (yy == 7 and mm > 3):
            return None
        if m["num"] == "000":
            return None
        return ArxivId(f"{m['arch']}/{m['yy']}{m['mm']}{m['num']}", int(m["v"]) if m["v"] else None)
    return None


def base_id(candidate: str) -> str | None:
    """Versionless canonical id, or None if malformed."""
    parsed = parse_id(candidate)
    return parsed.base if parsed else None


def split_entry_id(entry_id: str) -> ArxivId | None:
    """The id of an Atom entry ``<id>`` (``http://arxiv.org/abs/2104.12255v1``)."""
    tail = entry_id.rsplit("/abs/", 1)[-1]
    return parse_id(tail)
