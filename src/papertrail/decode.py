"""Bytes to text, with the charset chosen the way browsers do, not the way httpx does.

Order: byte-order mark, then the Content-Type header's charset, then ``<meta charset>``
/ ``<meta http-equiv>`` in the first 4 KB, then detection (charset-normalizer), then
UTF-8. One exception: bytes that are strictly valid UTF-8 (and not plain ASCII) are read
as UTF-8 whatever legacy charset the header or ``<meta>`` declares. Pages re-encoded to
UTF-8 keep their old ``<meta charset=gb2312>``, while GBK text (or Latin-1) with any
real amount of non-ASCII is practically never valid UTF-8 by accident.
GB2312 and GBK are read as GB18030 (a superset: real "gb2312" pages use GBK characters),
Big5 as Big5-HKSCS, Latin-1/ASCII as windows-1252 (what browsers do); undecodable bytes
become U+FFFD instead of failing the page.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from .document import Document
from .errors import DecodeError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I | re.S)


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def charset_from_meta(head: bytes) -> str | None:
    m = _META_CHARSET.search(head[:4096])
    if not m:
        return None
    name = normalize_charset(m.group(1).decode("ascii", "ignore"))
    # A page saying utf-16 in an ASCII-readable <meta> cannot be utf-16.
    if name and name.startswith("utf-16"):
        return "utf-8"
    return name


def sniff_encoding(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The codec to use for ``data`` and where it came from (bom|header|meta|detected|default)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, "bom"
    for source, charset in (
        ("header", charset_from_content_type(content_type)),
        ("meta", charset_from_meta(data)),
    ):
        if charset:
            if not charset.startswith("utf") and _is_valid_utf8(data):
                return "utf-8", "detected"  # the declaration is stale: see module docstring
            return charset, source
    return _detect(data)


def _is_valid_utf8(data: bytes) -> bool:
    """Non-ASCII and strictly UTF-8 (a sequence cut at the end by a size cap is fine)."""
    if data.isascii():
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> tuple[str, str]:
    try:
        data.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    guess = normalize_charset(best.encoding) if best is not None else None
    if (guess is None or not _is_multibyte(guess)) and _reads_as_gb18030(data):
        # Detectors guess a single-byte codepage (cp1251, ptcp154...) for GB pages with
        # little text or a few broken bytes; clean, mostly-ideograph GB18030 wins.
        return "gb18030", "detected"
    if guess:
        return guess, "detected"
    return "utf-8", "default"


_MULTIBYTE = ("gb", "big5", "shift_jis", "euc", "iso2022", "utf", "cp932", "cp949", "cp950")


def _is_multibyte(codec: str) -> bool:
    return codec.startswith(_MULTIBYTE) or codec in {"hz", "johab"}


def _reads_as_gb18030(data: bytes) -> bool:
    """GB18030 decodes the bytes with almost no errors into mostly CJK characters."""
    sample = data[:200_000]
    text = sample.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 0x7F]
    if len(wide) < 20:
        return False
    errors = text.count("\ufffd")
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f")
    return errors <= max(2, len(wide) // 500) and cjk >= 0.8 * len(wide)


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, codec name). Never raises on bad bytes."""
    name, source = sniff_encoding(data, content_type)
    if source == "bom":
        bom_len = next(len(b) for b, n in _BOMS if n == name)
        data = data[bom_len:]
    text = data.decode(name, errors="replace")
    if source in {"header", "meta"} and text.count("\ufffd") > max(8, len(text) // 200):
        # The declaration lied (a common case: "utf-8" on a GBK page). Detection wins
        # when it decodes with clearly fewer replacement characters.
        alt_name, _ = _detect(data)
        if alt_name != name:
            alt = data.decode(alt_name, errors="replace")
            if alt.count("\ufffd") * 4 < text.count("\ufffd"):
                return alt, alt_name
    return text, name


def decode(doc: Document) -> Document:
    """Stage: ``doc.raw`` -> ``doc.markup`` and ``doc.encoding``."""
    if doc.raw is None:
        raise DecodeError("no bytes to decode", reason="no_content")
    if b"\x00" in doc.raw[:2048] and not doc.raw.startswith(tuple(b for b, _ in _BOMS)):
        raise DecodeError("binary content (NUL bytes) served as text", reason="binary_content")
    doc.markup, doc.encoding = decode_bytes(doc.raw, doc.content_type)
    return doc
