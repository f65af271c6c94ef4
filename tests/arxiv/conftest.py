"""Fixtures for the arXiv tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from arxiv_helpers import make_settings

from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[..., Settings]:
    def factory(api: FakeArxivAPI, **overrides: object) -> Settings:
        return make_settings(api, tmp_path / "data", **overrides)

    return factory
