"""A synthetic news site on loopback: N realistic roundup pages spread over 20 hosts.

Pages follow the structure of ``tests/fixtures/pages/roundup.html`` (portal header and
nav, breadcrumb, article with metadata, share bar, QR promo, tags, comments, sidebar of
related links, footer) with the text of the seed articles: each page takes its own
paragraphs, arXiv ids in varied forms (abs/pdf links, ``arXiv:`` in the text, DOI),
length, chrome (class names, sidebar size, comments) and encoding (one in ten is GBK,
declared only in ``<meta>``), all seeded by the page number, so a run is repeatable.

"Hosts" are the loopback addresses 127.0.0.1 ... 127.0.0.20, one HTTP server bound to
each: per-host politeness, connection pools and robots.txt see 20 distinct hosts, with
no resolver hook or transport seam in the fetcher (it resolves and checks the literal
addresses itself, as in production with ``PAPERTRAIL_ALLOW_PRIVATE=true``).

    python -m bench.pipeline.site --pages 1000 --urls urls.txt   # serve until stdin closes
"""

from __future__ import annotations

import argparse
import html
import random
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
HOSTS = 20
CLASS_VARIANTS = [
    ("post", "post-content", "sidebar"),
    ("article", "article-body", "side-col"),
    ("news-detail", "content", "right-bar"),
    ("rich_media", "rich_media_content", "related"),
]
SITE_NAMES = ["智能前沿周报", "机器之芯", "AI 科技评论", "量子前哨", "新智观察"]


def seed_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in SEEDS:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 30:
                paras.append(line)
    return paras


def arxiv_id(rng: random.Random) -> str:
    return f"{rng.randint(15, 24):02d}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}"


def id_mention(rng: random.Random, pid: str) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f'<p>论文链接：<a href="https://arxiv.org/abs/{pid}">https://arxiv.org/abs/{pid}</a></p>'
    if form == 1:
        return f'<p>原文见 <a href="https://arxiv.org/pdf/{pid}v2.pdf">这篇论文的 PDF</a>。</p>'
    if form == 2:
        return f"<p>这项工作（arXiv:{pid}）值得细读。</p>"
    return f"<p>DOI：10.48550/arXiv.{pid}。</p>"


def make_page(n: int, paras: list[str]) -> tuple[bytes, str]:
    """Page number ``n``: its bytes and its Content-Type header."""
    rng = random.Random(n)
    article_cls, body_cls, side_cls = rng.choice(CLASS_VARIANTS)
    site = rng.choice(SITE_NAMES)
    title = f"第{n}期：本周值得一读的{rng.randint(3, 9)}篇论文"
    body: list[str] = []
    for k in range(rng.randint(3, 9)):
        body.append(f"<h2>{k + 1}. {html.escape(rng.choice(paras)[:24])}</h2>")
        body += [f"<p>{html.escape(rng.choice(paras))}</p>" for _ in range(rng.randint(1, 4))]
        body.append(id_mention(rng, arxiv_id(rng)))
    related = "".join(
        f'<li><a href="/news/{rng.randint(1, 99999)}.html">{html.escape(rng.choice(paras)[:20])}'
        f"</a></li>"
        for _ in range(rng.randint(3, 12))
    )
    comments = (
        '<section class="comments"><h3>评论（0）</h3><form><textarea>说点什么吧</textarea>'
        "<button>发表评论</button></form></section>"
        if rng.random() < 0.6
        else ""
    )
    gbk = rng.random() < 0.1
    charset = "gb2312" if gbk else "utf-8"
    date = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{title} | {site}</title>
<meta name="author" content="作者{n % 97}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}T08:30:00+08:00">
<link rel="canonical" href="https://news.example/{n}.html">
<script>var ct = "{1713054600 + n}"; window.analytics = {{track: function(){{}}}};</script>
<style>.share{{display:flex}} .qr img{{width:120px}}</style>
</head><body>
<header class="site-header"><div class="logo"><a href="/">{site}</a></div>
<nav class="main-nav"><ul><li><a href="/">首页</a></li><li><a href="/news">资讯</a></li>
<li><a href="/papers">论文</a></li><li><a href="/tools">AI 工具</a></li></ul></nav>
<div class="login-box"><a href="/login">登录</a> | <a href="/register">注册</a></div></header>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/papers">论文</a> &gt; 正文</div>
<main><article class="{article_cls}">
<h1 class="post-title">{title}</h1>
<div class="post-meta">作者：作者{n % 97}　发布时间：{date}</div>
<div class="share-bar">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="{body_cls}" id="js_content">
{"".join(body)}
</div>
<div class="qr-promo"><img src="/img/qrcode.jpg" alt="二维码">
<p>扫码关注公众号，回复“论文”获取全部 PDF</p></div>
<div class="post-tags">标签：<a href="/tag/ml">机器学习</a> <a href="/tag/cv">计算机视觉</a></div>
</article>{comments}</main>
<aside class="{side_cls}"><h3>相关推荐</h3><ul>{related}</ul></aside>
<footer class="site-footer"><p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a></p>
<p>Copyright 2024 {site} 版权所有</p><p>ICP备案号：京ICP备12345678号-1</p></footer>
</body></html>
"""
    if gbk:
        return page.encode("gbk", errors="xmlcharrefreplace"), "text/html"
    return page.encode("utf-8"), "text/html; charset=utf-8"


def host_of(n: int) -> str:
    return f"127.0.0.{1 + n % HOSTS}"


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients hanging up mid-response are not news here


class Site:
    """Serve pages 0..N-1, page ``n`` on host ``127.0.0.(1 + n % 20)``; a context manager."""

    def __init__(self, pages: int) -> None:
        paras = seed_paragraphs()
        self.pages = {n: make_page(n, paras) for n in range(pages)}
        self.hits = 0
        self._servers: list[QuietServer] = []
        self._threads: list[threading.Thread] = []

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                site.hits += 1
                found = None
                if self.path.startswith("/p/") and self.path.endswith(".html"):
                    number = self.path[3:-5]
                    found = site.pages.get(int(number)) if number.isdigit() else None
                body, ctype = found or (b"not found", "text/plain")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> Site:
        handler = self._handler()
        for h in range(HOSTS):
            server = QuietServer((f"127.0.0.{1 + h}", 0), handler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def urls(self) -> Iterator[str]:
        for n in self.pages:
            server = self._servers[n % HOSTS]
            host, port = server.server_address[:2]
            yield f"http://{host}:{port}/p/{n}.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--urls", type=Path, required=True, help="write the page URLs here")
    args = parser.parse_args(argv)
    with Site(args.pages) as site:
        args.urls.write_text("\n".join(site.urls()) + "\n", encoding="utf-8")
        print("ready", flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
