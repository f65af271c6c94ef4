"""Seed pages (text renderings): share of article lines kept and of chrome lines removed.

    .venv/bin/python -m bench.extraction.seeds

A line of a seed is an article line when its gold (``tests/fixtures/seeds/gold``) holds it,
chrome otherwise; both shares are over distinct normalized lines.
"""

from __future__ import annotations

from pathlib import Path

from papertrail.clean import clean_text
from papertrail.clean.lines import normalize

SEEDS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "seeds"


def measure(name: str) -> tuple[float, float]:
    page = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    lines = {normalize(line) for line in page.splitlines()} - {""}
    gold = {
        normalize(line) for line in (SEEDS / "gold" / f"{name}.txt").read_text("utf-8").splitlines()
    }
    gold &= lines
    chrome = lines - gold
    kept = set(clean_text(page).text.split("\n"))
    article_kept = len(gold & kept) / len(gold) if gold else 1.0
    chrome_removed = len(chrome - kept) / len(chrome) if chrome else 1.0
    return article_kept, chrome_removed


def main() -> None:
    print("| seed | article lines kept | chrome lines removed |\n|---|---|---|")
    for path in sorted(SEEDS.glob("*.txt")):
        kept, removed = measure(path.stem)
        print(f"| {path.stem[:3]} | {kept:.3f} | {removed:.3f} |")


if __name__ == "__main__":
    main()
