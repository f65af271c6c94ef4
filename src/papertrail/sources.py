"""The sources file: which sites to follow, how often, and how much per run.

A TOML file (setting ``sources_file``, default ``sources.toml``; commented example in
``examples/sources.toml``) with an optional ``[defaults]`` table and one ``[[source]]``
table per source. Kinds: ``feed`` (RSS/Atom), ``sitemap`` (urlset, sitemap index, .gz,
plain-text), ``listing`` (an HTML page plus a regex the article links match) and ``urls``
(a list, or a file of URLs, one per line).

Everything is validated when the file is loaded, so a typo fails the deployment at
start-up with the file, the source and the field named, not at 3 a.m. on a schedule.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError

__all__ = [
    "FeedSource",
    "ListingSource",
    "SitemapSource",
    "Source",
    "SourcesError",
    "SourcesFile",
    "UrlsSource",
    "load_sources",
    "parse_sources",
    "read_url_lines",
]

DEFAULT_SCHEDULE = "0 */6 * * *"
DEFAULT_MAX_NEW = 50

# Prefect (croniter) accepts these; cronsim, which we validate with, wants five fields.
_CRON_ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class SourcesError(ConfigError):
    """The sources file is missing, not TOML, or invalid; says which source and field."""

    def __init__(
        self,
        message: str,
        *,
        path: Path,
        source: str | None = None,
        field: str | None = None,
        reason: str = "sources_invalid",
    ) -> None:
        super().__init__(message, reason=reason)
        self.path = path
        self.source = source
        self.field = field


def validate_cron(expr: str) -> str:
    """Accept a five-field cron string or an ``@daily``-style alias; return it unchanged."""
    expanded = _CRON_ALIASES.get(expr.strip().lower(), expr.strip())
    if len(expanded.split()) != 5:
        raise ValueError(f"cron {expr!r} needs 5 fields (minute hour day month weekday)")
    try:
        CronSim(expanded, datetime(2026, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise ValueError(f"invalid cron {expr!r}: {exc}") from exc
    return expr.strip()


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.strip()


def _regex(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME, description="Unique; used in run ids and deployments.")
    schedule: str = Field(DEFAULT_SCHEDULE, description="Cron string or @hourly/@daily...")
    timezone: str = Field("UTC", description="IANA zone the schedule is read in.")
    max_new: int = Field(DEFAULT_MAX_NEW, ge=1, le=100_000, description="New URLs per run.")
    enabled: bool = True
    link_pattern: str | None = Field(
        None, description="Regex (re.search on the absolute URL) that article URLs match."
    )
    exclude_pattern: str | None = Field(None, description="Regex of URLs to leave out.")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, v: str) -> str:
        return validate_cron(v)

    @field_validator("link_pattern", "exclude_pattern")
    @classmethod
    def _patterns(cls, v: str | None) -> str | None:
        return _regex(v)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    def accepts(self, url: str) -> bool:
        """Whether a discovered URL passes this source's include/exclude patterns."""
        if self.link_pattern and not re.search(self.link_pattern, url):
            return False
        return not (self.exclude_pattern and re.search(self.exclude_pattern, url))


class _FetchedSource(_Source):
    url: str = Field(description="http(s) URL of the feed, sitemap or page.")

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v)


class FeedSource(_FetchedSource):
    """An RSS or Atom feed; article URLs are the entries' links, in feed order."""

    kind: Literal["feed"]


class SitemapSource(_FetchedSource):
    """A sitemap, sitemap index (followed), gzipped or plain-text sitemap."""

    kind: Literal["sitemap"]
    newest_first: bool = Field(
        False, description="Order by <lastmod>, newest first, instead of file order."
    )


class ListingSource(_FetchedSource):
    """An HTML page (a section front, a tag page) whose links matching a pattern are articles."""

    kind: Literal["listing"]
    link_pattern: str = Field(description="Regex the article links match (re.search).")


class UrlsSource(_Source):
    """A fixed list of URLs, inline or in a file (one per line, ``#`` comments)."""

    kind: Literal["urls"]
    urls: list[str] = Field(default_factory=list)
    file: Path | None = Field(None, description="Relative to the sources file's folder.")

    @field_validator("urls")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        return [_http_url(u) for u in v]

    @model_validator(mode="after")
    def _some_urls(self) -> UrlsSource:
        if not self.urls and self.file is None:
            raise ValueError("give `urls` (a list) or `file` (a path)")
        return self


Source = Annotated[
    FeedSource | SitemapSource | ListingSource | UrlsSource, Field(discriminator="kind")
]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: list[Source] = Field(default_factory=list)


class SourcesFile(BaseModel):
    """A loaded, validated sources file."""

    model_config = ConfigDict(frozen=True)

    path: Path
    sources: list[Source]

    @property
    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def get(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise SourcesError(
            f"{self.path}: no source named {name!r}", path=self.path, source=name, field="name"
        )


_DEFAULT_KEYS = {"schedule", "timezone", "max_new", "enabled"}


def _source_label(raw: list[Any], index: int) -> str:
    item = raw[index] if index < len(raw) else None
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) else f"#{index + 1}"


def _raise_validation(path: Path, raw: list[Any], exc: ValidationError) -> None:
    problems = []
    first: tuple[str | None, str | None] | None = None
    for err in exc.errors():
        loc = list(err["loc"])
        source = None
        if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
            source = _source_label(raw, loc[1])
            loc = loc[2:]
            if loc and loc[0] in {"feed", "sitemap", "listing", "urls"}:
                loc = loc[1:]  # the discriminator's tag, not a field
        field = ".".join(str(p) for p in loc) or None
        if err["type"] in {"union_tag_not_found", "union_tag_invalid"}:
            field = "kind"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            msg = "kind must be one of feed, sitemap, listing, urls"
        where = f"source {source!r}" if source else "file"
        problems.append(f"{where}, field {field!r}: {msg}")
        first = first or (source, field)
    assert first is not None
    raise SourcesError(
        f"{path}: " + "; ".join(problems), path=path, source=first[0], field=first[1]
    ) from exc


def parse_sources(text: str, path: Path) -> SourcesFile:
    """Validate the TOML ``text`` of the sources file at ``path`` (used for messages and
    to resolve relative ``file`` entries)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(
            f"{path}: not valid TOML: {exc}", path=path, reason="sources_syntax"
        ) from exc
    defaults = data.pop("defaults", {})
    if not isinstance(defaults, dict) or not set(defaults) <= _DEFAULT_KEYS:
        extra = sorted(set(defaults) - _DEFAULT_KEYS) if isinstance(defaults, dict) else []
        raise SourcesError(
            f"{path}: file, field 'defaults': may only set {', '.join(sorted(_DEFAULT_KEYS))}"
            + (f" (not {', '.join(extra)})" if extra else ""),
            path=path,
            field="defaults",
        )
    raw = data.get("source", [])
    if isinstance(raw, list):
        data["source"] = [{**defaults, **s} if isinstance(s, dict) else s for s in raw]
    else:
        raw = []
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        _raise_validation(path, raw, exc)
        raise  # unreachable: _raise_validation always raises
    seen: set[str] = set()
    sources: list[Source] = []
    for src in parsed.source:
        if src.name in seen:
            raise SourcesError(
                f"{path}: source {src.name!r}, field 'name': used by two sources",
                path=path,
                source=src.name,
                field="name",
            )
        seen.add(src.name)
        if isinstance(src, UrlsSource) and src.file is not None:
            file = src.file if src.file.is_absolute() else path.parent / src.file
            if not file.is_file():
                raise SourcesError(
                    f"{path}: source {src.name!r}, field 'file': {file} does not exist",
                    path=path,
                    source=src.name,
                    field="file",
                )
            src = src.model_copy(update={"file": file})
        sources.append(src)
    return SourcesFile(path=path, sources=sources)


def load_sources(path: Path | str) -> SourcesFile:
    """Read and validate a sources file; :class:`SourcesError` (a ConfigError) if bad."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(
            f"{path}: sources file not found (setting PAPERTRAIL_SOURCES_FILE)",
            path=path,
            reason="sources_missing",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(
            f"{path}: cannot read: {exc}", path=path, reason="sources_unreadable"
        ) from exc
    return parse_sources(text, path)


def read_url_lines(text: str) -> list[str]:
    """URLs from a one-per-line text (blank lines and ``#`` comments skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out
