"""Settings, read from ``PAPERTRAIL_*`` environment variables (and a ``.env`` file).

One validated object instead of scattered ``os.environ`` lookups, so a bad value fails
before any work starts and tests can point every endpoint at loopback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import __version__

DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_CONTACT = "https://github.com/papertrail/papertrail"


class Settings(BaseSettings):
    """Every knob papertrail reads. Environment names are ``PAPERTRAIL_<FIELD>``."""

    # No inf or nan: PAPERTRAIL_PER_HOST_DELAY=inf (or ARXIV_INTERVAL=nan) hung a run at
    # its first request; every limit here is a number of seconds, days or bytes.
    model_config = SettingsConfigDict(
        env_prefix="PAPERTRAIL_", env_file=".env", extra="ignore", frozen=True, allow_inf_nan=False
    )

    # --- where things go -------------------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Root of raw archive, clean output, caches.")
    raw_dir: Path | None = Field(None, description="Raw archive; default <data_dir>/raw.")
    clean_dir: Path | None = Field(None, description="Output; default <data_dir>/clean.")
    sources_file: Path = Field(
        Path("sources.toml"), description="TOML list of feeds/sitemaps/pages to follow."
    )
    gzip_output: bool = Field(False, description="Write article shards as .jsonl.gz.")

    # --- fetching --------------------------------------------------------------------
    contact: str = Field(DEFAULT_CONTACT, description="URL or e-mail put in the User-Agent.")
    user_agent: str | None = Field(None, description="Full User-Agent override.")
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds per connect/read.")
    fetch_retries: int = Field(3, ge=0, description="Extra tries on timeouts, 429 and 5xx.")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Response size cap.")
    max_redirects: int = Field(10, ge=0, description="Redirect hops followed (each one checked).")
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight per host.")
    per_host_delay: float = Field(1.0, ge=0, description="Seconds between requests to a host.")
    global_concurrency: int = Field(16, ge=1, description="Requests in flight in all.")
    respect_robots: bool = Field(True, description="Honour robots.txt and Crawl-delay.")
    allow_private: bool = Field(
        False, description="Allow loopback/private targets (tests, intranets). Off by default."
    )
    fetch_deadline: float = Field(
        120.0, gt=0, description="Seconds one request may take in all (defeats trickling bodies)."
    )
    retry_backoff: float = Field(1.0, ge=0, description="First backoff step in seconds (doubles).")
    retry_backoff_max: float = Field(30.0, ge=0, description="Cap on one backoff sleep.")
    max_retry_after: float = Field(
        120.0, ge=0, description="Longest Retry-After we wait for; longer gives up at once."
    )
    max_host_delay: float = Field(
        60.0, ge=0, description="Cap on Crawl-delay and the 429/503 slowdown per host (0: no cap)."
    )
    robots_timeout: float = Field(10.0, gt=0, description="Seconds to fetch one robots.txt.")
    max_compression_ratio: float = Field(
        100.0, gt=1, description="Decompressed/compressed ratio treated as a decompression bomb."
    )
    skip_unchanged: bool = Field(
        True, description="Conditional GET and content hash: unchanged pages make no new record."
    )
    archive_raw: bool = Field(True, description="Keep every fetched page in the WARC archive.")
    warc_max_bytes: int = Field(
        1024**3, gt=0, description="Rotate to a new WARC file once the current one passes this."
    )
    ledger_path: Path | None = Field(
        None, description="Per-URL ledger; default <data_dir>/ledger.sqlite."
    )
    use_env_proxy: bool = Field(
        False,
        description="Honour HTTP(S)_PROXY variables (off: the SSRF checks see the real peer).",
    )

    # --- cleaning --------------------------------------------------------------------
    page_time_limit: float = Field(30.0, gt=0, description="Seconds one page may take to clean.")
    process_workers: int | None = Field(
        None,
        ge=0,
        description="Worker processes for decode/clean/ids; default one per core. 0: in the "
        "calling process (no start-up cost, but no hard page_time_limit).",
    )

    # --- scale-out -------------------------------------------------------------------
    dask_address: str | None = Field(
        None, description="Run the flows' tasks on this Dask scheduler (tcp://host:8786)."
    )

    # --- arXiv -----------------------------------------------------------------------
    arxiv_api_url: str = Field(DEFAULT_ARXIV_API_URL, description="arXiv query API base URL.")
    arxiv_interval: float = Field(3.0, ge=0, description="Minimum seconds between API calls.")
    arxiv_chunk_size: int = Field(100, ge=1, le=2000, description="Ids per id_list request.")
    arxiv_timeout: float = Field(30.0, gt=0, description="Seconds per arXiv API request.")
    arxiv_retries: int = Field(4, ge=0, description="Retries on 429, 5xx and timeouts.")
    arxiv_cache_path: Path | None = Field(None, description="Default <data_dir>/arxiv-cache.sqlite")
    arxiv_cache_ttl_days: float = Field(30.0, ge=0, description="Re-ask after this age.")
    arxiv_not_found_ttl_days: float = Field(
        1.0, ge=0, description="Age after which an id the API did not know is asked again."
    )
    arxiv_backoff: float = Field(
        5.0, ge=0, description="First retry wait in seconds; doubles per retry, with jitter."
    )
    arxiv_backoff_max: float = Field(
        120.0, ge=0, description="Cap on one retry wait, Retry-After included."
    )
    arxiv_limiter_path: Path | None = Field(
        None,
        description="Machine-wide last-request stamp, shared by every run whatever its data "
        "dir; default $XDG_STATE_HOME/papertrail/arxiv-limiter.lock "
        "(~/.local/state/papertrail/...).",
    )
    enrich: bool = Field(True, description="Call the arXiv API (off: records marked pending).")
    resolve_titles: bool = Field(True, description="Look up papers named only by title.")
    resolve_descriptions: bool = Field(
        True, description="Find papers a digest only describes (no link, no title) on arXiv."
    )
    describe_grace_days: int = Field(
        3, ge=0, le=60, description="Days after the article's date a described paper may carry."
    )

    @field_validator(
        "data_dir",
        "raw_dir",
        "clean_dir",
        "sources_file",
        "ledger_path",
        "arxiv_cache_path",
        "arxiv_limiter_path",
    )
    @classmethod
    def _expand_home(cls, v: Path | None) -> Path | None:
        """``~`` as a shell would expand it: a ``.env`` file, a systemd unit or a work
        pool's job variables pass it literally, and the data went to a directory named
        ``~`` under the working directory."""
        if v is None:
            return None
        try:
            return v.expanduser()
        except RuntimeError:  # no home directory to expand to: keep it as written
            return v

    @field_validator("arxiv_api_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v

    @cached_property
    def raw_path(self) -> Path:
        return self.raw_dir or self.data_dir / "raw"

    @cached_property
    def clean_path(self) -> Path:
        return self.clean_dir or self.data_dir / "clean"

    @cached_property
    def ledger_file(self) -> Path:
        return self.ledger_path or self.data_dir / "ledger.sqlite"

    @cached_property
    def arxiv_cache_file(self) -> Path:
        return self.arxiv_cache_path or self.data_dir / "arxiv-cache.sqlite"

    @cached_property
    def arxiv_limiter_file(self) -> Path:
        return self.arxiv_limiter_path or user_state_dir() / "arxiv-limiter.lock"

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent or f"papertrail/{__version__} (+{self.contact})"


def user_state_dir() -> Path:
    """This user's papertrail state directory (XDG Base Directory: ``$XDG_STATE_HOME``,
    else ``~/.local/state``): machine-wide state that must not follow the data dir."""
    base = os.environ.get("XDG_STATE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "papertrail"


SERVER_PREFIX = "PAPERTRAIL_PREFECT_"


class ServerSettings(BaseModel):
    """How the flows find or start a Prefect API. Environment names are
    ``PAPERTRAIL_PREFECT_<FIELD>``.

    Kept apart from :class:`Settings` because they are read before any run exists (by
    ``flows.ingest`` while Prefect is still importing, by ``flows.server`` and the warm
    runner), from the environment only, and mean nothing to the library's stages.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    server: Literal["background", "ephemeral"] | None = Field(
        None,
        description="background: a private Prefect server per PREFECT_HOME, started by the "
        "first run and reused; ephemeral: Prefect's in-process API on SQLite for each run. "
        "Default background, ephemeral when CI is set or reuse is off.",
    )
    reuse: bool = Field(
        True, description="false: never attach to a running server (same as server=ephemeral)."
    )
    port: int = Field(
        0, ge=0, lt=65536, description="Port of the background server; 0: a free port."
    )
    idle_timeout: float = Field(
        900.0, ge=0, description="Seconds without a run before the background server stops; "
        "0: never."
    )  # fmt: skip
    keep_server: bool = Field(
        False, description="Default of flows.ingest --keep-server: the server never stops idle."
    )
    warm_runner: bool = Field(
        True, description="Keep a warm Python beside the background server that runs "
        "`flows.ingest` commands without re-importing Prefect."
    )  # fmt: skip

    @field_validator("server", mode="before")
    @classmethod
    def _server_words(cls, v: object) -> object:
        words = {"embedded": "ephemeral", "off": "ephemeral", "on": "background"}
        if isinstance(v, str):
            v = v.strip().lower() or None
            return words.get(v, v) if v else None
        return v

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServerSettings:
        """Validated from ``env`` (default ``os.environ``); raises pydantic's
        ``ValidationError`` naming the field."""
        env = os.environ if env is None else env
        values = {
            name: env[SERVER_PREFIX + name.upper()].strip()
            for name in cls.model_fields
            if env.get(SERVER_PREFIX + name.upper(), "").strip()
        }
        return cls.model_validate(values)

    def mode(self, env: Mapping[str, str] | None = None) -> Literal["background", "ephemeral"]:
        """``server`` when set, else ephemeral under CI (``CI`` true) or with reuse off."""
        if self.server:
            return self.server
        env = os.environ if env is None else env
        ci = env.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
        return "ephemeral" if ci or not self.reuse else "background"

    @property
    def idle_limit(self) -> float | None:
        """``idle_timeout`` as the server's limit: None means never stop."""
        return self.idle_timeout or None


__all__ = [
    "DEFAULT_ARXIV_API_URL",
    "DEFAULT_CONTACT",
    "SERVER_PREFIX",
    "ServerSettings",
    "Settings",
    "user_state_dir",
]
