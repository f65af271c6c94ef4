"""One article, six kinds of web page: the shapes papers are linked from, for tests and bench.

An article is given as text lines (a seed's gold text). Each template renders it the way a
kind of site does (WordPress ``entry-content`` with link-only paragraphs, a WeChat
``#js_content`` of ``<section>``/``<span leaf>`` runs hidden until scripts run, a 2005-era
portal laid out in tables and served in GBK, a CSDN-style post with a recommend box, a
forum thread, a blog with a sidebar widget) and surrounds it with chrome that links to
*other* papers (:data:`CHROME_IDS`). A cleaner that reports one of those ids took chrome
for the article. Nothing here knows a seed: any article in lines renders.
"""

# ruff: noqa: E501  (page markup reads best unwrapped, as sites serve it)
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

#: Papers linked only from chrome (menus, widgets, comments, recommend boxes): never the
#: article's. None of them occurs in the seeds.
CHROME_IDS: tuple[str, ...] = (
    "2312.11805",
    "2401.04088",
    "2310.11511",
    "2402.17764",
    "2305.10403",
    "2404.19756",
    "hep-th/9901001",
)

_URL = re.compile(r"https?://[^\s<>\"'，。、；）)】」]+")
_URL_TRAILING = ".,;:!?"
_ENDS_SENTENCE = tuple("。！？：:，,.;；!?)）")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "heading" | "url" | "label" | "para"
    text: str


def blocks(lines: list[str]) -> list[Block]:
    """Classify article lines the way an editor would have typed them."""
    out: list[Block] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        m = _URL.fullmatch(line)
        if m:
            out.append(Block("url", line))
        elif len(line) <= 14 and line.endswith((":", "：")):
            out.append(Block("label", line))
        elif len(line) <= 40 and not line.endswith(_ENDS_SENTENCE) and not _URL.search(line):
            out.append(Block("heading", line))
        else:
            out.append(Block("para", line))
    return out


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _linkify(text: str, anchor: Callable[[str], str] | None = None) -> str:
    """Escape ``text``, turning printed URLs into ``<a>`` (anchor text: the URL, or
    ``anchor(url)``)."""
    out: list[str] = []
    last = 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        out.append(_esc(text[last : m.start()]))
        label = anchor(url) if anchor else url
        out.append(f'<a href="{html.escape(url)}" target="_blank">{_esc(label)}</a>')
        last = m.start() + len(url)
    out.append(_esc(text[last:]))
    return "".join(out)


def _chrome_link(i: int, label: str = "") -> str:
    pid = CHROME_IDS[i % len(CHROME_IDS)]
    return f'<a href="https://arxiv.org/abs/{pid}">{_esc(label or "arXiv:" + pid)}</a>'


def _title(lines: list[str]) -> str:
    return next((b.text for b in blocks(lines) if b.kind in ("heading", "para")), "文章")[:40]


def wordpress(lines: list[str]) -> str:
    """WordPress: ``entry-content``, every paper URL in a paragraph of its own."""
    body = []
    for b in blocks(lines):
        if b.kind == "heading":
            body.append(f"<h2>{_esc(b.text)}</h2>")
        elif b.kind == "url":
            url = html.escape(b.text)
            body.append(f'<p><a href="{url}" target="_blank" rel="noopener">{url}</a></p>')
        else:
            body.append(f"<p>{_linkify(b.text)}</p>")
    title = _esc(_title(lines))
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">
<title>{title} – AI 论文速递</title></head>
<body class="post-template-default single">
<header id="masthead" class="site-header"><div class="site-branding">AI 论文速递</div>
<nav id="site-navigation" class="main-navigation"><ul><li><a href="/">首页</a></li>
<li><a href="/category/papers">论文</a></li><li>{_chrome_link(0, "本周热门论文")}</li></ul></nav>
</header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-736" class="post-736 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta"><span class="posted-on">2024年4月1日</span> 736次阅读</div></header>
<div class="entry-content">
{chr(10).join(body)}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">分享到：</h3>
<a class="share-twitter" href="https://twitter.com/share?url=x">Twitter</a>
<a class="share-weibo" href="https://service.weibo.com/share/share.php">微博</a></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">相关文章</h3>
<div class="jp-relatedposts-post"><a href="/2024/03/llm-roundup">上周大模型论文精选</a>
<p class="jp-relatedposts-post-excerpt">论文链接：{_chrome_link(1, "https://arxiv.org/abs/" + CHROME_IDS[1])}</p></div></div>
</div>
<nav class="navigation post-navigation"><div class="nav-links">
<a href="/prev" rel="prev">上一篇：{_chrome_link(2, "Self-RAG 论文解读")}</a></div></nav>
</article>
<div id="comments" class="comments-area"><h2 class="comments-title">1 条评论</h2>
<ol class="comment-list"><li class="comment"><div class="comment-content">
<p>推荐大家也看看这篇：https://arxiv.org/abs/{CHROME_IDS[3]}</p></div></li></ol></div>
</main></div>
<footer id="colophon" class="site-footer">© 2024 AI 论文速递 | 京ICP备12345678号</footer>
</body></html>"""


def wechat(lines: list[str]) -> str:
    """WeChat: ``#js_content`` hidden until scripts run, ``<section>``/``<span leaf>`` runs,
    URLs printed as plain text (the editor cannot link outside WeChat)."""
    body = []
    for i, b in enumerate(blocks(lines)):
        text = b.text
        if b.kind == "heading":
            body.append(
                f'<section style="margin-top:16px"><strong><span leaf="">{_esc(text)}'
                "</span></strong></section>"
            )
            continue
        # an editor splits long runs where the formatting changes: two leaf spans
        cut = len(text) // 2 if b.kind == "para" and not _URL.search(text) and i % 2 else 0
        runs = [text[:cut], text[cut:]] if cut else [text]
        spans = "".join(f'<span leaf="">{_esc(r)}</span>' for r in runs)
        body.append(f'<section style="line-height:1.75em"><p>{spans}</p></section>')
    title = _esc(_title(lines))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="{title}"><title>{title}</title>
<script>var msg_title = '{title}'; var msg_source_url = '';</script></head><body id="activity-detail">
<div class="rich_media_wrp"><div id="js_article" class="rich_media">
<div class="rich_media_inner"><div class="rich_media_area_primary">
<h1 class="rich_media_title" id="activity-name">{title}</h1>
<div id="meta_content" class="rich_media_meta_list"><span class="rich_media_meta_text">AI前沿</span>
<a id="js_name">智能前沿速递</a></div>
<div class="rich_media_content js_underline_content" id="js_content" style="visibility: hidden;">
{chr(10).join(body)}
</div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><p>微信扫一扫关注该公众号</p></div>
</div>
<div class="rich_media_area_extra"><div id="js_related_area" class="related_article">
<h3>推荐阅读</h3><ul><li><a href="/s/abc">本周必读：{CHROME_IDS[4]} 论文解读</a>
<span>论文地址：https://arxiv.org/abs/{CHROME_IDS[4]}</span></li></ul></div></div>
</div></div></div>
<div id="js_profile_qrcode" class="profile_container"><strong>智能前沿速递</strong>
<p>关注AI前沿，分享最新论文，欢迎关注本公众号。{_chrome_link(5, "往期论文")}</p></div>
</body></html>"""


def portal_gbk(lines: list[str]) -> bytes:
    """A 2005-era portal: nested layout tables, no semantic classes, ``<br>`` lines,
    a "热门论文" column of arXiv links, served as GBK."""
    body = []
    for b in blocks(lines):
        if b.kind == "heading":
            body.append(f"<b>{_esc(b.text)}</b><br><br>")
        else:
            body.append(f"　　{_linkify(b.text)}<br><br>")
    hot = "".join(
        f"<tr><td>·{_chrome_link(i, f'热门论文{i}：arXiv {CHROME_IDS[i]}')}</td></tr>"
        for i in range(3)
    )
    title = _esc(_title(lines))
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{title}_科技频道_某某网</title></head>
<body topmargin="0"><table width="960" border="0" align="center"><tr>
<td><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/tech">科技</a> |
<a href="/bbs">论坛</a> | <a href="/blog">博客</a></td></tr></table>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0"><tr>
<td width="200" valign="top"><table width="100%" border="0">
<tr><td><b>热门论文排行</b></td></tr>{hot}</table></td>
<td width="760" valign="top"><table width="100%" border="0"><tr>
<td align="center"><font size="4"><b>{title}</b></font></td></tr>
<tr><td align="center"><font color="#666666">2024-04-01 10:22 来源：某某网</font></td></tr>
<tr><td><font style="font-size:14px">
{chr(10).join(body)}
</font></td></tr>
<tr><td>【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</td></tr>
<tr><td>相关新闻：<a href="/n/1">上周论文：arXiv:{CHROME_IDS[5]}</a></td></tr>
</table></td></tr></table>
<table width="960" align="center"><tr><td align="center">版权所有 某某网 京ICP证000000号</td></tr></table>
</body></html>"""
    return page.encode("gb18030")


def csdn(lines: list[str]) -> str:
    """A CSDN/Zhihu-style post: ``#content_views``, headings, a code block, a recommend box
    of other posts citing other papers, a comment box."""
    body = []
    for b in blocks(lines):
        if b.kind == "heading":
            body.append(f"<h3>{_esc(b.text)}</h3>")
        elif b.kind == "url":
            body.append(f'<p><a href="{html.escape(b.text)}">{_esc(b.text)}</a></p>')
        else:
            body.append(f"<p>{_linkify(b.text)}</p>")
    title = _esc(_title(lines))
    recommend = "".join(
        f'<div class="recommend-item-box"><a href="https://blog.csdn.net/u/article/details/{i}">'
        f'<div class="content"><h4>大模型论文解读（{i}）</h4></div></a>'
        f'<div class="desc">论文：arXiv:{CHROME_IDS[i]}，https://arxiv.org/pdf/{CHROME_IDS[i]}.pdf'
        "</div></div>"
        for i in range(4)
    )
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}_AI 技术博客-CSDN博客</title></head><body>
<div id="csdn-toolbar" class="toolbar"><a href="https://www.csdn.net/">CSDN</a> <a href="/nav/ai">AI</a></div>
<div class="main_father"><main><div class="blog-content-box">
<div class="article-header-box"><h1 class="title-article" id="articleContentId">{title}</h1>
<div class="article-info-box">于 2024-04-01 发布 阅读量 1.2k 收藏 12 点赞数 3</div></div>
<article class="baidu_pl"><div id="article_content" class="article_content clearfix">
<div id="content_views" class="markdown_views prism-atom-one-dark">
{chr(10).join(body)}
</div></div></article></div>
<div class="recommend-box insert-baidu-box recommend-box-style">{recommend}</div>
<div id="pcCommentBox" class="comment-box"><div class="comment-list-box">
<p class="comment">写得好！顺便推荐 https://arxiv.org/abs/{CHROME_IDS[4]}</p></div></div>
</main>
<aside class="blog_container_aside"><div id="asideHotArticle" class="aside-box">
<h3>热门文章</h3>{_chrome_link(5, "热门：大模型综述")}</div></aside></div>
</body></html>"""


def forum(lines: list[str]) -> str:
    """A Discuz-style forum thread: the article is the first post; a reply, a signature
    and a "related threads" box link other papers."""
    body = []
    for b in blocks(lines):
        if b.kind == "heading":
            body.append(f"<strong>{_esc(b.text)}</strong><br />")
        elif b.kind == "url":
            body.append(f'<a href="{html.escape(b.text)}" target="_blank">{_esc(b.text)}</a><br />')
        else:
            body.append(f"{_linkify(b.text)}<br />")
    title = _esc(_title(lines))

    def post(pid: int, author: str, content: str, sign: str = "") -> str:
        return f"""<div id="post_{pid}"><table id="pid{pid}" class="plhin" cellspacing="0"
cellpadding="0"><tr><td class="pls" rowspan="2"><div class="pi"><div class="authi">
<a href="/space-uid-{pid}.html" class="xw1">{author}</a></div></div>
<p>帖子 120 | 积分 560</p></td>
<td class="plc"><div class="pi"><strong><a href="#pid{pid}">{pid}#</a></strong>
<div class="pti"><div class="authi"><em id="authorposton{pid}">发表于 2024-4-1 10:2{pid}</em></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>
<td class="t_f" id="postmessage_{pid}">{content}</td></tr></table></div></div></div>
{sign}</td></tr></table></div>"""

    sign = f'<div class="sign">签名：我的论文主页 {_chrome_link(6, "hep-th/9901001")}</div>'
    reply = f"谢谢楼主分享！另外这篇也不错：https://arxiv.org/abs/{CHROME_IDS[0]}"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - 人工智能 -  论坛</title></head>
<body><div id="hd"><div class="wp"><div id="nv"><ul><li><a href="/forum.php">论坛</a></li>
<li><a href="/portal.php">门户</a></li></ul></div></div></div>
<div id="wp" class="wp"><div id="pt" class="bm cl"><a href="/">论坛</a> › <a href="/f-2">人工智能</a></div>
<div id="ct" class="wp cl"><div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="plc ptm pbn vwthd"><h1 class="ts">
<span id="thread_subject">{title}</span></h1></td></tr></table>
{post(1, "楼主", chr(10).join(body), sign)}
{post(2, "路人甲", reply)}
</div>
<div class="bm relatedthread"><h3>相关帖子</h3><ul><li>{_chrome_link(1, "求助：这篇论文的代码在哪")}</li>
<li>{_chrome_link(2, "arXiv:" + CHROME_IDS[2] + " 讨论")}</li></ul></div></div></div>
<div id="ft" class="wp cl">Powered by Discuz! © 2001-2024</div></body></html>"""


def blog_sidebar(lines: list[str]) -> str:
    """A blog post with a sidebar widget of popular arXiv papers; paper URLs in prose
    printed as plain text, a link line as a "PDF" link."""
    body = []
    for b in blocks(lines):
        if b.kind == "heading":
            body.append(f"<h3>{_esc(b.text)}</h3>")
        elif b.kind == "url":
            body.append(f'<p><a href="{html.escape(b.text)}">PDF</a></p>')
        else:
            body.append(f"<p>{_esc(b.text)}</p>")
    widget = "".join(f"<li>{_chrome_link(i)}</li>" for i in range(len(CHROME_IDS)))
    title = _esc(_title(lines))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | 某人的博客</title></head>
<body><div id="wrapper"><div id="header"><h1 class="blog-title"><a href="/">某人的博客</a></h1>
<div class="description">读论文，写笔记</div></div>
<div id="main"><div class="post" id="post-42"><h2 class="post-title">{title}</h2>
<div class="post-info">发表于 2024-04-01 | 分类：论文笔记</div>
<div class="post-body entry">
{chr(10).join(body)}
</div>
<div class="post-footer">标签：论文, 大模型</div></div></div>
<div id="sidebar"><div class="widget widget_links"><h2 class="widgettitle">热门论文</h2>
<ul>{widget}</ul></div>
<div class="widget widget_recent_entries"><h2 class="widgettitle">最新文章</h2>
<ul><li><a href="/p/41">上周读了 arXiv:{CHROME_IDS[3]}</a></li></ul></div></div>
<div id="footer">Powered by WordPress | Theme by 某人</div></div></body></html>"""


#: name -> renderer (str pages are UTF-8; bytes pages carry their own encoding).
TEMPLATES: dict[str, Callable[[list[str]], str | bytes]] = {
    "wordpress": wordpress,
    "wechat": wechat,
    "portal_gbk": portal_gbk,
    "csdn": csdn,
    "forum": forum,
    "blog_sidebar": blog_sidebar,
}


def render(template: str, lines: list[str]) -> bytes:
    """The page as served: bytes in the encoding the page declares."""
    page = TEMPLATES[template](lines)
    return page if isinstance(page, bytes) else page.encode("utf-8")


def content_type(template: str) -> str:
    return "text/html" if template == "portal_gbk" else "text/html; charset=utf-8"
