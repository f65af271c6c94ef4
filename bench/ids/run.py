"""Regenerate the "ids from HTML" table in ``bench/README.md``.

    PYTHONPATH=src python -m bench.ids.run [--seeds tests/fixtures/seeds]

Each seed's article (its gold text) is rendered as a page in every template of
:mod:`papertrail.testing.article_templates` (WordPress, WeChat, GBK portal, CSDN-style post,
forum thread, blog with a sidebar), each with chrome citing other papers, and run through
the pipeline's own stages (decode, clean, ids). Expected ids: the text path's on the seed's
rendered ``.txt`` (the ids a ``.txt`` input gives). Per template: pages, ids expected,
found (expected and reported), extra (reported, not expected: chrome taken for the
article), spans that point into the text.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from papertrail.clean import clean, clean_text
from papertrail.decode import decode
from papertrail.document import Document
from papertrail.ids import extract_ids, find_ids
from papertrail.testing.article_templates import TEMPLATES, content_type, render

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- ids-html:begin -->", "<!-- ids-html:end -->"
TODAY = date(2026, 11, 1)


@dataclass(slots=True)
class Row:
    pages: int = 0
    expected: int = 0
    found: int = 0
    extra: int = 0
    spans: int = 0
    exact_pages: int = 0

    def add(self, want: list[str], got: list[str], spans: int) -> None:
        self.pages += 1
        self.expected += len(want)
        self.found += len(set(want) & set(got))
        self.extra += len(set(got) - set(want))
        self.spans += spans
        self.exact_pages += got == want

    def line(self, name: str) -> str:
        return (
            f"| {name} | {self.pages} | {self.expected} | {self.found} | {self.extra} "
            f"| {self.spans} | {self.exact_pages} |"
        )


def measure(seeds: Path) -> dict[str, Row]:
    rows = {name: Row() for name in TEMPLATES}
    for seed in sorted(seeds.glob("*.txt")):
        rendered = clean_text(seed.read_text("utf-8"))
        want = [r.id for r in find_ids(rendered.text, rendered.links, today=TODAY)]
        gold = (seeds / "gold" / seed.name).read_text("utf-8").splitlines()
        for name in TEMPLATES:
            doc = Document(url=f"http://127.0.0.1/{name}/{seed.stem}.html", kind="http")
            doc.raw, doc.content_type = render(name, gold), content_type(name)
            doc.headers = {"content-type": content_type(name)}
            doc = extract_ids(clean(decode(doc)))
            got = [r.id for r in doc.arxiv]
            rows[name].add(want, got, sum(r.span is not None for r in doc.arxiv))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=Path, default=ROOT / "tests" / "fixtures" / "seeds")
    parser.add_argument("--readme", type=Path, default=ROOT / "bench" / "README.md")
    args = parser.parse_args()
    rows = measure(args.seeds)
    total = Row()
    for row in rows.values():
        for attr in ("pages", "expected", "found", "extra", "spans", "exact_pages"):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))
    table = "\n".join(
        [
            "| template | pages | ids expected | found | extra | spans in text | pages exact |",
            "|---|---|---|---|---|---|---|",
            *(row.line(name) for name, row in rows.items()),
            total.line("**all**"),
        ]
    )
    print(table)
    text = args.readme.read_text(encoding="utf-8")
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    args.readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
