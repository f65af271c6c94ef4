"""The fake API itself behaves like the real one where tests depend on it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from papertrail.arxiv import parse_feed
from papertrail.errors import ArxivResponseError
from papertrail.testing.fake_arxiv import FakeArxivAPI

pytestmark = pytest.mark.timeout(30)


def test_catalogue_reads_both_metadata_formats() -> None:
    with FakeArxivAPI() as api:
        assert {"0704.0001", "1107.5789", "physics/0604224"} <= api.papers.keys()
        oai = api.papers["1107.5789"]
        assert oai.authors[0] == "Karim Adiprasito" and oai.categories[0] == "math"
        page = parse_feed(httpx.get(api.url, params={"id_list": "1111.0250"}).content)
        assert page.papers[0].doi == "10.1007/s00041-013-9271-8"


def test_missing_or_empty_catalogue_dirs_are_fine(tmp_path: Path) -> None:
    with FakeArxivAPI(catalogue_dirs=[tmp_path / "nope", tmp_path]) as api:
        assert api.papers == {}
        page = parse_feed(httpx.get(api.url, params={"id_list": "0704.0001"}).content)
        assert page.total == 0 and page.papers == []


def test_max_results_silently_caps_an_id_list() -> None:
    ids = ",".join(f"0704.{n:04d}" for n in range(1, 13))
    with FakeArxivAPI() as api:
        page = parse_feed(httpx.get(api.url, params={"id_list": ids, "max_results": 5}).content)
        assert page.total == 12 and len(page.papers) == 5


def test_malformed_id_gets_http_400_error_feed() -> None:
    with FakeArxivAPI() as api:
        r = httpx.get(api.url, params={"id_list": "0704.0001,abc"})
        assert r.status_code == 400
        with pytest.raises(ArxivResponseError, match="incorrect id format for abc"):
            parse_feed(r.content)


def test_too_fast_gets_429_with_retry_after() -> None:
    with FakeArxivAPI(min_interval=5.0) as api, httpx.Client() as c:
        assert c.get(api.url, params={"id_list": "0704.0001"}).status_code == 200
        r = c.get(api.url, params={"id_list": "0704.0001"})
        assert r.status_code == 429 and r.headers["Retry-After"] == "5"
        assert [x.status for x in api.requests] == [200, 429]


def test_search_brings_back_near_misses_ranked_below_the_match() -> None:
    with FakeArxivAPI() as api:
        q = 'ti:"Metric Geometry, Convexity and Collapsibility"'
        r = httpx.get(api.url, params={"search_query": q, "max_results": 20})
        page = parse_feed(r.content)
        assert page.papers[0].arxiv_id == "1107.5789"
        assert len(page.papers) > 1  # distractors sharing words come back too
        both = 'ti:"Metric Geometry" AND au:Adiprasito'
        page = parse_feed(httpx.get(api.url, params={"search_query": both}).content)
        assert [p.arxiv_id for p in page.papers] == ["1107.5789"]


def test_command_line_prints_its_url_and_serves() -> None:
    src = str(Path(__file__).parents[2] / "src")
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertrail.testing.fake_arxiv", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/query", url)
        assert httpx.get(url, params={"id_list": "0704.0001"}, timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
