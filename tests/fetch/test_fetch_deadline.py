"""The fetch deadline bounds a whole request (connect, headers, body), and a request it
cut short is not retried at once: the page is tried again on a later run (issue 15).

Bounds on elapsed time are deliberately loose (deadline + 10 s): they tell "the deadline
fired" from "still trickling after minutes", never how fast the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from papertrail.document import Document
from papertrail.errors import DeadlineExceeded, FetchError
from papertrail.fetch import Fetcher, make_client, total_deadline
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer

SettingsFactory = Callable[..., Settings]

pytestmark = pytest.mark.timeout(90)

DEADLINE = 5.0
SLACK = 10.0  # generous: a loaded machine, never a trickling server, needs this


def test_headers_at_one_byte_a_second_end_at_the_deadline(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(fetch_timeout=3.0, fetch_deadline=DEADLINE, fetch_retries=0)
    doc = Document(url=server.url("/trickle-headers?interval=1"))
    start = time.monotonic()
    with Fetcher(settings) as fetcher:
        list(fetcher.fetch_many([doc]))
    elapsed = time.monotonic() - start
    assert [(e.stage, e.reason) for e in doc.errors] == [("fetch", "timeout")]
    assert "deadline" in doc.errors[0].message
    assert elapsed < DEADLINE + SLACK  # without the deadline: ~290 s of headers


def test_a_deadline_timeout_is_not_retried_at_once(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(fetch_timeout=3.0, fetch_deadline=DEADLINE, fetch_retries=3)
    url = server.url("/trickle?chunks=400&interval=0.1")  # 40 s of body, a byte at a time
    start = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(DeadlineExceeded) as info:
        fetcher.fetch(Document(url=url))
    assert info.value.reason == "timeout"
    assert len(server.requests("/trickle")) == 1  # not 4 tries of 5 s each
    assert time.monotonic() - start < DEADLINE + SLACK


def test_a_page_cut_short_is_tried_again_on_the_next_run(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(fetch_timeout=3.0, fetch_deadline=3.0, fetch_retries=2)
    url = server.url("/trickle-headers?interval=1")
    for _ in range(2):  # two runs sharing one data dir (and so one ledger)
        with Fetcher(settings, extractor_version="v1") as fetcher, pytest.raises(FetchError):
            fetcher.fetch(Document(url=url))
    assert len(server.requests("/trickle-headers")) == 2


def test_a_silent_server_is_still_retried(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """A per-read timeout (not the deadline) is worth another try, as before."""
    settings = make_settings(fetch_timeout=1.0, fetch_deadline=30.0, fetch_retries=1)
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(Document(url=server.url("/slow?delay=20")))
    assert info.value.reason == "timeout" and not isinstance(info.value, DeadlineExceeded)
    assert len(server.requests("/slow")) == 2


def test_total_deadline_bounds_a_plain_client_too(server: HostileServer) -> None:
    """The client factory is shared (discovery, arXiv): its requests honour the deadline."""
    client = make_client(timeout=httpx.Timeout(3.0), headers={})
    start = time.monotonic()
    with client, total_deadline(DEADLINE) as deadline, pytest.raises(httpx.TimeoutException):
        client.get(server.url("/trickle-headers?interval=1"))
    assert deadline.hit
    assert time.monotonic() - start < DEADLINE + SLACK
