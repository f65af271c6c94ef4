"""Reading a gold corpus set (``manifest.jsonl``, ``html/``, ``gold/``)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from papertrail.decode import decode_bytes

ROOT = Path(__file__).resolve().parents[2]


def find_corpus() -> Path | None:
    """The shared corpus: ``$PAPERTRAIL_CORPUS``, else ``shared/corpus`` beside the repository
    (a checkout in ``/work/main``) or beside its parent (a worktree in ``/work/wt/<name>``)."""
    env = os.environ.get("PAPERTRAIL_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus"]
    return next((p for p in candidates if (p / "zh-wced").is_dir()), None)


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
        # No Content-Type: the page's own bytes and <meta> decide, the hardest case for the
        # pipeline. (Passing the charset the crawl recorded gives the same text on every page.)
        html, _ = decode_bytes(raw, None)
        gold = (root / "gold" / f"{row['id']}.txt").read_text(encoding="utf-8")
        yield Page(root.name, row["id"], row.get("url", ""), html, gold)
