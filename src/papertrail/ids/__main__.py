"""``python -m papertrail.ids``: arXiv ids in stdin, one JSON line each.

Reads plain text (or HTML with ``--html``, whose link targets count too) and prints
``{"id", "version", "found_by", "span"}`` per paper, in order of first mention. Spans are
offsets in the text read (in the page's visible text with ``--html``). Exit status 0 even
when nothing is found: an empty answer is an answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from .. import cli
from ..document import Link
from . import find_ids


def html_text_and_links(markup: str) -> tuple[str, list[Link]]:
    """Visible text of an HTML page (blocks on their own lines) and its ``<a href>`` links."""
    tree = LexborHTMLParser(markup)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    text = root.text(separator="\n") if root is not None else ""
    links = [
        Link(href=href, text=a.text(strip=True))
        for a in tree.css("a[href]")
        if (href := a.attributes.get("href"))
    ]
    return text, links


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
    text, links = html_text_and_links(data) if args.html else (data, [])
    for ref in find_ids(text, links, today=args.today):
        line = {"id": ref.id, "version": ref.version, "found_by": ref.found_by, "span": ref.span}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
