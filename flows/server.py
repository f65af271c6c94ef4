"""``python -m flows.server start|stop|status``: papertrail's private local Prefect server.

Prefect's embedded default starts a temporary API server on every CLI call (its cost:
bench/README.md, "Latency of one command") and forgets its history at exit. So the first
``python -m flows.ingest`` run on a ``PREFECT_HOME`` starts a *private* local server in
the background and says so; later runs report to it until it has been idle for
``PAPERTRAIL_PREFECT_IDLE_TIMEOUT`` seconds (default 900), when it stops itself.

Ownership: a server is reused only if papertrail started it for this ``PREFECT_HOME``,
as its state file there says (``papertrail-server.json``: pid, port, home), its process
is alive and ours, and it answers; or if ``PREFECT_API_URL`` names a server. Nothing
else answering on a port is ever attached to. ``PAPERTRAIL_PREFECT_SERVER=ephemeral``
(and ``CI=true``, unless the variable says ``background``) keeps Prefect's per-run
embedded server instead. ``start`` keeps a server up with no idle exit (schedules).
"""

from __future__ import annotations

import argparse
import sys

from papertrail import cli

from .local_server import (
    ServerSettingError,
    describe,
    ensure_server,
    free_port,
    prefect_home,
    stop,
    supervise,
    temporary_server,
)

__all__ = ["free_port", "main", "temporary_server"]


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser("python -m flows.server", __doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    start_p = sub.add_parser("start", help="start (or find) the server and keep it up")
    start_p.add_argument(
        "--idle", type=float, default=0, metavar="SECONDS",
        help="stop by itself after this long without a run (default 0: never)",
    )  # fmt: skip
    sub.add_parser("stop", help="stop the server papertrail started for this PREFECT_HOME")
    sub.add_parser("status", help="show it (exit 0 when up, 1 when not)")
    run_p = sub.add_parser("supervise", help=argparse.SUPPRESS)
    run_p.add_argument("--port", type=int, required=True)
    run_p.add_argument("--idle", type=float, default=0)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            state = ensure_server(idle=args.idle or None)
            print(f"Prefect API up at {state.url} (export PREFECT_API_URL={state.url} for "
                  f"other tools; UI {state.ui_url})")  # fmt: skip
        elif args.action == "stop":
            print("stopped" if stop() else f"no papertrail server for {prefect_home()}")
        elif args.action == "supervise":
            return supervise(args.port, args.idle or None)
        else:
            up, text = describe()
            print(text)
            return 0 if up else 1
    except (ServerSettingError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
