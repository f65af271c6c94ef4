"""arXiv identifiers as the query API accepts them.

The API fails a whole ``id_list`` request (HTTP 400, error feed) when any one id is
malformed, so every id is checked before it is sent, with the same scheme rules the id
extractor applies (:func:`papertrail.ids.parse_id`: period digit counts, months, the real
old-style archive list, versions), and sent in canonical form.
"""

from __future__ import annotations

from ..ids import ArxivId, base_id, parse_id

__all__ = ["base_id", "split_entry_id"]


def split_entry_id(entry_id: str) -> ArxivId | None:
    """The id of an Atom entry ``<id>`` (``http://arxiv.org/abs/2104.12255v1``)."""
    return parse_id(entry_id.rsplit("/abs/", 1)[-1])
