"""The DOM pre-pass rules, as data.

Each rule names what it removes and why, so a reviewer can read the whole policy in one
place and a measurement can be tied to a rule. Rules are generic page furniture seen on
any CMS (never one site): a rule that exists to fix one page is a defect.

Three kinds:
- :data:`DROP_SELECTORS`: CSS selectors whose matches are removed outright;
- :data:`DROP_CLASS_ID`: regular expressions matched against each ``class`` token and the
  ``id`` of an element (whole-token, case-insensitive); matches are removed unless they
  read like article text: much text that is not link text (a guard against ASP.NET pages
  wrapping everything in a ``<form>``, or an article inside a "font-size box");
- :data:`MAIN_HINTS`: selectors that, by widespread convention, mark the article body; when
  exactly one matches and holds real text, extraction starts from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..ids.patterns import SITE_PATTERNS


@dataclass(frozen=True, slots=True)
class SelectorRule:
    selector: str
    reason: str
    # Guarded rules spare an element that reads like article text (see prepass.looks_like_text).
    guarded: bool = True


@dataclass(frozen=True, slots=True)
class ClassIdRule:
    pattern: re.Pattern[str]
    reason: str


def _cid(pattern: str, reason: str) -> ClassIdRule:
    return ClassIdRule(re.compile(pattern, re.I), reason)


COMMENTS_REASON = "comment sections and reply forms"
# Cheap test that a text or a URL may cite a paper: an arXiv host or DOI, a paper page's
# path, a new-style number. What it lets through, the ids stage decides on.
PAPERISH = re.compile(r"arxiv|10\.48550|/papers/\d{4}\.\d|\d{4}\.\d{4,5}", re.IGNORECASE)
# Embedded players and viewers, removed as widgets; their target is read first when it
# can name a paper (TARGET_HINT).
EMBED_TAGS = ("iframe", "frame", "embed", "object")
EMBED_TARGETS = ("src", "data-src", "data")
# A target that can name a paper: one of the sites the ids stage reads ids from (arXiv,
# its mirrors and DOI, Hugging Face papers...). A page naming a paper outside an <a href>
# (``onclick="window.open('...')"``, ``data-href``, a JSON prop, ``<area href>``, a
# ``javascript:`` href) holds one; an embedded map's coordinates do not.
TARGET_HINT = re.compile("|".join(re.escape(site.keyword) for site in SITE_PATTERNS), re.I)
# Containers whose content is not parsed as the page's (a <textarea>'s text, a
# <noscript> fallback shown without scripts, a <template>): their URLs are read as text.
RAW_TARGET_TAGS = ("noscript", "textarea", "template")
# Not a citation: media (a figure hosted on arxiv.org is an image of the paper, not a
# link to it) and styling; a plain href is read as a link already.
TARGET_SKIP_TAGS = frozenset(
    {"img", "picture", "source", "video", "audio", "track", "link", "meta", "script", "style"}
)
TARGET_SKIP_ATTRS = frozenset({"class", "id", "style", "src", "srcset"})
# Elements a target's link goes before, not into: no content (<area>, <input>), content
# that is not the page's, content removed with its form control, or a link (a link in a
# link is split from it when the page is parsed again).
TARGET_BEFORE_TAGS = frozenset(
    {"a", "area", "input", "button", "select", "option", "form", "br", "hr", "wbr", "col",
     "param", *RAW_TARGET_TAGS}
)  # fmt: skip

DROP_SELECTORS: tuple[SelectorRule, ...] = (
    SelectorRule(
        'script:not([type="application/ld+json"]), style, noscript, template',
        "code, not text (JSON-LD stays: it carries metadata)",
        guarded=False,
    ),
    SelectorRule(
        "iframe, object, embed, canvas, svg", "embedded widgets and players", guarded=False
    ),
    SelectorRule("form, button, input, select, textarea", "search, login and comment forms"),
    SelectorRule("nav, [role=navigation], [role=menubar], [role=menu]", "site navigation"),
    SelectorRule("aside, [role=complementary]", "sidebars"),
    SelectorRule("footer, [role=contentinfo]", "page footer: copyright, ICP, links"),
    SelectorRule("body > header, [role=banner]", "site header (an article's own <header> stays)"),
    SelectorRule("[hidden], [aria-hidden=true]", "not rendered"),
    SelectorRule(
        "img[src*=qrcode], img[src*=qr_code], img[alt*=二维码]", "QR-code images", guarded=False
    ),
)

DROP_CLASS_ID: tuple[ClassIdRule, ...] = (
    _cid(
        r"(?:site|global|main|top|sub)?[-_]?(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|crumbs?)(?:[-_].*)?",
        "navigation, menus and breadcrumbs",
    ),
    _cid(
        r"(?:.*[-_])?(?:comments?|comment[-_]?list|respond|reply|replies|disqus|discuss(?:ion)?)(?:[-_].*)?",
        COMMENTS_REASON,
    ),
    _cid(
        r"(?:.*[-_])?(?:share|sharing|sharebar|social|bdshare|jiathis|addthis|sns)(?:[-_].*)?",
        "share and follow widgets",
    ),
    _cid(
        r"(?:.*[-_])?(?:related|recommend(?:ed|ation)?s?|more[-_]?(?:news|articles|stories)|"
        r"read[-_]?more|also[-_]?like|hot[-_]?(?:news|list)|latest|popular|most[-_]?read|"
        r"xgyd|xgwz|tjyd|rmtj)(?:[-_].*)?",
        "related, recommended, latest and popular lists",
    ),
    _cid(
        r"(?:.*[-_])?(?:qr|qrcode|qr[-_]code|ewm|erweima|wx[-_]?code|weixin[-_]?code)(?:[-_].*)?",
        "QR-code promos",
    ),
    _cid(
        r"(?:.*[-_])?(?:login|signin|sign[-_]in|signup|register|passport|userbar|toolbar)(?:[-_].*)?",
        "login and account boxes",
    ),
    _cid(r"(?:.*[-_])?(?:tags?|tag[-_]?cloud|keywords?|labels?)(?:[-_].*)?", "tag clouds"),
    _cid(
        r"(?:.*[-_])?(?:footer|foot|copyright|copyrights|beian|icp)(?:[-_].*)?",
        "footers, copyright and ICP lines",
    ),
    _cid(
        r"(?:.*[-_])?(?:header|masthead|topbar|top[-_]?bar|banner)(?:[-_].*)?",
        "site headers and banners",
    ),
    _cid(
        r"(?:.*[-_])?(?:sidebar|side[-_]?bar|aside|rightbar|leftbar|widget|widgets|calendar|"
        r"blogroll|archives?)(?:[-_].*)?",
        "sidebars and widgets (calendars, blogrolls, archive lists)",
    ),
    _cid(
        r"(?:.*[-_])?(?:ad|ads|advert|advertisement|adsbygoogle|sponsor(?:ed)?|promo|gg)(?:[-_].*)?",
        "advertising",
    ),
    _cid(
        r"(?:.*[-_])?(?:pager|pagination|prev[-_]?next|post[-_]?nav(?:igation)?)(?:[-_].*)?",
        "previous/next and paging links",
    ),
    _cid(
        r"(?:.*[-_])?(?:author[-_]?(?:box|bio|info)|editor|zeren|byline[-_]?box)(?:[-_].*)?",
        "author boxes and editor lines",
    ),
    _cid(
        r"(?:.*[-_])?(?:print|font[-_]?size|fontsize|font[-_]?resizer)(?:[-_].*)?",
        "print and font-size tools",
    ),
    _cid(
        r"(?:.*[-_])?(?:profile[-_]?(?:box|card)|js_profile_qrcode|subscribe|newsletter|follow)(?:[-_].*)?",
        "follow-this-account and newsletter boxes",
    ),
)

# Conventional containers of the article body. WeChat's ``#js_content`` is hidden until
# JavaScript runs, and trafilatura picks the profile box without this hint.
MAIN_HINTS: tuple[SelectorRule, ...] = (
    SelectorRule("#js_content", "WeChat-style article body (rich_media_content)"),
    SelectorRule("[itemprop=articleBody]", "schema.org articleBody"),
    SelectorRule(".rich_media_content", "WeChat-style article body"),
)

# Elements never removed by a class/id rule: removing them would remove the page.
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})


# All class/id rules as one alternation, one named group per rule: one fullmatch per class
# token instead of one per token and rule. Alternatives are tried in order, so the first
# rule that matches names the reason.
_CLASS_ID = re.compile(
    "|".join(f"(?P<r{i}>{rule.pattern.pattern})" for i, rule in enumerate(DROP_CLASS_ID)), re.I
)
_CLASS_ID_REASONS = {f"r{i}": rule.reason for i, rule in enumerate(DROP_CLASS_ID)}


@lru_cache(maxsize=16_384)
def class_id_reason(token: str) -> str | None:
    """The reason of the first :data:`DROP_CLASS_ID` rule matching the whole ``class`` token
    or ``id``, else None. Cached: a page repeats its class names on hundreds of elements
    (the pre-pass and the region's chrome test asked the regex 1,200 times a page)."""
    m = _CLASS_ID.fullmatch(token)
    return _CLASS_ID_REASONS[m.lastgroup] if m and m.lastgroup else None
