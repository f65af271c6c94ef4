"""A fake arXiv query API on loopback, speaking the real Atom format.

Tests, the README demo and the benchmarks use it instead of ``export.arxiv.org``: it
serves a closed world built from real arXiv metadata (``tests/fixtures/arxiv/metadata``
and ``.../catalogue``), and misbehaves on request the way the real service does (429
when called too fast, 5xx, stalls, truncated bodies, error feeds), logging every request
so tests can count and space them.

    with FakeArxivAPI(min_interval=0.2, fail_first=2) as api:
        settings = Settings(arxiv_api_url=api.url, arxiv_interval=0.2)
        ...
        assert len(api.requests) == 3

Run it by hand: ``python -m papertrail.testing.fake_arxiv --port 0`` prints its URL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from papertrail.ids import parse_id

from .served import QuietHTTPServer, Served

DEFAULT_FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "arxiv"
QUERY_PATH = "/api/query"

_ARCHIVES = {
    "Computer Science": "cs",
    "Mathematics": "math",
    "Quantum Physics": "quant-ph",
    "High Energy Physics - Phenomenology": "hep-ph",
    "High Energy Physics - Theory": "hep-th",
    "High Energy Physics - Experiment": "hep-ex",
    "High Energy Physics - Lattice": "hep-lat",
    "Mathematical Physics": "math-ph",
    "General Relativity and Quantum Cosmology": "gr-qc",
    "Nuclear Theory": "nucl-th",
    "Nuclear Experiment": "nucl-ex",
    "Condensed Matter": "cond-mat",
    "Astrophysics": "astro-ph",
    "Physics": "physics",
    "Statistics": "stat",
    "Quantitative Biology": "q-bio",
    "Quantitative Finance": "q-fin",
    "Nonlinear Sciences": "nlin",
    "Electrical Engineering and Systems Science": "eess",
    "Economics": "econ",
}
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
     "of", "on", "or", "the", "to", "with", "via", "we", "our"}
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(slots=True)
class FakePaper:
    """One catalogue entry, with what the Atom feed needs."""

    id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    published: datetime
    updated: datetime
    version: int = 1
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    affiliations: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the fake saw it: ``at`` is ``time.monotonic()`` on arrival."""

    at: float
    method: str
    path: str
    params: dict[str, str]
    status: int

    @property
    def ids(self) -> list[str]:
        raw = self.params.get("id_list", "")
        return [i for i in raw.split(",") if i]


# --- catalogue ------------------------------------------------------------------------


def _rfc2822(s: str) -> datetime:
    return parsedate_to_datetime(s).astimezone(UTC)


def _iso_date(s: str) -> datetime:
    return datetime.fromisoformat(s[:10]).replace(tzinfo=UTC)


def _from_kaggle(d: dict) -> FakePaper:
    versions = d.get("versions") or []
    created = [_rfc2822(v["created"]) for v in versions] or [_iso_date(d["update_date"])]
    if d.get("authors_parsed"):
        authors = [" ".join(p for p in (a[1], a[0], *a[2:]) if p) for a in d["authors_parsed"]]
    else:
        authors = [a.strip() for a in re.split(r",| and ", d.get("authors", "")) if a.strip()]
    return FakePaper(
        id=d["id"],
        title=" ".join(d["title"].split()),
        authors=authors,
        abstract=d.get("abstract", "").strip(),
        categories=(d.get("categories") or "cs.LG").split(),
        published=created[0],
        updated=created[-1],
        version=max(1, len(versions)),
        comment=d.get("comments"),
        journal_ref=d.get("journal-ref"),
        doi=d.get("doi"),
    )


def _category(subject: str) -> str | None:
    for name, code in _ARCHIVES.items():
        if subject == name or subject.startswith(name + " - "):
            return code
    return None


def _from_oai(arxiv_id: str, d: dict) -> FakePaper:
    dates = sorted({_iso_date(x) for x in d.get("date", [])}) or [datetime(2017, 1, 30, tzinfo=UTC)]
    descriptions = d.get("description", [])
    comment = next((x[len("Comment: ") :] for x in descriptions if x.startswith("Comment: ")), None)
    abstract = next((x for x in descriptions if not x.startswith("Comment: ")), "")
    idents = [x for x in d.get("identifier", []) if not x.startswith("http")]
    doi = next((x[4:] for x in idents if x.startswith("doi:")), None)
    journal = next((x for x in idents if not x.startswith("doi:")), None)
    cats = list(dict.fromkeys(c for c in map(_category, d.get("subject", [])) if c))
    authors = [" ".join(reversed([p.strip() for p in a.split(",", 1)])) for a in d["creator"]]
    return FakePaper(
        id=arxiv_id,
        title=" ".join(d["title"][0].split()),
        authors=authors,
        abstract=abstract.strip(),
        categories=cats or ["physics.gen-ph"],
        published=dates[0],
        updated=dates[-1],
        version=len(dates),
        comment=comment,
        journal_ref=journal,
        doi=doi,
    )


def load_catalogue(dirs: Iterable[Path]) -> dict[str, FakePaper]:
    """Every ``*.jsonl`` under ``dirs`` (Kaggle snapshot or OAI-DC lines), keyed by id.

    Missing or empty directories are fine: the catalogue is just smaller.
    """
    papers: dict[str, FakePaper] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                obj = json.loads(line)
                paper = _from_oai(obj[0], obj[1]) if isinstance(obj, list) else _from_kaggle(obj)
                papers[paper.id] = paper
    return papers


def synthetic_paper(arxiv_id: str) -> FakePaper:
    """A deterministic made-up paper for an id (benchmarks need thousands of ids)."""
    h = hashlib.sha256(arxiv_id.encode()).hexdigest()
    when = datetime(2020, 1, 1, tzinfo=UTC)
    return FakePaper(
        id=arxiv_id,
        title=f"Synthetic paper {arxiv_id} on topic {h[:6]}",
        authors=[f"Author {h[6:10]}", f"Author {h[10:14]}"],
        abstract=f"A generated abstract for {arxiv_id}. " * 8,
        categories=["cs.LG", "cs.CL"],
        published=when,
        updated=when,
    )


# --- search ---------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def _field_text(p: FakePaper, prefix: str) -> str:
    return {
        "ti": p.title,
        "abs": p.abstract,
        "au": " ".join(p.authors),
        "cat": " ".join(p.categories),
        "co": p.comment or "",
        "jr": p.journal_ref or "",
        "id": p.id,
    }.get(prefix, f"{p.title} {p.abstract} {' '.join(p.authors)} {p.comment or ''}")


_TOKEN = re.compile(r'\(|\)|(?:(ti|abs|au|all|cat|co|jr|id):)?("[^"]*"|[^\s()]+)')
_DATE_RANGE = re.compile(r"submittedDate:\[\s*(\d{8,14})\s+TO\s+(\d{8,14})\s*\]", re.IGNORECASE)


def _tokens(query: str) -> list[tuple[str, str, set[str]] | str]:
    """``(`` / ``)`` / ``AND|OR|ANDNOT`` as strings, clauses as ``(field, term, words)``."""
    out: list[tuple[str, str, set[str]] | str] = []
    for m in _TOKEN.finditer(query):
        if m.group() in {"(", ")"}:
            out.append(m.group())
            continue
        prefix, term = m.group(1), m.group(2).strip('"')
        if prefix is None and term in {"AND", "OR", "ANDNOT"}:
            out.append(term)
        elif words := _words(term):
            out.append((prefix or "all", term, words))
    return out


def _clauses(query: str) -> list[tuple[str, str, set[str]]]:
    """``(operator, field, words)`` for each clause of a flat query; operator AND|OR|ANDNOT."""
    out: list[tuple[str, str, set[str]]] = []
    op = "AND"
    for tok in _tokens(query):
        if isinstance(tok, str):
            op = tok if tok not in {"(", ")"} else op
            continue
        out.append((op, tok[0], tok[2]))
        op = "AND"
    return out


def _evaluate(tokens: list, pos: int, p: FakePaper) -> tuple[bool, float, int]:
    """One parenthesised group, left to right: ``(matches, score, next position)``.

    A clause matches when at least a quarter of its words occur in its field; a group
    counts as one clause whose overlap is the group's score.
    """
    score, ok, op, seen = 0.0, True, "AND", False
    while pos < len(tokens):
        tok = tokens[pos]
        pos += 1
        if isinstance(tok, str) and tok == ")":
            break
        if isinstance(tok, str) and tok != "(":
            op = tok
            continue
        if isinstance(tok, str):
            hit, overlap, pos = _evaluate(tokens, pos, p)
        else:
            _, _, words = tok
            overlap = len(words & _words(_field_text(p, tok[0]))) / len(words)
            hit = overlap >= 0.25
        if op == "ANDNOT":
            ok = ok and not hit
        elif op == "OR":
            ok = ok or hit
            score = max(score, overlap)
        else:
            ok = ok and hit
            score += overlap
        seen, op = True, "AND"
    return ok and seen, score, pos


def _date_range(query: str) -> tuple[str, tuple[str, str] | None]:
    """The query without its ``submittedDate:[a TO b]`` clause, and that range."""
    m = _DATE_RANGE.search(query)
    if not m:
        return query, None
    rest = (query[: m.start()] + query[m.end() :]).strip()
    rest = re.sub(r"^(?:AND|OR)\s+|\s+(?:AND|OR)$", "", rest.strip())
    return rest, (m.group(1).ljust(12, "0"), m.group(2).ljust(12, "9"))


def search_catalogue(papers: Iterable[FakePaper], query: str) -> list[FakePaper]:
    """Papers ranked by word overlap with the query, like a forgiving real engine.

    A clause matches when at least a quarter of its words occur in its field, so a query
    for a title also brings back near-miss papers sharing some words (the title resolver
    must reject those itself). Parentheses group clauses, and ``submittedDate:[a TO b]``
    (``YYYYMMDD[HHMM]``) keeps papers first submitted in that range, as on arXiv.
    """
    query, window = _date_range(query)
    tokens = _tokens(query)
    if not any(isinstance(t, tuple) for t in tokens):
        return []
    scored: list[tuple[float, str, FakePaper]] = []
    for p in papers:
        if window and not window[0] <= p.published.strftime("%Y%m%d%H%M") <= window[1]:
            continue
        ok, score, _ = _evaluate(tokens, 0, p)
        if ok and score > 0:
            scored.append((score, p.id, p))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [p for _, _, p in scored]


# --- Atom -----------------------------------------------------------------------------


def _ts(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(p: FakePaper) -> str:
    vid = f"{p.id}v{p.version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <title>{escape(p.title)}</title>",
        f"    <updated>{_ts(p.updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"'
        ' title="pdf"/>',
        f"    <summary>{escape(p.abstract)}</summary>",
    ]
    lines += [
        f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
        for c in p.categories
    ]
    lines.append(f"    <published>{_ts(p.published)}</published>")
    if p.comment:
        lines.append(f"    <arxiv:comment>{escape(p.comment)}</arxiv:comment>")
    if p.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>")
    if p.doi:
        lines.append(f"    <arxiv:doi>{escape(p.doi)}</arxiv:doi>")
        lines.append(
            f'    <link rel="related" href={quoteattr("https://doi.org/" + p.doi)} title="doi"/>'
        )
    lines.append(f"    <arxiv:primary_category term={quoteattr(p.categories[0])}/>")
    for a in p.authors:
        lines.append(f"    <author>\n      <name>{escape(a)}</name>")
        lines += [
            f"      <arxiv:affiliation>{escape(x)}</arxiv:affiliation>"
            for x in p.affiliations.get(a, [])
        ]
        lines.append("    </author>")
    lines.append("  </entry>")
    return "\n".join(lines)


_FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


def atom_feed(
    entries: list[FakePaper], *, total: int, start: int, per_page: int, query: str
) -> str:
    """A results feed shaped like the 2026 API's (see the recorded fixtures)."""
    feed_id = hashlib.sha1(query.encode()).hexdigest()[:27]
    head = [
        f"  <id>https://arxiv.org/api/{feed_id}</id>",
        f"  <title>arXiv Query: {escape(query)}</title>",
        f"  <updated>{_ts(datetime.now(UTC))}</updated>",
        f"  <link href={quoteattr('https://arxiv.org/api/query?' + query)}"
        ' type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    body = "\n".join(head + [_entry(p) for p in entries])
    return f"{_FEED_HEAD}{body}\n</feed>\n"


def error_feed(code: str, message: str) -> str:
    """The API's error answer: one entry titled ``Error`` (HTTP 400 on the real API)."""
    now = _ts(datetime.now(UTC))
    url = f"https://arxiv.org/api/errors#{code}"
    return (
        f"{_FEED_HEAD}  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        f"  <updated>{now}</updated>\n  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n  <entry>\n"
        f"    <id>{url}</id>\n    <title>Error</title>\n    <updated>{now}</updated>\n"
        f'    <link href="{url}" rel="alternate" type="text/html"/>\n'
        f"    <summary>{escape(message)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n"
    )


# --- server ---------------------------------------------------------------------------


class FakeArxivAPI(Served):
    """Threaded fake of ``export.arxiv.org/api/query`` on ``127.0.0.1:<port>``.

    Misbehaviours, all off by default:
    - ``min_interval``: a request closer than this to the previous one gets 429 with
      ``Retry-After: retry_after`` (default: the interval rounded up to whole seconds).
    - ``fail_first``: the first N requests answer ``fail_status`` (503).
    - ``stall_seconds``/``stall_first``: the first N requests wait this long before
      answering (a client without a read timeout hangs).
    - ``truncate_first``: the first N answers are cut in the middle (HTTP 200).
    - ``error_feed_first``: the first N answers are an error feed sent with HTTP 200.
    - ``synthesize``: any well-formed id outside the catalogue exists (for benchmarks).
    - ``max_url_length``: longer request lines get 414, like a real front end.
    - ``reverse``: id_list answers come in reverse order (arXiv does not promise order).
    - ``latency``: every answer takes this long (the real API takes about a second).
    - ``trickle``: the answer's body goes out one byte every ``trickle`` seconds (at most
      120 s; a client with only per-read timeouts waits for ever).
    """

    def __init__(
        self,
        *,
        catalogue_dirs: Iterable[Path | str] | None = None,
        min_interval: float = 0.0,
        fail_first: int = 0,
        fail_status: int = 503,
        stall_seconds: float = 0.0,
        stall_first: int = 1,
        retry_after: float | None = None,
        truncate_first: int = 0,
        error_feed_first: int = 0,
        synthesize: bool = False,
        max_url_length: int = 8000,
        reverse: bool = False,
        latency: float = 0.0,
        trickle: float = 0.0,
        port: int = 0,
    ) -> None:
        dirs = (
            [Path(d) for d in catalogue_dirs]
            if catalogue_dirs is not None
            else [DEFAULT_FIXTURES / "metadata", DEFAULT_FIXTURES / "catalogue"]
        )
        self.papers = load_catalogue(dirs)
        self.min_interval = min_interval
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.stall_seconds = stall_seconds
        self.stall_first = stall_first
        self.retry_after = retry_after if retry_after is not None else math.ceil(min_interval)
        self.truncate_first = truncate_first
        self.error_feed_first = error_feed_first
        self.synthesize = synthesize
        self.max_url_length = max_url_length
        self.reverse = reverse
        self.latency = latency
        self.trickle = trickle
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._count = 0
        self._last: float | None = None
        self._port = port
        self._server: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --
    def start(self) -> FakeArxivAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                api._handle(self, self.path)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                path = self.path + ("&" if "?" in self.path else "?") + body
                api._handle(self, path, method="POST", url_len=len(self.path))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = QuietHTTPServer(("127.0.0.1", self._port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """The query endpoint, for ``PAPERTRAIL_ARXIV_API_URL``."""
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}{QUERY_PATH}"

    def ok_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.status == 200]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- answering --
    def _handle(
        self,
        h: BaseHTTPRequestHandler,
        raw_path: str,
        method: str = "GET",
        url_len: int | None = None,
    ) -> None:
        now = time.monotonic()
        split = urlsplit(raw_path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        with self._lock:
            self._count += 1
            n = self._count
            too_fast = self._last is not None and now - self._last < self.min_interval
            self._last = now
        status, body, headers = self._answer(
            split.path, params, n, too_fast, len(raw_path) if url_len is None else url_len
        )
        with self._lock:
            self.requests.append(LoggedRequest(now, method, split.path, params, status))
        if n <= self.stall_first and self.stall_seconds > 0:
            time.sleep(self.stall_seconds)
        if self.latency > 0:
            time.sleep(self.latency)
        data = body.encode("utf-8")
        cut = n <= self.truncate_first and status == 200
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            h.send_header("Content-Length", str(len(data) // 2 if cut else len(data)))
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            data = data[: len(data) // 2] if cut else data
            if self.trickle > 0:
                self._trickle(h, data)
            else:
                h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True  # the client gave up (timeout): fine, and done

    def _trickle(self, h: BaseHTTPRequestHandler, data: bytes) -> None:
        stop = time.monotonic() + 120
        for i in range(len(data)):
            if time.monotonic() > stop or self._server is None:
                break
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
            time.sleep(self.trickle)
        h.close_connection = True

    def _answer(
        self, path: str, params: dict[str, str], n: int, too_fast: bool, url_len: int
    ) -> tuple[int, str, dict[str, str]]:
        if too_fast:
            ra = self.retry_after
            ra_text = str(int(ra)) if float(ra).is_integer() else f"{ra:g}"
            return 429, "Rate exceeded.\n", {"Retry-After": ra_text}
        if n <= self.fail_first:
            return self.fail_status, "Service Unavailable\n", {}
        if url_len > self.max_url_length:
            return 414, "Request-URI Too Long\n", {}
        if path != QUERY_PATH:
            return 404, "Not Found\n", {}
        if n <= self.error_feed_first:
            return 200, error_feed("internal_error", "internal error, try again later"), {}
        return self._query(params)

    def _query(self, params: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        try:
            start = int(params.get("start", "0") or 0)
        except ValueError:
            return 400, error_feed("start_must_be_an_integer", "start must be an integer"), {}
        try:
            max_results = int(params.get("max_results", "10") or 10)
        except ValueError:
            msg = "max_results must be an integer"
            return 400, error_feed("max_results_must_be_an_integer", msg), {}
        ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        query = params.get("search_query", "")
        matches: list[FakePaper] = []
        for raw in ids:
            parsed = parse_id(raw)
            if parsed is None:
                code = f"incorrect_id_format_for_{raw}"
                return 400, error_feed(code, f"incorrect id format for {raw}"), {}
            paper = self.papers.get(parsed.id)
            if paper is None and self.synthesize:
                paper = self.papers.setdefault(parsed.id, synthetic_paper(parsed.id))
            if paper is not None and (parsed.version is None or parsed.version <= paper.version):
                matches.append(paper)
        if query:
            found = search_catalogue(self.papers.values(), query)
            matches = [p for p in found if not ids or p in matches]
        elif not ids:
            matches = []
        matches = list({p.id: p for p in matches}.values())
        if self.reverse and ids:
            matches.reverse()
        page = matches[start : start + max_results]
        echo = (
            f"search_query={query}&id_list={params.get('id_list', '')}"
            f"&start={start}&max_results={max_results}"
        )
        body = atom_feed(page, total=len(matches), start=start, per_page=max_results, query=echo)
        return 200, body, {}


def iter_ids(papers: dict[str, FakePaper]) -> Iterator[str]:
    """Catalogue ids in a stable order (handy for tests and benchmarks)."""
    return iter(sorted(papers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--min-interval", type=float, default=0.0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--synthesize", action="store_true", help="every well-formed id exists")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--catalogue", action="append", type=Path, help="extra *.jsonl dirs")
    args = parser.parse_args(argv)
    dirs = None
    if args.catalogue:
        dirs = [DEFAULT_FIXTURES / "metadata", DEFAULT_FIXTURES / "catalogue", *args.catalogue]
    api = FakeArxivAPI(
        catalogue_dirs=dirs,
        min_interval=args.min_interval,
        fail_first=args.fail_first,
        synthesize=args.synthesize,
        latency=args.latency,
        port=args.port,
    ).start()
    print(api.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()


if __name__ == "__main__":
    main()
