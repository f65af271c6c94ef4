"""``python -m papertrail.show URL|ARTICLE_ID``: the latest record of one article.

Looked up in the output store's index (``_index.sqlite``: every URL, final URL and
canonical URL of a good record, and every ``article_id``), so it answers at once however
large the output is. A URL is looked up as given, then without its password and as its
canonical URL, as the run stored it. Pretty by default, ``--json`` for the record as
written. An article with no good record shows its latest failure record instead (from
``failures/``, which the index does not cover), marked as a failure on stderr, with exit
status 1.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from . import cli
from .inputs import split_userinfo
from .output import OutputStore
from .record import ArticleRecord
from .urls import canonical_url

TEXT_PREVIEW = 600  # characters of body text shown without --full


def pretty(record: ArticleRecord, full: bool = False) -> str:
    """A terminal view of a record: metadata, papers, errors, the start of the text."""
    fields: list[tuple[str, str | None]] = [
        ("FAILED", "no good record; this is the latest failure" if not record.ok else None),
        ("article", f"{record.article_id} v{record.version}"),
        ("url", record.url),
        ("canonical", record.canonical_url if record.canonical_url != record.url else None),
        ("title", record.title),
        ("author", record.author),
        ("published", record.published),
        ("site", record.sitename),
        ("language", record.lang),
        ("fetched", str(record.fetched_at) if record.fetched_at else None),
        ("enrichment", record.enrichment),
    ]
    lines = [f"{name:>10}: {value}" for name, value in fields if value]
    titles = {p.arxiv_id: p.title for p in record.papers}
    lines.append(f"{'papers':>10}: {len(record.arxiv)}")
    for ref in record.arxiv:
        lines.append(f"{'':>12}{ref.id}  {titles.get(ref.id) or '(no metadata yet)'}")
    for error in record.errors:
        lines.append(f"{'error':>10}: {error.stage}/{error.reason}: {error.message}")
    text = (
        record.text
        if full or len(record.text) <= TEXT_PREVIEW
        else (record.text[:TEXT_PREVIEW] + f"… ({len(record.text)} characters, --full for all)")
    )
    lines += ["", textwrap.indent(text, "  ")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def lookup_keys(key: str) -> list[str]:
    """``key`` as given, then as the run stored it: without a ``user:password@`` (never
    stored) and as its canonical URL (``page#top``, ``page?utm_source=x`` are that page).
    The URL a run was given finds its record."""
    given = key.strip()
    bare = split_userinfo(given)[0]
    try:
        canonical = canonical_url(bare) if "://" in bare else bare
    except ValueError:  # no URL parser accepts it: then it is looked up as given
        canonical = bare
    return list(dict.fromkeys((given, bare, canonical)))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser("python -m papertrail.show", __doc__)
    parser.add_argument("key", metavar="URL|ARTICLE_ID", help="an article's URL or article_id")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: data/clean)",
    )
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    parser.add_argument("--full", action="store_true", help="print the whole text")
    args = parser.parse_args(argv)
    if not args.key.strip():
        parser.error("give a URL or an article_id")
    settings = cli.load_settings(**({"clean_dir": args.out} if args.out else {}))
    if not settings.clean_path.is_dir():
        raise cli.UsageError(f"no output directory at {settings.clean_path}")
    store = OutputStore(settings.clean_path)
    keys = lookup_keys(args.key)
    record = next((r for key in keys if (r := store.latest(key)) is not None), None)
    status = cli.EXIT_OK
    if record is None:
        # the index maps good records only; a URL that never fetched has its failure
        # records, and their errors are what the user came to read
        failure = next((f for key in keys if (f := store.latest_failure(key))), None)
        if failure is None:
            print(f"no record of {args.key} in {settings.clean_path}", file=sys.stderr)
            return cli.EXIT_FAILED
        shard, record = failure
        why = "; ".join(f"{e.stage}:{e.reason}" for e in record.errors)
        print(
            f"no good record of {args.key}: its latest failure record ({why}),"
            f" from {shard.relative_to(settings.clean_path)}",
            file=sys.stderr,
        )
        status = cli.EXIT_FAILED
    if args.json:
        print(json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(pretty(record, full=args.full))
    return status


if __name__ == "__main__":
    sys.exit(main())
