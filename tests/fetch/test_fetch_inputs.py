"""Arguments to Documents: URLs and local files accepted, everything else named."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.errors import InputError
from papertrail.inputs import make_document, validate_inputs


def test_http_urls() -> None:
    doc = make_document("  https://example.org/a?x=1  ")
    assert (doc.url, doc.kind) == ("https://example.org/a?x=1", "http")
    assert make_document("HTTP://example.org").kind == "http"


@pytest.mark.parametrize(
    ("name", "kind"), [("a.html", "html_file"), ("b.HTM", "html_file"), ("c.txt", "text_file")]
)
def test_local_files(tmp_path: Path, name: str, kind: str) -> None:
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    doc = make_document(str(path))
    assert doc.kind == kind
    assert doc.url == path.resolve().as_uri()
    assert make_document(doc.url).url == doc.url  # file: URLs are accepted too


def test_relative_path_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rel.html").write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert make_document("rel.html").url == (tmp_path / "rel.html").resolve().as_uri()


@pytest.mark.parametrize(
    ("arg", "reason"),
    [
        ("", "empty_input"),
        ("   ", "empty_input"),
        ("ftp://example.org/a.html", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("mailto:a@example.org", "unsupported_scheme"),
        ("https://", "bad_url"),
        ("http://exa mple.org/", "bad_url"),
        ("http://example.org:99999/", "bad_url"),
        ("/no/such/file.html", "file_not_found"),
        ("www.example.org/article", "file_not_found"),
    ],
)
def test_bad_inputs(arg: str, reason: str) -> None:
    with pytest.raises(InputError) as info:
        make_document(arg)
    assert info.value.reason == reason
    assert info.value.message


def test_wrong_extension_and_directory(tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(InputError) as info:
        make_document(str(pdf))
    assert info.value.reason == "unsupported_file_type" and ".pdf" in info.value.message
    with pytest.raises(InputError) as info:
        make_document(str(tmp_path))
    assert info.value.reason == "not_a_file"


def test_validate_inputs_reports_every_bad_argument(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("x", encoding="utf-8")
    docs, errors = validate_inputs(["https://example.org/", "nope.html", str(good), "ftp://x"])
    assert [d.kind for d in docs] == ["http", "text_file"]
    assert [e.reason for e in errors] == ["file_not_found", "unsupported_scheme"]
    assert "nope.html" in errors[0].message
