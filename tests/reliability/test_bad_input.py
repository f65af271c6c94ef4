"""Bad input at the edges: a clear message naming the problem before any work starts,
a non-zero exit status, and no file created or changed.

The CLI tests run the real ``python -m flows.ingest`` / ``flows.discover``; they stop
before Prefect starts, so they need no server.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertrail.preflight import check_sqlite, check_writable, preflight
from papertrail.settings import Settings

from ..conftest import PYTHON, ROOT

pytestmark = pytest.mark.timeout(120)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and mtime: 'nothing changed' is equality."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    }


def run(module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=90,
    )  # fmt: skip


def test_bad_inputs_are_all_named_before_any_work(run_env: dict[str, str], tmp_path: Path) -> None:
    data = Path(run_env["PAPERTRAIL_DATA_DIR"])
    bad = ["ftp://example.org/a.html", "javascript:alert(1)", "http://exa mple.org/",
           "https://", str(tmp_path / "missing.html"), str(tmp_path / "notes.pdf")]  # fmt: skip
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    proc = run("flows.ingest", run_env, "https://example.org/fine.html", *bad)
    assert proc.returncode == 2
    for arg in bad:
        assert repr(arg) in proc.stderr, arg
    for reason in ("unsupported_scheme", "bad_url", "file_not_found", "unsupported_file_type"):
        assert f"[{reason}]" in proc.stderr
    assert not data.exists(), "nothing may be created for a run that cannot start"


def test_missing_from_file_and_no_inputs(run_env: dict[str, str], tmp_path: Path) -> None:
    proc = run("flows.ingest", run_env, "--from", str(tmp_path / "urls.txt"))
    assert proc.returncode == 2 and "urls.txt" in proc.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# only a comment\n\n", encoding="utf-8")
    proc = run("flows.ingest", run_env, "--from", str(empty))
    assert proc.returncode == 2 and "no input" in proc.stderr
    assert not Path(run_env["PAPERTRAIL_DATA_DIR"]).exists()


def test_out_under_a_file_is_refused(run_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    proc = run("flows.ingest", run_env, "https://example.org/a", "--out", str(blocker / "clean"))
    assert proc.returncode == 2
    assert str(blocker / "clean") in proc.stderr
    assert not Path(run_env["PAPERTRAIL_DATA_DIR"]).exists()


@contextlib.contextmanager
def read_only_mount(path: Path) -> Iterator[Path]:
    """A read-only tmpfs at ``path`` (root can write anywhere else, so only this shows
    a real EROFS); skips where mounting is not allowed."""
    path.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=False)


def test_unwritable_data_dir_is_refused(run_env: dict[str, str], tmp_path: Path) -> None:
    with read_only_mount(tmp_path / "ro") as ro:
        env = dict(run_env, PAPERTRAIL_DATA_DIR=str(ro / "data"))
        proc = run("flows.ingest", env, "https://example.org/a")
        assert proc.returncode == 2
        assert "[not_writable]" in proc.stderr and str(ro) in proc.stderr
        assert check_writable(ro / "x" / "y", "output directory") is not None


CORRUPTIONS = {
    "garbage": lambda p: p.write_bytes(b"this is not a database, just some bytes" * 100),
    "truncated": lambda p: _truncate_valid_db(p),
}


def _truncate_valid_db(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (a TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        db.commit()
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 3000 + data[3100 : len(data) // 2])


SQLITE_FILES = {
    "ledger.sqlite": "fetch ledger",
    "arxiv-cache.sqlite": "arXiv cache",
    "clean/_index.sqlite": "output index",
    "raw/index.sqlite": "raw archive index",
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
@pytest.mark.parametrize("rel", sorted(SQLITE_FILES))
def test_preflight_names_each_corrupt_sqlite_file(tmp_path: Path, rel: str, kind: str) -> None:
    data = tmp_path / "data"
    target = data / rel
    target.parent.mkdir(parents=True)
    CORRUPTIONS[kind](target)
    before = snapshot(data)
    problems = preflight(Settings(data_dir=data), ["https://example.org/a"])
    assert [p.reason for p in problems] == ["corrupt_file"]
    assert f"{SQLITE_FILES[rel]} {target}" in problems[0].message
    assert snapshot(data) == before


def test_cli_refuses_corrupt_files_and_changes_nothing(run_env: dict[str, str]) -> None:
    data = Path(run_env["PAPERTRAIL_DATA_DIR"])
    for rel in SQLITE_FILES:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        CORRUPTIONS["garbage"](data / rel)
    before = snapshot(data)
    proc = run("flows.ingest", run_env, "https://example.org/a")
    assert proc.returncode == 2, proc.stderr
    for rel, name in SQLITE_FILES.items():
        assert f"{name} {data / rel}" in proc.stderr
    assert proc.stderr.count("[corrupt_file]") == len(SQLITE_FILES)
    assert snapshot(data) == before, "a refused run changes nothing"


def test_locked_sqlite_is_not_reported_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("CREATE TABLE t (a)")
        holder.execute("BEGIN EXCLUSIVE")
        assert check_sqlite(path, "fetch ledger", "") is None
        holder.execute("ROLLBACK")


def test_preflight_is_silent_on_a_healthy_setup(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert preflight(settings, ["https://example.org/a"]) == []
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "content",
    ['[[source]\nname = "x"', '[[source]]\nname = "x"\nkind = "feed"\nurl = "ftp://x/"',
     "\xff\xfe garbage", '[[source]]\nname = "x"\nkind = "urls"\nurls = []\nschedule = "61 * * *"'],
)  # fmt: skip
def test_corrupt_sources_file_is_named(
    run_env: dict[str, str], tmp_path: Path, content: str
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    env = dict(run_env, PAPERTRAIL_SOURCES_FILE=str(sources))
    proc = run("flows.discover", env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert str(sources) in proc.stderr or "sources.toml" in proc.stderr
    assert not Path(run_env["PAPERTRAIL_DATA_DIR"]).exists()


# --- inputs that used to crash the run instead of being reported (issue 15) -------------


def test_from_file_that_is_not_utf8_is_one_line_naming_the_offset(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_bytes(b"https://example.org/a\nhttps://example.org/\xff\xfeb\n")
    proc = run("flows.ingest", run_env, "--from", str(listing))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr  # one line, no traceback
    assert str(listing) in proc.stderr and "offset 42" in proc.stderr and "line 2" in proc.stderr
    assert not Path(run_env["PAPERTRAIL_DATA_DIR"]).exists()


def test_malformed_ipv6_and_non_utf8_urls_are_reported_with_the_rest(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("http://[::1:123\nftp://example.org/x\n", encoding="utf-8")
    proc = subprocess.run(
        [PYTHON, "-m", "flows.ingest", "https://example.org/fine", "http://[::1",
         b"https://example.org/caf\xe9", "--from", str(listing)],
        cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for shown in ("'http://[::1'", "'http://[::1:123'", "ftp://example.org/x", "byte 0xe9"):
        assert shown in proc.stderr, shown
    assert proc.stderr.count("[bad_url]") == 2 and "[bad_encoding]" in proc.stderr
    assert not Path(run_env["PAPERTRAIL_DATA_DIR"]).exists()


def test_preflight_reports_every_bad_input_without_raising(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    surrogate = b"https://example.org/\xff".decode("utf-8", "surrogateescape")
    problems = preflight(settings, ["http://[::1:123", surrogate, "https://example.org/ok"])
    assert [p.reason for p in problems] == ["bad_url", "bad_encoding"]


def test_library_run_records_bad_inputs_and_keeps_the_good_one(tmp_path: Path) -> None:
    """Without the CLI's preflight, a non-UTF-8 or malformed URL is an input failure with
    a record; it must not crash the write and lose the good input beside it."""
    from papertrail.session import Session

    good = tmp_path / "note.txt"
    good.write_text("本周论文 arXiv:1509.01066 值得一读，这是正文的一段文字。\n" * 3, "utf-8")
    surrogate = b"https://example.org/\xff".decode("utf-8", "surrogateescape")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", enrich=False, process_workers=0)  # type: ignore[call-arg]
    session = Session(settings)
    try:
        summary = session.run([surrogate, "http://[::1:123", str(good)])
    finally:
        session.close()
    assert summary.records_written == 3
    assert summary.failures_by_reason == {"input:bad_encoding": 1, "input:bad_url": 1}
