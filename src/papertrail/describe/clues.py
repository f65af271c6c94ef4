"""What a Chinese description says that an arXiv record can confirm.

From one item's text: the names it gives the paper's own system (``提出了Gecko``,
``Think-and-Execute框架``, ``名为X``, a definition ``选择性语言建模法(SLM)``) ranked by how
clearly the context claims them, the key terms translated through the glossary
(``glossary.toml``, data), and the numbers an abstract would repeat (66.31, 30%, 114倍,
256 维). Names the context marks as someone else's (``比GPT-4高``, ``与 Gemini 相比``,
``另外一篇``) or that every item shares (LLM, SFT, Transformer) are not candidates.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?![A-Za-z0-9])")
#: Latin tokens that name no paper of their own in a digest: shared vocabulary, places
#: to download models, companies. Lower-cased, compared on the whole token.
GENERIC = frozenset(
    {"llm", "llms", "lm", "lms", "ai", "agi", "sft", "rlhf", "moe", "vlm", "vlms", "mllm",
     "mllms", "lvlm", "nlp", "cv", "api", "apis", "gpu", "gpus", "cpu", "tpu", "token",
     "tokens", "query", "queries", "prompt", "transformer", "transformers", "attention",
     "github", "hugging", "face", "huggingface", "gitee", "gitlink", "arxiv", "pdf", "sota",
     "benchmark", "dataset", "model", "models", "peft", "lora", "qlora", "dpo", "ppo",
     "cot", "rag", "json", "python", "deepmind", "google", "openai", "meta", "microsoft",
     "nvidia", "apple", "stanford", "mit", "cmu", "gpt", "chatgpt", "bert", "vision",
     "rnn", "cnn", "mlp", "gan", "vae", "ok", "app", "ios", "android", "mteb"}
)  # fmt: skip
_COMPARED = re.compile(r"gpt-?\d|llama[- ]?\d|claude|gemini|mistral|qwen|palm")

#: The context claims the name as the paper's own.
_INTRO_BEFORE = re.compile(
    r"(?:提出了?|发布了?|推出了?|开源了?|构建了?|打造了?|设计了?|开发了?|得到了?|介绍了?|名为|称为|"
    r"叫做|命名为|dubbed|called|propose[sd]?|introduce[sd]?|present[sd]?)[^。！？!?；;\n]{0,30}$"
)
_TYPE_AFTER = re.compile(
    r"^\s?[\u4e00-\u9fff]{0,6}?(?:框架|模型|架构|方法|算法|系统|基准|数据集|技术|智能体|工具|范式)"
)
_TYPE_BEFORE = re.compile(r"(?:框架|模型|架构|方法|算法|系统|数据集|基准)\s*[:：]?\s*$")
_DEFINITION = re.compile(r"[\u4e00-\u9fffA-Za-z]\s*[(（]\s*$")
#: The context says the name belongs to something else.
_NOT_OWN_BEFORE = re.compile(
    r"(?:比|超越|超过|优于|胜过|击败|媲美|对比|相比|基于|使用|采用|利用|通过|借助|包括|如|例如|和|与|及)\s*$"
)
_NOT_OWN_SENTENCE = re.compile(r"另外一篇|另一篇|上一篇|此前|之前的工作|之前发布")


@dataclass(frozen=True, slots=True)
class NameClue:
    """A Latin-script name with how strongly the context claims it (higher: surer)."""

    name: str
    strength: int
    span: tuple[int, int]
    count: int = 1


@dataclass(frozen=True, slots=True)
class Clues:
    """Everything one item offers for search and verification."""

    names: tuple[NameClue, ...]
    terms: tuple[str, ...]  # English glossary terms, most specific first
    numbers: tuple[str, ...]  # normalised: "66.31", "30%", "114x", "256"
    phrases: tuple[str, ...] = field(default=())  # quoted or parenthesised English phrases

    @property
    def best_name(self) -> NameClue | None:
        return self.names[0] if self.names else None


def _name_like(token: str) -> bool:
    """Shaped like a system's name: an acronym, inner capitals, digits or hyphens."""
    if len(token) < 2 or token.lower() in GENERIC or token.islower():
        return False
    inner = token[1:]
    return (
        token.isupper()
        or any(c.isupper() or c.isdigit() for c in inner)
        or "-" in token
        or token[0].isupper()
    )


def _plain_word(token: str) -> bool:
    """Capitalised ordinary word ("Gecko", "Tiny"): a name only with a clear claim."""
    return token[0].isupper() and token[1:].islower() and "-" not in token


_SENTENCE_END = re.compile(r"[。！？!?\n]")


def _sentence_of(text: str, pos: int) -> str:
    """The sentence around ``pos`` (bounded by 。！？!? or a line break)."""
    start = max(text.rfind(c, 0, pos) for c in "。！？!?\n") + 1
    m = _SENTENCE_END.search(text, pos)
    return text[start : m.end() if m else len(text)]


def find_names(text: str) -> list[NameClue]:
    """Names the item claims as its paper's own, strongest first (ties: first seen)."""
    best: dict[str, tuple[int, tuple[int, int]]] = {}
    counts: dict[str, int] = {}
    order: dict[str, int] = {}
    for m in _NAME.finditer(text):
        token = m.group().rstrip(".")
        key = token.lower()
        if not _name_like(token) or _COMPARED.fullmatch(key) or key.isdigit():
            continue
        counts[key] = counts.get(key, 0) + 1
        order.setdefault(key, m.start())
        before, after = text[max(0, m.start() - 40) : m.start()], text[m.end() : m.end() + 12]
        strength = 0
        if _INTRO_BEFORE.search(before):
            strength += 3
        if _TYPE_AFTER.match(after) or _TYPE_BEFORE.search(before):
            strength += 2
        if _DEFINITION.search(before) and after.lstrip().startswith((")", "）")):
            strength += 1
        if _NOT_OWN_BEFORE.search(before):
            strength -= 3
        if _NOT_OWN_SENTENCE.search(_sentence_of(text, m.start())):
            strength -= 4
        if _plain_word(token):
            strength -= 1
        prev = best.get(key)
        if prev is None or strength > prev[0]:
            best[key] = (strength, (m.start(), m.start() + len(token)))
    clues = []
    for key, (strength, span) in best.items():
        repeated = min(counts[key] - 1, 2)  # a name the item keeps using is its subject
        clues.append(NameClue(text[span[0] : span[1]], strength + repeated, span, counts[key]))
    clues.sort(key=lambda c: (-c.strength, order[c.name.lower()]))
    return clues


# --- glossary terms -------------------------------------------------------------------


@cache
def glossary() -> dict[str, tuple[str, ...]]:
    """Chinese term -> English forms, from ``glossary.toml`` (longest keys first)."""
    data = tomllib.loads(resources.files(__package__).joinpath("glossary.toml").read_text("utf-8"))
    terms = {k: tuple(v) for k, v in data["terms"].items()}
    return dict(sorted(terms.items(), key=lambda kv: -len(kv[0])))


@cache
def weak_terms() -> frozenset[str]:
    """Terms most abstracts share (benchmark, dataset...): half a point of agreement."""
    data = tomllib.loads(resources.files(__package__).joinpath("glossary.toml").read_text("utf-8"))
    return frozenset(data.get("weak", {}).get("terms", []))


def find_terms(text: str) -> list[str]:
    """English forms of the glossary terms in ``text``; a term inside a longer matched
    one is not counted again (文本嵌入 gives "text embedding", not also "embedding")."""
    taken = [False] * len(text)
    found: list[str] = []
    for zh, en in glossary().items():
        for m in re.finditer(re.escape(zh), text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            if en[0] not in found:
                found.append(en[0])
    return found


def term_forms(term: str) -> tuple[str, ...]:
    """Every English form the glossary gives for the concept ``term`` names."""
    for forms in glossary().values():
        if term == forms[0]:
            return forms
    return (term,)


# --- numbers --------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>%|％|倍|x|×|维|[BMK](?![a-zA-Z]))?"
)
_DATE_LIKE = re.compile(r"^(?:19|20)\d{2}(?:\d{4})?$")


def find_numbers(text: str) -> list[str]:
    """Numbers an abstract would repeat, normalised: decimals, percentages, multiples
    ("114倍" -> "114x"), sizes ("7B"), and integers of three digits or more. Years and
    small counts are left out."""
    out: list[str] = []
    for m in _NUMBER.finditer(text):
        num, unit = m.group("num").replace(",", ""), m.group("unit") or ""
        if unit in {"%", "％"}:
            value = f"{num}%"
        elif unit in {"倍", "x", "×"}:
            value = f"{num}x"
        elif unit in {"B", "M", "K"}:
            value = f"{num}{unit}"
        elif "." in num or (len(num) >= 3 and not _DATE_LIKE.match(num)):
            value = num
        else:
            continue
        if value not in out:
            out.append(value)
    return out


_QUOTED = re.compile(r"[“\"「『]([A-Za-z][A-Za-z0-9 \-:,]{6,120})[”\"」』]")
_PAREN_EN = re.compile(
    r"[(（]\s*(?:[A-Z][A-Za-z0-9\-]*\s*[,，]\s*)?([A-Z][A-Za-z\-]+(?: [A-Za-z\-]+){1,8})\s*[)）]"
)


def find_phrases(text: str) -> list[str]:
    """Quoted English phrases and English expansions in parentheses (MTEB, Massive ...)."""
    found = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    found += [m.group(1).strip() for m in _PAREN_EN.finditer(text)]
    return list(dict.fromkeys(found))


#: A name must be claimed at least this strongly to be searched.
MIN_STRENGTH = 3


def clues_for(text: str) -> Clues:
    names = tuple(c for c in find_names(text) if c.strength >= MIN_STRENGTH)
    return Clues(
        names=names,
        terms=tuple(find_terms(text)),
        numbers=tuple(find_numbers(text)),
        phrases=tuple(find_phrases(text)),
    )


__all__ = [
    "GENERIC",
    "MIN_STRENGTH",
    "Clues",
    "NameClue",
    "clues_for",
    "find_names",
    "find_numbers",
    "find_phrases",
    "find_terms",
    "glossary",
    "term_forms",
    "weak_terms",
]
