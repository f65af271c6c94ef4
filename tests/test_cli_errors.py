"""Every entry point treats bad input alike: one line on stderr naming it, exit 2.

The entry points' ``main`` functions are called in this process (Prefect is imported
once); one subprocess test checks the real ``python -m`` path prints no traceback.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from papertrail import __version__, cli
from papertrail.testing.pages import PageServer

from .conftest import PYTHON, ROOT

SOURCES = """
[[source]]
name = "weekly"
kind = "urls"
urls = ["https://example.org/a.html"]
schedule = "0 6 * * 1"
"""


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No PAPERTRAIL_*/PREFECT_API_URL from outside; data and sources under tmp_path."""
    import os

    for name in list(os.environ):
        if name.startswith("PAPERTRAIL_") or name == "PREFECT_API_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERTRAIL_PREFECT_REUSE", "0")
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("PAPERTRAIL_SOURCES_FILE", str(sources))
    return tmp_path


def entry(name: str) -> Callable[[list[str]], int]:
    import importlib

    module = importlib.import_module(name)
    return module.main  # type: ignore[no-any-return]


def one_line_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == cli.EXIT_USAGE, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


CASES = [
    ("flows.ingest", ["--concurrency", "0", "x.html"], "--concurrency"),
    ("flows.ingest", ["--no-such-flag", "x.html"], "--no-such-flag"),
    ("flows.discover", ["nosuch"], "unknown source 'nosuch'"),
    ("flows.discover", ["weekley"], "did you mean 'weekly'"),
    ("flows.serve", ["--limit", "0"], "--limit"),
    ("flows.enrich", ["--out", "{file}"], "not a writable directory"),
    ("flows.reprocess", [], "no raw archive"),
    ("flows.reprocess", ["--out", "{file}"], "not a writable directory"),
    ("flows.server", ["restart"], "invalid choice: 'restart'"),
    ("flows.status", [], "no Prefect server"),
    ("papertrail.show", ["9c1d0c3b0e4f4a11"], "no output directory"),
]


@pytest.mark.parametrize(("module", "argv", "expected"), CASES)
def test_bad_arguments(
    module: str, argv: list[str], expected: str, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = env / "a-file"
    a_file.write_text("not a directory", encoding="utf-8")
    argv = [a.replace("{file}", str(a_file)) for a in argv]
    line = one_line_error(capsys, entry(module)(argv))
    assert expected in line


@pytest.mark.parametrize("module", ["flows.discover", "flows.serve", "flows.status"])
def test_invalid_sources_file(module: str, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "sources.toml").write_text("[[source]\nname = ", encoding="utf-8")
    line = one_line_error(capsys, entry(module)([]))
    assert "sources.toml" in line


@pytest.mark.parametrize(
    "module",
    ["flows.ingest", "flows.discover", "flows.serve", "flows.enrich", "flows.reprocess",
     "flows.status", "papertrail.show"],
)  # fmt: skip
def test_settings_error_names_the_variable(
    module: str, env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAPERTRAIL_FETCH_TIMEOUT", "soon")
    argv = ["x.html"] if module == "flows.ingest" else ["x"] if module == "papertrail.show" else []
    line = one_line_error(capsys, entry(module)(argv))
    assert "PAPERTRAIL_FETCH_TIMEOUT='soon'" in line
    assert "fetch_timeout" not in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PAPERTRAIL_PER_HOST_DELAY", "inf"), ("PAPERTRAIL_ARXIV_INTERVAL", "nan")],
)
def test_infinite_or_nan_seconds_are_refused(
    variable: str,
    value: str,
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``inf`` seconds between requests hung the run at its first request."""
    monkeypatch.setenv(variable, value)
    line = one_line_error(capsys, entry("flows.ingest")(["x.html"]))
    assert f"{variable}='{value}'" in line and "finite" in line


def test_unknown_variable_gets_the_closest_name(monkeypatch: pytest.MonkeyPatch) -> None:
    warnings = cli.unknown_variable_warnings(
        {"PAPERTRAIL_FETCH_TIMOUT": "5", "PAPERTRAIL_DATA_DIR": "d", "PATH": "/bin"}
    )
    assert warnings == [
        "warning: unknown variable PAPERTRAIL_FETCH_TIMOUT is ignored "
        "(did you mean PAPERTRAIL_FETCH_TIMEOUT?)"
    ]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        entry("flows.discover")(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"papertrail {__version__}"


def test_python_m_prints_one_line_not_a_traceback(env: Path) -> None:
    import os

    result = subprocess.run(
        [PYTHON, "-m", "flows.discover", "nosuch"], cwd=ROOT, env=dict(os.environ),
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "unknown source 'nosuch'" in result.stderr


def test_show_prints_the_latest_record_by_url_or_id(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from papertrail.session import Session
    from papertrail.settings import Settings

    from .conftest import FIXTURES

    page = str(FIXTURES / "pages" / "roundup.html")
    session = Session(Settings(enrich=False, process_workers=0))
    try:
        session.run([page])
    finally:
        session.close()
    show = entry("papertrail.show")
    assert show(["https://example.org/news/2024/ml-weekly-15.html", "--json"]) == cli.EXIT_OK
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "本周值得一读的四篇机器学习论文" and record["version"] == 1
    assert show([record["article_id"]]) == cli.EXIT_OK
    pretty = capsys.readouterr().out
    assert "本周值得一读的四篇机器学习论文" in pretty and record["article_id"] in pretty
    assert show(["https://example.org/never-seen"]) == cli.EXIT_FAILED
    assert "no record of https://example.org/never-seen" in capsys.readouterr().err


def test_show_finds_a_record_by_the_url_the_run_was_given(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run stores a URL without its password; ``page#top`` and ``page?utm_source=x``
    are that page. ``show`` with the URL as the run was given it said "no record"."""
    from papertrail.testing.pages import Page

    from .conftest import roundup_html, session_records

    with PageServer() as server:
        bare = server.add("/weekly.html", Page(roundup_html().encode("utf-8")))
        given = bare.replace("http://", "http://alice:s3cret@")
        (record,) = session_records(env / "data", [given])
    assert record.url == bare
    show = entry("papertrail.show")
    for key in (given, bare + "#top", bare + "?utm_source=newsletter"):
        assert show([key]) == cli.EXIT_OK, key
        assert record.article_id in capsys.readouterr().out


def test_show_gives_the_failure_record_of_an_article_with_no_good_record(
    env: Path, page_server: PageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL that never fetched has only failure records (``failures/``, not in the
    index): ``show`` said "no record"; it prints the latest one, says it is a failure
    (exit 1, as before), and a good record, once there is one, wins again."""
    import json

    from papertrail.session import Session
    from papertrail.settings import Settings
    from papertrail.testing.pages import Page

    from .conftest import roundup_html

    def ingest(url: str) -> None:
        session = Session(
            Settings(enrich=False, process_workers=0, allow_private=True, fetch_retries=0)
        )
        try:
            session.run([url])
        finally:
            session.close()

    url = page_server.add("/show-failure.html", Page(b"gone", "text/html", status=404))
    ingest(url)
    page_server.add("/show-failure.html", Page(b"gone for good", "text/html", status=410))
    ingest(url)  # a second failure, in a newer shard: the one to show
    assert len(list((env / "data" / "clean").glob("failures/*/*.jsonl"))) == 2
    show = entry("papertrail.show")
    assert show([url, "--json"]) == cli.EXIT_FAILED
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert record["url"] == url and record["version"] == 0
    assert [(e["stage"], e["reason"]) for e in record["errors"]] == [("fetch", "http_410")]
    assert f"no good record of {url}: its latest failure record (fetch:http_410)" in err
    assert "failures/" in err
    assert show([record["article_id"]]) == cli.EXIT_FAILED  # by article_id too
    out, err = capsys.readouterr()
    assert "FAILED" in out and "fetch/http_410" in out and "failure record" in err

    page_server.add("/show-failure.html", Page(roundup_html().encode(), "text/html"))
    ingest(url)
    assert show([url, "--json"]) == cli.EXIT_OK
    out, err = capsys.readouterr()
    assert json.loads(out)["version"] == 1 and json.loads(out)["errors"] == [] and not err


def test_status_render_shows_last_and_next_runs() -> None:
    from flows.status import render

    status = {
        "api_url": "http://127.0.0.1:4200/api",
        "deployments": [
            {"name": "discover/discover-weekly", "deployment": "discover-weekly",
             "paused": False, "work_pool": None, "schedules": ["cron 0 6 * * 1"],
             "last_run": {"name": "x", "state": "Completed", "by_schedule": True,
                          "scheduled_for": "2026-11-30T06:00:00+00:00", "started": None,
                          "ended": "2026-11-30T06:00:41+00:00",
                          "counts": {"pages": 3, "records": 2, "failed": 1}},
             "next_run": "2026-12-07T06:00:00+00:00"},
        ],
        "sources": [{"source": "weekly", "enabled": True, "schedule": "0 6 * * 1",
                     "deployments": ["discover-weekly"]}],
    }  # fmt: skip
    text = render(status)
    assert "last run: Completed at 2026-11-30T06:00:41+00:00 (scheduled): pages 3, " in text
    assert "next run: 2026-12-07T06:00:00+00:00" in text
    assert "weekly: 0 6 * * 1 -> discover-weekly" in text


def test_a_damaged_shard_is_one_line_naming_it_not_a_traceback(env: Path) -> None:
    """A shard cut short outside papertrail (a partial copy, a disk error) stops
    ``papertrail.show`` (and ``flows.enrich``, ``discover``: every reader of the output
    index); they printed a traceback, and now one line naming the file and the reason,
    exit 1, as ``flows.ingest`` reports a stopped run."""
    import os

    from papertrail.session import Session
    from papertrail.settings import Settings

    from .conftest import FIXTURES

    session = Session(Settings(enrich=False, process_workers=0))
    try:
        session.run([str(FIXTURES / "pages" / "roundup.html")])
    finally:
        session.close()
    clean = env / "data" / "clean"
    (shard,) = clean.glob("articles/*/*.jsonl")
    data = shard.read_bytes()
    shard.write_bytes(data[: data.index("本周".encode()) + 1])  # cut inside a character
    for index in clean.glob("_index.sqlite*"):
        index.unlink()  # rebuilt from the shards on the next open
    result = subprocess.run(
        [PYTHON, "-m", "papertrail.show", "https://example.org/news/2024/ml-weekly-15.html"],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == cli.EXIT_FAILED, result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error: ") and shard.name in result.stderr
    assert "[corrupt_shard]" in result.stderr
