"""The fixed tuning / held-out split of every shared corpus (never changed).

A page is held out when ``sha256(page id) % 10 < 3`` (about 30 %): it depends on the id
alone, so it is the same on every machine, for every set, and for pages added later.
Rules, options, thresholds and any model are chosen on the tuning part only; the held-out
part is what bench/README.md and the README report.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Part = Literal["tuning", "held-out"]
HELD_OUT_TENTHS = 3


def part_of(page_id: str) -> Part:
    """Which part ``page_id`` belongs to."""
    digest = int.from_bytes(hashlib.sha256(page_id.encode("utf-8")).digest(), "big")
    return "held-out" if digest % 10 < HELD_OUT_TENTHS else "tuning"
