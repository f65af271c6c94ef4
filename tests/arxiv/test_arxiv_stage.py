"""The batch enrich stage and deferred completion, end to end on the fake API."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from papertrail.arxiv import ArxivClient, complete_records, enrich, needs_enrichment
from papertrail.document import Document
from papertrail.record import ArticleRecord, ArxivRef
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import FakeArxivAPI

pytestmark = pytest.mark.timeout(60)
SettingsFor = Callable[..., Settings]


def doc(url: str, *ids: str) -> Document:
    d = Document(url=url, text="text", extractor_version="test")
    d.arxiv = [ArxivRef(id=i, found_by="text") for i in ids]
    return d


def batch() -> list[Document]:
    return [
        doc("https://a.example/1", "0704.0003", "0704.0001", "2401.99999"),
        doc("https://a.example/2", "0704.0001", "1107.5789"),
        doc("https://a.example/3"),
    ]


def test_one_batch_one_request_papers_in_article_order(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        docs = enrich(batch(), client)
        assert len(api.requests) == 1  # four distinct ids, chunk 10
        assert [p.arxiv_id for p in docs[0].papers] == ["0704.0003", "0704.0001"]
        assert docs[0].not_found == ["2401.99999"]
        assert [p.arxiv_id for p in docs[1].papers] == ["0704.0001", "1107.5789"]
        assert [d.enrichment for d in docs] == ["done", "done", "none"]
        assert not any(d.errors for d in docs)


def test_no_client_or_enrich_off_means_pending(settings_for: SettingsFor) -> None:
    docs = enrich(batch(), None)
    assert [d.enrichment for d in docs] == ["pending", "pending", "none"]
    assert not any(d.errors for d in docs)  # deferral is not an error
    with FakeArxivAPI() as api, ArxivClient(settings_for(api, enrich=False)) as client:
        assert [d.enrichment for d in enrich(batch(), client)] == ["pending", "pending", "none"]
        assert api.requests == []


def test_outage_writes_pending_and_a_later_call_completes(settings_for: SettingsFor) -> None:
    with FakeArxivAPI(fail_first=1000) as down:
        settings = settings_for(down, arxiv_retries=1)
        with ArxivClient(settings) as client:
            docs = enrich(batch(), client)
        assert [d.enrichment for d in docs] == ["pending", "pending", "none"]
        assert [e.reason for e in docs[0].errors] == ["arxiv_http_503"]
        assert all(e.stage == "enrich" for d in docs for e in d.errors)
        records = [d.to_record() for d in docs]
    # The written JSON lines survive the round trip, then the API is back.
    records = [ArticleRecord.model_validate_json(r.model_dump_json()) for r in records]
    assert [needs_enrichment(r) for r in records] == [True, True, False]
    with FakeArxivAPI() as up:
        with ArxivClient(settings.model_copy(update={"arxiv_api_url": up.url})) as client:
            done = complete_records(records, client)
        assert len(up.requests) == 1
    assert [r.enrichment for r in done] == ["done", "done", "none"]
    assert [p.arxiv_id for p in done[0].papers] == ["0704.0003", "0704.0001"]
    assert done[0].not_found == ["2401.99999"] and not done[0].errors
    assert done[2] is records[2]  # unchanged records come back as they were


def test_partial_when_some_ids_answered(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api:
        settings = settings_for(api)
        with ArxivClient(settings) as client:
            client.get_papers(["0704.0001"])  # now cached
        api.fail_first = 1000
        with ArxivClient(settings.model_copy(update={"arxiv_retries": 0})) as client:
            docs = enrich(batch(), client)
        assert docs[1].enrichment == "partial"
        assert [p.arxiv_id for p in docs[1].papers] == ["0704.0001"]
        assert docs[1].errors[0].reason == "arxiv_http_503"


def test_broken_cache_is_a_stage_error_not_a_crash(settings_for: SettingsFor, tmp_path) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        client.cache.close()  # any later cache use fails
        docs = enrich(batch(), client)
        assert docs[0].enrichment == "pending"
        assert docs[0].errors[0].stage == "enrich"
        assert docs[0].errors[0].reason == "cache_failed"


class _BrokenLimiter:
    def acquire(self) -> float:
        raise TimeoutError("no slot")


def test_a_failing_limiter_leaves_documents_pending(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api:
        with ArxivClient(settings_for(api), limiter=_BrokenLimiter()) as client:
            docs = enrich(batch(), client)
        assert docs[0].enrichment == "pending"
        assert docs[0].errors[0].reason == "arxiv_limiter_failed"
        assert api.requests == []


def test_unwritable_cache_still_enriches(settings_for: SettingsFor) -> None:
    with FakeArxivAPI() as api, ArxivClient(settings_for(api)) as client:
        client.cache._db.execute("PRAGMA query_only = ON")  # SQLite refuses every write
        docs = enrich(batch(), client)
        assert [d.enrichment for d in docs] == ["done", "done", "none"]
        assert not any(d.errors for d in docs)


def test_a_trickling_api_leaves_ids_pending_with_a_reason(settings_for: SettingsFor) -> None:
    """The answer comes one byte a second: the per-request deadline (``arxiv_timeout``)
    ends it, and the batch is written pending, to be completed later (issue 15)."""
    with FakeArxivAPI(trickle=1.0) as api:
        settings = settings_for(api, arxiv_timeout=3.0, arxiv_retries=0)
        start = time.monotonic()
        with ArxivClient(settings) as client:
            docs = enrich(batch(), client)
        assert time.monotonic() - start < 3.0 + 10.0  # the body alone would take minutes
        assert len(api.requests) == 1
    assert [d.enrichment for d in docs] == ["pending", "pending", "none"]
    assert [e.reason for e in docs[0].errors] == ["arxiv_timeout"]
