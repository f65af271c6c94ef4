"""Shared pieces: timing a command in a fresh shell, the environment, the statistics."""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
RESULTS = Path(__file__).with_name("results.jsonl")


def user_env(prefect_home: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """A user's environment: no PAPERTRAIL_*/PREFECT_* of ours but a private home and data
    directory, the background server explicitly on (a CI variable would turn it off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERTRAIL_", "PREFECT_"))}
    env.pop("CI", None)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PREFECT_HOME=str(prefect_home),
        PAPERTRAIL_DATA_DIR=str(data_dir),
        PAPERTRAIL_PREFECT_SERVER="background",
        PAPERTRAIL_PREFECT_IDLE_TIMEOUT="900",
    )
    env.update(extra)
    return env


def shell_time(args: Sequence[str], env: Mapping[str, str], stdin: Path | None = None) -> float:
    """Wall seconds of ``args`` run by a fresh ``/bin/sh -c`` (as a script or a user would)."""
    cmd = shlex.join(args) + (f" < {shlex.quote(str(stdin))}" if stdin else "")
    start = time.perf_counter()
    proc = subprocess.run(
        ["/bin/sh", "-c", cmd], cwd=ROOT, env=dict(env), capture_output=True, timeout=600
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr[-2000:].decode(errors='replace')}")
    return wall


def p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def row(name: str, runs: Sequence[float]) -> str:
    return (
        f"| {name} | {statistics.median(runs):.2f} | {p90(runs):.2f} | {min(runs):.2f} | "
        f"{len(runs)} |"
    )


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def record(kind: str, results: Mapping[str, Sequence[float]], **info: object) -> None:
    """Append one run of a benchmark to ``results.jsonl`` (raw seconds, for the README)."""
    entry = {"kind": kind, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "cores": os.cpu_count(), "load": load_average(), **info,
             "runs": {k: [round(v, 3) for v in vs] for k, vs in results.items()}}  # fmt: skip
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def wait_for_runner(home: Path, wait: float = 120.0) -> bool:
    """Wait until the warm runner next to the server listens (it imports Prefect first)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if (home / "papertrail-runner.sock").exists():
            return True
        time.sleep(0.5)
    return False


def stop_server(env: Mapping[str, str]) -> None:
    subprocess.run(
        [PYTHON, "-m", "flows.server", "stop"], cwd=ROOT, env=dict(env), capture_output=True,
        timeout=120,
    )  # fmt: skip
