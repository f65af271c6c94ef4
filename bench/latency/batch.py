"""Many local pages: the pipeline against a bare trafilatura loop over the same files.

    python -m bench.latency.batch [--pages 318] [--repeat 3]

The pages are real pages saved as local ``.html`` files: the 69 Chinese pages of the
shared zh-wced corpus (mostly gb2312, 2005-era portals), the 181 English news pages of
en-scrapinghub, then wcxb-dev pages up to ``--pages`` (``--generated``: Chinese pages
generated like ``bench.pipeline.site``'s instead of the English and wcxb ones). Each
command runs in a fresh shell, interleaved:

- ``trafilatura loop``: one Python process, ``trafilatura.extract`` on each file's bytes;
- ``pipeline``: ``python -m flows.ingest --from list.txt --no-enrich --out DIR``
  reporting to the background server (started before, not timed), a new ``--out`` each
  run so every page gets a new record (fetch from disk, decode, clean, ids, WARC
  archive, ledger, output, catalogue), the data directory kept as a user's is.

Prints the medians and the ratio pipeline / loop; appends to ``results.jsonl``.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

from bench.pipeline.site import make_page, seed_paragraphs

from .common import (
    PYTHON,
    load_average,
    record,
    row,
    shell_time,
    stop_server,
    user_env,
    wait_for_runner,
)  # fmt: skip

CORPUS = Path("/work/shared/corpus")
LOOP = (
    "import sys, trafilatura\n"
    "from pathlib import Path\n"
    "for p in Path(sys.argv[1]).read_text().split():\n"
    "    trafilatura.extract(Path(p).read_bytes())\n"
)


def write_pages(pages: int, into: Path, generated: bool) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    sets = ["zh-wced"] if generated else ["zh-wced", "en-scrapinghub", "wcxb-dev"]
    real = [p for name in sets for p in sorted((CORPUS / name / "html").glob("*.html*"))]
    files = []
    for src in real[:pages]:
        data = src.read_bytes()
        if src.suffix == ".gz":
            data = gzip.decompress(data)
        dst = into / f"{src.parent.parent.name}-{src.name.removesuffix('.gz')}"
        dst.write_bytes(data)
        files.append(dst)
    paras = seed_paragraphs()
    for n in range(pages - len(files)):
        body, _ctype = make_page(n, paras)
        dst = into / f"generated-{n:04d}.html"
        dst.write_bytes(body)
        files.append(dst)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=318)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", action="store_true", help="generated Chinese pages")
    args = parser.parse_args(argv)
    results: dict[str, list[float]] = {"trafilatura loop": [], "pipeline": []}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        files = write_pages(args.pages, work / "pages", args.generated)
        listing = work / "list.txt"
        listing.write_text("\n".join(map(str, files)) + "\n", encoding="utf-8")
        home = work / "home"
        loop = work / "loop.py"
        loop.write_text(LOOP, encoding="utf-8")
        n = 0

        def pipeline() -> float:
            nonlocal n
            n += 1
            env = user_env(home, work / "data")
            cmd = [PYTHON, "-m", "flows.ingest", "--from", str(listing), "--no-enrich",
                   "--out", str(work / f"out-{n}")]  # fmt: skip
            return shell_time(cmd, env)

        try:
            pipeline()  # starts the background server, warms disk caches: not counted
            if not wait_for_runner(home):
                print("warning: no warm runner; runs import Prefect", file=sys.stderr)
            for i in range(args.repeat):
                results["trafilatura loop"].append(
                    shell_time([PYTHON, str(loop), str(listing)], user_env(home, work))
                )
                results["pipeline"].append(pipeline())
                print(f"round {i}: loop {results['trafilatura loop'][-1]:.2f} s, pipeline "
                      f"{results['pipeline'][-1]:.2f} s", file=sys.stderr, flush=True)  # fmt: skip
        finally:
            stop_server(user_env(home, work))
    print(f"{len(files)} pages; load average before/after: {load_before} / {load_average()}")
    print("| command | median s | p90 s | best s | runs |")
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        print(row(name, runs))
    ratio = statistics.median(results["pipeline"]) / statistics.median(results["trafilatura loop"])
    print(f"pipeline / trafilatura loop: {ratio:.2f} (medians)")
    record("batch", results, pages=len(files), generated=args.generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
