"""Described papers through the real pipeline: Session stages, the fake arXiv on
loopback (with its 429 rule), the SQLite cache and the machine-wide limiter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertrail.document import Document
from papertrail.session import Session, document_for
from papertrail.settings import Settings
from papertrail.testing.fake_arxiv import DEFAULT_FIXTURES, FakeArxivAPI

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DESCRIBE = FIXTURES / "describe"
# later directories win: the records written for this test replace the project's stubs
CATALOGUE = [DEFAULT_FIXTURES / "metadata", DEFAULT_FIXTURES / "catalogue", DESCRIBE / "catalogue"]
GOLD = json.loads((DESCRIBE / "gold.json").read_text(encoding="utf-8"))["pages"]
INTERVAL = 0.2


@pytest.fixture
def api():
    with FakeArxivAPI(catalogue_dirs=CATALOGUE, min_interval=INTERVAL) as server:
        yield server


def make_settings(api: FakeArxivAPI, data: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "arxiv_api_url": api.url,
        "arxiv_interval": INTERVAL,
        "arxiv_backoff": INTERVAL,
        "data_dir": data,
        "allow_private": True,
        "process_workers": 0,
    }
    values.update(overrides)
    return Settings(**values)


def run(settings: Settings, page: str) -> tuple[Document, Session]:
    session = Session(settings)
    try:
        doc = session.link(session.process(session.fetch([document_for(str(FIXTURES / page))])))
    finally:
        session.close()
    return doc[0], session


def described(doc: Document) -> list[str]:
    return [r.id for r in doc.arxiv if r.found_by == "description"]


def test_the_000_seed_resolves_its_papers_without_a_wrong_one(api, tmp_path):
    page = "seeds/000_340f0f37da041932.txt"
    doc, session = run(make_settings(api, tmp_path), page)
    gold = GOLD[page]
    before = {g["id"] for g in gold if g["before"]}
    later = {g["id"] for g in gold if not g["before"]}
    found = described(doc)
    assert len(set(found) & before) >= 7, doc.unresolved
    assert set(found) <= before  # 0 wrong
    assert not set(found) & later  # aiXcoder-7B's report and the router came later
    # evidence on every ref, and the metadata came with the search (no extra request)
    for ref in doc.arxiv:
        assert ref.score is not None and ref.score >= 0.7 and ref.matched is not None
        assert ref.matched.name in doc.text[ref.span[0] : ref.span[1]]
    assert {p.arxiv_id for p in doc.papers} == set(found) and doc.enrichment == "done"
    # at most two searches per item, never closer than the interval (the fake 429s)
    outcomes = [o for o in session.describer.last_outcomes if o.name]
    assert all(1 <= len(o.queries) <= 2 for o in outcomes)
    searches = [r for r in api.requests if r.params.get("search_query")]
    assert len(searches) <= 2 * len(outcomes)
    assert all(r.status == 200 for r in api.requests)
    # the later paper is refused with its reason, not dropped silently
    aix = next(u for u in doc.unresolved if u.title == "aiXcoder-7B")
    assert aix.source == "description" and aix.reason in {"no_results", "name_not_in_paper"}


@pytest.mark.parametrize(
    "page",
    [
        "describe/pages/digest_wechat_may.txt",
        "describe/pages/digest_numbered.txt",
        "describe/pages/news_plain.txt",
        "describe/pages/news_en.txt",
        "seeds/001_543402f31be759b0.txt",
        "seeds/002_42328441e1192498.txt",
        "seeds/003_735e1453a294066b.txt",
        "seeds/004_c7890c1a5ca76b8c.txt",
    ],
)
def test_other_pages_no_false_positive(api, tmp_path, page):
    doc, _ = run(make_settings(api, tmp_path), page)
    gold = GOLD[page]
    allowed = {g["id"] for g in gold if g["before"] and g["id"]}
    found = described(doc)
    assert set(found) <= allowed, (found, allowed)
    named = {g["id"] for g in gold if g["before"] and g["name"] and g["id"]}
    assert set(found) == named  # every named paper of the page, and only those
    assert all(r.status == 200 for r in api.requests)


def test_an_item_with_an_id_already_is_not_searched(api, tmp_path):
    doc, session = run(make_settings(api, tmp_path), "describe/pages/digest_numbered.txt")
    assert "2403.19887" in [r.id for r in doc.arxiv if r.found_by != "description"]
    names = [o.name.name for o in session.describer.last_outcomes if o.name]
    assert "Jamba" not in names


def test_off_by_setting(api, tmp_path):
    settings = make_settings(api, tmp_path, resolve_descriptions=False)
    doc, _ = run(settings, "seeds/000_340f0f37da041932.txt")
    assert described(doc) == [] and doc.unresolved == []
    assert not [r for r in api.requests if r.params.get("search_query")]


def test_no_enrich_defers_then_flows_enrich_completes(api, tmp_path):
    from flows.enrich import complete_pending
    from papertrail.output import OutputStore

    offline = make_settings(api, tmp_path, enrich=False)
    session = Session(offline)
    try:
        outcome = session.run_batch([str(FIXTURES / "seeds/000_340f0f37da041932.txt")], "t-00000")
    finally:
        session.close()
    assert outcome.summary.records_written == 1
    assert api.requests == []  # nothing asked while enrichment is off
    (rec,) = list(OutputStore.from_settings(offline).iter_current_records())
    assert rec.enrichment == "pending"
    assert {u.reason for u in rec.unresolved if u.source == "description"} == {"deferred"}

    result = complete_pending.fn(make_settings(api, tmp_path))
    assert result["records_written"] == 1 and result["still_pending"] == 0
    (done,) = list(OutputStore.from_settings(offline).iter_current_records())
    assert done.version == 2 and done.enrichment == "done"
    assert len([r for r in done.arxiv if r.found_by == "description"]) >= 7
    assert not [u for u in done.unresolved if u.reason == "deferred"]
