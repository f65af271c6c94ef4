"""One definition of "``with obj:`` closes obj", for the objects that own files,
connections or SQLite handles (archive, ledger, fetcher, arXiv client and cache)."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Mixin: the object is its own context manager and ``close()`` runs on exit."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
