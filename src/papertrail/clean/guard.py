"""Defuse hostile markup before any HTML parser sees it, in one linear pass.

Both parsers we use are quadratic on two kinds of input no real article has: very deep
nesting (lexbor checks the stack of open elements on every start tag; 100,000 nested
``<div>`` took about a minute) and elements with huge attribute lists (20,000 attributes
on one tag took seconds in lexbor and in lxml; 200,000, minutes). libxml2 also gives up
below 256 levels and the text under them is lost. Browsers bound the same things (Chrome
stops nesting at 512 levels), so we do too: start and end tags deeper than
``MAX_DEPTH`` are dropped (their text stays, one level up; a ``<table>`` counts as the
four levels it makes) and a tag keeps its first
``MAX_ATTRS`` attributes. Pages within both bounds are returned unchanged, byte for byte.
"""

from __future__ import annotations

import re

MAX_DEPTH = 200
MAX_ATTRS = 256

# Elements that never nest (void) or whose end tag is routinely omitted: counting them
# would make ordinary pages with unclosed <p>/<li> look deep.
_NOT_NESTING = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
        *("param", "source", "track", "wbr", "keygen", "frame", "basefont", "isindex"),
        *("p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody"),
        *("tfoot", "colgroup", "caption", "rp", "rt", "rb", "rtc", "html", "head", "body"),
    }
)
# A <table> is four levels of the tree (table, tbody, tr, td; the last three not counted
# above): 63 nested layout tables passed as 63 levels and reached libxml2's 256, and the
# page's text was lost.
_TABLE_LEVELS = 4
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noscript"})
# A tag up to its end (or the next "<"): each character is scanned once, so no input is
# quadratic here. Attribute text is matched loosely; only its size and count matter.
_TAG = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:-]*)([^<>]*)(>?))")
_ATTR = re.compile(r"""[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_LONG_TAG = 2048  # attribute text shorter than this cannot hold MAX_ATTRS attributes worth parsing


def defuse(html: str) -> str:
    """``html`` with nesting capped at MAX_DEPTH and attributes at MAX_ATTRS per tag."""
    out: list[str] = []
    last = 0  # html[last:] not yet copied to out
    depth = 0
    skip_to = 0  # inside a comment or raw-text element until here
    changed = False
    for m in _TAG.finditer(html):
        if skip_to and m.start() < skip_to:
            continue
        comment, closing, name, attrs, gt = m.groups()  # one call, not five (the hot loop)
        if comment:  # <!-- ... -->
            end = html.find("-->", m.end())
            skip_to = len(html) if end < 0 else end + 3
            continue
        name = name.lower()
        if not closing and name in _RAW_TEXT:
            close = re.compile(rf"</{name}\b", re.I).search(html, m.end())
            skip_to = len(html) if close is None else close.start()
        if name in _NOT_NESTING or (not closing and attrs and attrs.rstrip().endswith("/")):
            continue
        step = _TABLE_LEVELS if name == "table" else 1
        if closing:
            drop = depth > MAX_DEPTH
            depth = max(0, depth - step)
        else:
            depth += step
            drop = depth > MAX_DEPTH
        if drop:
            out.append(html[last : m.start()])
            last = m.end()
            changed = True
        elif not closing and len(attrs) > _LONG_TAG:
            kept = _ATTR.findall(attrs, 0)
            if len(kept) > MAX_ATTRS:
                out.append(html[last : m.start()])
                out.append(f"<{m.group(3)} {' '.join(kept[:MAX_ATTRS])}{gt}")
                last = m.end()
                changed = True
    if not changed:
        return html
    out.append(html[last:])
    return "".join(out)
