"""Fixtures and checks shared by the reliability tests.

``audit_store`` is the one definition of "nothing was lost or corrupted" that every
crash, fault and resume test applies to ``data/clean``.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from papertrail.record import ArticleRecord
from papertrail.testing.pages import Page, PageServer

from ..conftest import PYTHON, ROOT, roundup_html

ARTICLES = 6


def article_page(n: int) -> bytes:
    """The roundup fixture made into a distinct article n (own canonical URL and title)."""
    html = roundup_html()
    html = html.replace(
        "https://example.org/news/2024/ml-weekly-15.html",
        f"https://example.org/news/2024/reliability-{n}.html",
    )
    html = html.replace("本周值得一读的四篇机器学习论文", f"第{n}期：本周值得一读的机器学习论文")
    html = html.replace("<article", f"<p>这是第{n}期周报的导语。</p><article", 1)
    return html.encode("utf-8")


@pytest.fixture(scope="module")
def article_server() -> Iterator[PageServer]:
    """ARTICLES distinct article pages on 127.0.0.1 (/a/0.html ...)."""
    with PageServer() as server:
        for n in range(ARTICLES):
            server.add(f"/a/{n}.html", Page(article_page(n), "text/html; charset=utf-8"))
        yield server


def article_urls(server: PageServer) -> list[str]:
    return [server.url(f"/a/{n}.html") for n in range(ARTICLES)]


def ingest(
    env: dict[str, str], *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m flows.ingest ARGS`` as a real subprocess (its own process group)."""
    return subprocess.run(
        [PYTHON, "-m", "flows.ingest", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        start_new_session=True,
    )  # fmt: skip


@dataclass
class Audit:
    """What ``data/clean`` holds: every line parsed, current records by article."""

    lines: int = 0
    current: dict[str, ArticleRecord] = field(default_factory=dict)  # article_id -> newest
    failures: list[ArticleRecord] = field(default_factory=list)

    def current_for(self, url: str) -> list[ArticleRecord]:
        return [r for r in self.current.values() if url in (r.url, r.final_url)]


def audit_store(clean_dir: Path) -> Audit:
    """Fail the test on any corrupt line, duplicate (article_id, version) or stray file."""
    audit = Audit()
    seen: Counter[tuple[str, int]] = Counter()
    for path in sorted(clean_dir.rglob("*.jsonl")):
        if path.name.startswith("."):
            continue  # a temporary file of a killed run: hidden from every reader
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path}:{n}: empty line"
            json.loads(line)  # valid JSON, whatever the file
            audit.lines += 1
            if path.name == "papers.jsonl":
                continue
            record = ArticleRecord.model_validate_json(line)
            if path.parts[-3] == "failures":
                audit.failures.append(record)
                continue
            assert path.parts[-3] == "articles", path
            seen[(record.article_id, record.version)] += 1
            best = audit.current.get(record.article_id)
            if best is None or record.version > best.version:
                audit.current[record.article_id] = record
    dupes = [key for key, n in seen.items() if n > 1]
    assert not dupes, f"duplicate (article_id, version): {dupes}"
    return audit


def assert_each_input_has_one_record(clean_dir: Path, urls: list[str]) -> Audit:
    audit = audit_store(clean_dir)
    for url in urls:
        found = audit.current_for(url)
        assert len(found) == 1, f"{url}: {len(found)} current records"
        assert found[0].text and not found[0].errors, found[0].errors
    return audit
