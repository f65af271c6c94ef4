"""Papers a digest describes without linking: segment, read the clues, search, verify.

``DescriptionResolver(search).resolve(doc)`` is the stage (see :mod:`.resolver`);
``segment_items`` splits a page into per-paper items (:mod:`.segment`); ``clues_for``
reads an item's names, terms and numbers (:mod:`.clues`); ``judge`` weighs one arXiv
result against them (:mod:`.verify`).
"""

from .clues import Clues, NameClue, clues_for
from .resolver import DescriptionResolver, ItemOutcome, build_queries
from .segment import Item, segment_items
from .verify import ACCEPT, Verdict, judge

__all__ = [
    "ACCEPT",
    "Clues",
    "DescriptionResolver",
    "Item",
    "ItemOutcome",
    "NameClue",
    "Verdict",
    "build_queries",
    "clues_for",
    "judge",
    "segment_items",
]
