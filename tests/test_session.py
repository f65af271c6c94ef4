"""Session: the plain-function run honours the output settings."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from papertrail.session import Session
from papertrail.settings import Settings

from .conftest import FIXTURES


def test_gzip_output_setting_gzips_the_run_shards(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", gzip_output=True, enrich=False, process_workers=0
    )
    session = Session(settings)
    try:
        summary = session.run([str(FIXTURES / "pages" / "roundup.html")])
    finally:
        session.close()
    (shard,) = (tmp_path / "data" / "clean" / "articles").glob("*/*.jsonl.gz")
    (line,) = gzip.decompress(shard.read_bytes()).decode("utf-8").splitlines()
    assert json.loads(line)["title"] == "本周值得一读的四篇机器学习论文"
    assert summary.records_written == 1
