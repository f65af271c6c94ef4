"""Soak: rounds of discovery and ingest over a loopback site mixing good pages and every
fault of issue 15, for a bounded time, checking after each round that every good page
was written exactly once and every bad one recorded with its reason.

One round (a new :class:`~papertrail.session.Session`, as one CLI run):

1. **preflight** of the inputs refuses the malformed ones (``http://[::1:123``, a URL
   with a non-UTF-8 byte), each named;
2. **discovery** through the page fetcher: a sitemap listing the round's good pages plus
   ``http://[::1`` (skipped and counted), a feed that trickles its headers (ends at the
   fetch deadline), a feed on a cloud metadata address (refused);
3. **ingest** of the discovered pages, last round's good pages again (unchanged: no new
   record), a UTF-8 page under a GBK header, and every fetch fault: headers or body at
   one byte per interval, a silent server, resets, an endless body, a gzip bomb,
   binary and PDF bodies, redirect loop, 404, 500 for ever, robots.txt-disallowed, a
   redirect to a metadata address, and one trickling URL shared by all rounds (retried
   on each later run, never at once);
4. **arXiv**: every ``--arxiv-trickle-every``-th round talks to an API that trickles its
   answer: records are written pending with ``enrich:arxiv_timeout``.

    python -m bench.soak.run                       # 30 minutes
    python -m bench.soak.run --minutes 5 --json bench/soak/results.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from papertrail.discover import discover_detailed
from papertrail.errors import PapertrailError
from papertrail.fetch import Fetcher
from papertrail.preflight import preflight
from papertrail.record import ArticleRecord
from papertrail.session import Session
from papertrail.settings import Settings
from papertrail.sources import FeedSource, SitemapSource
from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.hostile import CHARSET_TEXT, HostileServer
from papertrail.testing.pages import Page, PageServer

FETCH_TIMEOUT = 4.0
FETCH_DEADLINE = 8.0
ARXIV_TIMEOUT = 3.0
SHARED_TRICKLE = "/trickle-headers?interval=1&shared=1"  # the same URL every round


def bad_pages(r: int) -> dict[str, str]:
    """Path (unique to round ``r``) -> the ``stage:reason`` its record must carry."""
    return {
        f"/trickle-headers?interval=1&r={r}": "fetch:timeout",
        f"/trickle?chunks=400&interval=0.1&r={r}": "fetch:timeout",
        f"/slow?delay=60&r={r}": "fetch:timeout",
        f"/reset/r{r}?times=-1": "fetch:connection_error",
        f"/endless?r={r}": "fetch:too_large",
        f"/bomb?mb=20&r={r}": "fetch:decompression_bomb",
        f"/binary?r={r}": "fetch:binary_content",
        f"/pdf?r={r}": "fetch:unsupported_content_type",
        f"/redirect/loop/a?r={r}": "fetch:redirect_loop",
        f"/status/404?r={r}": "fetch:http_404",
        f"/fail/r{r}?times=99": "fetch:http_500",
        f"/private/r{r}": "fetch:robots_disallowed",
        f"/redirect/to?location=http://169.254.169.254/latest/&r={r}": "fetch:blocked_address",
    }


MALFORMED = {
    "http://[::1:123": "bad_url",
    b"https://example.org/caf\xe9".decode("utf-8", "surrogateescape"): "bad_encoding",
}


@dataclass
class Tally:
    rounds: int = 0
    seconds: float = 0.0
    good_pages: int = 0  # distinct good pages ingested
    good_written_once: int = 0
    rewrites_avoided: int = 0  # last round's pages fetched again, no new record
    bad_pages: int = 0
    bad_recorded: int = 0  # with the expected stage:reason
    preflight_refused: int = 0
    discovery_invalid_links: int = 0
    discovery_faults_recorded: int = 0
    shared_trickle_requests: int = 0
    arxiv_pending_rounds: int = 0
    records: int = 0
    round_seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def settings_for(data: Path, arxiv_url: str, *, trickling_arxiv: bool) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data,
        allow_private=True,
        per_host_delay=0.0,
        per_host_concurrency=8,
        fetch_timeout=FETCH_TIMEOUT,
        fetch_deadline=FETCH_DEADLINE,
        fetch_retries=1,
        retry_backoff=0.1,
        arxiv_api_url=arxiv_url,
        arxiv_interval=0.0,
        arxiv_timeout=ARXIV_TIMEOUT,
        arxiv_retries=0 if trickling_arxiv else 2,
        arxiv_backoff=0.1,
        resolve_titles=False,
    )


def read_store(clean: Path) -> tuple[Counter[str], dict[str, ArticleRecord]]:
    """Article records per URL (all versions) and each URL's latest record of any kind."""
    counts: Counter[str] = Counter()
    latest: dict[str, ArticleRecord] = {}
    for path in sorted(clean.rglob("*.jsonl")):
        if path.name.startswith(".") or path.name == "papers.jsonl":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = ArticleRecord.model_validate_json(line)
            if path.parts[-3] == "articles":
                counts[record.url] += 1
            latest[record.url] = record
    return counts, latest


def one_round(  # noqa: C901 - one soak round reads best as one script of faults
    r: int,
    tally: Tally,
    data: Path,
    hostile: HostileServer,
    pages: PageServer,
    arxiv: FakeArxivAPI,
    slow_arxiv: FakeArxivAPI,
    *,
    good_per_round: int,
    trickling_arxiv: bool,
    previous_good: list[str],
) -> list[str]:
    settings = settings_for(data, (slow_arxiv if trickling_arxiv else arxiv).url,
                            trickling_arxiv=trickling_arxiv)  # fmt: skip
    good = [hostile.url(f"/page/r{r}-{i}") for i in range(good_per_round)]
    good.append(hostile.url(f"/charset/utf-8?declare=wrong&r={r}"))  # UTF-8, header says GBK
    bad = {hostile.url(p): why for p, why in bad_pages(r).items()}
    bad[hostile.url(SHARED_TRICKLE)] = "fetch:timeout"

    refused = preflight(settings, list(MALFORMED))
    if sorted(p.reason for p in refused) == sorted(MALFORMED.values()):
        tally.preflight_refused += len(refused)
    else:
        tally.problems.append(f"round {r}: preflight said {refused}")

    sitemap_body = "".join(f"<url><loc>{u}</loc></url>" for u in good[:-1])
    sitemap_body += "<url><loc>http://[::1</loc></url>"
    sitemap_url = pages.add(
        f"/sitemap-{r}.xml",
        Page(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap_body}'
             "</urlset>".encode(), "application/xml"),
    )  # fmt: skip
    with Fetcher(settings) as fetcher:
        found = discover_detailed(
            SitemapSource(name="s", kind="sitemap", url=sitemap_url),  # type: ignore[call-arg]
            fetcher,
        )
        if found.urls == good[:-1] and found.invalid == 1:
            tally.discovery_invalid_links += 1
        else:
            tally.problems.append(f"round {r}: sitemap gave {found.urls} invalid={found.invalid}")
        for url, reason in (
            (hostile.url(f"/trickle-headers?interval=1&feed={r}"), "timeout"),
            ("http://169.254.169.254/latest/feed.xml", "blocked_address"),
        ):
            try:
                discover_detailed(FeedSource(name="f", kind="feed", url=url), fetcher)  # type: ignore[call-arg]
                tally.problems.append(f"round {r}: feed {url} did not fail")
            except PapertrailError as exc:
                if exc.reason == reason:
                    tally.discovery_faults_recorded += 1
                else:
                    tally.problems.append(f"round {r}: feed {url}: {exc.reason}, not {reason}")

    inputs = [*found.urls, good[-1], *previous_good, *bad]
    start = time.monotonic()
    session = Session(settings)
    try:
        summary = session.run(inputs, batch_size=25)
    finally:
        session.close()
    tally.round_seconds.append(round(time.monotonic() - start, 1))

    counts, latest = read_store(settings.clean_path)
    tally.records = sum(1 for _ in latest)
    for url in good:
        record = latest.get(url)
        if (
            counts[url] == 1
            and record is not None
            and not any(e.stage == "fetch" for e in record.errors)
        ):
            tally.good_written_once += 1
            if url == good[-1] and CHARSET_TEXT[:10] not in record.text:
                tally.problems.append(f"round {r}: {url} decoded wrongly: {record.encoding}")
            if trickling_arxiv and record.enrichment == "pending":
                if [e.reason for e in record.errors] != ["arxiv_timeout"]:
                    tally.problems.append(f"round {r}: {url} pending with {record.errors}")
            elif record.enrichment != "done":
                tally.problems.append(f"round {r}: {url} enrichment {record.enrichment}")
        else:
            tally.problems.append(f"round {r}: {url} written {counts[url]} times")
    tally.good_pages += len(good)
    for url in previous_good:
        if counts[url] == 1:
            tally.rewrites_avoided += 1
        else:
            tally.problems.append(f"round {r}: {url} (unchanged) now has {counts[url]} records")
    for url, why in bad.items():
        tally.bad_pages += 1
        record = latest.get(url)
        got = [f"{e.stage}:{e.reason}" for e in record.errors] if record else []
        if got == [why] and counts[url] == 0:
            tally.bad_recorded += 1
        else:
            tally.problems.append(f"round {r}: {url} recorded as {got}, expected {why}")
    if trickling_arxiv:
        tally.arxiv_pending_rounds += 1
    tally.shared_trickle_requests = len(hostile.requests(SHARED_TRICKLE))
    print(
        f"round {r}: {len(inputs)} inputs, {summary.records_written} records, "
        f"{tally.round_seconds[-1]:.0f} s, problems so far {len(tally.problems)}",
        flush=True,
    )
    return good


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak.run", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0, help="time budget (default 30)")
    parser.add_argument(
        "--rounds", type=int, metavar="N", help="stop after N rounds (at least one always runs)"
    )
    parser.add_argument("--good", type=int, default=20, help="good pages per round")
    parser.add_argument("--arxiv-trickle-every", type=int, default=4, metavar="N")
    parser.add_argument("--data-dir", type=Path, help="default: a temporary directory")
    parser.add_argument("--json", type=Path, help="write the tally here")
    args = parser.parse_args(argv)
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="papertrail-soak-")) / "data"
    tally = Tally()
    started = time.monotonic()
    stop_at = started + args.minutes * 60
    previous: list[str] = []
    with (
        HostileServer() as hostile,
        PageServer() as pages,
        FakeArxivAPI(synthesize=True) as arxiv,
        FakeArxivAPI(synthesize=True, trickle=1.0) as slow_arxiv,
    ):
        r = 0
        # at least one round, however small the budget: the setup alone can outlast it
        while r == 0 or (time.monotonic() < stop_at and (args.rounds is None or r < args.rounds)):
            r += 1
            trickling = args.arxiv_trickle_every > 0 and r % args.arxiv_trickle_every == 0
            previous = one_round(
                r, tally, data, hostile, pages, arxiv, slow_arxiv,
                good_per_round=args.good, trickling_arxiv=trickling, previous_good=previous,
            )  # fmt: skip
            tally.rounds = r
    tally.seconds = round(time.monotonic() - started, 1)
    if tally.shared_trickle_requests != tally.rounds:
        tally.problems.append(
            f"the shared trickling URL was requested {tally.shared_trickle_requests} times in "
            f"{tally.rounds} runs (expected once per run: no retry at once, retried next run)"
        )
    report = asdict(tally) | {"ok": tally.ok, "data_dir": str(data)}
    times = sorted(tally.round_seconds) or [0.0]
    report["round_seconds"] = {
        "median": times[len(times) // 2], "max": times[-1], "min": times[0]
    }  # fmt: skip
    report["problems"] = tally.problems[:50]
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if tally.ok else 1


if __name__ == "__main__":
    sys.exit(main())
