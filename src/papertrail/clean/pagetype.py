"""Page type: article, forum, listing, collection, product, service or documentation.

The type decides what is furniture (:mod:`.behaviour`). It is read from signals any page
carries: the URL path's words, schema.org types (JSON-LD, microdata), ``og:type``, and
counts of telling elements and class words (posts and replies, cards and prices, code and
tables of contents). A small linear model (multinomial logistic regression over those
signals as binary features) weighs them; it is trained by ``bench/extraction/train_pagetype.py``
on the tuning part of the shared corpora only, and shipped as JSON in ``models/`` (no
download). Without the model file, or when the model is unsure, the page is an article:
the behaviour the pipeline was built for.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from .metadata import detect_lang
from .shipped import load_model

PAGE_TYPES = ("article", "forum", "listing", "collection", "product", "service", "documentation")
MODEL_FILE = "pagetype-2.json"

# A page with less text than this is judged an article: too little to tell types apart.
_MIN_TEXT = 200
_WORD = re.compile(r"[a-z]{2,}")
_LD_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"([A-Za-z]+)"')
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/\d{1,2}/")
_LONG_NUMBER = re.compile(r"\d{4,}")
_CLASS_WORD = re.compile(r"[a-z]+")
_PRICE_SCAN = 20_000  # characters of body text searched for prices
_LANG_SCAN = 20_000  # characters of body text whose script is counted
# lexbor serialises every attribute as name="value": a literal prefix scans fast.
_CLASS_ATTR = re.compile(r' (?:class|id)="([^"]*)"')
_PRICE = re.compile(r"[$€£¥]\s?\d[\d,]*(?:\.\d\d)?|\d[\d,]*(?:\.\d\d)?\s?(?:USD|EUR|元)")
# Class and id words that tell page types apart (counted per element, then binned).
CLASS_WORDS = frozenset(
    {
        *("post", "posts", "reply", "replies", "comment", "comments", "answer", "answers"),
        *("thread", "topic", "message", "forum", "vote", "votes", "user", "avatar", "quote"),
        *("product", "products", "price", "cart", "sku", "buy", "add", "variant", "swatch"),
        *("card", "cards", "item", "items", "grid", "tile", "list", "listing", "results"),
        *("filter", "filters", "facet", "sort", "pagination", "collection", "category"),
        *("doc", "docs", "documentation", "toc", "sidebar", "api", "code", "highlight"),
        *("article", "entry", "content", "byline", "author", "published", "date", "blog"),
        *("hero", "cta", "feature", "features", "pricing", "plan", "plans", "testimonial"),
    }
)


_COUNTED_TAGS = ("article", "pre", "code", "h2", "h3", "table", "form", "li", "p", "nav", "aside")
_COUNTED_SELECTOR = ", ".join(_COUNTED_TAGS)


def _bin(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2-4" if n < 5 else "5-19" if n < 20 else "20+"


def features(tree: LexborHTMLParser, url: str | None, text: str | None = None) -> set[str]:
    """The page's signals as binary features (strings); ``text``: the body's text, if known."""
    out: set[str] = set()
    path = urlsplit(url or "").path.lower()
    words = _WORD.findall(path)
    out.update(f"url:{w}" for w in words[:12])
    out.add(f"url:depth{min(path.strip('/').count('/') + bool(path.strip('/')), 4)}")
    if _DATE_PATH.search(path):
        out.add("url:date")
    if _LONG_NUMBER.search(path):
        out.add("url:number")
    types: dict[str, int] = {}
    for script in tree.css('script[type="application/ld+json"]'):
        for name in _LD_TYPE.findall(script.text(deep=True) or ""):
            types[name] = types.get(name, 0) + 1
    for node in tree.css("[itemtype]"):
        name = (node.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]
        if name:
            types[name] = types.get(name, 0) + 1
    for name, n in types.items():
        out.add(f"ld:{name}")
        if n >= 3:
            out.add(f"ld:{name}:many")
    og = tree.css_first('meta[property="og:type"]')
    if og is not None:
        out.add(f"og:{(og.attributes.get('content') or '').lower()[:20]}")
    body = tree.body
    if body is None:
        return out
    # One selector list, one walk of the tree (not one per tag), counted by tag.
    tags = Counter(node.tag for node in body.css(_COUNTED_SELECTOR))
    out.update(f"n:{tag}:{_bin(tags[tag])}" for tag in _COUNTED_TAGS)
    # One regex pass over the markup, not a Python loop over every element (5 ms a page).
    attrs = " ".join(_CLASS_ATTR.findall(body.html or "")).lower()
    counts = Counter(w for w in _CLASS_WORD.findall(attrs) if w in CLASS_WORDS)
    out.update(f"cls:{w}:{_bin(n)}" for w, n in counts.items())
    if text is None:
        text = body.text(deep=True, separator=" ")
    out.add(f"price:{_bin(len(_PRICE.findall(text, 0, _PRICE_SCAN)))}")
    # The script of the text: the page types of Chinese portals look unlike those of the
    # English web the type labels mostly come from (a portal article reads as a listing).
    out.add(f"lang:{detect_lang(' '.join(text[:_LANG_SCAN].split())) or 'none'}")
    return out


def probabilities(feats: set[str], model: dict[str, object]) -> dict[str, float]:
    """Softmax of the linear scores of each type."""
    weights: dict[str, dict[str, float]] = model["weights"]  # type: ignore[assignment]
    bias: dict[str, float] = model["bias"]  # type: ignore[assignment]
    scores = {t: bias[t] + sum(weights[t].get(f, 0.0) for f in feats) for t in bias}
    top = max(scores.values())
    exp = {t: math.exp(s - top) for t, s in scores.items()}
    total = sum(exp.values())
    return {t: e / total for t, e in exp.items()}


def classify_tree(tree: LexborHTMLParser, url: str | None) -> str:
    """The page's type: "article" without a model, with too little text to judge, or when
    the model gives the article at least the model's ``min_article_probability``; else the
    likeliest other type. The article path is the one built for Chinese and news articles
    and the one that costs most when wrong (it keeps one block), so it must be likely: a
    page the model is unsure of takes its likeliest other type's path, which is
    trafilatura's own on the whole page for every type but the article."""
    model = load_model(MODEL_FILE)
    feats = signals(tree, url) if model is not None else None
    if model is None or feats is None:
        return "article"  # nothing to judge by
    threshold: float = model.get("min_article_probability", 0.5)  # type: ignore[assignment]
    return decide(probabilities(feats, model), threshold)


def signals(tree: LexborHTMLParser, url: str | None) -> set[str] | None:
    """The page's :func:`features`, or None when its text is too short to judge."""
    body = tree.body
    text = body.text(deep=True, separator=" ") if body is not None else ""
    if len(text.strip()) < _MIN_TEXT:
        return None
    return features(tree, url, text)


def decide(probs: dict[str, float], min_article_probability: float) -> str:
    """The article at ``min_article_probability`` or more, else the likeliest other type."""
    if probs["article"] >= min_article_probability:
        return "article"
    return max((t for t in probs if t != "article"), key=probs.__getitem__)


def classify_page(html: str, url: str | None) -> str:
    return classify_tree(LexborHTMLParser(html), url)
