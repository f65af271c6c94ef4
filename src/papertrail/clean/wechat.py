"""WeChat's "阅读原文" (read the original) link, which lives only in a script.

A WeChat post cannot link outside WeChat in its body; its one outside link is the button
under the post, whose target the page carries as ``var msg_source_url = '...';`` and a
script turns into the anchor. Single-paper posts point it at the paper (an arXiv page), so
it is one of the article's links, though no element of the page holds it.
"""

from __future__ import annotations

import html as html_lib
import re

from ..document import Link

# The anchor text a reader sees on the button.
ANCHOR = "阅读原文"
_SOURCE = re.compile(r"""(?<![\w$])msg_source_url\s*=\s*(["'])(.{0,2000}?)\1""")
_HEX_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


def source_link(html: str) -> Link | None:
    """The post's "阅读原文" target as a link, or None (not WeChat, or no target set)."""
    if "msg_source_url" not in html:
        return None
    m = _SOURCE.search(html)
    if m is None:
        return None
    # The value is written for a JS string inside HTML: "\x26amp;" is "&amp;" is "&".
    href = html_lib.unescape(_HEX_ESCAPE.sub(lambda h: chr(int(h.group(1), 16)), m.group(2)))
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")):
        return None
    return Link(href=href, text=ANCHOR)
