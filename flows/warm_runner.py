"""A warm runner: ``python -m flows.ingest`` without paying for Prefect's import each time.

Importing Prefect costs 1-2 s of every CLI call on this kind of machine, more than the
work on one page. Next to papertrail's local server (``flows.local_server``) the
supervisor keeps one process that has imported the ingest flow and waits on a UNIX
socket in ``PREFECT_HOME`` (mode 0600, peers of another uid refused). The CLI connects,
passes its stdin/stdout/stderr descriptors, arguments, working directory and
environment; the runner forks a child that becomes that command (same descriptors, so a
terminal is still a terminal), runs ``flows.ingest.main`` and sends back the exit
status. Ctrl-C is forwarded.

It is used only when nothing could make the child differ from a fresh process: the
same Python, the same source files (paths, sizes, mtimes), the same ``PREFECT_*``
variables and project/profile files. Otherwise the CLI runs in-process as before, and
the runner is replaced with a fresh one. ``PAPERTRAIL_PREFECT_WARM_RUNNER=0`` turns it off.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import signal
import socket
import stat
import struct
import sys
import tempfile
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from papertrail import interrupts
from papertrail.settings import ServerSettings

SOCKET_FILE = "papertrail-runner.sock"
MAX_SOCKET_PATH = 90  # bytes: sun_path limits, less the ".<pid>" of the temporary name
CHILD_MARK = "_PAPERTRAIL_WARM_RUNNER_CHILD"  # not a setting: no PAPERTRAIL_ prefix
MAX_CHILDREN = 4
HEADER = struct.Struct("!Q")
#: True inside a runner's child: the command must not hand itself to a runner again.
in_runner = False
PROJECT_FILES = (".env", "prefect.toml", "pyproject.toml")


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """``PAPERTRAIL_PREFECT_WARM_RUNNER`` (on unless set false); a bad value counts as off."""
    try:
        return ServerSettings.from_env(env).warm_runner
    except ValidationError:
        return False


def socket_path(home: Path) -> Path:
    """The runner's socket: in ``home``, unless that path is too long for a UNIX socket
    address (108 bytes on Linux, 104 on macOS, with room for the temporary name), as deep
    ``PREFECT_HOME``s are; then in a private per-user directory under the temp dir, named
    by a hash of ``home``. Raises OSError if that directory is not this user's alone."""
    path = home / SOCKET_FILE
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    short = Path(tempfile.gettempdir()) / f"papertrail-{os.getuid()}"
    short.mkdir(mode=0o700, exist_ok=True)
    info = short.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{short} is not a directory private to this user")
    return short / (hashlib.sha256(os.fsencode(home)).hexdigest()[:24] + ".sock")


def code_fingerprint() -> str:
    """The Python, the installed distributions (names with versions) and the source files
    (paths, sizes, mtimes) of flows and papertrail."""
    digest = hashlib.sha256(sys.executable.encode())
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            digest.update("\n".join(sorted(os.listdir(entry))).encode())
    for name in ("flows", "papertrail"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(location).rglob("*.py")):
                st = path.stat()
                digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def config_fingerprint(env: Mapping[str, str], cwd: Path, home: Path) -> str:
    """What Prefect read at import: ``PREFECT_*`` variables, project and profile files."""
    digest = hashlib.sha256()
    for key in sorted(env):
        if key.startswith("PREFECT_") and key != "PREFECT_API_URL":
            digest.update(f"{key}={env[key]}\n".encode())
    for path in (*(cwd / f for f in PROJECT_FILES), home / "profiles.toml"):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# --- the CLI side ------------------------------------------------------------------------
def try_run(argv: list[str], api_url: str, home: Path) -> int | None:
    """Run this command in the warm runner: its exit status, or None to run in-process."""
    if in_runner or os.environ.get(CHILD_MARK) or not enabled():
        return None
    if os.environ.get("PREFECT_API_URL", api_url) != api_url or os.environ.get("PREFECT_PROFILE"):
        return None
    try:
        path = socket_path(home)
    except OSError:
        return None
    if not path.exists():
        return None
    request = {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "code": code_fingerprint(),
        "config": config_fingerprint(os.environ, Path.cwd(), home),
    }
    payload = json.dumps(request).encode()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(10)
        sock.connect(str(path))
        socket.send_fds(sock, [HEADER.pack(len(payload))], [0, 1, 2])
        sock.sendall(payload)
        reader = sock.makefile("rb")
        if reader.readline().strip() != b"OK":
            return None  # stale: this run goes in-process, the runner is being replaced
        sock.settimeout(None)
    except OSError:
        sock.close()
        return None
    return _wait_for_exit(sock, reader)


def _wait_for_exit(sock: socket.socket, reader: object) -> int:
    with sock:
        while True:
            try:
                line = reader.readline()  # type: ignore[attr-defined]
            except KeyboardInterrupt:
                with contextlib.suppress(OSError):
                    sock.sendall(b"INT\n")
                continue
            if not line:
                print("error: papertrail's warm runner stopped during the run", file=sys.stderr)
                return 1
            if line.startswith(b"EXIT "):
                return int(line.split()[1])


# --- the runner side ---------------------------------------------------------------------
def serve(home: Path, api_url: str) -> int:
    """Import the flow, then fork a child per connection until the supervisor goes."""
    from . import local_server

    os.environ["PREFECT_API_URL"] = api_url
    local_server._attached.append(api_url)
    import rich.console  # noqa: F401

    import flows.ingest
    import flows.ingest_flow  # noqa: F401
    import papertrail.preflight  # noqa: F401

    _start_shared_forkserver()
    expected = (code_fingerprint(), config_fingerprint(os.environ, Path.cwd(), home))
    supervisor = os.getppid()
    path = socket_path(home)
    tmp = path.with_name(f"{SOCKET_FILE}.{os.getpid()}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o077)
    try:
        listener.bind(str(tmp))
    finally:
        os.umask(old_umask)
    listener.listen(16)
    tmp.replace(path)
    inode = path.stat().st_ino
    listener.settimeout(5)
    children: set[int] = set()
    try:
        while os.getppid() == supervisor:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            finally:
                children -= _reaped(children)
            if _peer_uid(conn) != os.getuid() or len(children) >= MAX_CHILDREN:
                conn.close()  # the command runs in its own process instead
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                _child(conn, expected, api_url)  # never returns
            children.add(pid)
            conn.close()
            print(f"warm runner: command started as pid {pid}", flush=True)
    finally:
        with contextlib.suppress(OSError):
            if path.stat().st_ino == inode:  # not a newer runner's socket
                path.unlink()
    return 0


def _start_shared_forkserver() -> None:
    """Start the cleaning pool's forkserver here, once, before any thread exists: every
    command's pool then forks its workers from it (milliseconds) instead of starting a
    forkserver that imports the cleaning modules (a large part of a short command:
    bench/README.md). The stage functions read no environment or working directory, so a
    worker of this forkserver cleans a page exactly as a worker of the command's own
    would."""
    import multiprocessing
    from multiprocessing import forkserver

    from papertrail import timelimit

    timelimit.skip_main_in_workers()
    multiprocessing.get_context("forkserver").set_forkserver_preload(timelimit.PRELOAD)
    forkserver.ensure_running()


def _adopt_forkserver() -> None:
    """In a command's child: use the runner's forkserver. ``ensure_running`` would
    ``waitpid`` it, which only its parent (the runner) may do; it is alive as long as
    the runner or any command holds its descriptors."""
    from multiprocessing import forkserver, resource_tracker

    server = forkserver._forkserver
    if server._forkserver_pid is None:  # type: ignore[attr-defined]
        return

    def ensure_running() -> None:
        resource_tracker.ensure_running()

    server.ensure_running = ensure_running  # type: ignore[method-assign]


def _reaped(children: set[int]) -> set[int]:
    done = set()
    for pid in children:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                done.add(pid)
        except ChildProcessError:
            done.add(pid)
    return done


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _recv_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(10)
    header, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, 3)
    (size,) = HEADER.unpack(header)
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(1 << 20, size - len(data)))
        if not chunk:
            raise OSError("client went away")
        data += chunk
    conn.settimeout(None)
    return json.loads(data), fds


#: Set once the caller has its exit status: its going away is then no reason to stop.
_released = threading.Event()


def _child(conn: socket.socket, expected: tuple[str, str], api_url: str) -> None:
    global in_runner
    in_runner = True
    code = 1
    saved = (os.dup(1), os.dup(2))  # the runner's log, for what happens after the release
    try:
        request, fds = _recv_request(conn)
        if len(fds) != 3 or (request["code"], request["config"]) != expected:
            conn.sendall(b"STALE\n")
            if request["code"] != expected[0]:  # new code: the supervisor starts a fresh one
                os.kill(os.getppid(), signal.SIGTERM)
            os._exit(0)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _become(request, api_url)
        # a command ended at once by Ctrl-C (papertrail.interrupts) still hands its caller
        # the exit status and the descriptors
        interrupts.before_exit_now(lambda status: _release(conn, status, saved))
        _adopt_forkserver()
        conn.sendall(b"OK\n")
        threading.Thread(target=_forward_interrupts, args=(conn,), daemon=True).start()
        code = _run_main(request["argv"])
    except BaseException:  # the command's own errors are handled in main()
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        _release(conn, code, saved)
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # pool stop, Prefect's event flush: after the caller left
        os._exit(code)


def _release(conn: socket.socket, code: int, saved: tuple[int, int]) -> None:
    """The command is done (records written, summary printed): give the caller its exit
    status and its descriptors back (a pipe reader sees EOF now), then clean up."""
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    _released.set()
    with contextlib.suppress(OSError):
        conn.sendall(f"EXIT {code}\n".encode())


def _become(request: dict, api_url: str) -> None:
    """Turn this forked child into the client's command: cwd, environment, streams."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["PREFECT_API_URL"] = api_url
    os.environ[CHILD_MARK] = "1"  # never hand the command to a runner again
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 (the process's own streams)
    sys.stdout = open(1, "w", closefd=False, buffering=1 if os.isatty(1) else -1)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False, buffering=1, errors="backslashreplace")  # noqa: SIM115
    sys.argv = ["python -m flows.ingest", *request["argv"]]


def _forward_interrupts(conn: socket.socket) -> None:
    """Ctrl-C in the caller interrupts the command; the caller gone ends it, as it would
    end a command running in the caller's own process."""
    while True:
        try:
            line = conn.recv(64)
        except OSError:
            line = b""
        if not line:
            if not _released.is_set():
                os.kill(os.getpid(), signal.SIGTERM)
            return
        if b"INT" in line:
            os.kill(os.getpid(), signal.SIGINT)


def _run_main(argv: list[str]) -> int:
    from flows.ingest import main

    try:
        return int(main(argv) or 0)
    except SystemExit as exc:  # argparse errors and --help
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.warm_runner", description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args(argv)
    from flows import warm_runner  # not __main__: the module the CLI code consults

    return warm_runner.serve(args.home, args.api_url)


if __name__ == "__main__":
    sys.exit(main())
