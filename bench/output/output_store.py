"""Measure the output store and discovery on this machine (figures for docs/output.md).

    python bench/output/output_store.py [N]      (after pip install -e .)

Writes N records (texts of the seed articles in tests/fixtures/seeds, 3 arXiv ids each) three times:
a first run (all new), a re-run (all unchanged) and a run where a tenth changed; then
rebuilds the index, iterates the current records and writes the catalogue; then parses
a 50,000-URL sitemap and a 200-item RSS feed served from loopback.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from papertrail.discover import discover
from papertrail.fetch import Requester
from papertrail.output import OutputStore, iter_current_records, write_catalogue
from papertrail.record import ArticleRecord, ArxivRef
from papertrail.settings import Settings
from papertrail.sources import FeedSource, SitemapSource
from tests.route_server import route_server

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
# real article texts when the fixtures are there, so gzip ratios mean something
TEXTS = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))] or [
    "大模型在自然语言处理任务中表现出色，但是需要昂贵的云服务进行部署。" * 120
]


def record(i: int, edit: int = 0) -> ArticleRecord:
    url = f"https://news.example/{i}.html"
    text = f"{TEXTS[i % len(TEXTS)]}\n{i}:{edit}"
    return ArticleRecord(
        article_id=hashlib.sha256(url.encode()).hexdigest()[:16],
        url=url,
        fetched_at=datetime.now(UTC),
        status=200,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        arxiv=[ArxivRef(id=f"2401.{(i * 7 + k) % 5000:05d}", found_by="link") for k in range(3)],
        extractor_version="bench",
    )


def timed(label: str, fn, n: int | None = None):
    start = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - start
    rate = f", {n / secs:,.0f}/s" if n else ""
    print(f"{label:<48} {secs:7.2f} s{rate}")
    return out


def bench_store(n: int, gz: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp)
        store = OutputStore(clean, gzip=gz)
        records = [record(i) for i in range(n)]
        tag = "gzip" if gz else "plain"

        def run(run_id: str, recs: list[ArticleRecord]) -> int:
            with store.open_run(run_id) as w:
                for r in recs:
                    w.write(r)
            return w.written

        timed(f"[{tag}] run 1: {n} new records", lambda: run("r1", records), n)
        timed(f"[{tag}] run 2: {n} unchanged", lambda: run("r2", records), n)
        changed = [record(i, 1) if i % 10 == 0 else record(i) for i in range(n)]
        timed(f"[{tag}] run 3: {n}, a tenth changed", lambda: run("r3", changed), n)
        size = sum(p.stat().st_size for p in clean.glob("articles/*/*"))
        print(f"[{tag}] shard bytes per record: {size / (n * 1.1):,.0f}")
        timed(f"[{tag}] rebuild index from shards", store.rebuild_index, int(n * 1.1))
        count = timed(
            f"[{tag}] iter_current_records",
            lambda: sum(1 for _ in iter_current_records(clean)),
            n,
        )
        assert count == n
        timed(f"[{tag}] write_catalogue", lambda: write_catalogue(clean), n)


def bench_discovery() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=Path(tempfile.mkdtemp()),
        allow_private=True,
        per_host_delay=0,
        fetch_timeout=30,
    )
    with route_server() as srv, Requester(settings) as client:
        locs = "".join(f"<url><loc>{srv.base}/a/{i}.html</loc></url>" for i in range(50_000))
        body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
        url = srv.add("/sitemap.xml.gz", gzip.compress(body.encode()))
        src = SitemapSource(name="s", kind="sitemap", url=url, max_new=100_000)
        got = timed("sitemap, 50,000 URLs (.gz), all new", lambda: discover(src, client), 50_000)
        assert len(got) == 50_000
        seen = set(got[:-20])
        src20 = SitemapSource(name="s", kind="sitemap", url=url, max_new=20)
        got = timed(
            "sitemap, 50,000 URLs, 20 new (ledger)",
            lambda: discover(src20, client, seen=seen.__contains__),
        )
        assert len(got) == 20
        items = "".join(
            f"<item><title>t{i}</title><link>{srv.base}/n/{i}</link></item>" for i in range(200)
        )
        feed = srv.add("/rss.xml", f'<rss version="2.0"><channel>{items}</channel></rss>')
        fsrc = FeedSource(name="f", kind="feed", url=feed, max_new=500)
        timed("RSS feed, 200 items", lambda: discover(fsrc, client), 200)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    bench_store(n, gz=False)
    bench_store(n, gz=True)
    bench_discovery()
