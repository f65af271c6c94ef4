"""The per-page time limit: a stuck or crashing page is recorded and the run goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.document import Document
from papertrail.record import StageError
from papertrail.session import Session, document_for
from papertrail.settings import Settings
from papertrail.timelimit import PageProcessor

from . import stages


def docs(*texts: str) -> list[Document]:
    return [Document(url=f"file:///p{i}.txt", markup=t) for i, t in enumerate(texts)]


@pytest.mark.timeout(60)
def test_stuck_page_is_stopped_and_the_pool_goes_on() -> None:
    proc = PageProcessor([("clean", stages.stall_on_marker)], workers=2, time_limit=0.5)
    try:
        out = proc.process(docs("a", "STALL here", "b", "c"))
        assert [d.text for d in out] == ["A", "", "B", "C"]
        stuck = out[1]
        assert [(e.stage, e.reason) for e in stuck.errors] == [("clean", "time_limit")]
        assert stuck.failed
        # the killed worker was replaced: the pool still works, with both workers
        again = proc.process(docs(*"xyzw"))
        assert [d.text for d in again] == list("XYZW")
        assert all(not d.errors for d in again)
    finally:
        proc.close()


@pytest.mark.timeout(60)
def test_crashing_worker_is_recorded() -> None:
    proc = PageProcessor([("clean", stages.die_on_marker)], workers=1, time_limit=10)
    try:
        out = proc.process(docs("a", "DIE", "b"))
        assert [d.text for d in out] == ["A", "", "B"]
        assert [(e.stage, e.reason) for e in out[1].errors] == [("clean", "worker_died")]
    finally:
        proc.close()


@pytest.mark.timeout(60)
def test_failed_and_skipped_documents_are_not_sent() -> None:
    failed = Document(url="x", markup="STALL")
    failed.errors.append(StageError(stage="fetch", reason="http_404", message="gone"))
    proc = PageProcessor([("clean", stages.stall_on_marker)], workers=1, time_limit=0.5)
    try:
        out = proc.process([failed])
        assert out[0] is failed and [e.reason for e in out[0].errors] == ["http_404"]
    finally:
        proc.close()


@pytest.mark.timeout(120)
def test_real_pathological_page_hits_the_limit(tmp_path: Path) -> None:
    """The real stages on a real page so big that cleaning it takes many seconds."""
    paras = "".join(
        f"<div><p>段落 {i}，一个很长的句子。arXiv:1509.01066</p><a href='/x{i}'>链接{i}</a></div>"
        for i in range(40_000)
    )
    huge = tmp_path / "huge.html"
    huge.write_text(f"<html><body>{paras}</body></html>", encoding="utf-8")
    small = tmp_path / "small.html"
    small.write_text(
        "<html><head><title>周报</title></head><body><article><h1>周报</h1>"
        + "<p>本周推荐的论文是 arXiv:1509.01066，值得一读。这是正文的一段文字。</p>" * 5
        + "</article></body></html>",
        encoding="utf-8",
    )
    # the huge page takes ~7 s idle, the small one ~0.02 s: 2.5 s is far from both,
    # so a loaded machine (everything slower) does not turn the small page into a failure
    settings = Settings(data_dir=tmp_path / "data", enrich=False, page_time_limit=2.5)
    session = Session(settings)
    try:
        summary = session.run([str(huge), str(small)])
    finally:
        session.close()
    assert summary.failures_by_reason == {"clean:time_limit": 1}
    assert summary.pages == 1 and summary.records_written == 2


@pytest.mark.timeout(60)
def test_pool_and_in_process_agree(tmp_path: Path) -> None:
    """Worker processes change where pages are cleaned, never what comes out."""
    from tests.conftest import FIXTURES, SEEDS

    inputs = [str(FIXTURES / "pages" / "roundup.html"), *map(str, SEEDS)]
    results = []
    for workers in (0, 2):
        settings = Settings(
            data_dir=tmp_path / f"d{workers}", enrich=False, process_workers=workers
        )
        session = Session(settings)
        try:
            fetched = session.fetch([document_for(u) for u in inputs])
            results.append(
                [d.to_record().model_dump(exclude={"fetched_at"}) for d in session.process(fetched)]
            )
        finally:
            session.close()
    assert results[0] == results[1]


@pytest.mark.timeout(120)
def test_script_without_main_guard(tmp_path: Path) -> None:
    """Workers never re-run the parent's ``__main__``: a plain script needs no guard."""
    import os
    import subprocess
    import sys

    from tests.conftest import FIXTURES, ROOT

    script = tmp_path / "script.py"
    script.write_text(
        "from pathlib import Path\n"
        "from papertrail.session import Session\n"
        "from papertrail.settings import Settings\n"
        f"s = Session(Settings(data_dir=Path({str(tmp_path / 'data')!r}), enrich=False))\n"
        f"summary = s.run([{str(FIXTURES / 'pages' / 'roundup.html')!r}])\n"
        "s.close()\n"
        "print('pages', summary.pages, 'failed', summary.failed)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, str(script)],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"),
             "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]},  # the test's own state dir
        capture_output=True, text=True, timeout=100,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "pages 1 failed 0" in proc.stdout, proc.stderr[-2000:]
