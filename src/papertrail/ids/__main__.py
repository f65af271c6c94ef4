"""``python -m papertrail.ids``: arXiv ids in stdin, one JSON line each.

Reads plain text (or HTML with ``--html``: the page is cleaned as the pipeline cleans it,
so the ids are exactly a record's: the article's region of the page, its links counted,
chrome left out) and prints ``{"id", "version", "found_by", "span"}`` per paper, in order
of first mention. Spans are offsets in the text read (in the record's ``text`` with
``--html``). Exit status 0 even when nothing is found: an empty answer is an answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date

from .. import cli
from ..clean import clean_html
from ..record import ArxivRef
from . import find_ids


def html_ids(markup: str, *, today: date | None = None, url: str | None = None) -> list[ArxivRef]:
    """The ids a record of this page would carry (clean stage, then ids stage)."""
    result = clean_html(markup, url)
    region = result.region.text if result.region is not None else None
    return find_ids(result.text, result.links, today=today, region=region)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    parser = cli.parser("python -m papertrail.ids", "Print the arXiv ids found in stdin.")
    parser.add_argument("--html", action="store_true", help="stdin is HTML: links count too")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="date bounding the newest valid id (YYYY-MM-DD; default: today)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    data = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    refs = html_ids(data, today=args.today) if args.html else find_ids(data, today=args.today)
    for ref in refs:
        line = {"id": ref.id, "version": ref.version, "found_by": ref.found_by, "span": ref.span}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
