"""Forum threads: the posts trafilatura left out are put back (clean/thread.py)."""

from __future__ import annotations

import pytest

from bench.extraction.corpus import WCXB, find_corpus, load_set
from bench.extraction.score import word_f1
from papertrail.clean import clean_html
from papertrail.clean.behaviour import BY_TYPE
from papertrail.clean.thread import complete, posts

POSTS = [
    (
        "alice",
        "I moved our build to the new runner image last week and since then every job that "
        "restores the dependency cache fails with a checksum mismatch, even on branches.",
    ),
    (
        "bob",
        "Same here. The cache key includes the image version, so the old archives no longer "
        "match. Clearing the cache from the settings page fixed it, though the next run was slow.",
    ),
    (
        "carol",
        "You can also pin the runner image in the workflow file until the cache has been "
        "rebuilt. That keeps the old key and the jobs keep restoring the archives they have.",
    ),
    (
        "dave",
        "Thanks, pinning the image worked. I will unpin it next week once the new cache is warm "
        "and report back here if the mismatch comes back after that.",
    ),
]
TITLE = "Cache restore fails after runner image update"


def _post(n: int, who: str, text: str) -> str:
    # as Discourse's crawler view writes them: the first post lacks the replies' itemprop
    schema = "" if n == 1 else ' itemprop="comment" itemscope itemtype="http://schema.org/Comment"'
    return f"""<div id="post_{n}"{schema} class="topic-body crawler-post">
<div class="crawler-post-meta"><span class="creator"><a href="/u/{who}">{who}</a></span>
<time class="post-time">November {n}, 2024</time></div>
<div class="post" itemprop="text"><p>{text}</p></div>
<div class="post-likes">{n} Likes</div></div>"""


THREAD = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE} - CI - Example Community</title></head><body>
<header class="d-header"><a href="/">Example Community</a> <a href="/login">Log In</a></header>
<div id="main-outlet" class="wrap" role="main"><h1>{TITLE}</h1>
<div itemscope itemtype="http://schema.org/DiscussionForumPosting">
{"".join(_post(n + 1, who, text) for n, (who, text) in enumerate(POSTS))}
</div>
<form class="reply"><textarea></textarea><button>Reply</button></form></div>
<footer><a href="/about">About</a> <a href="/privacy">Privacy Policy</a></footer>
</body></html>"""
URL = "https://community.example.org/t/cache-restore-fails/1234"


def test_posts_are_the_group_of_siblings_built_alike_first_post_included() -> None:
    found = posts(THREAD)
    assert found is not None and len(found) == len(POSTS)
    for lines, (who, text) in zip(found, POSTS, strict=True):
        assert text in lines  # one line per block: the post's paragraph is a line
        assert f"{who} November" in lines[0]  # its byline another, words kept apart
    assert not any("Reply" in line for post in found for line in post)  # forms are cut


def test_posts_trafilatura_left_out_come_back_in_page_order() -> None:
    # what trafilatura gave on Discourse threads of the corpus: a title and the last post
    kept = f"{TITLE}\n{POSTS[-1][1]}"
    text = complete(THREAD, kept)
    assert text is not None
    lines = text.splitlines()
    assert lines[0] == TITLE  # trafilatura's lines outside the thread stay first
    where = [lines.index(body) for _, body in POSTS]
    assert where == sorted(where)  # then every post, in page order
    assert lines.count(POSTS[-1][1]) == 1  # the post trafilatura kept is not doubled


def test_text_that_holds_the_thread_stands() -> None:
    kept = "\n".join([TITLE, *(body for _, body in POSTS)])
    assert complete(THREAD, kept) is None


def test_pages_without_a_thread_are_left_alone() -> None:
    article = "<html><body><article>" + "<p>A paragraph of the story.</p>" * 20
    article += "</article></body></html>"
    assert complete(article, "A paragraph of the story.") is None
    # a group named like posts whose members are bylines, not posts
    bylines = "".join(f'<div class="post-meta">by user{i}, 2 days ago</div>' for i in range(9))
    assert posts(f"<html><body>{bylines}</body></html>") is None


def test_a_forum_page_keeps_every_post_through_the_stage() -> None:
    result = clean_html(THREAD, URL)
    assert result.page_type == "forum"
    for _, body in POSTS:
        assert body in result.text
    assert "Privacy Policy" not in result.text


ZH_POSTS = [
    "各位好，最近在复现一篇关于长文本推理的论文，按照作者公开的代码训练到第三个阶段时显存总是溢出，"
    "已经把批大小降到一了还是不行，请问有没有人遇到过类似的问题？",
    "我之前也遇到过，后来发现是梯度检查点没有打开，打开之后显存占用降了差不多一半，可以试试看。",
    "楼上说得对，另外可以把序列长度分段处理，作者的代码里其实有这个参数，只是默认没有启用而已。",
    "建议先用混合精度训练，再配合梯度累积，这样在单卡上也能跑起来，就是速度会稍微慢一些。",
    "感谢各位的回复，打开梯度检查点以后已经可以正常训练了，等结果出来再来和大家分享一下。",
]


def _zh_post(n: int, text: str) -> str:
    # as Discuz! writes a post: a layout table, the author's column, the message cell
    return f"""<div id="post_{n}"><table id="pid{n}" class="plhin"><tr>
<td class="pls"><div class="authi"><a href="space-uid-{n}.html">网友{n}</a></div>
<dl class="pil"><dt>积分</dt><dd>{n * 37}</dd></dl></td>
<td class="plc"><div class="pi"><em>发表于 2024-3-{n} 10:2{n}</em></div>
<div class="pct"><table><tr><td class="t_f" id="postmessage_{n}">{text}</td></tr></table></div>
<div class="po"><a class="fastre" href="#">回复</a> <a href="#">举报</a></div>
<div class="sign">签名：生命在于折腾</div></td></tr></table></div>"""


ZH_THREAD = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>复现长文本推理论文时显存溢出怎么办 - 深度学习 - 某某论坛</title></head><body>
<div id="hd"><a href="/">首页</a> <a href="/forum.php">论坛</a> <a href="/search">搜索</a></div>
<div id="postlist" class="pl bm"><h1 class="ts">复现长文本推理论文时显存溢出怎么办</h1>
{"".join(_zh_post(n + 1, text) for n, text in enumerate(ZH_POSTS))}</div>
<div id="f_pst"><form><textarea name="message"></textarea><button>发表回复</button></form></div>
<div id="ft"><p>Powered by Discuz! X3.4</p><p>京ICP备12345678号</p></div></body></html>"""


def test_a_chinese_thread_keeps_its_opening_post_and_every_reply() -> None:
    # typed article by the page-type model (it saw no Chinese thread): the article path
    # kept the opening post alone, and the thread is put back
    result = clean_html(ZH_THREAD, "https://bbs.example.cn/thread-123456-1-1.html")
    for text in ZH_POSTS:
        assert text in result.text
    assert result.page_type == "forum" and result.stats["thread:taken_for_article"] == 1
    assert "发表回复" not in result.text and "京ICP备" not in result.text


def test_an_article_with_a_comment_section_keeps_its_article_path() -> None:
    story = " ".join(
        f"Sentence {i} of the news story, with the facts it reports." for i in range(30)
    )
    comments = "".join(
        f'<li class="comment" id="comment-{i}"><p>Reader {i} wrote a comment long enough to be '
        f"a post about the story, agreeing with some of it and not with the rest.</p></li>"
        for i in range(6)
    )
    html = (
        "<html><head><title>News</title></head><body><article><h1>News</h1>"
        f'<p>{story}</p></article><ol class="comments">{comments}</ol></body></html>'
    )
    result = clean_html(html, "https://news.example.org/2026/11/29/story.html")
    assert "Sentence 29 of the news story" in result.text
    assert "Reader 3 wrote" not in result.text
    assert result.stats["thread:taken_for_article"] == 0


def test_deeply_nested_post_groups_are_read_within_a_budget() -> None:
    # 200 levels, each with two posts one of which holds the rest: every level's group
    # would read the whole text below it again (quadratic) without the budget
    text = "A reply long enough to count as a post in anybody's thread, with some words. " * 40
    level = f'<div class="post"><p>{text}</p></div><div class="post">'
    html = "<html><body>" + level * 200 + "</div>" * 200 + "</body></html>"
    found = posts(html)
    assert found is not None and len(found) == 2


CORPUS = find_corpus()


@pytest.mark.skipif(CORPUS is None, reason="shared extraction corpus not present")
def test_discourse_threads_of_the_corpus_keep_their_replies() -> None:
    # tuning pages where trafilatura kept one post of a Discourse thread (word F1 0.4-0.6)
    assert CORPUS is not None
    wanted = {"https://forums.docker.com/t/confusing-resolver-structure/144854"}
    pages = [p for p in load_set(CORPUS / WCXB, part="tuning") if p.url in wanted]
    assert pages
    for page in pages:
        text = clean_html(page.html, page.url, behaviour=BY_TYPE["forum"]).text
        assert word_f1(text, page.gold) > 0.9
