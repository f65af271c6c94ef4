"""The Prefect adapter for the arXiv limiter (flows/arxiv_limit.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arxiv_helpers import arrival_gaps
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.arxiv_limit import LIMIT_NAME, PrefectRateLimiter, make_limiter
from papertrail.arxiv import ArxivClient, FileLimiter
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI

SettingsFor = Callable[..., Settings]


@pytest.mark.timeout(30)
def test_local_fallback_without_a_server(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert isinstance(make_limiter(settings_for(api)), FileLimiter)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_prefect_global_limit_spaces_requests(settings_for: SettingsFor) -> None:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180), FakeArxivAPI(min_interval=1.0) as api:
        settings = settings_for(api, arxiv_interval=1.0, arxiv_chunk_size=1)
        limiter = make_limiter(settings)
        assert isinstance(limiter, PrefectRateLimiter)
        with ArxivClient(settings, limiter=limiter) as client:
            got = client.get_papers([f"0704.{n:04d}" for n in range(1, 4)])
        assert len(got.papers) == 3
        assert [r.status for r in api.requests] == [200, 200, 200]
        assert min(arrival_gaps(api)) >= 1.0
        with get_client(sync_client=True) as prefect:
            limit = prefect.read_global_concurrency_limit_by_name(LIMIT_NAME)
        assert limit.limit == 1 and limit.slot_decay_per_second > 0
