"""End to end: ``python -m flows.ingest`` in a subprocess, on the embedded Prefect API,
against loopback page and arXiv servers; checks the JSONL it writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from papertrail.record import ArticleRecord
from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.pages import PageServer

from .conftest import PYTHON, ROOT, SEEDS

pytestmark = pytest.mark.slow

ROUNDUP_IDS = ["1509.01066", "1604.03489", "0704.0002", "1602.04056"]
CHROME = ["京ICP备", "扫码关注", "相关推荐", "登录", "版权所有", "发表评论", "分享到"]


def run_ingest(args: list[str], env: dict[str, str], timeout: int = 240) -> tuple[int, dict]:
    proc = subprocess.run(
        [PYTHON, "-m", "flows.ingest", *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    start = proc.stdout.index("{")
    return proc.returncode, json.loads(proc.stdout[start:])


def read_records(out: Path) -> list[ArticleRecord]:
    records = []
    for shard in sorted([*out.glob("articles/*/*.jsonl"), *out.glob("failures/*/*.jsonl")]):
        for line in shard.read_text(encoding="utf-8").splitlines():
            records.append(ArticleRecord.model_validate_json(line))
    return records


def test_ingest_pages_seeds_and_failures(
    page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "clean"
    urls = [
        page_server.url("/roundup.html"),
        page_server.url("/roundup-nocharset.html"),  # same <link rel=canonical>: a duplicate
        page_server.url("/roundup-gbk.html"),
        page_server.url("/roundup-gbk-header.html"),
        page_server.url("/missing.html"),
        *[str(p) for p in SEEDS],
    ]
    with FakeArxivAPI() as api:
        env = dict(run_env, PAPERTRAIL_ARXIV_API_URL=api.url)
        code, summary = run_ingest([*urls, "--out", str(out), "--no-titles", "--no-describe"], env)
        id_requests = [r for r in api.requests if "id_list" in str(r)]
    assert code == 1, "one input failed (404): exit status must say so"
    assert summary["inputs"] == len(urls)
    assert summary["failed"] == 1
    assert summary["unchanged"] == 1, "the same article under a second URL is written once"
    records = read_records(out)
    assert len(records) == len(urls) - 1, "every article, failed or not, has one record"
    by_url = {r.url: r for r in records}
    assert page_server.url("/roundup-nocharset.html") not in by_url

    # the 404 is recorded with its reason, and the run went on
    missing = by_url[page_server.url("/missing.html")]
    assert [e.reason for e in missing.errors] == ["http_404"]

    for path in ("/roundup.html", "/roundup-gbk.html", "/roundup-gbk-header.html"):
        rec = by_url[page_server.url(path)]
        assert rec.errors == [], rec.errors
        assert rec.title == "本周值得一读的四篇机器学习论文"
        assert rec.lang == "zh"
        assert "四旋翼飞行器的控制器参数" in rec.text
        assert "控制流完整性" in rec.text
        assert rec.text.count("作者使用的四旋翼实验平台") == 1, "a doubled caption is kept once"
        for chrome in CHROME:
            assert chrome not in rec.text, chrome
        assert [a.id for a in rec.arxiv] == ROUNDUP_IDS
        assert [p.arxiv_id for p in rec.papers] == ROUNDUP_IDS
        assert rec.enrichment == "done"
        assert rec.papers[0].title.startswith("Safe Controller Optimization for Quadrotors")
    assert by_url[page_server.url("/roundup-gbk.html")].encoding == "gb18030"
    # the same four ids on three pages were asked for once, in one request
    assert len(id_requests) == 1

    expected = json.loads((ROOT / "tests/fixtures/seeds/expected_ids.json").read_text())
    for seed in SEEDS:
        rec = by_url[seed.resolve().as_uri()]
        assert rec.errors == [] or all(e.stage == "enrich" for e in rec.errors)
        assert [a.id for a in rec.arxiv] == expected[seed.name]["ids"], seed.name
        assert rec.text and rec.text_sha256


def test_second_run_costs_no_arxiv_request_and_writes_no_duplicate(
    page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "clean"
    url = page_server.url("/roundup.html")
    with FakeArxivAPI() as api:
        env = dict(run_env, PAPERTRAIL_ARXIV_API_URL=api.url)
        code1, s1 = run_ingest([url, "--out", str(out)], env)
        first = len(api.requests)
        code2, s2 = run_ingest([url, "--out", str(out)], env)
        second = len(api.requests) - first
    assert (code1, code2) == (0, 0)
    assert s1["records_written"] == 1 and s1["papers"] == 4
    assert second == 0, "cached ids cost no request"
    assert s2["records_written"] == 0, "an unchanged article gets no new record"
    assert len(read_records(out)) == 1


def test_bad_arguments_exit_2(run_env: dict[str, str]) -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "flows.ingest"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "no input" in proc.stderr


def test_linkless_seed_resolves_titles_through_the_fake_search(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    """Seed 004 names its papers only by English title: each is resolved through the
    arXiv search API (the fake, with near-miss distractors), none wrongly."""
    seed = next(p for p in SEEDS if p.name.startswith("004_"))
    expected = json.loads((ROOT / "tests/fixtures/seeds/expected_ids.json").read_text())
    want = expected[seed.name]
    out = tmp_path / "clean"
    with FakeArxivAPI() as api:
        env = dict(run_env, PAPERTRAIL_ARXIV_API_URL=api.url)
        code, summary = run_ingest([str(seed), "--out", str(out)], env)
        searches = [r for r in api.requests if "search_query" in str(r)]
    assert code == 0, summary
    (rec,) = read_records(out)
    by_title = [(a.id, a.found_by) for a in rec.arxiv]
    assert by_title == [(t["id"], "title") for t in want["titles"]]
    assert all(a.score is not None and a.score >= 0.8 and a.evidence for a in rec.arxiv)
    titles_left = [u.title for u in rec.unresolved if u.source == "title"]
    assert sorted(titles_left) == sorted(want["unresolved"])
    assert "2306.02707" not in {a.id for a in rec.arxiv}, "Orca 1 is never taken for Orca 2"
    assert [p.arxiv_id for p in rec.papers] == [t["id"] for t in want["titles"]]
    assert searches, "titles were looked up through the search API"

    # --no-titles (and --no-describe) turn resolution off: no search at all
    with FakeArxivAPI() as api:
        env = dict(run_env, PAPERTRAIL_ARXIV_API_URL=api.url)
        args = [str(seed), "--out", str(tmp_path / "off"), "--no-titles", "--no-describe"]
        code, _ = run_ingest(args, env)
        assert not [r for r in api.requests if "search_query" in str(r)]
    assert code == 0
    (off,) = read_records(tmp_path / "off")
    assert off.arxiv == [] and off.unresolved == []
