"""The soak script (bench/soak/run.py) stays runnable: one round of every fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.soak.run import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_one_soak_round_writes_good_pages_once_and_records_every_fault(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    argv = ["--rounds", "1", "--good", "3", "--arxiv-trickle-every", "1"]
    status = main([*argv, "--data-dir", str(tmp_path / "data"), "--json", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert status == 0, report["problems"]
    assert report["rounds"] == 1 and report["good_written_once"] == report["good_pages"] == 4
    assert report["bad_recorded"] == report["bad_pages"] == 14
    assert report["arxiv_pending_rounds"] == 1
