"""Block selection: which of a page's text blocks are its content, by a small linear model.

Listings, service and collection pages defeat trafilatura's rules: a card that is one big
link looks like a menu, a feature grid like a sidebar. Here the page is cut into blocks
(the text under each nearest block-level element) and each block is scored by logistic
regression over binary features: its tag and ancestors' tags, class and id words, length,
link density, punctuation, digits, capitals, position, whether trafilatura kept it (and its
neighbours), and the page type crossed with the strongest of these. The blocks at or above
the model's threshold are the text, in page order.

The model is trained by ``bench/extraction/train_blocks.py`` on the tuning parts of
wcxb-dev and en-scrapinghub (labels: the blocks that best rebuild each page's gold text;
page types out of fold) and shipped as JSON in ``models/``, loaded with no download.
trafilatura's text stays when there is no model file, when nothing is selected, and when
the selection :func:`lost_the_text`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .shipped import load_model

MODEL_FILE = "blocks-1.json"

# Elements that start a block: text belongs to the nearest of them above it.
BLOCK_TAGS = frozenset(
    {
        *("p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre"),
        *("blockquote", "dd", "dt", "dl", "section", "article", "header", "footer", "nav"),
        *("aside", "main", "form", "table", "tr", "ul", "ol", "figcaption", "figure"),
        *("address", "body", "caption", "label", "summary", "details", "center"),
    }
)
# Text under these is never page text (code, styles, form controls, vector art).
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "select", "option", "button"}
)
# Ancestors whose presence says something (furniture, lists, tables, an article element).
_CONTEXT_TAGS = frozenset(
    {
        *("nav", "header", "footer", "aside", "form", "article", "main", "ul", "ol", "table"),
        *("li", "h1", "h2", "h3", "blockquote", "section", "dl", "figure"),
    }
)
_WORD = re.compile(r"\w+")
_CLASS_WORD = re.compile(r"[a-z]{3,}")
_PUNCT = re.compile(r"[.,;:!?]")
_ANCESTOR_CLASS_DEPTH = 6  # class/id words are read from this many ancestors
_OWN_CLASS_WORDS = 8
_ANCESTOR_CLASS_WORDS = 6  # per ancestor
_SHORT_TEXT_WORDS = 4  # blocks this short also carry their text ("add to cart", "share")
_PARTIAL_MATCH = 40  # characters: a long block is partly kept if its start or end is
# lost_the_text: the selection keeps under this share of trafilatura's words and is under
# this share of its length (chosen on the tuning part, out of fold)
_MIN_COVER = 0.3
_MIN_SIZE = 0.5
# Blocks times characters of trafilatura's text: up to this, each block is looked for inside
# the text (about 0.1 s of substring scans); beyond it, among its lines.
_SCAN_BUDGET = 200_000_000


@dataclass(frozen=True, slots=True)
class Block:
    node: LexborNode  # the block-level element
    text: str  # its text, whitespace collapsed, without its child blocks' text
    link_chars: int  # non-space characters of it inside <a>


def segment(tree: LexborHTMLParser) -> list[Block]:
    """The blocks of the page's body in document order (the tree is not changed)."""
    body = tree.body
    if body is None:
        return []
    parts: dict[int, tuple[LexborNode, list[str], list[int]]] = {}
    last = -1  # the block the previous text went to
    space = False  # whitespace came between the previous text and this one
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = node.text_content
        if not text or text.isspace():
            space = space or bool(text)  # "<a>alice</a>\n<time>May 1</time>": two words
            continue
        block = node.parent
        in_link = False
        while block is not None and block.tag not in BLOCK_TAGS:
            if block.tag in _SKIP_TAGS:
                break
            in_link = in_link or block.tag == "a"
            block = block.parent
        if block is None or block.tag in _SKIP_TAGS:
            continue
        key = block.mem_id
        entry = parts.get(key)
        if entry is None:
            entry = parts[key] = (block, [], [0])
        elif key != last or space:
            entry[1].append(" ")  # back after a child block: "done.<p>...</p>Next" is two words
        last = key
        space = False
        entry[1].append(text)
        if in_link:
            entry[2][0] += len(text) - sum(map(str.isspace, text))
    return [
        Block(node, text, link[0])
        for node, texts, link in parts.values()
        if (text := " ".join("".join(texts).split()))
    ]


def _bin(x: float, edges: tuple[float, ...]) -> str:
    """The index of the first edge above ``x`` (len(edges) if none)."""
    return str(bisect_right(edges, x))


def _class_words(node: LexborNode, limit: int) -> list[str]:
    attrs = node.attributes
    return _CLASS_WORD.findall(f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower())[
        :limit
    ]


def _context(
    node: LexborNode, known: dict[int, tuple[int, tuple[str, ...]]]
) -> tuple[int, tuple[str, ...]]:
    """How many elements ``node`` and its ancestors below <body> are, and which of them are
    context tags (outermost first). Memoised in ``known``: linear in the page, not in its
    blocks times their depth (200 levels of nesting over 30,000 blocks)."""
    chain: list[LexborNode] = []
    cur: LexborNode | None = node
    while cur is not None and cur.tag not in ("body", "html") and cur.mem_id not in known:
        chain.append(cur)
        cur = cur.parent
    depth, tags = known.get(cur.mem_id, (0, ())) if cur is not None else (0, ())
    for element in reversed(chain):
        depth += 1
        if element.tag in _CONTEXT_TAGS:
            tags = (*tags, element.tag or "")
        known[element.mem_id] = (depth, tags)
    return depth, tags


def _build(node: LexborNode) -> str:
    parent = node.parent
    outer = f"{parent.tag}.{parent.attributes.get('class') or ''}" if parent is not None else ""
    return f"{node.tag}.{node.attributes.get('class') or ''}/{outer}"


def _kept(text: str, extracted: str) -> str:
    """Whether trafilatura kept the block: "full", "part" or "no"."""
    if text in extracted:
        return "full"
    if len(text) > _PARTIAL_MATCH and (
        text[:_PARTIAL_MATCH] in extracted or text[-_PARTIAL_MATCH:] in extracted
    ):
        return "part"
    return "no"


def features(blocks: list[Block], page_type: str, extracted: str) -> list[list[str]]:
    """Each block's binary features (strings); ``extracted``: trafilatura's text of the page."""
    flat = " ".join(extracted.split())
    if len(blocks) * len(flat) <= _SCAN_BUDGET:
        kept = [_kept(b.text, flat) for b in blocks]
    else:  # each substring test scans the whole text: whole lines only on huge pages
        lines = {" ".join(line.split()) for line in extracted.splitlines()}
        kept = ["full" if b.text in lines else "no" for b in blocks]
    density = [b.link_chars / max(1, len(b.text) - b.text.count(" ")) for b in blocks]
    ancestor_words: dict[int, list[str]] = {}  # mem_id -> class words (ancestors repeat)
    contexts: dict[int, tuple[int, tuple[str, ...]]] = {}  # mem_id -> _context
    n = len(blocks)
    # Blocks built alike (tag and class, their parent's too) repeat on listings (cards) and
    # in menus: how often a block's build recurs on the page.
    builds = [_build(b.node) for b in blocks]
    recurs = Counter(builds)
    heading = next((i for i, b in enumerate(blocks) if b.node.tag == "h1"), None)
    out: list[list[str]] = []
    for i, block in enumerate(blocks):
        node, text = block.node, block.text
        words = _WORD.findall(text)
        n_words = len(words)
        chars = max(1, len(text) - text.count(" "))
        parent = node.parent
        depth, context = _context(parent, contexts) if parent is not None else (0, ())
        path = [parent.tag or ""] if parent is not None and depth else []
        if depth > 1 and parent is not None and parent.parent is not None:
            path.append(parent.parent.tag or "")
        seen: set[str] = set()
        for _ in range(min(depth, _ANCESTOR_CLASS_DEPTH)):
            if parent is None:
                break
            key = parent.mem_id
            if key not in ancestor_words:
                ancestor_words[key] = _class_words(parent, _ANCESTOR_CLASS_WORDS)
            seen.update(ancestor_words[key])
            parent = parent.parent
        before = kept[i - 1] if i else "start"
        after = kept[i + 1] if i + 1 < n else "end"
        place = (
            "none"
            if heading is None
            else "at"
            if i == heading
            else "before"
            if i < heading
            else "after"
        )
        # the features crossed with the page type
        core = [
            f"tag:{node.tag}",
            *(f"in:{tag}" for tag in context),
            f"io:{kept[i]}",
            f"io3:{before}|{kept[i]}|{after}",
            "ld:" + _bin(density[i], (0.01, 0.2, 0.5, 0.8, 0.99)),
            "nw:" + _bin(n_words, (1, 2, 4, 8, 16, 32, 64, 128)),
            "pw:" + _bin(len(_PUNCT.findall(text)) / (n_words or 1), (0.01, 0.05, 0.1, 0.2)),
            "rep:" + _bin(recurs[builds[i]], (2, 4, 10)),
            f"h1:{place}",
        ]
        last = text[-1]
        capitals = sum(1 for w in words if w[:1].isupper())
        f = [
            *core,
            *(f"{page_type}|{x}" for x in core),
            f"type:{page_type}",
            *(f"cls:{w}" for w in _class_words(node, _OWN_CLASS_WORDS)),
            *(f"acls:{w}" for w in seen),
            "path:" + ">".join(path),
            "depth:" + _bin(depth, (3, 6, 9, 12, 16, 20)),
            "end:" + ("s" if last in ".!?。！？" else last if last in ":|»›>" else "o"),
            "dig:" + _bin(sum(map(str.isdigit, text)) / chars, (0.01, 0.1, 0.3, 0.6)),
            "cap:" + _bin(capitals / (n_words or 1), (0.1, 0.3, 0.6, 0.9)),
            "pos:" + _bin(i / n, (0.1, 0.2, 0.4, 0.6, 0.8, 0.9)),
            f"pio:{before}",
            f"nio:{after}",
            "pld:" + (_bin(density[i - 1], (0.2, 0.8)) if i else "s"),
            "nld:" + (_bin(density[i + 1], (0.2, 0.8)) if i + 1 < n else "e"),
        ]
        if n_words <= _SHORT_TEXT_WORDS:
            f.append("txt:" + text.lower()[:30])
        out.append(f)
    return out


def probability(feats: list[str], model: dict[str, object]) -> float:
    weights: dict[str, float] = model["weights"]  # type: ignore[assignment]
    score = float(model["bias"]) + sum(weights.get(f, 0.0) for f in feats)  # type: ignore[arg-type]
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, score))))


def select(tree: LexborHTMLParser, page_type: str, extracted: str) -> str | None:
    """The page's content blocks as lines, or None: no model, no block selected, or the
    selection :func:`lost_the_text` (the caller keeps ``extracted``)."""
    model = load_model(MODEL_FILE)
    if model is None:
        return None
    blocks = segment(tree)
    threshold: float = model["threshold"]  # type: ignore[assignment]
    texts = [block.text for block in blocks]
    return pick(texts, features(blocks, page_type, extracted), model, threshold, extracted)


def pick(
    texts: list[str],
    feats: list[list[str]],
    model: dict[str, object],
    threshold: float,
    extracted: str,
) -> str | None:
    """The blocks of ``texts`` the model scores at ``threshold`` or more, as lines, or None
    when none is or the selection :func:`lost_the_text` (also what the training script's
    cross-validation scores, at other thresholds)."""
    kept = [t for t, f in zip(texts, feats, strict=True) if probability(f, model) >= threshold]
    text = "\n".join(kept)
    return None if not text or lost_the_text(text, extracted) else text


def word_bag(text: str) -> Counter[str]:
    """The lower-cased words of ``text``, counted (what the guard and the labels compare)."""
    return Counter(w.lower() for w in _WORD.findall(text))


def lost_the_text(selected: str, extracted: str) -> bool:
    """True when the selection keeps under ``_MIN_COVER`` of trafilatura's words and is under
    ``_MIN_SIZE`` of its length: the model dropped what trafilatura found and found little
    else. Seen on news articles the page-type model sent to the listing path (one kept 8 %
    of its article); on the tuning part this guard fires on few pages (en-scrapinghub out
    of fold 0.963 -> 0.970, wcxb-dev 0.835 -> 0.834)."""
    theirs = word_bag(extracted)
    mine = word_bag(selected)
    total = sum(theirs.values())
    if not total:
        return False
    shared = sum((theirs & mine).values())
    return shared < _MIN_COVER * total and sum(mine.values()) < _MIN_SIZE * total
