"""Arguments to Documents: URLs and local files accepted, everything else named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from papertrail.errors import InputError
from papertrail.inputs import make_document, read_input_file, validate_inputs
from papertrail.settings import Settings


def test_http_urls() -> None:
    doc = make_document("  https://example.org/a?x=1  ")
    assert (doc.url, doc.kind) == ("https://example.org/a?x=1", "http")
    assert make_document("HTTP://example.org").kind == "http"


@pytest.mark.parametrize(
    ("arg", "url", "auth"),
    [
        ("http://alice:s3cret@example.org/a", "http://example.org/a", ("alice", "s3cret")),
        ("HTTPS://a%40b:p%3Aw@h.org:8443/x?y=1", "HTTPS://h.org:8443/x?y=1", ("a@b", "p:w")),
        ("http://u:p@ss@h.org/", "http://h.org/", ("u", "p@ss")),  # the last @ ends it
        ("http://alice@h.org/", "http://h.org/", ("alice", "")),
        ("http://h.org/?mail=a@b.org", "http://h.org/?mail=a@b.org", None),  # not userinfo
        ("http://h.org/p#x@y", "http://h.org/p#x@y", None),
    ],
)
def test_credentials_leave_the_url_for_document_auth(
    arg: str, url: str, auth: tuple[str, str] | None
) -> None:
    doc = make_document(arg)
    assert (doc.url, doc.auth) == (url, auth)
    assert "s3cret" not in repr(doc)


def test_a_bad_url_with_a_password_is_reported_without_it() -> None:
    with pytest.raises(InputError) as info:
        make_document("http://alice:s3cret@example.org:99999/a")
    assert info.value.reason == "bad_url" and "s3cret" not in str(info.value)


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


def test_invisible_characters_around_urls_in_a_from_file_are_dropped(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    """A ``--from`` list pasted from a chat app or a web page (zero-width spaces after a
    URL, a word joiner before one) or two lists saved with a BOM and concatenated: the
    URL with a trailing zero-width space was fetched with it (``%E2%80%8B``), a 404 with
    nothing visible to explain it, and the second BOM made its line (and a comment after
    it) an unknown file that refused the whole run."""
    from papertrail.preflight import preflight
    from papertrail.session import Session
    from papertrail.testing.pages import Page, PageServer

    html = (Path(__file__).parents[1] / "fixtures" / "pages" / "roundup.html").read_bytes()
    with PageServer() as server:
        urls = [server.add(f"/p{i}", Page(html.replace(b"canonical", b"x"))) for i in range(3)]
        listing = tmp_path / "urls.txt"
        first = f"\ufeff# first list\r\n{urls[0]}\u200b\r\n\u2060{urls[1]}\r\n"
        second = f"\ufeff# second list\n{urls[2]}\u200b\u200b\n"
        listing.write_bytes(first.encode() + second.encode())
        inputs = read_input_file(listing)
        settings = make_settings(enrich=False, process_workers=0)
        assert preflight(settings, inputs) == []
        session = Session(settings)
        try:
            summary = session.run(inputs)
        finally:
            session.close()
        asked = sorted(r.path for r in server.requests if r.path.startswith("/p"))
    assert summary.pages == 3 and summary.failed == 0
    assert asked == ["/p0", "/p1", "/p2"]
