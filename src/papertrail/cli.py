"""What every command line shares: arguments, settings, exit codes, verbosity.

Each entry point (``flows.ingest``, ``flows.discover``, ``flows.status``,
``papertrail.show``...) builds its parser with :func:`parser` and wraps its work in
:func:`run`, so bad input is reported the same way everywhere: one line on stderr naming
the problem, exit status 2, nothing written. No Prefect import here: the library's own
CLIs use it too.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from pydantic import ValidationError

from . import __version__
from .errors import ConfigError, InputError, PapertrailError
from .interrupts import EXIT_INTERRUPTED, prompt_interrupts
from .settings import SERVER_PREFIX, ServerSettings, Settings

EXIT_OK = 0
EXIT_FAILED = 1  # the run went, some input failed (its record says why)
EXIT_USAGE = 2  # bad arguments, settings or files: nothing was done

PREFIX = "PAPERTRAIL_"
# Variables that are not settings: test, benchmark and process plumbing
# (docs/settings.md, "Not settings").
OTHER_VARIABLES = frozenset(
    {
        "PAPERTRAIL_CORPUS",  # bench: where the extraction corpus lives
        "PAPERTRAIL_TEST_CRASH_AT",  # tests/reliability: crash points
    }
)


class UsageError(Exception):
    """Bad arguments, settings or files: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and the options every entry point has."""

    def __init__(self, prog: str, description: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(prog=prog, description=description, **kwargs)
        self.add_argument("--version", action="version", version=f"papertrail {__version__}")
        loudness = self.add_mutually_exclusive_group()
        loudness.add_argument(
            "-v", "--verbose", action="store_true", help="show Prefect's and papertrail's logs"
        )
        loudness.add_argument(
            "-q", "--quiet", action="store_true", help="print errors only (exit status tells)"
        )

    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block plus message."""
        raise UsageError(f"{message} (see {self.prog} --help)")


def parser(prog: str, description: str | None = None, **kwargs: Any) -> Parser:
    return Parser(prog, description, **kwargs)


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def known_variables() -> set[str]:
    server = {SERVER_PREFIX + name.upper() for name in ServerSettings.model_fields}
    return {env_name(name) for name in Settings.model_fields} | server | OTHER_VARIABLES


def unknown_variable_warnings(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning per ``PAPERTRAIL_*`` variable nothing reads, with the closest valid name."""
    environ = os.environ if environ is None else environ
    known = known_variables()
    warnings = []
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        warnings.append(f"warning: unknown variable {name} is ignored{hint}")
    return warnings


def describe_settings_error(exc: ValidationError, prefix: str = PREFIX) -> str:
    """``PAPERTRAIL_FETCH_TIMEOUT='abc': Input should be a valid number``, one line."""
    parts = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        value = error.get("input")
        shown = f"={value!r}" if isinstance(value, str | int | float) else ""
        parts.append(f"{prefix}{field.upper()}{shown}: {error['msg']}")
    return "invalid setting " + "; ".join(parts)


def load_settings(**overrides: Any) -> Settings:
    """Validated settings (overrides are CLI flags), or :class:`UsageError`."""
    for warning in unknown_variable_warnings():
        print(warning, file=sys.stderr)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise UsageError(describe_settings_error(exc)) from None


def load_catalogue(settings: Settings, names: Iterable[str] = ()) -> Any:
    """The sources file, checked, with every name in ``names`` known; else UsageError."""
    from .sources import load_sources

    try:
        catalogue = load_sources(settings.sources_file)
    except ConfigError as exc:
        raise UsageError(exc.message) from None
    known = [s.name for s in catalogue.sources]
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            raise UsageError(f"unknown source {name!r} in {catalogue.path} ({hint})")
    return catalogue


def configure_logging(args: argparse.Namespace) -> None:
    """--verbose: Prefect's and papertrail's INFO logs; --quiet: errors only."""
    if getattr(args, "verbose", False):
        level = logging.INFO
    elif getattr(args, "quiet", False):
        level = logging.ERROR
    else:
        return
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for name in ("prefect", "papertrail", "flows"):
        logging.getLogger(name).setLevel(level)


def echo(args: argparse.Namespace, *lines: str) -> None:
    """Print ``lines`` unless --quiet."""
    if not getattr(args, "quiet", False):
        for line in lines:
            print(line)


def run(main: Callable[[], int]) -> int:
    """Run an entry point's body: bad input becomes one line and exit status 2; any other
    papertrail error that stops it (storage: a damaged shard, a locked index) one line
    with its reason and exit status 1, as ``flows.ingest`` reports a stopped run. Ctrl-C
    ends it within seconds (:mod:`.interrupts`)."""
    with prompt_interrupts():
        return _run(main)


def _run(main: Callable[[], int]) -> int:
    try:
        return main()
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, InputError) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except PapertrailError as exc:  # a damaged shard, a locked index, a full disk
        print(f"error: stopped: {exc.message} [{exc.reason}]", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def writable_dir(path: Any, flag: str) -> None:
    """UsageError unless ``path`` is, or can be created as, a writable directory."""
    from pathlib import Path

    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: not a writable directory")


__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "OTHER_VARIABLES",
    "PREFIX",
    "Parser",
    "UsageError",
    "configure_logging",
    "describe_settings_error",
    "echo",
    "env_name",
    "known_variables",
    "load_catalogue",
    "load_settings",
    "parser",
    "run",
    "unknown_variable_warnings",
    "writable_dir",
]
