"""Fixtures for fetch tests: a hostile loopback server and fast, loopback-allowed settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertrail.fetch import Fetcher
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Settings for tests: loopback allowed, no delays, tiny backoff. Timeouts are
    generous (a loaded machine answers loopback late); tests of timeouts set their own
    against servers that are slower by a wide margin."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "allow_private": True,
            "per_host_delay": 0.0,
            "fetch_timeout": 10.0,
            "fetch_deadline": 20.0,
            "robots_timeout": 5.0,  # loopback answers at once; 0.5 s flaked under load
            "fetch_retries": 2,
            "retry_backoff": 0.01,
            "retry_backoff_max": 0.05,
            "max_bytes": 512 * 1024,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def fetcher(make_settings: SettingsFactory) -> Iterator[Fetcher]:
    with Fetcher(make_settings(), extractor_version="v1") as f:
        yield f
