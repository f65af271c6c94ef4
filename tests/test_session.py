"""Session: the plain-function run honours the output settings."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from papertrail.session import Session
from papertrail.settings import Settings

from .conftest import FIXTURES


def test_gzip_output_setting_gzips_the_run_shards(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", gzip_output=True, enrich=False, process_workers=0
    )
    session = Session(settings)
    try:
        summary = session.run([str(FIXTURES / "pages" / "roundup.html")])
    finally:
        session.close()
    (shard,) = (tmp_path / "data" / "clean" / "articles").glob("*/*.jsonl.gz")
    (line,) = gzip.decompress(shard.read_bytes()).decode("utf-8").splitlines()
    assert json.loads(line)["title"] == "本周值得一读的四篇机器学习论文"
    assert summary.records_written == 1


def test_a_copy_under_another_url_says_which_record_it_repeats(tmp_path: Path) -> None:
    """Same canonical URL = same article: the copy writes nothing and the run says why."""
    first = tmp_path / "first.html"
    copy = tmp_path / "copy.html"
    page = (FIXTURES / "pages" / "roundup.html").read_bytes()
    first.write_bytes(page)
    copy.write_bytes(page)
    settings = Settings(data_dir=tmp_path / "data", enrich=False, process_workers=0)
    session = Session(settings)
    try:
        session.run([str(first)])
        summary = session.run([str(copy)])
    finally:
        session.close()
    assert summary.unchanged == 1 and summary.records_written == 0
    (note,) = summary.notes
    assert "copy.html: unchanged, same article as " in note
    assert "first.html" in note
    assert "https://example.org/news/2024/ml-weekly-15.html" in note


def test_shares_of_a_page_without_canonical_link_are_one_article(tmp_path: Path) -> None:
    """No ``<link rel=canonical>``: the URL's canonical form names the article, so a share
    with a fragment (or, by the same rule, a tracking parameter) is the article already
    written, not another."""
    from papertrail.testing.pages import Page, PageServer

    page = (FIXTURES / "pages" / "roundup.html").read_text("utf-8")
    page = page.replace('rel="canonical"', 'rel="alternate"')
    assert 'rel="canonical"' not in page
    with PageServer() as site:
        url = site.add("/post.html", Page(page.encode("utf-8")))
        settings = Settings(
            data_dir=tmp_path / "data",
            enrich=False,
            process_workers=0,
            allow_private=True,
            per_host_delay=0.0,
            skip_unchanged=False,
        )
        session = Session(settings)
        try:
            first = session.run([url])
            again = session.run([f"{url}#section-2", f"{url}#top"])
        finally:
            session.close()
    assert first.records_written == 1
    assert again.records_written == 0 and again.unchanged == 2, again
    records = [
        json.loads(line)
        for shard in (tmp_path / "data" / "clean" / "articles").glob("*/*.jsonl")
        for line in shard.read_text("utf-8").splitlines()
    ]
    (record,) = records
    assert record["canonical_url"] == url


def test_a_page_given_again_in_one_run_is_fetched_once(tmp_path: Path) -> None:
    """The same URL twice (a --from list concatenated from two), a share with a fragment,
    the host in capitals and a password: one page, one request, one record; each repeat
    is accounted for, with a note naming the first."""
    from papertrail.testing.pages import Page, PageServer

    page = (FIXTURES / "pages" / "roundup.html").read_text("utf-8")
    with PageServer() as site:
        url = site.add("/post.html", Page(page.encode("utf-8")))
        spellings = [
            url, url, f"{url}#top", url.replace("http://", "HTTP://"),
            url.replace("http://", "http://alice:pw@"),
        ]  # fmt: skip
        settings = Settings(
            data_dir=tmp_path / "data", enrich=False, process_workers=0,
            allow_private=True, per_host_delay=0.0,
        )  # fmt: skip
        session = Session(settings)
        try:
            summary = session.run(spellings, batch_size=2)
        finally:
            session.close()
        fetched = [r.path for r in site.requests if r.path != "/robots.txt"]
    assert fetched == ["/post.html"]
    assert (summary.inputs, summary.pages, summary.unchanged) == (5, 1, 4), summary
    assert summary.records_written == 1 and summary.ok
    # one note per distinct line: the password spelling is stored as the bare URL
    assert sum("given earlier in this run" in note for note in summary.notes) == 3
    assert not any("alice" in note or "pw@" in note for note in summary.notes)


def test_discover_reports_each_source_and_one_broken_feed_sinks_nothing(tmp_path: Path) -> None:
    """Discovery through the session's fetcher: new URLs per source, already-ingested ones
    dropped, a feed that answers 404 reported in its own row."""
    from papertrail.testing.pages import Page, PageServer

    with PageServer() as site:
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            + "".join(f"<item><link>{site.url(f'/a/{n}.html')}</link></item>" for n in range(3))
            + "</channel></rss>"
        )
        site.add("/feed.xml", Page(rss.encode(), "application/rss+xml"))
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "good"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
            f'[[source]]\nname = "gone"\nkind = "feed"\nurl = "{site.url("/missing.xml")}"\n'
            '[[source]]\nname = "off"\nkind = "feed"\nurl = "https://example.org/f"\n'
            "enabled = false\n",
            encoding="utf-8",
        )
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=tmp_path / "data",
            sources_file=sources,
            allow_private=True,
            per_host_delay=0.0,
            fetch_retries=0,
        )
        session = Session(settings)
        try:
            assert session.discovery_sources() == ["good", "gone"]
            good = session.discover("good", known={site.url("/a/0.html")})
            gone = session.discover("gone")
        finally:
            session.close()
    assert good["urls"] == [site.url("/a/1.html"), site.url("/a/2.html")]
    assert good["seen"] == 1 and good["error"] is None
    assert gone["urls"] == [] and "404" in gone["error"]


def test_a_home_relative_data_dir_in_a_dot_env_file_goes_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PAPERTRAIL_DATA_DIR=~/papertrail`` in a ``.env`` file (or a systemd unit, a work
    pool's job variables: nothing expands ``~`` there) wrote the output to a directory
    literally named ``~`` under the working directory."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    (work / ".env").write_text("PAPERTRAIL_DATA_DIR=~/papertrail\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PAPERTRAIL_DATA_DIR", raising=False)
    monkeypatch.chdir(work)
    session = Session(Settings(enrich=False, process_workers=0))
    try:
        session.run([str(FIXTURES / "pages" / "roundup.html")])
    finally:
        session.close()
    assert not (work / "~").exists()
    assert len(list((home / "papertrail" / "clean" / "articles").glob("*/*.jsonl"))) == 1
