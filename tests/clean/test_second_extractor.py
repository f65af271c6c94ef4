"""The second extractor on threads (``clean/second.py``): jusText's paragraphs that
trafilatura dropped go back where they stood, with jusText's own classes, in linear time."""

from __future__ import annotations

import justext
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrail.clean.behaviour import BY_TYPE
from papertrail.clean.lines import merge_in_order
from papertrail.clean.second import _STOPLIST, justext_paragraphs

WORDS = ("the", "of", "and", "it", "works", "disk", "upgrade", "machine", "boot", "shell")


def test_a_second_extractor_s_paragraphs_go_back_where_they_stood() -> None:
    """Threads: jusText's paragraphs that trafilatura missed are merged in page order."""
    first, reply, last = (
        "I upgraded to version 7.1 last week and since then the virtual machine stops at the"
        " EFI shell every time it starts, whatever I choose in the boot menu. It was working"
        " before the upgrade and I have not changed any of the settings of the machine.",
        "Same here after the upgrade. Rolling back to the previous version fixed it for me,"
        " and the logs showed that the boot loader could not find the disk at all, so it is"
        " not the machine itself but the way that the new version attaches the disk to it.",
        "Thanks, that was it. The disk had been detached by the upgrade, and when I attached"
        " it again to the same controller as before the machine started as it always did. I"
        " will report it as a bug so that they can fix it in the next version of the tool.",
    )
    page = (
        "<html><body>"
        + "".join(f"<div class='post'><p>{text}</p></div>" for text in (first, reply, last))
        + "</body></html>"
    )
    paragraphs = justext_paragraphs(page)
    assert paragraphs == [first, reply, last]
    kept = [first, last]  # trafilatura took the reply for furniture
    assert merge_in_order(kept, paragraphs) == [first, reply, last]
    assert merge_in_order(kept, []) == kept
    assert justext_paragraphs("") == [] and justext_paragraphs("\x00<") == []
    assert [t for t, b in sorted(BY_TYPE.items()) if b.second_extractor] == ["forum"]


@st.composite
def pages(draw: st.DrawFn) -> str:
    """Pages of headings, short and long paragraphs, link lists: every jusText class."""
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        size = draw(st.sampled_from([1, 3, 8, 15, 30, 50, 80]))  # short to good
        words = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=size, max_size=size)))
        kind = draw(st.sampled_from(["p", "h2", "a", "li"]))
        if kind == "a":
            parts.append(f'<p><a href="/x">{words}</a></p>')
        elif kind == "li":
            parts.append(f"<ul><li>{words}</li></ul>")
        else:
            parts.append(f"<{kind}>{words}</{kind}>")
    return "<html><body>" + "".join(parts) + "</body></html>"


@settings(max_examples=60, deadline=None)
@given(pages())
def test_the_same_paragraphs_as_jusText_itself(page: str) -> None:
    """The linear context pass gives jusText's own classes (its pass is quadratic)."""
    expected = [p.text for p in justext.justext(page, _STOPLIST) if not p.is_boilerplate]
    assert justext_paragraphs(page) == expected
