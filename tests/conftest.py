"""Shared fixtures: loopback servers and an isolated Prefect/papertrail environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papertrail.record import ArticleRecord
from papertrail.session import Session
from papertrail.settings import Settings
from papertrail.testing.pages import Page, PageServer

# Tests use Prefect's embedded server, never papertrail's background one (flows.local_server),
# unless a test asks for it; set before any test module imports ``flows``.
os.environ["PAPERTRAIL_PREFECT_SERVER"] = "ephemeral"
# On a loaded machine Prefect's temporary server can take more than its default 20 s to
# start; set before Prefect is imported, for in-process flow runs.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


def roundup_html() -> str:
    return (FIXTURES / "pages" / "roundup.html").read_text(encoding="utf-8")


def gbk_page(charset_in_meta: str = "gb2312") -> bytes:
    """The roundup re-encoded as GBK, declaring ``charset_in_meta`` only in <meta>.

    Its canonical link is removed, so each URL serving it is an article of its own.
    """
    html = roundup_html().replace('<meta charset="utf-8">', f'<meta charset="{charset_in_meta}">')
    html = "\n".join(ln for ln in html.splitlines() if 'rel="canonical"' not in ln)
    return html.encode("gbk", errors="xmlcharrefreplace")


def session_records(data_dir: Path, urls: list[str], **settings: Any) -> list[ArticleRecord]:
    """Run ``urls`` through the library's own ``Session`` offline (no arXiv, loopback pages
    allowed, no politeness delay, cleaning in-process), then read back the article records
    it wrote under ``data_dir``: the real path a flow run takes, without Prefect."""
    base: dict[str, Any] = {
        "enrich": False,
        "resolve_titles": False,
        "allow_private": True,
        "per_host_delay": 0,
        "process_workers": 0,
    }
    session = Session(Settings(data_dir=data_dir, **{**base, **settings}))
    try:
        session.run(urls)
    finally:
        session.close()
    return [
        ArticleRecord.model_validate_json(line)
        for shard in (data_dir / "clean" / "articles").glob("*/*.jsonl")
        for line in shard.read_text("utf-8").splitlines()
    ]


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The machine-wide state (arXiv limiter stamp) of each test in its own directory:
    tests never wait on each other's, nor on a real run's, arXiv spacing."""
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("PAPERTRAIL_ARXIV_LIMITER_PATH", raising=False)
    return state


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    """Fixture pages on 127.0.0.1, in UTF-8 and GBK, with and without a header charset."""
    utf8 = roundup_html().encode("utf-8")
    with PageServer() as server:
        server.add("/roundup.html", Page(utf8, "text/html; charset=utf-8"))
        server.add("/roundup-nocharset.html", Page(utf8, "text/html"))
        server.add("/roundup-gbk.html", Page(gbk_page(), "text/html"))  # <meta> only
        server.add("/roundup-gbk-header.html", Page(gbk_page(), "text/html; charset=GBK"))
        server.add("/missing.html", Page(b"gone", "text/html", status=404))
        server.add("/image.png", Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"))
        yield server


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PREFECT_HOME for the session: its SQLite is migrated once, not per test."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture()
def run_env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    """Environment for a subprocess run of a flow: isolated data dir, loopback allowed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERTRAIL_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PREFECT_LOGGING_LEVEL="WARNING",
        PAPERTRAIL_DATA_DIR=str(tmp_path / "data"),
        PAPERTRAIL_ALLOW_PRIVATE="true",
        PAPERTRAIL_PREFECT_SERVER="ephemeral",
        PAPERTRAIL_PER_HOST_DELAY="0",
        PAPERTRAIL_ARXIV_INTERVAL="0.2",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    return env


PYTHON = sys.executable


@pytest.fixture(scope="session")
def prefect_server(prefect_home: Path) -> Iterator[str]:
    """A real ``prefect server start`` on loopback (SQLite), shared by the flow tests
    that need one (schedules, deployments). Its API URL is yielded."""
    from flows.server import temporary_server

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(prefect_home), PREFECT_LOGGING_LEVEL="WARNING")
    with temporary_server(env, prefect_home / "server.log") as (url, _pid):
        yield url
