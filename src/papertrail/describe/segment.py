"""Split a roundup's text into per-paper items.

A digest either gives each paper a heading (``1.苹果提出ReALM:...``, ``TinyLlama-1.1B``)
or, as WeChat digests often do, none at all: paragraphs follow one another and a new
item opens where a new system is introduced. The API is deliberately small (a list of
:class:`Item` with ``heading``, ``text`` and ``span``) so that it can be unified with the
heading-based items of the links work.

Without headings, a paragraph opens a new item unless it continues the current one:
it starts with a connective (为此, 具体来说, 实验...) or answers the question the item
ended on (but never when it opens with an enumerator, "2. ", "三、", once the item has
introduced something), repeats a name the item holds, follows an item that has
introduced nothing yet (the context paragraph before "为此作者提出..."), or shares the
item's vocabulary without introducing a new name.
An item "has introduced" something once it holds an introduction cue (提出, 发布, 推出,
本文作者, 研究人员 + a verb...). Paragraph vocabulary is compared on CJK bigrams and
Latin words weighted by how rare they are in the page, so words every item shares
(大模型, 作者) count for little.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

#: A paragraph starting like this continues the item before it.
_CONTINUES = re.compile(
    r"^\s*(?:为此|为了(?:解决|应对)?这|具体(?:来说|而言|地)|此外|另外,|同时|而且|并且|然而|但是|不过"
    r"|实验(?:结果)?(?:表明|证明|显示)|结果(?:表明|显示)|研究(?:结果)?表明|该(?:方法|模型|框架|研究|工作)"
    r"|这(?:一|种|个|项)|其中|它|其|通过|基于此|因此|所以|最终|最后|在此基础上|与此同时"
    r"|作者(?:在|还|又|进一步|们在)|论文(?:还|中)|Specifically|Moreover|In addition|Furthermore)"
)
#: A paragraph opening with an enumerator ("1. ", "2、", "三、", "【3】") starts an item.
_ENUMERATED = re.compile(
    r"^\s*(?:[(（【\[]?\d{1,2}[)）】\].、．]|[一二三四五六七八九十]{1,3}[、.．])"
)
#: Introduction cues: a paragraph holding one introduces a system or a study.
_INTRODUCES = re.compile(
    r"提出了?|发布了?|推出了?|开源了?|介绍了|构建了|设计了|打造了|名为|称为|dubbed|propose|introduce"
    r"|本文作者|研究(?:人员|者|团队)|作者(?:对|在|提出|考虑)"
)
_SENTENCE_END = re.compile(r"[。！？!?；;…]\s*$|[。！？!?]")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: Vocabulary overlap (idf-weighted cosine) at or above which two paragraphs share a topic.
COHESION = 0.06
#: Longest line still taken for a heading.
HEADING_MAX = 60


@dataclass(frozen=True, slots=True)
class Item:
    """One described paper: its heading (if any), its text, and ``[start, end)`` in the page."""

    heading: str | None
    text: str
    span: tuple[int, int]
    paragraphs: tuple[tuple[int, int], ...] = field(default=(), compare=False)


@dataclass(slots=True)
class _Para:
    start: int
    end: int
    text: str


def _paragraphs(text: str) -> list[_Para]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            out.append(_Para(m.start(), m.end(), m.group()))
    return out


def is_heading(line: str) -> bool:
    """Short, no sentence punctuation inside or at the end: a heading, not prose."""
    s = line.strip()
    if not s or len(s) > HEADING_MAX or _SENTENCE_END.search(s):
        return False
    if s.endswith((":", "：", ",", "，", "、")):
        return False
    return not s.startswith(("http://", "https://", "•", "·", "-"))


def _features(text: str) -> Counter[str]:
    feats: Counter[str] = Counter()
    for run in _CJK_RUN.findall(text):
        feats.update(run[i : i + 2] for i in range(len(run) - 1))
    feats.update(w.lower() for w in _LATIN.findall(text) if len(w) >= 2)
    return feats


class _Cohesion:
    """idf-weighted cosine between paragraphs of one page."""

    def __init__(self, paras: list[_Para]) -> None:
        self.feats = [_features(p.text) for p in paras]
        df: Counter[str] = Counter()
        for f in self.feats:
            df.update(f.keys())
        n = max(1, len(paras))
        self.idf = {k: math.log((1 + n) / v) for k, v in df.items()}

    def __call__(self, a: Counter[str], b: Counter[str]) -> float:
        dot = sum(a[k] * b[k] * self.idf.get(k, 0.0) ** 2 for k in a.keys() & b.keys())
        na = math.sqrt(sum((v * self.idf.get(k, 0.0)) ** 2 for k, v in a.items()))
        nb = math.sqrt(sum((v * self.idf.get(k, 0.0)) ** 2 for k, v in b.items()))
        return dot / (na * nb) if na and nb else 0.0


#: Latin tokens every item shares: not names of anything a digest introduces.
_GENERIC = frozenset(
    {"llm", "llms", "lm", "lms", "gpt", "ai", "sft", "moe", "vlm", "vlms", "mllm", "nlp",
     "api", "gpu", "token", "query", "transformer", "transformers", "github", "the"}
)  # fmt: skip
#: A paragraph announcing the page's papers (N篇, 本期, 后台回复...) closes its item.
_PREAMBLE = re.compile(
    r"\d+\s*篇|[几数两三四五六七八九十]+篇|今天(?:分享|整理|给大家)|本期|本周|论文获取|后台回复|以下是"
)


def _names(text: str) -> set[str]:
    """Components of distinctive Latin tokens ("aiXcoder-7B" -> aixcoder), generic ones out."""
    out: set[str] = set()
    for w in _LATIN.findall(text):
        if len(w) >= 3 and (w[0].isupper() or any(c.isupper() or c.isdigit() for c in w[1:])):
            out |= {c for c in re.split(r"[-.]", w.lower()) if len(c) >= 3 and c not in _GENERIC}
    return out


_NAMED_INTRO = re.compile(
    r"(?:提出|发布|推出|开源|名为|称为|构建|打造|dubbed|propose|introduce)[^。！？!?\n]{0,30}?"
    r"(?P<name>[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)"
)


def _introduced_names(text: str) -> set[str]:
    """Name components right after an introduction verb (提出了X, 发布...:X)."""
    out: set[str] = set()
    for m in _NAMED_INTRO.finditer(text):
        out |= _names(m.group("name"))
    return out


def _split_by_topic(paras: list[_Para], cohesion: _Cohesion, index: list[int]) -> list[list[int]]:
    """Group paragraph indexes into items, one introduction each (see the module doc)."""
    groups: list[list[int]] = []
    current: list[int] = []
    introduced = False
    bag: Counter[str] = Counter()
    names: set[str] = set()
    for i in index:
        p = paras[i]
        feats = cohesion.feats[i]
        own = _names(p.text)
        intro = bool(_INTRODUCES.search(p.text))
        if current:
            # a connective, or an answer to the question the item ended on
            continues = bool(_CONTINUES.match(p.text)) or paras[current[-1]].text.rstrip().endswith(
                ("?", "？")
            )
            new_name = bool(_introduced_names(p.text) - names)
            shared_name = bool(own & names) and not new_name
            close = cohesion(bag, feats) >= COHESION and not new_name
            numbered = bool(_ENUMERATED.match(p.text)) and introduced
            if numbered or not (continues or shared_name or not introduced or close):
                groups.append(current)
                current, introduced, bag, names = [], False, Counter(), set()
        current.append(i)
        bag.update(feats)
        names |= own
        introduced = introduced or intro or bool(_PREAMBLE.search(p.text))
    if current:
        groups.append(current)
    return groups


def segment_items(text: str, *, min_headings: int = 3) -> list[Item]:
    """The page's items in order. With ``min_headings`` headings or more, one item per
    heading (paragraphs before the first heading form an item without one); otherwise
    items are found by topic shifts, a heading line kept with the item it opens."""
    paras = _paragraphs(text)
    if not paras:
        return []
    heads = [i for i, p in enumerate(paras) if is_heading(p.text)]
    # a heading followed directly by another heading is chrome (menus), not an item
    heads = [i for i in heads if i + 1 < len(paras) and i + 1 not in heads]
    cohesion = _Cohesion(paras)
    groups: list[list[int]] = []
    if len(heads) >= min_headings:
        bounds = [0, *heads, len(paras)] if heads[0] != 0 else [*heads, len(paras)]
        for a, b in pairwise(bounds):
            if a < b:
                groups.append(list(range(a, b)))
    else:
        body = [i for i in range(len(paras)) if i not in heads]
        groups = _split_by_topic(paras, cohesion, body)
        # attach each heading to the group of the paragraph right after it
        for h in heads:
            for g in groups:
                if h + 1 in g:
                    g.insert(0, h)
                    break
    items = []
    for g in groups:
        g = sorted(g)
        heading = paras[g[0]].text.strip() if g[0] in heads else None
        start, end = paras[g[0]].start, paras[g[-1]].end
        items.append(
            Item(
                heading=heading,
                text=text[start:end],
                span=(start, end),
                paragraphs=tuple((paras[i].start, paras[i].end) for i in g),
            )
        )
    return items


__all__ = ["COHESION", "Item", "is_heading", "segment_items"]
