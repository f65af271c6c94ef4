"""Files that appear complete or not at all.

Readers glob ``data/clean/**`` while runs write into it, so every output file is written
under a temporary name in its final directory (same filesystem, so the rename is atomic),
flushed and fsynced, then renamed; the directory is fsynced so the rename survives a
power cut. Temporary names start with a dot and end in ``.tmp``: no ``*.jsonl`` glob, and
no pyarrow/Spark dataset reader (they skip ``.`` and ``_`` prefixes), ever sees them.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import secrets
from pathlib import Path
from typing import IO

from .errors import StorageError


def fsync_dir(path: Path) -> None:
    """Persist a rename or unlink in ``path`` (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")


class AtomicFile:
    """A text file written under a temporary name and renamed into place on :meth:`commit`.

    Nothing touches the disk until the first :meth:`write`, so a file that never gets a
    line is never created. ``gzip=True`` compresses (mtime 0, so equal content gives equal
    bytes).
    """

    def __init__(self, final: Path, *, gzip: bool = False) -> None:
        self.final = final
        self.gzip = gzip
        self.tmp: Path | None = None
        self.lines = 0
        self._raw: IO[bytes] | None = None
        self._gz: gzip.GzipFile | None = None
        self._text: io.TextIOWrapper | None = None

    def _open(self) -> io.TextIOWrapper:
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = temp_name(self.final)
            self._raw = open(self.tmp, "xb")  # noqa: SIM115 - closed in _close
        except OSError as exc:
            raise StorageError(f"cannot create {self.final}: {exc}", reason="write_failed") from exc
        binary: IO[bytes] = self._raw
        if self.gzip:
            self._gz = gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0)
            binary = self._gz  # type: ignore[assignment]
        self._text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")  # type: ignore[arg-type]
        return self._text

    def write_line(self, line: str) -> None:
        """Append one line (a newline is added)."""
        text = self._text or self._open()
        try:
            text.write(line)
            text.write("\n")
        except OSError as exc:
            raise StorageError(f"cannot write {self.tmp}: {exc}", reason="write_failed") from exc
        self.lines += 1

    def _close(self) -> None:
        """Flush every layer and fsync the temporary file."""
        if self._text is None or self._raw is None:
            return
        self._text.flush()
        self._text.detach()  # leaves the layers below open
        self._text = None
        if self._gz is not None:
            self._gz.close()  # writes the gzip trailer; leaves the raw file open
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()

    def flush(self) -> None:
        """Close the temporary file (complete and on disk) without renaming it yet."""
        try:
            self._close()
        except OSError as exc:
            raise StorageError(f"cannot write {self.tmp}: {exc}", reason="write_failed") from exc

    def commit(self) -> Path | None:
        """Rename the finished file into place; ``None`` when nothing was written."""
        self.flush()
        if self.tmp is None:
            return None
        try:
            os.replace(self.tmp, self.final)
        except OSError as exc:
            raise StorageError(
                f"cannot rename {self.tmp} to {self.final}: {exc}", reason="write_failed"
            ) from exc
        self.tmp = None
        fsync_dir(self.final.parent)
        return self.final

    def abort(self) -> None:
        """Drop the temporary file: nothing half-written is left behind."""
        with contextlib.suppress(Exception):
            self._close()
        if self._raw is not None and not self._raw.closed:
            with contextlib.suppress(OSError):
                self._raw.close()
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.tmp.unlink()
            self.tmp = None


def write_atomic_lines(final: Path, lines: list[str] | tuple[str, ...]) -> Path:
    """Write a whole file atomically (an empty list still writes an empty file)."""
    out = AtomicFile(final)
    try:
        for line in lines:
            out.write_line(line)
        if out.tmp is None:  # empty: make the file exist all the same
            out._open()
        path = out.commit()
    except BaseException:
        out.abort()
        raise
    assert path is not None
    return path
