"""Reading a gold corpus set (``manifest.jsonl``, ``html/``, ``gold/``)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from papertrail.decode import decode_bytes


@dataclass(frozen=True, slots=True)
class Page:
    set_name: str
    id: str
    url: str
    html: str
    gold: str


def _html_path(root: Path, page_id: str) -> Path:
    for name in (f"{page_id}.html", f"{page_id}.html.gz"):
        if (root / "html" / name).exists():
            return root / "html" / name
    raise FileNotFoundError(root / "html" / page_id)


def load_set(root: Path, limit: int | None = None) -> Iterator[Page]:
    """Pages of one set, decoded the way the pipeline decodes fetched bytes."""
    lines = (root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines[:limit]:
        row = json.loads(line)
        path = _html_path(root, row["id"])
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        # The crawl recorded the charset the server declared; pass it the way a fetch would.
        declared = row.get("encoding")
        html, _ = decode_bytes(raw, f"text/html; charset={declared}" if declared else None)
        gold = (root / "gold" / f"{row['id']}.txt").read_text(encoding="utf-8")
        yield Page(root.name, row["id"], row.get("url", ""), html, gold)
