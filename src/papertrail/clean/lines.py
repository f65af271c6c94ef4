"""Line-level post-filter shared by HTML and text input.

Whatever picked the article (trafilatura on HTML, block classification on text), the
same kinds of lines survive at its edges: calls to action, share bars, copyright and ICP
lines, editor and source credits, image placeholders, captions printed twice, a table of
contents that repeats the headings. Each rule here is data (pattern, length cap, reason);
a line longer than the cap is article prose that happens to mention the words and stays.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    max_chars: int  # only lines at most this long are dropped
    reason: str


def _rule(name: str, pattern: str, max_chars: int, reason: str) -> LineRule:
    return LineRule(name, re.compile(pattern, re.I), max_chars, reason)


_CTA_ZH = (
    r"关注(?:我们|我|本号|下方|作者|.{0,10}公众号)|点击关注|扫码|扫一扫|二维码|长按识别|点赞|在看|"
    r"分享到|一键分享|转发(?:分享|本文|给)|阅读原文|添加微信|加微信|微信号|公众号|后台回复|"
    r"回复[“\"「].{1,12}[”\"」]|点击(?:下方|上方|蓝字|阅读)|星标|标星"
)

# Markers strong enough that two of them make a promo line, however long.
_CTA_STRONG = (
    r"(?:扫码|二维码|长按识别|阅读原文|添加微信|加微信|后台回复|回复[“\"「]|公众号|星标|标星|点赞|"
    r"在看|文章来源|收藏|qr-?code)"
)

LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "placeholder",
        r"^(?:[\[【(（]?(?:图片|图|image|photo|ad image|advertisement|广告)"
        r"[\]】)）]?\s*)+$",
        20,
        "image and ad placeholders",
    ),
    _rule("cta_zh", _CTA_ZH, 60, "promo and call-to-action lines (follow, scan, like, share)"),
    _rule(
        "cta_multi",
        rf"{_CTA_STRONG}.*{_CTA_STRONG}",
        200,
        "promo lines with several calls to action",
    ),
    _rule(
        "closing_zh",
        r"多多支持|文章就介绍完了|想了解更多(?:相关)?内容|继续浏览下面的相关文章",
        240,
        "template closing lines of repost sites",
    ),
    _rule(
        "prev_next",
        r"^[\s\[【]*(?:上一篇|下一篇|上一页|下一页|previous (?:post|article)|"
        r"next (?:post|article))[\]】:：\s]",
        300,
        "previous/next article links",
    ),
    _rule("qrcode", r"^[\w-]*qr-?code[\w-]*$", 40, "QR-code image names"),
    _rule(
        "cta_en",
        r"^(?:read more|share(?: this)?(?: on \w+)?|tweet|sign ?in|sign ?up|log ?in|"
        r"register|subscribe(?: now)?|follow us(?: on \w+)?|advertisement|print|email|"
        r"comments?|leave a (?:comment|reply)|continue reading|click here.*|"
        r"skip to (?:main )?content|back to top)\W*$",
        40,
        "English call-to-action and widget labels",
    ),
    _rule(
        "cta_en_sentence",
        r"^(?:follow\b.{0,120}\b(?:facebook|twitter|instagram|youtube|linkedin|tiktok)\b|"
        r"(?:sign up|subscribe)\b.{0,40}\b(?:newsletter|inbox|updates)|"
        r"get the latest\b.{0,60}\b(?:inbox|newsletter)|read more:|listen:|also read:|"
        r"related:|see also:|click here\b|download (?:our|the) app)",
        160,
        "English follow/subscribe/read-more lines",
    ),
    _rule(
        "reporting_by",
        r"^\(?(?:reporting|additional reporting|editing|writing|compiled) by\b",
        300,
        "wire-service reporting and editing credits",
    ),
    _rule(
        "chrome_zh",
        r"^[\[【(（|·\s]*(?:登[陆录]|注册|忘记密码|评论|发表评论|查看评论|发表评价|"
        r"我要评论|网友评论|打印|打印本[文页稿]|关闭|关闭窗口|返回顶部|返回首页|返回页首|"
        r"上一篇|下一篇|上一页|下一页|字体[:：]?|[大中小]\s*[大中小]\s*[大中小]|推荐阅读|相关阅读|"
        r"相关文章|相关推荐|相关新闻|相关专题|延伸阅读|热门推荐|最近更新|猜你喜欢|精彩推荐|今日推荐|"
        r"更多|更多>>|阅读更多|加载更多|收起|展开全文|举报|投诉|纠错|通知|搜索|首页|正文完|"
        r"分享到|转发到|复制链接|Email|Share|阅读目录|目录|文章目录|本文目录)[\]】)）|\s:：>》]*",
        24,
        "page chrome: login, comment, print, close, prev/next, related-list headings",
    ),
    _rule(
        "copyright",
        r"©|\(c\)\s*\d{4}|copyright|版权所有(?![者人方])|版权归|all rights reserved|"
        r"ICP[备证]|公网安备|备案号|经营许可证|违法和不良信息|举报电话|举报邮箱|未经.{0,12}(?:授权|许可)"
        r".{0,12}(?:转载|使用)|转载请注明|请注明出处|不得转载",
        160,
        "copyright, ICP licence and reprint-permission lines",
    ),
    _rule(
        "legal_zh",
        r"^(?=.*(?:著作权|版权|侵权|转载|授权|免责))"
        r"(?=.*(?:必须|不得|禁止|严禁|违者|追究|依法|未经|非法|法律责任))",
        160,
        "copyright, reprint and disclaimer notices (a rights word and a prohibition)",
    ),
    _rule(
        "site_notice",
        r"^(?=.*(?:本网|本站|本刊|本报|本网站))(?=.*(?:版权|转载|侵权|免责))|"
        r"^.{0,16}(?:版权|侵权|免责).{0,8}(?:声明|公告|条款)[:：]?\s*$",
        160,
        "the site's own rights and disclaimer notices (本网…版权/转载; 版权与免责声明：)",
    ),
    _rule(
        "credit_zh",
        # (?!...？$): "记者：…？" is an interview question, not a byline.
        r"^(?!.*[？?]$)[\s(（\[【]*(?:责任编辑|责编|编辑|编者|校对|审核|审校|监制|排版|美编|"
        r"来源|稿源|文章来源|新闻来源|信息来源|出处|原标题|作者|记者|通讯员|撰文|文|图|摄影?|"
        r"供图|图片来源|本文来源|转自|发布者|发布时间|浏览量?|阅读量?|点击数|所属栏目)"
        r"\s*[:：/／]",
        60,
        "editor, source and byline credits",
    ),
    _rule(
        "source_ref",
        r"^[\s(（\[【]*(?:转自|摘自|选自|转载自|来源于?|来自)\s*《[^》]{1,30}》[\s)）\]】]*$",
        40,
        "source credits naming a publication (转自《…》)",
    ),
    _rule(
        "credit_tail",
        r"^[\s(（\[【]*(?:责任编辑|责编|编辑)[^)）\]】]{0,20}[)）\]】]\s*$",
        30,
        "trailing editor credit",
    ),
    _rule(
        "credit_en",
        r"^(?:by|written by|reporting by|editing by|photo(?:graph)? by|"
        r"image(?: credit)?|credit|source|updated|published|posted)\s*[:\s]\s*\S.*$",
        60,
        "English byline, credit and timestamp lines",
    ),
    _rule(
        "date_only",
        r"^[\s|]*(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
        r"|\d{1,2}:\d{2}(?::\d{2})?)[\s|]*(?:星期.|周.)?[\s|]*$",
        40,
        "bare timestamps",
    ),
    _rule(
        "dateline",
        r"^(?:发表于\s*)?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
        r"(?:\s*更新)?\s*(?:[\s|-]+.{0,60}(?:来源|编辑|作者|阅读|评论|上一页)|\s+\S{2,12})\s*$",
        90,
        "date-led credit lines (date + source, paper name, counters)",
    ),
    _rule(
        "stamp_credit",
        r"^(?=.*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*\d{1,2}:\d{2})"
        r"(?=.*(?:来源|编辑|作者|发布|发表|更新|浏览|阅读|点击|评论|回复|\bby\b|\bposted\b))",
        100,
        "post and article headers: a numeric date with a clock time plus a credit or counter "
        "word (prose does not print times like 2005/03/15 22:36)",
    ),
    _rule(
        "posted_on",
        r"^(?:发表于|posted on|published on)\s|^(?:mon|tues|wednes|thurs|fri|satur|sun)day,? "
        r"\w+ \d{1,2}(?:st|nd|rd|th)?,? \d{4}",
        60,
        "posted-on and weekday timestamps",
    ),
    _rule(
        "reporter_zh",
        r"^[\s(（]*(?:[\w\u3400-\u9fff]{1,12}\s*)?(?:记者|通讯员)\s*"
        r"(?:[\u3400-\u9fff·]{2,4}[\s、]*){1,6}[)）]?$",
        40,
        "reporter bylines, with or without the outlet (光明日报记者 王建宏 张文攀)",
    ),
    _rule("login_zh", r"登录|登陆|请先注册|注册新用户", 16, "login prompts"),
    _rule(
        "forum_ip",
        r"\[\d{1,3}\.\d{1,3}\.\d{1,3}\.\*\]",
        80,
        "forum reply headers (masked IP address)",
    ),
    _rule(
        "counter",
        r"^[\s|]*(?:\d+\s*(?:次阅读|次浏览|人阅读|条评论|阅读|浏览|评论|赞|次)|"
        r"(?:阅读|浏览|评论|点赞|赞)\s*[:：]?\s*\d+|没有评论|暂无评论|\d+)[\s|]*$",
        16,
        "view, like and comment counters",
    ),
)


@dataclass(slots=True)
class LineFilter:
    """The kept lines and a count of drops per rule (``stats``)."""

    kept: list[str] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)


_TABLE_EDGES = re.compile(r"^[\s|]+|[\s|]+$")


def normalize(line: str) -> str:
    # str.split() splits on exactly what the regex [\s\u3000\xa0]+ did (\u3000 and \xa0
    # are whitespace to Python too, as is every \s): the same line, 5x faster
    return " ".join(line.split())


def match_rule(line: str) -> LineRule | None:
    """The first rule that drops ``line`` (already normalized), or None."""
    probe = _TABLE_EDGES.sub("", line)
    for rule in LINE_RULES:
        if len(probe) <= rule.max_chars and rule.pattern.search(probe):
            return rule
    return None


_NUMBERING = re.compile(r"^\d+")


_NOT_ALNUM = re.compile(r"[\W_]+")


def line_key(line: str) -> str:
    """A line reduced to its letters and digits: equal keys print the same thing."""
    return _NOT_ALNUM.sub("", line).lower()


_TOC_LABEL = re.compile(
    r"^(?:目录|文章目录|本文目录|阅读目录|内容目录|table of contents|contents|on this page|"
    r"in this (?:article|post|guide)|jump to)\W*$",
    re.I,
)


# Letters only: a heading is looked for as whole words ("pros" is not in "improves").
_NOT_LETTER = re.compile(r"[\W\d_]+")
_DIGITS = re.compile(r"\d+")
# A one-line table of contents is mostly its headings (the label and numbers aside).
_TOC_LINE_COVER = 0.6


def _words(line: str) -> str:
    return f" {_NOT_LETTER.sub(' ', line.lower()).strip()} "


def _toc_lines(lines: list[str], keys: list[str]) -> set[int]:
    """Indexes of a table of contents: a run of 3+ short lines after a "目录/Contents" label,
    each repeated later as a heading, or one line made mostly of 3+ later headings
    ("目录 1) A 2) B 3) C"). An unlabelled list whose items reappear as headings is the
    author's own list of what the article covers (WCXB's gold keeps such lists), and stays;
    so does a paragraph that merely mentions short headings ("pros", "price") in passing.
    ``keys``: each line's :func:`line_key`."""
    short = [len(k) <= 40 for k in keys]
    drop: set[int] = set()

    positions: dict[str, list[int]] = {}
    for j, k in enumerate(keys):
        if short[j]:
            positions.setdefault(_NUMBERING.sub("", k), []).append(j)

    def next_after(i: int, after: int) -> int | None:
        k = _NUMBERING.sub("", keys[i])
        if len(k) < 4:
            return None
        return next((p for p in positions.get(k, ()) if p > after), None)

    def spread_headings(run: range) -> bool:
        """The repeats are headings: in order, each separated from the next by text
        (a block repeated wholesale, like recipe steps, is not a table of contents)."""
        later = [p for i in run if (p := next_after(i, run.stop - 1)) is not None]
        if len(later) < len(run):
            return False
        gaps = [b - a for a, b in itertools.pairwise(later)]
        return all(g > 0 for g in gaps) and sum(g > 1 for g in gaps) * 2 >= len(gaps)

    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and short[j] and next_after(j, j) is not None:
            j += 1
        labelled = i > 0 and bool(_TOC_LABEL.match(lines[i - 1]))
        if j - i >= 3 and labelled and spread_headings(range(i, j)):
            drop.update(range(i, j))
            i = j
        else:
            i += 1
    drop.update(_one_line_tocs(lines, keys, short))
    return drop


def _one_line_tocs(lines: list[str], keys: list[str], short: list[bool]) -> set[int]:
    """Long lines made mostly (_TOC_LINE_COVER of their letters) of 3+ later headings, each
    found both in the line's letters (a fast test of every heading) and as whole words."""
    letters = [_DIGITS.sub("", k) for k in keys]  # a line's words, run together
    headings = [j for j, k in enumerate(keys) if short[j] and len(k) >= 4]
    drop: set[int] = set()
    for i, k in enumerate(keys):
        if len(k) <= 40:
            continue
        line = letters[i]
        found = [j for j in headings[bisect.bisect_right(headings, i) :] if letters[j] in line]
        if len({letters[j] for j in found}) < 3:
            continue
        words = _words(lines[i])
        later = {h for j in found if (h := _words(lines[j])).strip() and h in words}
        covered = sum(len(h.replace(" ", "")) for h in later)
        if len(later) >= 3 and covered >= _TOC_LINE_COVER * len(words.replace(" ", "")):
            drop.add(i)
    return drop


def filter_lines(lines: list[str]) -> LineFilter:
    """Drop chrome lines; keep the rest in order. Also drops a line equal to the one
    before it (a caption printed twice) and a table of contents repeating the headings."""
    result = LineFilter()
    cleaned = [normalize(line) for line in lines]
    cleaned = [line for line in cleaned if line]
    keys = [line_key(line) for line in cleaned]  # once: the TOC test and the loop need them
    toc = _toc_lines(cleaned, keys)
    previous = ""  # key of the last kept line
    for i, line in enumerate(cleaned):
        if i in toc:
            result.stats["toc"] += 1
            continue
        key = keys[i]
        if key == previous and key:
            result.stats["doubled"] += 1
            continue
        rule = match_rule(line)
        if rule is not None:
            result.stats[rule.name] += 1
            continue
        result.kept.append(line)
        previous = key
    return result


def drop_repeated_lines(text: str) -> tuple[str, int]:
    """``text`` with every line that repeats an earlier one removed, and how many went.

    On threads and product pages a repeated line is a copy, not more content: a reply
    quoting the post above it, a carousel's cloned slides. Which page types use it is
    measured (:mod:`.behaviour`): on an article or documentation a repeated line is a
    refrain or a line of code, on a listing, service or collection page a price or a
    "Learn more" that each card repeats.
    """
    seen: set[str] = set()
    kept: list[str] = []
    dropped = 0
    for line in text.splitlines():
        key = normalize(line)
        if key and key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept), dropped


def merge_in_order(kept: list[str], extra: list[str]) -> list[str]:
    """``kept`` with the lines of ``extra`` it lacks, each placed after the last line of
    ``extra`` before it that ``kept`` has: both are in page order, so a paragraph one
    extractor missed goes back where it stood."""
    position: dict[str, int] = {}
    for i, line in enumerate(kept):
        position.setdefault(normalize(line), i)
    after: dict[int, list[str]] = {}
    anchor = -1
    for line in extra:
        key = normalize(line)
        if not key:
            continue
        if key in position:
            anchor = max(anchor, position[key])
        else:
            after.setdefault(anchor, []).append(line)
    merged = list(after.get(-1, []))
    for i, line in enumerate(kept):
        merged.append(line)
        merged.extend(after.get(i, []))
    return merged
