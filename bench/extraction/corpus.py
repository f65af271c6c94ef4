"""Reading a gold corpus set: ``manifest.jsonl``, ``html/``, ``gold/`` (zh-wced,
en-scrapinghub), or WCXB's own layout (``html/<id>.html.gz``, ``ground-truth/<id>.json``)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from papertrail.clean.metadata import detect_lang
from papertrail.decode import decode_bytes

from .split import Part, part_of

ROOT = Path(__file__).resolve().parents[2]
WCXB = "wcxb-dev"


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
    page_type: str = "article"
    lang: str = "en"

    @property
    def part(self) -> Part:
        return part_of(self.id)


def _html_path(root: Path, page_id: str) -> Path:
    for name in (f"{page_id}.html", f"{page_id}.html.gz"):
        if (root / "html" / name).exists():
            return root / "html" / name
    raise FileNotFoundError(root / "html" / page_id)


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def load_set(root: Path, limit: int | None = None, part: Part | None = None) -> Iterator[Page]:
    """Pages of one set (only those of ``part`` when given), decoded the way the pipeline
    decodes fetched bytes."""
    if root.name == WCXB or (root / "ground-truth").is_dir():
        yield from _load_wcxb(root, limit, part)
        return
    lines = (root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines[:limit]:
        row = json.loads(line)
        if part is not None and part_of(row["id"]) != part:
            continue
        # No Content-Type: the page's own bytes and <meta> decide, the hardest case for the
        # pipeline. (Passing the charset the crawl recorded gives the same text on every page.)
        html, _ = decode_bytes(_read(_html_path(root, row["id"])), None)
        gold = (root / "gold" / f"{row['id']}.txt").read_text(encoding="utf-8")
        lang = "zh" if row.get("lang") == "zh" else "en"
        yield Page(root.name, row["id"], row.get("url", ""), html, gold, "article", lang)


def _load_wcxb(root: Path, limit: int | None, part: Part | None) -> Iterator[Page]:
    ids = sorted(p.name.removesuffix(".json") for p in (root / "ground-truth").glob("*.json"))
    for page_id in ids[:limit]:
        if part is not None and part_of(page_id) != part:
            continue
        data = json.loads((root / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
        gold = data["ground_truth"].get("main_content") or ""
        page_type = data.get("_internal", {}).get("page_type", {}).get("primary") or "unknown"
        html, _ = decode_bytes(_read(_html_path(root, page_id)), None)
        lang = detect_lang(gold) or "other"
        yield Page(root.name, page_id, data.get("url") or "", html, gold, page_type, lang)
