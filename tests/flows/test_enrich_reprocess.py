"""Deferred enrichment and reprocessing, as users run them: real subprocesses of the
flows against loopback servers and a real Prefect server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from papertrail.record import ArticleRecord
from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT

pytestmark = pytest.mark.slow

IDS = ["1509.01066", "1604.03489", "0704.0002", "1602.04056"]


def run_flow(module: str, args: list[str], env: dict[str, str]) -> tuple[int, dict]:
    proc = subprocess.run(
        [PYTHON, "-m", module, *args, "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert "{" in proc.stdout, proc.stderr[-3000:]
    return proc.returncode, json.loads(proc.stdout[proc.stdout.index("{") :])


def current(out: Path) -> dict[str, ArticleRecord]:
    latest: dict[str, ArticleRecord] = {}
    for shard in sorted(out.glob("articles/*/*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            rec = ArticleRecord.model_validate_json(line)
            if rec.article_id not in latest or rec.version > latest[rec.article_id].version:
                latest[rec.article_id] = rec
    return latest


def test_outage_then_enrich_then_reprocess(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(run_env, PREFECT_API_URL=prefect_server, PAPERTRAIL_ARXIV_RETRIES="1",
               PAPERTRAIL_ARXIV_BACKOFF="0.1")  # fmt: skip
    out = tmp_path / "clean"
    url = page_server.url("/roundup.html")

    # 1. arXiv is down: the article is written all the same, enrichment pending
    with FakeArxivAPI(fail_first=1000) as down:
        env1 = dict(env, PAPERTRAIL_ARXIV_API_URL=down.url)
        code, summary = run_flow("flows.ingest", [url, "--out", str(out)], env1)
    assert code == 0, summary
    (rec,) = current(out).values()
    assert rec.enrichment == "pending" and rec.papers == [] and rec.version == 1
    assert [a.id for a in rec.arxiv] == IDS

    # 2. arXiv is back: flows.enrich completes the record as a new version
    with FakeArxivAPI() as up:
        env2 = dict(env, PAPERTRAIL_ARXIV_API_URL=up.url)
        code, result = run_flow("flows.enrich", ["--out", str(out)], env2)
        requests = len(up.requests)
    assert code == 0, result
    assert result["records_written"] == 1 and result["still_pending"] == 0
    assert requests == 1, "all pending ids in one request"
    (rec,) = current(out).values()
    assert rec.enrichment == "done" and rec.version == 2
    assert [p.arxiv_id for p in rec.papers] == IDS
    code, again = run_flow("flows.enrich", ["--out", str(out)], env2)
    assert again["pending_before"] == 0 and again["records_written"] == 0

    # 3. reprocess from the raw archive, no page fetched: unchanged code, identical records
    page_hits = len(page_server.requests)
    code, summary = run_flow("flows.reprocess", ["--out", str(out), "--no-enrich"], env2)
    assert code == 0, summary
    assert summary["inputs"] >= 1 and summary["records_written"] == 0
    assert len(page_server.requests) == page_hits, "reprocess never fetches"
    assert current(out)[rec.article_id].version == 2


def test_arxiv_switched_off_in_the_environment_stays_off(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    """``PAPERTRAIL_ENRICH=false`` (docs/settings.md) was overridden by the flows'
    ``enrich=True`` default: an offline run asked the arXiv API anyway (about a minute
    of retries against an unreachable host). Flags and flow parameters now only switch
    enrichment, title and description search off, never back on."""
    off = ("ENRICH", "RESOLVE_TITLES", "RESOLVE_DESCRIPTIONS")
    env = dict(run_env, PREFECT_API_URL=prefect_server)
    env.update({f"PAPERTRAIL_{name}": "false" for name in off})
    out = tmp_path / "clean"
    with FakeArxivAPI() as api:
        env["PAPERTRAIL_ARXIV_API_URL"] = api.url
        url = page_server.url("/roundup.html")
        code, summary = run_flow("flows.ingest", [url, "--out", str(out)], env)
        assert code == 0, summary
        code, again = run_flow("flows.reprocess", ["--out", str(out)], env)
        assert code == 0, again
        asked = list(api.requests)
    assert asked == []
    (rec,) = current(out).values()
    assert rec.enrichment == "pending" and rec.papers == []
    assert [a.id for a in rec.arxiv] == IDS


def test_reprocess_refuses_a_damaged_archive_record_and_goes_on(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    """A WARC record cut short outside papertrail (a partial copy, a disk error) read back
    as a shorter page without any error, and ``flows.reprocess`` wrote it as a new
    current version of the article with a third of its text; a record that could not be
    parsed at all stopped the reprocess run there. Each capture is now checked against
    the checksum the index keeps: a damaged one gets a failure record
    (``fetch:archive_unreadable``), the article keeps its good version, the rest go on."""
    env = dict(run_env, PREFECT_API_URL=prefect_server, PAPERTRAIL_WARC_MAX_BYTES="1")
    out = tmp_path / "clean"
    urls = [page_server.url(p) for p in ("/roundup.html", "/roundup-gbk.html")]
    code, summary = run_flow("flows.ingest", [*urls, "--out", str(out), "--no-enrich"], env)
    assert code == 0, summary
    good = {r.article_id: (r.version, r.text) for r in current(out).values()}
    raw = Path(env["PAPERTRAIL_DATA_DIR"]) / "raw"
    warcs = sorted(raw.glob("*.warc.gz"))
    assert len(warcs) == 2  # one file per capture (WARC_MAX_BYTES=1)
    first = warcs[0].read_bytes()
    warcs[0].write_bytes(first[: len(first) // 2])
    code, summary = run_flow("flows.reprocess", ["--out", str(out), "--no-enrich"], env)
    assert code == 1, summary  # one input failed, and says why
    assert summary["inputs"] == 2 and summary["failures_by_reason"] == {
        "fetch:archive_unreadable": 1
    }
    (failures,) = out.glob("failures/*/*.jsonl")
    (failed,) = [json.loads(line) for line in failures.read_text(encoding="utf-8").splitlines()]
    assert failed["errors"][0]["reason"] == "archive_unreadable"
    assert warcs[0].name in failed["errors"][0]["message"]
    assert {r.article_id: (r.version, r.text) for r in current(out).values()} == good
