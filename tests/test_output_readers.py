"""What a downstream reader sees: load every shard with pandas and DuckDB, find no duplicates.

"No duplicates" means: every row of ``articles/**`` is a distinct (article_id, version),
however many runs re-saw the same pages, and the current dataset is the highest version
per article_id. These are the queries docs/output.md recommends.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from papertrail.output import OutputStore, iter_current_records
from papertrail.record import StageError
from tests.output_helpers import make_record, paper

duckdb = pytest.importorskip("duckdb")
pd = pytest.importorskip("pandas")


@pytest.fixture
def clean_dir(tmp_path: Path) -> Path:
    """Five runs over the same 30 articles: re-seen unchanged, edited, failing, gzipped."""
    for n in range(5):
        store = OutputStore(tmp_path, gzip=n % 2 == 1)
        with store.open_run(f"run-{n}", day=date(2026, 11, 20 + n)) as writer:
            for i in range(30):
                if i % 7 == n:  # down today: a failure record, no new version
                    writer.write(make_record(i, failed=True))
                    continue
                edits = n if i % 3 == 0 else 0  # a third of the articles change every run
                ids = ("2401.00001",) if i % 2 else ("2401.00002", "2401.00003")
                papers = (paper("2401.00001"),) if i % 2 and n >= 2 else ()  # enriched later
                record = make_record(i, f"text {i} edit {edits}", ids, papers=papers)
                if i % 5 == 0:  # an enrichment error does not make a record a failure
                    record.errors = [StageError(stage="enrich", reason="timeout", message="x")]
                writer.write(record)
    return tmp_path


def test_pandas_sees_one_row_per_article_version(clean_dir: Path) -> None:
    files = sorted(clean_dir.glob("articles/*/*.jsonl*"))
    assert any(f.suffix == ".gz" for f in files)
    df = pd.concat([pd.read_json(f, lines=True) for f in files], ignore_index=True)
    assert not df.duplicated(["article_id", "version"]).any()
    # and no version repeats its predecessor's content (text and papers)
    df["papers_json"] = df["papers"].astype(str)
    assert not df.duplicated(["article_id", "text_sha256", "papers_json"]).any()
    current = df.loc[df.groupby("article_id")["version"].idxmax()]
    assert len(current) == df["article_id"].nunique() == 30
    expected = {(r.article_id, r.version, r.text) for r in iter_current_records(clean_dir)}
    assert set(current[["article_id", "version", "text"]].itertuples(index=False)) == expected
    assert len(df) > 30  # history is kept: edited articles have several versions


def test_duckdb_sees_one_row_per_article_version(clean_dir: Path) -> None:
    glob = str(clean_dir / "articles" / "*" / "*.jsonl*")
    con = duckdb.connect()
    rel = f"read_json_auto('{glob}', format='newline_delimited', union_by_name=true)"
    total, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT (article_id, version)) FROM {rel}"
    ).fetchone()
    assert total == distinct
    current = con.execute(
        f"""SELECT article_id, version, text FROM {rel}
            QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY version DESC) = 1"""
    ).fetchall()
    expected = {(r.article_id, r.version, r.text) for r in iter_current_records(clean_dir)}
    assert set(current) == expected and len(current) == 30


def test_failures_are_kept_apart(clean_dir: Path) -> None:
    """Failed fetches are on record (every input has a row) but never in articles/."""
    con = duckdb.connect()
    glob = str(clean_dir / "failures" / "*" / "*.jsonl*")
    rows = con.execute(
        f"SELECT url, version, errors[1].reason FROM read_json_auto('{glob}', "
        "format='newline_delimited', union_by_name=true)"
    ).fetchall()
    assert len(rows) == sum(1 for n in range(5) for i in range(30) if i % 7 == n)
    assert {reason for *_, reason in rows} == {"http_503"}


def test_a_run_in_progress_is_invisible(clean_dir: Path) -> None:
    """Readers globbing while a run writes see only committed shards."""
    glob = str(clean_dir / "articles" / "*" / "*.jsonl*")
    rel = f"read_json_auto('{glob}', format='newline_delimited', union_by_name=true)"
    before = duckdb.connect().execute(f"SELECT count(*) FROM {rel}").fetchone()
    with OutputStore(clean_dir).open_run("live", day=date(2026, 11, 20)) as writer:
        for i in range(100, 110):
            writer.write(make_record(i, "new"))
        assert list(writer.path.parent.glob(".*.tmp"))  # the temporary file is there
        assert duckdb.connect().execute(f"SELECT count(*) FROM {rel}").fetchone() == before
        files = list(clean_dir.glob("articles/*/*.jsonl*"))
        assert all(not f.name.startswith(".") for f in files)
    after = duckdb.connect().execute(f"SELECT count(*) FROM {rel}").fetchone()
    assert after[0] == before[0] + 10


def test_pandas_gets_paper_summary_pairs(tmp_path: Path) -> None:
    """docs/output.md's recipe: one row per (article, paper) with the paper's roundup item."""
    from papertrail.clean import clean
    from papertrail.document import Document
    from papertrail.ids import extract_ids
    from papertrail.testing.article_templates import wordpress

    seed = Path(__file__).parent / "fixtures" / "seeds" / "gold" / "002_42328441e1192498.txt"
    page = wordpress(seed.read_text("utf-8").splitlines())
    doc = extract_ids(clean(Document(url="http://x/a.html", kind="http", markup=page)))
    with OutputStore(tmp_path).open_run("run", day=date(2026, 11, 20)) as writer:
        writer.write(doc.to_record())
    files = [str(f) for f in tmp_path.glob("articles/*/*.jsonl*")]
    # --- as in docs/output.md
    articles = pd.concat([pd.read_json(f, lines=True) for f in files], ignore_index=True)
    refs = articles[["article_id", "arxiv"]].explode("arxiv").dropna(subset=["arxiv"])
    pairs = pd.json_normalize(refs["arxiv"].tolist()).reindex(
        columns=["id", "item.heading", "item.text"]
    )
    pairs = pairs.dropna(subset=["item.text"])  # papers cited outside any item
    # ---
    assert len(pairs) == 8
    first = pairs.iloc[0]
    assert first["id"] == "2403.19928" and first["item.heading"].startswith("1.华为新研究")
    assert "DiJiang" in first["item.text"] and "ReALM" not in first["item.text"]
