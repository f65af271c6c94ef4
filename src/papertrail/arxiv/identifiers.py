"""arXiv identifiers as the query API accepts them.

The API fails a whole ``id_list`` request (HTTP 400, error feed) when any one id is
malformed, so every id is checked before it is sent, with the same scheme rules the id
extractor applies (:func:`papertrail.ids.parse_id`: period digit counts, months, the real
old-style archive list, versions), and sent in canonical form.
"""

from __future__ import annotations

from typing import NamedTuple

from ..ids import parse_id as _parse_canonical


class ArxivId(NamedTuple):
    """A validated id: versionless ``base`` and the ``version`` given, if any."""

    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_id(candidate: str) -> ArxivId | None:
    """The id in ``candidate`` (an optional ``arXiv:`` prefix allowed), or None if malformed."""
    found = _parse_canonical(candidate)
    return ArxivId(*found) if found else None


def base_id(candidate: str) -> str | None:
    """Versionless canonical id, or None if malformed."""
    parsed = parse_id(candidate)
    return parsed.base if parsed else None


def split_entry_id(entry_id: str) -> ArxivId | None:
    """The id of an Atom entry ``<id>`` (``http://arxiv.org/abs/2104.12255v1``)."""
    return parse_id(entry_id.rsplit("/abs/", 1)[-1])
