"""The sources file: valid files load, bad ones name the file, the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.errors import ConfigError
from papertrail.settings import Settings
from papertrail.sources import (
    FeedSource,
    ListingSource,
    SitemapSource,
    SourcesError,
    UrlsSource,
    load_sources,
    parse_sources,
    validate_cron,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sources.toml"

GOOD = r"""
[defaults]
schedule = "0 */4 * * *"
max_new = 7

[[source]]
name = "feed-a"
kind = "feed"
url = "https://news.example/rss.xml"

[[source]]
name = "map"
kind = "sitemap"
url = "https://news.example/sitemap.xml.gz"
link_pattern = "/article/"
newest_first = true
schedule = "@daily"
timezone = "Asia/Shanghai"

[[source]]
name = "front"
kind = "listing"
url = "https://news.example/ai/"
link_pattern = '/ai/\d+\.html$'
max_new = 3
enabled = false

[[source]]
name = "list"
kind = "urls"
urls = ["https://a.example/1", "https://a.example/2"]
"""


def load_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file(tmp_path: Path) -> None:
    sf = load_sources(load_text(tmp_path, GOOD))
    feed, smap, front, lst = sf.sources
    assert isinstance(feed, FeedSource) and feed.max_new == 7 and feed.schedule == "0 */4 * * *"
    assert isinstance(smap, SitemapSource) and smap.schedule == "@daily" and smap.newest_first
    assert isinstance(front, ListingSource) and front.max_new == 3 and not front.enabled
    assert isinstance(lst, UrlsSource) and len(lst.urls) == 2
    assert [s.name for s in sf.enabled] == ["feed-a", "map", "list"]
    assert sf.get("map") is smap
    assert smap.accepts("https://news.example/article/1") and not smap.accepts("https://x/")


def test_urls_file_is_relative_to_sources_file(tmp_path: Path) -> None:
    (tmp_path / "seeds.txt").write_text("# seeds\nhttps://a.example/1\n\nhttps://a.example/2\n")
    text = '[[source]]\nname = "seeds"\nkind = "urls"\nfile = "seeds.txt"\n'
    (src,) = load_sources(load_text(tmp_path, text)).sources
    assert isinstance(src, UrlsSource) and src.file == tmp_path / "seeds.txt"


def test_shipped_example_is_valid() -> None:
    sf = load_sources(EXAMPLE)
    assert {s.kind for s in sf.sources} == {"feed", "sitemap", "listing", "urls"}


def test_setting_default() -> None:
    assert Settings().sources_file == Path("sources.toml")


@pytest.mark.parametrize(
    ("text", "source", "field", "words"),
    [
        ('[[source]]\nname="x"\nkind="feed"\nurl="ftp://a"\n', "x", "url", "http(s) URL"),
        (
            '[[source]]\nname="x"\nkind="feed"\nurl="http://a.b/"\nschedule="61 * * * *"\n',
            "x",
            "schedule",
            "invalid cron",
        ),
        (
            '[[source]]\nname="x"\nkind="feed"\nurl="http://a.b/"\nschedule="* * *"\n',
            "x",
            "schedule",
            "5 fields",
        ),
        ('[[source]]\nname="x"\nkind="rss"\n', "x", "kind", "feed, sitemap, listing, urls"),
        ('[[source]]\nname="x"\n', "x", "kind", ""),
        ('[[source]]\nname="x"\nkind="urls"\n', "x", "", "give `urls`"),
        ('[[source]]\nname="x"\nkind="listing"\nurl="http://a.b/"\n', "x", "link_pattern", ""),
        (
            '[[source]]\nname="x"\nkind="listing"\nurl="http://a.b/"\nlink_pattern="(["\n',
            "x",
            "link_pattern",
            "regular expression",
        ),
        ('[[source]]\nname="x"\nkind="feed"\nurl="http://a.b/"\nfoo=1\n', "x", "foo", "xtra"),
        ('[[source]]\nname="x"\nkind="feed"\nurl="http://a.b/"\nmax_new=0\n', "x", "max_new", ""),
        (
            '[[source]]\nname="x"\nkind="feed"\nurl="http://a.b/"\ntimezone="Mars/Base"\n',
            "x",
            "timezone",
            "unknown time zone",
        ),
        ('[[source]]\nkind="feed"\nurl="http://a.b/"\n', "#1", "name", ""),
        ('[[source]]\nname="a b"\nkind="feed"\nurl="http://a.b/"\n', "a b", "name", ""),
        (
            '[[source]]\nname="x"\nkind="urls"\nurls=["http://a/1"]\n'
            '[[source]]\nname="x"\nkind="urls"\nurls=["http://a/2"]\n',
            "x",
            "name",
            "two sources",
        ),
        ('[[source]]\nname="x"\nkind="urls"\nfile="missing.txt"\n', "x", "file", "does not exist"),
        ('[defaults]\nurl="http://a.b/"\n', None, "defaults", "may only set"),
        ("sources = 1\n", None, "sources", "xtra"),
    ],
)
def test_bad_files_name_source_and_field(
    tmp_path: Path, text: str, source: str | None, field: str, words: str
) -> None:
    path = load_text(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    exc = err.value
    assert isinstance(exc, SourcesError)
    assert exc.reason == "sources_invalid"
    assert exc.path == path and str(path) in str(exc)
    assert exc.source == source
    if field:
        assert exc.field == field and repr(field) in str(exc)
    assert words in str(exc)


def test_not_toml_and_missing(tmp_path: Path) -> None:
    with pytest.raises(SourcesError) as err:
        load_sources(load_text(tmp_path, "[[source]\nname = 'x'\n"))
    assert err.value.reason == "sources_syntax" and "line 1" in str(err.value)
    with pytest.raises(SourcesError) as err:
        load_sources(tmp_path / "nope.toml")
    assert err.value.reason == "sources_missing" and "nope.toml" in str(err.value)
    with pytest.raises(SourcesError) as err:
        parse_sources("x = 1\n", tmp_path / "s.toml")
    assert err.value.field == "x"


@pytest.mark.parametrize("expr", ["@hourly", "*/15 * * * *", "0 8 * * mon-fri", "0 0 L * *"])
def test_cron_ok(expr: str) -> None:
    assert validate_cron(expr) == expr


def test_empty_file_has_no_sources(tmp_path: Path) -> None:
    assert load_sources(load_text(tmp_path, "# nothing yet\n")).sources == []
