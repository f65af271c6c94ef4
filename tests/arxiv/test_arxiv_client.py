"""ArxivClient against the fake API on loopback: batching, cache, faults, spacing."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from arxiv_helpers import INTERVAL, arrival_gaps

from papertrail.arxiv import ArxivClient
from papertrail.errors import ArxivResponseError, ArxivUnavailable, InputError
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI

pytestmark = pytest.mark.timeout(60)

SettingsFor = Callable[..., Settings]
KNOWN = [f"0704.{n:04d}" for n in range(1, 31)]  # in the Kaggle sample


def test_n_new_ids_cost_ceil_n_over_chunk_requests(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(min_interval=INTERVAL) as api:
        settings = settings_for(api, arxiv_chunk_size=7)
        with ArxivClient(settings) as client:
            got = client.get_papers(KNOWN[:23])
        assert sorted(got.papers) == KNOWN[:23] and not got.not_found and not got.failed
        assert len(api.requests) == math.ceil(23 / 7)
        for r in api.requests:
            assert r.status == 200
            assert int(r.params["max_results"]) == 7 >= len(r.ids)
        assert client.stats.requests == 4 and client.stats.ids_asked == 23


def test_a_second_run_costs_zero_requests(settings_for: SettingsFor) -> None:
    ids = [*KNOWN[:5], "2401.99999"]
    with FakeArxivAPI(min_interval=INTERVAL) as api:
        settings = settings_for(api)
        with ArxivClient(settings) as first:
            a = first.get_papers(ids)
            first.search('ti:"prompt diphoton production"')
        n = len(api.requests)
        with ArxivClient(settings) as second:  # new object, same cache file
            b = second.get_papers(ids)
            second.search('ti:"prompt diphoton production"')
        assert len(api.requests) == n == 2
        assert b.papers == a.papers and b.not_found == a.not_found == {"2401.99999"}
        assert second.stats.requests == 0 and second.stats.cache_hits == 7


def test_versions_collapse_to_one_versionless_id(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        got = client.get_papers(["0704.0001v1", "0704.0001", "arXiv:0704.0001v2"])
        assert list(got.papers) == ["0704.0001"]
        assert got.papers["0704.0001"].version == 2  # the latest, not the one asked
        assert api.requests[0].ids == ["0704.0001"]


def test_unknown_ids_are_not_found(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        got = client.get_papers(["2401.99999", "hep-th/9901001", KNOWN[0]])
        assert got.not_found == {"2401.99999", "hep-th/9901001"}
        assert list(got.papers) == [KNOWN[0]] and not got.failed


def test_malformed_id_is_never_sent(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        got = client.get_papers(["abc", "1234.12345", KNOWN[0], "2307.0928"])
        assert got.failed == dict.fromkeys(["abc", "1234.12345", "2307.0928"], "malformed_id")
        assert [r.ids for r in api.requests] == [[KNOWN[0]]]
        assert all(r.status == 200 for r in api.requests)


def test_results_are_matched_by_id_not_position(settings_for: SettingsFor) -> None:
    ids = [KNOWN[0], "2401.99999", KNOWN[1], KNOWN[2]]
    with FakeArxivAPI(reverse=True) as api, ArxivClient(settings_for(api)) as client:
        got = client.get_papers(ids)
        for i in (KNOWN[0], KNOWN[1], KNOWN[2]):
            assert got.papers[i].arxiv_id == i
            assert got.papers[i].title == api.papers[i].title
        assert got.not_found == {"2401.99999"}


def test_spacing_holds_across_two_client_objects(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(min_interval=INTERVAL) as api:
        settings = settings_for(api, arxiv_chunk_size=2)

        def run(ids: list[str]) -> None:
            with ArxivClient(settings) as client:
                client.get_papers(ids)

        threads = [threading.Thread(target=run, args=(KNOWN[i::2][:6],)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(api.requests) == 6
        assert all(r.status == 200 for r in api.requests)  # no 429: never too fast
        assert min(arrival_gaps(api)) >= INTERVAL


_CHILD = """
import sys
from papertrail.arxiv import ArxivClient
from papertrail.settings import Settings
s = Settings(arxiv_api_url=sys.argv[1], data_dir=sys.argv[2], arxiv_interval=float(sys.argv[3]),
             arxiv_chunk_size=1, arxiv_cache_path=sys.argv[4], arxiv_backoff=0.05)
with ArxivClient(s) as c:
    got = c.get_papers(sys.argv[5].split(","))
    assert not got.failed, got.failed
"""


def test_spacing_holds_across_two_processes(settings_for: SettingsFor, tmp_path: Path) -> None:
    """Two runs with different data dirs still share one machine-wide limiter (issue 15:
    the stamp used to live in the data dir, and such runs asked 2 ms apart)."""
    src = str(Path(__file__).parents[2] / "src")
    state = os.environ["XDG_STATE_HOME"]  # a temporary dir (tests/conftest.py)
    with FakeArxivAPI(min_interval=INTERVAL) as api:
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _CHILD,
                    api.url,
                    str(tmp_path / f"data{i}"),
                    str(INTERVAL),
                    str(tmp_path / f"cache{i}.sqlite"),
                    ",".join(KNOWN[i * 4 : i * 4 + 4]),
                ],
                env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": state},
            )
            for i in (0, 1)
        ]
        for p in procs:
            assert p.wait(timeout=40) == 0
        assert len(api.requests) == 8
        assert all(r.status == 200 for r in api.requests)
        assert min(arrival_gaps(api)) >= INTERVAL
    assert (Path(state) / "papertrail" / "arxiv-limiter.lock").exists()


def test_429_retry_after_is_honoured(settings_for: SettingsFor) -> None:
    # Our limiter off (interval 0) so the fake's own limit answers 429 with Retry-After: 1.
    with FakeArxivAPI(min_interval=0.5, retry_after=1) as api:
        settings = settings_for(api, arxiv_interval=0.0, arxiv_chunk_size=1)
        with ArxivClient(settings) as client:
            got = client.get_papers(KNOWN[:2])
        assert sorted(got.papers) == KNOWN[:2]
        statuses = [r.status for r in api.requests]
        assert statuses == [200, 429, 200]
        assert api.requests[2].at - api.requests[1].at >= 1.0
        assert client.stats.rate_limited == 1 and client.stats.retries == 1
        assert client.stats.seconds_waited >= 1.0


def test_503_first_then_success(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(fail_first=2) as api, ArxivClient(settings_for(api)) as client:
        got = client.get_papers(KNOWN[:3])
        assert sorted(got.papers) == KNOWN[:3]
        assert [r.status for r in api.requests] == [503, 503, 200]
        assert client.stats.retries == 2 and client.stats.requests == 3
        assert min(arrival_gaps(api)) >= INTERVAL  # retries are spaced too


def test_outage_fails_ids_and_stops_asking(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(fail_first=100) as api:
        settings = settings_for(api, arxiv_retries=2, arxiv_chunk_size=2)
        with ArxivClient(settings) as client:
            got = client.get_papers(KNOWN[:6])
        assert got.failed == dict.fromkeys(KNOWN[:6], "arxiv_http_503")
        assert len(api.requests) == 3  # one chunk, tried 3 times; the others not sent
        with ArxivClient(settings) as client, pytest.raises(ArxivUnavailable):
            client.search('ti:"anything at all"')


def test_stall_times_out_and_is_retried(settings_for: SettingsFor) -> None:
    # the stall far past the timeout, the timeout far past a loaded machine's answer
    with FakeArxivAPI(stall_seconds=20.0, stall_first=1) as api:
        with ArxivClient(settings_for(api, arxiv_timeout=4.0)) as client:
            got = client.get_papers(KNOWN[:2])
        assert sorted(got.papers) == KNOWN[:2]
        assert len(api.requests) == 2 and client.stats.retries == 1


def test_error_feed_is_an_error_not_an_empty_success(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(error_feed_first=100) as api:
        with ArxivClient(settings_for(api, arxiv_retries=1)) as client:
            got = client.get_papers(KNOWN[:2])
            assert got.failed == dict.fromkeys(KNOWN[:2], "arxiv_error_feed")
            assert not got.papers and not got.not_found
            with pytest.raises(ArxivResponseError) as err:
                client.search('ti:"prompt diphoton"')
            assert err.value.reason == "arxiv_error_feed"
        # Nothing was cached as "not found" by the failure.
        api.error_feed_first = 0
        with ArxivClient(settings_for(api)) as client:
            assert sorted(client.get_papers(KNOWN[:2]).papers) == KNOWN[:2]


def test_truncated_body_is_retried_then_an_error(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(truncate_first=1) as api, ArxivClient(settings_for(api)) as client:
        assert sorted(client.get_papers(KNOWN[:3]).papers) == KNOWN[:3]
        assert len(api.requests) == 2
    with FakeArxivAPI(truncate_first=100) as api:
        with ArxivClient(settings_for(api, arxiv_retries=1)) as client:
            got = client.get_papers(KNOWN[3:5])
        assert got.failed == dict.fromkeys(KNOWN[3:5], "arxiv_truncated")


def test_long_id_lists_are_posted_not_414(settings_for: SettingsFor) -> None:
    ids = [f"2001.{n:05d}" for n in range(1, 401)]
    with FakeArxivAPI(synthesize=True, max_url_length=2500) as api:
        with ArxivClient(settings_for(api, arxiv_chunk_size=400)) as client:
            got = client.get_papers(ids)
        assert len(got.papers) == 400 and not got.failed
        assert [(r.method, r.status) for r in api.requests] == [("POST", 200)]


def test_search_ranks_and_is_cached(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        title = api.papers[KNOWN[0]].title
        results = client.search(f'ti:"{title}"', max_results=5)
        assert results[0].arxiv_id == KNOWN[0]
        assert client.search(f'ti:"{title}"', max_results=5) == results
        assert len(api.requests) == 1 and api.requests[0].params["max_results"] == "5"


def test_bad_search_input_is_a_clear_error(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        with pytest.raises(InputError) as err:
            client.search("   ")
        assert err.value.reason == "arxiv_empty_query"
        with pytest.raises(InputError) as err:
            client.search('ti:"x"', max_results=5000)
        assert err.value.reason == "arxiv_bad_max_results"
        assert api.requests == []


def test_threads_sharing_a_client_ask_each_id_once(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(min_interval=INTERVAL) as api, ArxivClient(settings_for(api)) as client:
        threads = [threading.Thread(target=client.get_papers, args=(KNOWN[:6],)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        asked = [i for r in api.requests for i in r.ids]
        assert sorted(asked) == KNOWN[:6]
        assert client.stats.requests == 1 and client.stats.cache_hits == 18


def test_the_limiter_stamp_is_per_machine_not_per_data_dir(tmp_path: Path) -> None:
    a = Settings(_env_file=None, data_dir=tmp_path / "a")  # type: ignore[call-arg]
    b = Settings(_env_file=None, data_dir=tmp_path / "b")  # type: ignore[call-arg]
    assert a.arxiv_limiter_file == b.arxiv_limiter_file
    assert a.arxiv_limiter_file.parent == Path(os.environ["XDG_STATE_HOME"]) / "papertrail"
    chosen = Settings(_env_file=None, arxiv_limiter_path=tmp_path / "x.lock")  # type: ignore[call-arg]
    assert chosen.arxiv_limiter_file == tmp_path / "x.lock"
