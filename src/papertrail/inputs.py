"""Command-line arguments to Documents: an http(s) URL, or a local ``.html``/``.htm``
file (read as a fetched page) or ``.txt`` file (a page already rendered to text).

Validation is separate from fetching so the CLI can report every bad argument before
any work starts. Whatever an argument holds (a malformed IPv6 host, bytes that are not
UTF-8 and reached us as surrogate escapes), it ends as an :class:`InputError`, never as
an exception that hides the other arguments' report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .document import Document, InputKind
from .errors import InputError

FILE_KINDS: dict[str, InputKind] = {".html": "html_file", ".htm": "html_file", ".txt": "text_file"}
# Invisible characters that copy-paste from web pages and chat apps leaves around a URL
# (zero-width space, joiners, word joiner, a byte-order mark from a concatenated file);
# str.strip() keeps them, and they made a good URL 404 with nothing visible to explain it.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# scheme://userinfo@ : the authority ends at the first / ? or #, and its userinfo at the
# last @ before that (what urllib and httpx both do)
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)@")

Credentials = tuple[str, str]


def _trim(text: str) -> str:
    """``text`` without surrounding whitespace or invisible characters."""
    return text.strip().strip(_INVISIBLE).strip()


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its ``user:password@``, and the credentials, percent-decoded as
    httpx decodes them for Basic auth (None when there are none).

    The URL without them is the one stored, hashed into ``article_id`` and logged: a
    password is never part of a page's identity, and the record, the WARC archive, the
    ledger and every log line saw it when the URL was kept whole.
    """
    m = _USERINFO.match(url)
    if m is None:
        return url, None
    user, _, password = m.group(2).partition(":")
    bare = m.group(1) + url[m.end() :]
    return bare, ((unquote(user), unquote(password)) if user or password else None)


# Inputs whose password :func:`set_aside_credentials` took out: URL without it -> the
# input as given. This process only: nothing of it is stored or sent anywhere.
_set_aside: dict[str, str] = {}


def set_aside_credentials(args: Iterable[str]) -> list[str]:
    """``args`` with any ``user:password@`` taken out of each URL, for what a run records
    about its inputs: a Prefect flow run's parameters are kept in Prefect's database and
    shown in its UI. Each input as given stays in this process for
    :func:`with_credentials`, which puts it back where the pages are fetched."""
    bare_args = []
    for arg in args:
        bare, auth = split_userinfo(_trim(arg)) if isinstance(arg, str) else (arg, None)
        if auth is not None:
            _set_aside[bare] = arg
            arg = bare
        bare_args.append(arg)
    return bare_args


def with_credentials(arg: str) -> str:
    """The input :func:`set_aside_credentials` made ``arg`` of (with its password), else
    ``arg``; for a batch task's inputs, whose values Prefect does not store."""
    return _set_aside.get(arg, arg)


def make_document(arg: str) -> Document:
    """A Document for one argument, or :class:`InputError` naming what is wrong.

    Credentials in an http(s) URL (``http://user:pw@host/``) go to ``Document.auth``,
    sent as httpx would send them; the URL (and any error message) is without them.
    """
    if not isinstance(arg, str) or not _trim(arg):
        raise InputError(
            "empty input: give an http(s) URL or a .html/.htm/.txt file", reason="empty_input"
        )
    text, auth = split_userinfo(_trim(arg))
    _check_utf8(text)
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. "http://[::1": an unclosed IPv6 literal
        raise InputError(f"{text!r}: not a valid URL ({exc})", reason="bad_url") from exc
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        try:
            _ = parts.port
        except ValueError as exc:
            raise InputError(f"{text!r}: bad port in URL", reason="bad_url") from exc
        if not parts.hostname or any(c.isspace() for c in text):
            raise InputError(f"{text!r}: not a valid URL (no host, or spaces)", reason="bad_url")
        return Document(url=text, kind="http", auth=auth)
    if scheme == "file":
        if parts.netloc not in {"", "localhost"}:
            raise InputError(f"{text!r}: remote file URLs are not supported", reason="bad_url")
        path = Path(url2pathname(parts.path))
    elif len(scheme) > 1:  # one letter is a Windows drive
        raise InputError(
            f"{text!r}: unsupported scheme {scheme!r} (use http(s) or a local file path)",
            reason="unsupported_scheme",
        )
    else:
        path = Path(text).expanduser()
    return _file_document(text, path)


def _check_utf8(text: str) -> None:
    """Refuse text holding bytes that were not UTF-8 (Python keeps them as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raw = text.encode("utf-8", "surrogateescape")[: exc.start + 1]
        byte = text[exc.start].encode("utf-8", "surrogateescape")
        raise InputError(
            f"{text!r}: not UTF-8 (byte 0x{byte.hex()} at offset {len(raw) - 1})",
            reason="bad_encoding",
        ) from exc


def storable(arg: str) -> str:
    """``arg`` safe to store and hash: bytes that were not UTF-8 (surrogate escapes)
    become ``\\xNN``, so the record of a refused input can still be written."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_input_file(path: Path) -> list[str]:
    """The inputs listed in ``path``: one per line, blank lines and ``#`` comments
    skipped. :class:`InputError` when it cannot be read or is not UTF-8, naming the file
    and the byte offset of the first bad byte."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}", reason="file_unreadable") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        offset = exc.start + bom
        line = data[:offset].count(b"\n") + 1
        raise InputError(
            f"{path}: not UTF-8 text: byte 0x{data[offset]:02x} at offset {offset} (line {line})",
            reason="bad_encoding",
        ) from exc
    lines = (_trim(ln) for ln in text.splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def _file_document(arg: str, path: Path) -> Document:
    if not path.exists():
        raise InputError(f"{arg!r}: no such file (and not an http(s) URL)", reason="file_not_found")
    if not path.is_file():
        raise InputError(f"{arg!r}: not a regular file", reason="not_a_file")
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{arg!r}: unsupported file type {path.suffix or '(none)'!r}"
            " (expected .html, .htm or .txt)",
            reason="unsupported_file_type",
        )
    return Document(url=path.resolve().as_uri(), kind=kind)


def validate_inputs(args: Iterable[str]) -> tuple[list[Document], list[InputError]]:
    """Documents for the good arguments and one error per bad one, in argument order."""
    docs: list[Document] = []
    errors: list[InputError] = []
    for arg in args:
        try:
            docs.append(make_document(arg))
        except InputError as exc:
            errors.append(exc)
    return docs, errors


__all__ = [
    "FILE_KINDS",
    "make_document",
    "read_input_file",
    "set_aside_credentials",
    "split_userinfo",
    "storable",
    "validate_inputs",
    "with_credentials",
]
