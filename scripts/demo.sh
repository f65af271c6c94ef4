#!/usr/bin/env bash
# Set up, then run the main job on the default Prefect set-up against local servers:
# a page server with a Chinese paper roundup and a fake arXiv API (real Atom format),
# both on 127.0.0.1, so the demo needs no network. Output lands in data/clean/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
echo "setting up .venv (pip install -c constraints.txt -e .) ..."
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e . 2>&1 | { grep -v "^WARNING: Location" || true; }
PY=.venv/bin/python
tmp=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
$PY -m papertrail.testing.pages tests/fixtures/pages > "$tmp/pages" &
$PY -m papertrail.testing.fake_arxiv --port 0 > "$tmp/arxiv" &
for _ in $(seq 100); do [ -s "$tmp/pages" ] && [ -s "$tmp/arxiv" ] && break; sleep 0.1; done
PAGES=$(head -1 "$tmp/pages"); ARXIV=$(head -1 "$tmp/arxiv")
export PAPERTRAIL_ARXIV_API_URL="$ARXIV"
export PAPERTRAIL_ALLOW_PRIVATE=true   # the demo page is on 127.0.0.1
echo "page server: $PAGES   fake arXiv API: $ARXIV"
echo "+ python -m flows.ingest $PAGES/roundup.html"
$PY -m flows.ingest "$PAGES/roundup.html" "$@"
latest=$(ls -t data/clean/articles/*/*.jsonl 2>/dev/null | head -1 || true)
if [ -n "$latest" ]; then
  echo "--- first record of $latest (abridged) ---"
  $PY - "$latest" <<'PYEOF'
import json, sys
rec = json.loads(open(sys.argv[1], encoding="utf-8").readline())
rec["text"] = rec["text"][:200] + ("..." if len(rec["text"]) > 200 else "")
rec["arxiv"] = [f"{a['id']} (found by {a['found_by']})" for a in rec["arxiv"]]
rec["papers"] = [f"{p['arxiv_id']}: {p['title']}" for p in rec["papers"]]
print(json.dumps(rec, ensure_ascii=False, indent=2))
PYEOF
fi
