"""robots.txt honoured and fetched once per host, Crawl-delay and per-host spacing as
lower bounds on logged request times, per-host and global concurrency caps."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest

from papertrail.document import Document
from papertrail.errors import RobotsDisallowed
from papertrail.fetch import Fetcher
from papertrail.fetch.robots import MAX_ROBOTS_BYTES
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer

SettingsFactory = Callable[..., Settings]
pytestmark = pytest.mark.timeout(30)


# The server runs in the test process, so the time it logs a request lags the moment the
# client sent it by thread scheduling: tens of ms under the GIL, a few hundred on a loaded
# machine. Spacing is asserted as lower bounds with that allowance per gap (delays are
# chosen well above it, so "spaced" still differs from "not spaced": gaps near 0), and
# in total over the whole run, where only the two ends carry the jitter.
JITTER = 0.25


def _starts(server: HostileServer, prefix: str) -> list[float]:
    return sorted(r.time for r in server.requests(prefix))


def assert_spaced(times: list[float], delay: float) -> None:
    gaps = [b - a for a, b in pairwise(sorted(times))]
    assert gaps and min(gaps) >= delay - JITTER, gaps
    assert sum(gaps) >= len(gaps) * delay - JITTER, gaps


def test_per_host_spacing_is_at_least_the_delay(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    delay = 0.6
    docs = [Document(url=server.url(f"/page/{i}")) for i in range(6)]
    with Fetcher(make_settings(per_host_delay=delay, per_host_concurrency=3)) as fetcher:
        out = list(fetcher.fetch_many(docs))
    assert all(d.status == 200 for d in out)
    starts = _starts(server, "/")  # robots.txt counts too: it is a request to the host
    assert len(starts) == 7
    assert_spaced(starts, delay)


def test_other_hosts_are_not_held_back(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """Two host names for one server: each gets its own spacing, so the batch interleaves."""
    docs = [Document(url=server.url(f"/page/a{i}")) for i in range(3)]
    docs += [Document(url=server.url(f"/page/b{i}", host="localhost")) for i in range(3)]
    with Fetcher(make_settings(per_host_delay=0.6)) as fetcher:
        out = list(fetcher.fetch_many(docs))
    assert all(d.status == 200 for d in out)
    assert len(server.requests("/robots.txt")) == 2  # one per host
    by_host: dict[str, list[float]] = {}
    for r in server.log:
        by_host.setdefault(r.headers.get("Host", "").split(":")[0], []).append(r.time)
    for times in by_host.values():
        times.sort()
        assert_spaced(times, 0.6)


def test_robots_disallow_is_honoured_and_fetched_once(
    server: HostileServer, fetcher: Fetcher
) -> None:
    with pytest.raises(RobotsDisallowed) as info:
        fetcher.fetch(Document(url=server.url("/private/a")))
    assert info.value.reason == "robots_disallowed"
    fetcher.fetch(Document(url=server.url("/page/ok")))
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(Document(url=server.url("/private/b")))
    assert len(server.requests("/robots.txt")) == 1
    assert not server.requests("/private/")
    robots_request = server.requests("/robots.txt")[0]
    assert robots_request.headers["User-Agent"].startswith("papertrail/")


def test_robots_can_be_switched_off(server: HostileServer, make_settings: SettingsFactory) -> None:
    with Fetcher(make_settings(respect_robots=False)) as fetcher:
        doc = fetcher.fetch(Document(url=server.url("/private/a")))
    assert doc.status == 200
    assert not server.requests("/robots.txt")


def test_crawl_delay_spaces_requests(make_settings: SettingsFactory) -> None:
    robots = "User-agent: *\nCrawl-delay: 0.6\nDisallow: /private/\n"
    with HostileServer(robots_txt=robots) as server:
        docs = [Document(url=server.url(f"/page/{i}")) for i in range(3)]
        with Fetcher(make_settings(per_host_delay=0.0)) as fetcher:
            out = list(fetcher.fetch_many(docs))
            assert fetcher.gate.delay_for("127.0.0.1") == pytest.approx(0.6)
        assert all(d.status == 200 for d in out)
        starts = _starts(server, "/page/")
    assert_spaced(starts, 0.6)


def test_crawl_delay_is_capped(make_settings: SettingsFactory) -> None:
    robots = "User-agent: *\nCrawl-delay: 3600\n"
    with (
        HostileServer(robots_txt=robots) as server,
        Fetcher(make_settings(max_host_delay=0.2)) as f,
    ):
        f.fetch(Document(url=server.url("/page/x")))
        assert f.gate.delay_for("127.0.0.1") == pytest.approx(0.2)


def test_rules_for_our_agent_win_over_the_wildcard(make_settings: SettingsFactory) -> None:
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: papertrail\nAllow: /\n"
    with HostileServer(robots_txt=robots) as server, Fetcher(make_settings()) as fetcher:
        assert fetcher.fetch(Document(url=server.url("/page/x"))).status == 200


def test_missing_robots_allows_everything(make_settings: SettingsFactory) -> None:
    with HostileServer(robots_txt=None) as server, Fetcher(make_settings()) as fetcher:
        assert fetcher.fetch(Document(url=server.url("/private/x"))).status == 200


def test_unreachable_robots_disallows_the_origin(make_settings: SettingsFactory) -> None:
    """RFC 9309: a robots.txt that cannot be read (5xx, no answer) means "disallow"."""
    with HostileServer() as server, Fetcher(make_settings()) as fetcher:
        server.robots_status = 503
        with pytest.raises(RobotsDisallowed) as info:
            fetcher.fetch(Document(url=server.url("/page/x")))
        assert info.value.reason == "robots_unreachable"
        assert not server.requests("/page/")


def _robots_past_the_limit() -> str:
    """A 1 MiB robots.txt: a rule at the top, one at 300 KiB, a rule the 500 KiB cut
    falls in just after ``Disallow: /``, and one past the cut."""
    filler = "# " + "x" * 60 + "\n"
    text = "User-agent: *\nDisallow: /private/\n"
    while len(text) < 300 * 1024:
        text += filler
    text += "Disallow: /page/mid/\n"
    cut_at = MAX_ROBOTS_BYTES - len("Disallow: /")  # where the straddling rule starts
    while len(text) + len(filler) < cut_at:
        text += filler
    text += "#" * (cut_at - len(text) - 1) + "\n"
    text += "Disallow: /page/straddling/\nDisallow: /page/late/\n"
    while len(text) < 1024 * 1024:
        text += filler
    return text


def test_a_robots_txt_past_the_limit_is_read_up_to_it_not_refused(
    make_settings: SettingsFactory,
) -> None:
    """RFC 9309 §2.5: parse the first 500 KiB, ignore the rest. It used to be refused
    as ``too_large`` past ``max_bytes``, and so the whole site as ``robots_unreachable``;
    the page cap (64 KiB here) does not shorten the rules either."""
    robots = _robots_past_the_limit()
    assert robots[MAX_ROBOTS_BYTES - 11 : MAX_ROBOTS_BYTES] == "Disallow: /"
    with (
        HostileServer(robots_txt=robots) as server,
        Fetcher(make_settings(max_bytes=64 * 1024)) as fetcher,
    ):
        assert fetcher.fetch(Document(url=server.url("/page/ok"))).status == 200
        for path in ("/private/a", "/page/mid/b"):
            with pytest.raises(RobotsDisallowed) as info:
                fetcher.fetch(Document(url=server.url(path)))
            assert info.value.reason == "robots_disallowed"
        # past the cut: ignored, and the rule the cut falls in is dropped, not read as
        # "Disallow: /" (which /page/ok above would have hit)
        assert fetcher.fetch(Document(url=server.url("/page/late/c"))).status == 200
        assert fetcher.fetch(Document(url=server.url("/page/straddling/d"))).status == 200
        assert len(server.requests("/robots.txt")) == 1


def test_per_host_concurrency_cap(server: HostileServer, make_settings: SettingsFactory) -> None:
    docs = [Document(url=server.url(f"/slow?delay=0.5&n={i}")) for i in range(6)]
    with Fetcher(make_settings(per_host_concurrency=2)) as fetcher:
        out = list(fetcher.fetch_many(docs))
    assert all(d.status == 200 for d in out)
    assert server.max_in_flight == 2


def test_global_concurrency_cap(server: HostileServer, make_settings: SettingsFactory) -> None:
    docs = [Document(url=server.url(f"/slow?delay=0.5&n={i}")) for i in range(4)]
    docs += [Document(url=server.url(f"/slow?delay=0.5&m={i}", host="localhost")) for i in range(4)]
    settings = make_settings(per_host_concurrency=4, global_concurrency=3)
    with Fetcher(settings) as fetcher:
        out = list(fetcher.fetch_many(docs))
    assert all(d.status == 200 for d in out)
    assert server.max_in_flight == 3
