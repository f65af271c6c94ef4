"""Helpers for the arXiv tests (settings pointed at a fake API on loopback)."""

from __future__ import annotations

import itertools
from pathlib import Path

from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI

INTERVAL = 0.2


def make_settings(api: FakeArxivAPI, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "arxiv_api_url": api.url,
        "data_dir": data_dir,
        "arxiv_interval": INTERVAL,
        "arxiv_timeout": 10.0,  # loopback answers at once; a loaded machine may not
        "arxiv_retries": 3,
        "arxiv_backoff": 0.05,
        "arxiv_backoff_max": 2.0,
        "arxiv_chunk_size": 10,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def arrival_gaps(api: FakeArxivAPI) -> list[float]:
    times = sorted(r.at for r in api.requests)
    return [b - a for a, b in itertools.pairwise(times)]
