"""``python -m papertrail.ids`` in a real subprocess: stdin in, JSON lines out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses (about 0.5 s each)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"


def run(stdin: str, *args: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "papertrail.ids", "--today", "2026-11-23", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_text_from_stdin() -> None:
    text = (
        "论文链接：https://arxiv.org/abs/2307.09288，比较了"
        "（arXiv：２３１１．１１０４５v2）和 hep-th/9901001"
    )
    lines = run(text)
    assert [set(line) for line in lines] == [{"id", "version", "found_by", "span"}] * 3
    assert [(x["id"], x["version"], x["found_by"]) for x in lines] == [
        ("2307.09288", None, "link"),
        ("2311.11045", 2, "text"),
        ("hep-th/9901001", None, "text"),
    ]
    start, end = lines[1]["span"]
    assert text[start:end] == "arXiv：２３１１．１１０４５v2"


def test_html_link_targets_count() -> None:
    html = """<html><head><script>var u="https://arxiv.org/abs/2001.08361"</script></head>
    <body><p>先读 <a href="https://arxiv.org/pdf/2401.02385v1.pdf">TinyLlama 论文</a>，
    再看 <a href="https://huggingface.co/papers/2309.05463">phi-1.5</a>。</p>
    <p>DOI: 10.48550/arXiv.1907.11692</p><a href="https://arxiv.org/a/smith_j_1">作者</a></body></html>"""
    lines = run(html, "--html")
    assert [(x["id"], x["version"], x["found_by"]) for x in lines] == [
        ("2401.02385", 1, "link"),
        ("2309.05463", None, "huggingface"),
        ("1907.11692", None, "doi"),
    ]
    # spans point into the cleaned text: a link's at its anchor text
    assert lines[0]["span"] is not None and lines[2]["span"] is not None


def test_html_reports_the_same_ids_as_a_record() -> None:
    """A WordPress page whose paper URLs sit in link-only paragraphs, with a sidebar of
    other papers: ``--html`` prints the record's ids, spans into the record's text."""
    from papertrail.clean import clean
    from papertrail.document import Document
    from papertrail.ids import extract_ids
    from papertrail.testing.article_templates import CHROME_IDS, wordpress

    gold = (SEEDS / "gold" / "002_42328441e1192498.txt").read_text("utf-8").splitlines()
    page = wordpress(gold)
    record = extract_ids(clean(Document(url="x.html", kind="html_file", markup=page)))
    lines = run(page, "--html")
    assert [x["id"] for x in lines] == [r.id for r in record.arxiv]
    assert [tuple(x["span"]) for x in lines] == [r.span for r in record.arxiv]
    assert len(lines) == 8 and not {x["id"] for x in lines} & set(CHROME_IDS)


def test_html_flag_off_reads_markup_as_text() -> None:
    html = '<a href="https://arxiv.org/abs/2401.02385">x</a>'
    assert [x["id"] for x in run(html)] == ["2401.02385"]


def test_seed_and_empty_input() -> None:
    assert [x["id"] for x in run((SEEDS / "002_42328441e1192498.txt").read_text("utf-8"))][:2] == [
        "2403.19928",
        "2403.20329",
    ]
    assert run("") == []
    assert run("后台回复:20240414") == []
