"""The raw archive: every page kept exactly as it arrived, in standard WARC files.

WARC (ISO 28500, written with warcio) because any web-archive tool can read it and it
holds what we need to replay a fetch without the network: the request, the response
status line, headers in their order and the body bytes as sent (still gzip if the server
sent gzip). Each record is its own gzip member, so a record can be read from its offset
alone. Files rotate at ``max_file_bytes`` and are named
``papertrail-YYYYmmddHHMMSS-NNNNN.warc.gz``. An SQLite index maps each URL (and its
canonical form) to file and offset. Every store writes (the fetcher does not store pages
it found unchanged), so the newest capture is always exactly what the last fetch saw.
Local input files are stored as ``resource`` records.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.warcwriter import WARCWriter

from .. import __version__, sqlite_setup
from ..closing import Closing
from ..document import Document, InputKind
from ..errors import FetchError, StorageError
from ..pipeline import record_failure
from ..urls import canonical_url
from .exchange import Exchange, HeaderPairs, header, headers_dict
from .limits import decode_content

INDEX_NAME = "index.sqlite"
REQUESTED_URI = "WARC-Papertrail-Requested-URI"  # extension header: the URL we were given
_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        INTEGER NOT NULL,
    content_type  TEXT,
    fetched_at    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    warc_file     TEXT NOT NULL,
    offset        INTEGER NOT NULL,
    length        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS captures_canonical ON captures (canonical_url, id);
"""
_COLUMNS = (
    "id, url, canonical_url, final_url, kind, status, content_type, fetched_at, sha256,"
    " warc_file, offset, length"
)


@dataclass(frozen=True, slots=True)
class Capture:
    """One archived page: where its record is and what the fetch said about it."""

    id: int
    url: str
    canonical_url: str
    final_url: str
    kind: InputKind
    status: int
    content_type: str | None
    fetched_at: str
    sha256: str
    warc_file: str
    offset: int
    length: int


class RawArchive(Closing):
    """Append-only WARC archive with an SQLite index; safe to share between threads."""

    def __init__(
        self,
        directory: Path,
        *,
        max_file_bytes: int = 1024**3,
        max_body_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.directory = Path(directory)
        self.max_file_bytes = max_file_bytes
        self.max_body_bytes = max_body_bytes
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._file_name = ""
        self._serial = 0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.directory / INDEX_NAME, check_same_thread=False, timeout=30
            )
            # WAL with synchronous=NORMAL: safe on an app crash, no fsync per page
            sqlite_setup.set_up(self._db, _SCHEMA, synchronous="NORMAL", timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open archive {self.directory}: {exc}") from exc

    # --- writing ---------------------------------------------------------------------
    def store_response(self, url: str, exchange: Exchange) -> Capture:
        """Archive an HTTP exchange (request + response records) fetched for ``url``."""
        status_line = f"{exchange.status} {exchange.reason}".rstrip()
        http_headers = StatusAndHeaders(
            status_line, list(exchange.headers), protocol=exchange.http_version
        )
        request_headers = StatusAndHeaders(
            f"GET {request_target(exchange.url)} HTTP/1.1",
            list(exchange.request_headers),
            is_http_request=True,
        )

        def write(writer: WARCWriter, date: str) -> None:
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.raw_body),
                length=len(exchange.raw_body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date, REQUESTED_URI: url},
            )
            request = writer.create_warc_record(
                exchange.url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=request_headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_request_response_pair(request, response)

        return self._store(
            url=url,
            final_url=exchange.url,
            kind="http",
            status=exchange.status,
            content_type=exchange.header("content-type"),
            fetched_at=exchange.fetched_at,
            sha256=exchange.sha256,
            write=write,
        )

    def store_resource(
        self, url: str, data: bytes, *, kind: InputKind, content_type: str, fetched_at: datetime
    ) -> Capture:
        """Archive a local input file as a WARC ``resource`` record."""

        def write(writer: WARCWriter, date: str) -> None:
            record = writer.create_warc_record(
                url,
                "resource",
                payload=io.BytesIO(data),
                length=len(data),
                warc_content_type=content_type,
                warc_headers_dict={"WARC-Date": date, REQUESTED_URI: url},
            )
            writer.write_record(record)

        return self._store(
            url=url,
            final_url=url,
            kind=kind,
            status=200,
            content_type=content_type,
            fetched_at=fetched_at,
            sha256=hashlib.sha256(data).hexdigest(),
            write=write,
        )

    def _store(
        self,
        *,
        url: str,
        final_url: str,
        kind: InputKind,
        status: int,
        content_type: str | None,
        fetched_at: datetime,
        sha256: str,
        write: object,
    ) -> Capture:
        canon = canonical_url(url)
        with self._lock:
            try:
                out = self._writable()
                offset = out.tell()
                writer = WARCWriter(out, gzip=True, warc_version="1.1")
                write(writer, _warc_date(fetched_at))  # type: ignore[operator]
                out.flush()
                length = out.tell() - offset
                row = (
                    url,
                    canon,
                    final_url,
                    kind,
                    status,
                    content_type,
                    fetched_at.isoformat(),
                    sha256,
                    self._file_name,
                    offset,
                    length,
                )
                cur = self._db.execute(
                    f"INSERT INTO captures ({_COLUMNS}) VALUES"
                    " (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._db.commit()
            except (OSError, sqlite3.Error) as exc:
                raise StorageError(f"cannot write to archive {self.directory}: {exc}") from exc
            capture_id = cur.lastrowid
            assert capture_id is not None
            return Capture(capture_id, *row)

    def _writable(self) -> IO[bytes]:
        if self._file is not None and self._file.tell() < self.max_file_bytes:
            return self._file
        if self._file is not None:
            self._file.close()
            self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"papertrail-{stamp}-{self._serial:05d}.warc.gz"
            try:
                self._file = open(self.directory / name, "xb")  # noqa: SIM115 - kept open
            except FileExistsError:
                self._serial += 1
                continue
            break
        self._file_name = name
        writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        writer.write_record(
            writer.create_warcinfo_record(
                name, {"software": f"papertrail/{__version__}", "format": "WARC File Format 1.1"}
            )
        )
        return self._file

    # --- reading ---------------------------------------------------------------------
    def latest(self, url: str) -> Capture | None:
        """The newest capture of ``url`` (matched by canonical URL)."""
        with self._lock:
            return self._latest_locked(canonical_url(url))

    def _latest_locked(self, canon: str) -> Capture | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM captures WHERE canonical_url = ? ORDER BY id DESC LIMIT 1",
            (canon,),
        ).fetchone()
        return Capture(*row) if row else None

    def __len__(self) -> int:
        """Number of captures (every stored fetch, not distinct URLs)."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM captures").fetchone()[0])

    def load(self, url: str) -> Document | None:
        """The newest capture of ``url`` as a fetched Document, or None if never archived."""
        capture = self.latest(url)
        return self.document(capture) if capture else None

    def captures(self) -> list[Capture]:
        """The newest capture per canonical URL, in the order URLs were first archived."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM captures WHERE id IN"
                " (SELECT MAX(id) FROM captures GROUP BY canonical_url)"
                " ORDER BY (SELECT MIN(id) FROM captures c2"
                "           WHERE c2.canonical_url = captures.canonical_url)"
            ).fetchall()
        return [Capture(*row) for row in rows]

    def iter_archive(self) -> Iterator[Document]:
        """Every archived page (newest capture per URL) as a fetched Document.

        A capture that cannot be read back (a WARC file cut short or overwritten outside
        papertrail) comes as a Document carrying that failure (``fetch`` stage,
        ``archive_unreadable``), so a reprocess run writes its failure record and goes on
        with the other pages instead of stopping at the first bad record."""
        for capture in self.captures():
            try:
                yield self.document(capture)
            except (StorageError, FetchError) as exc:
                doc = Document(url=capture.url, kind=capture.kind, final_url=capture.final_url)
                record_failure(doc, "fetch", exc)
                yield doc

    def document(self, capture: Capture) -> Document:
        """Rebuild the Document a fetch produced, from the WARC record alone."""
        path = self.directory / capture.warc_file
        try:
            with open(path, "rb") as fh:
                fh.seek(capture.offset)
                record = next(iter(ArchiveIterator(fh)))
                raw = record.raw_stream.read()
                pairs: HeaderPairs = (
                    list(record.http_headers.headers) if record.http_headers else []
                )
        except (
            OSError,
            EOFError,
            StopIteration,
            ValueError,
            zlib.error,
            ArchiveLoadFailed,  # bytes that are not a WARC record
            StatusAndHeadersParserException,
        ) as exc:
            what = (str(exc) or f"{type(exc).__name__} (record cut short)")[:200]
            raise StorageError(
                f"cannot read {path} at {capture.offset}: {what}", reason="archive_unreadable"
            ) from exc
        if record.rec_type == "response":
            body = decode_content(
                raw,
                header(pairs, "content-encoding"),
                max_bytes=self.max_body_bytes,
                url=capture.final_url,
            )
        else:
            body = raw
        if hashlib.sha256(body).hexdigest() != capture.sha256:
            # a gzip member cut short reads as a shorter payload, without an error: the
            # page would come back truncated and be written as a new, shorter version
            raise StorageError(
                f"cannot read {path} at {capture.offset}: the record does not match its"
                " checksum (cut short or altered)",
                reason="archive_unreadable",
            )
        return Document(
            url=capture.url,
            kind=capture.kind,
            raw=body,
            status=capture.status,
            headers=headers_dict(pairs),
            final_url=capture.final_url,
            fetched_at=datetime.fromisoformat(capture.fetched_at),
            content_type=capture.content_type,
        )

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            self._db.close()


def request_target(url: str) -> str:
    """The request-target as it went on the wire: httpx percent-encodes a path or query
    holding non-ASCII characters (an address pasted from a browser, a Chinese file name),
    and a WARC request line must be ASCII (warcio raised, and the fetched page was lost)."""
    return httpx.URL(url).raw_path.decode("ascii")


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
