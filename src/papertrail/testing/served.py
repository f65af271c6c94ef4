"""One definition of "``with server:`` starts it and stops it" for the loopback servers."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Served:
    """Mixin: ``start()`` returns the server, ``stop()`` shuts it; ``with`` does both."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
