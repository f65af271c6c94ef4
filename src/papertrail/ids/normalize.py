"""Web text as the id patterns need it, with a map back to the original offsets.

Chinese pages write ids with full-width forms (``ａｒＸｉｖ：２３０７．０９２８８``), put
zero-width spaces and soft hyphens inside them, and glue CJK punctuation to them. NFKC per
character folds the first, dropping invisible characters fixes the second; the offset map
lets every span we report point into the text the caller gave us.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Invisible characters that break an id in two when left in: dropped.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
#: Full-width punctuation that never belongs to an id or a URL: kept as it is, so that it
#: still ends a URL (``https://github.com/x/y，arXiv：2307.09288`` is two things).
KEEP = frozenset("，；！？（）｛｝＜＞＂＇｀｜、。")
#: Blocks with compatibility forms (Latin-1 punctuation, general punctuation and spaces,
#: letterlike and enclosed forms, CJK punctuation and squared forms, ligatures, small and
#: full-width forms, mathematical alphanumerics). Everything else is left as it is.
_FOLDABLE = re.compile(
    "[\u00a0-\u00bf\u180e\u2000-\u218f\u2460-\u24ff\u3000-\u303f\u3200-\u33ff"
    "\ufb00-\ufb4f\ufe10-\ufe6f\ufeff\uff00-\uffef\U0001d400-\U0001d7ff]"
)


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
    """NFKC on compatibility characters (full-width to ASCII, ``：`` to ``:``), invisibles
    removed; all other text is copied in slices, so a long CJK page costs little."""
    out: list[str] = []
    origin: list[int] = []
    last = 0
    for m in _FOLDABLE.finditer(text):
        i = m.start()
        if i > last:
            out.append(text[last:i])
            origin.extend(range(last, i))
        ch = text[i]
        if ch in KEEP:
            out.append(ch)
            origin.append(i)
        elif ch not in INVISIBLE:
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded)
            origin.extend([i] * len(folded))
        last = i + 1
    out.append(text[last:])
    origin.extend(range(last, len(text)))
    return NormalizedText("".join(out), tuple(origin), len(text))
