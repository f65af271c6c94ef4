"""Web text as the id patterns need it, with a map back to the original offsets.

Chinese pages write ids with full-width forms (``ａｒＸｉｖ：２３０７．０９２８８``), put
zero-width spaces and soft hyphens inside them, and glue CJK punctuation to them. NFKC per
character folds the first, dropping invisible characters fixes the second; the offset map
lets every span we report point into the text the caller gave us.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Invisible characters that break an id in two when left in: dropped.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` after normalisation; ``origin[i]`` is the source offset of ``text[i]``."""

    text: str
    origin: tuple[int, ...]
    source_length: int

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` in :attr:`text` back to offsets in the source text."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else self.source_length
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1


def normalize(text: str) -> NormalizedText:
    """Per-character NFKC (full-width to ASCII, ``：`` to ``:``), invisibles removed."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        if ch.isascii():
            out.append(ch)
            origin.append(i)
            continue
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return NormalizedText("".join(out), tuple(origin), len(text))
