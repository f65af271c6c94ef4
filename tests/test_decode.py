"""Charset choice: BOM, header, <meta>, then detection; GB pages read as GB18030."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bench.extraction.corpus import find_corpus
from papertrail.decode import decode, decode_bytes, sniff_encoding
from papertrail.document import Document
from papertrail.errors import DecodeError

ZH = "<p>大模型论文周报：本周我们整理了八篇值得关注的新论文，涵盖推理、检索与多模态。</p>"


@pytest.mark.parametrize(
    ("data", "content_type", "codec", "source"),
    [
        (codecs.BOM_UTF8 + ZH.encode(), "text/html; charset=gbk", "utf-8", "bom"),
        (ZH.encode("gbk"), "text/html; charset=GB2312", "gb18030", "header"),
        (b'<meta charset="gbk">' + ZH.encode("gbk"), "text/html", "gb18030", "meta"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=big5">'
            + ZH.encode("big5", "ignore"),
            None,
            "big5hkscs",
            "meta",
        ),
        (ZH.encode(), None, "utf-8", "detected"),
        (ZH.encode("gb18030"), None, "gb18030", "detected"),
    ],
)
def test_charset_sources(data: bytes, content_type: str | None, codec: str, source: str) -> None:
    assert sniff_encoding(data, content_type) == (codec, source)
    text, used = decode_bytes(data, content_type)
    assert used == codec
    assert "\ufffd" not in text


def test_short_undeclared_gb_page_is_not_a_cyrillic_codepage() -> None:
    page = (
        "<html><body><a>放飞心情</a> 论坛首页 | 登录 注册 | "
        "今天天气很好，我们一起去公园散步吧</body></html>"
    )
    data = page.encode("gb2312")
    assert decode_bytes(data)[1] == "gb18030"


def test_a_header_that_lies_loses_to_detection() -> None:
    text, used = decode_bytes((ZH * 5).encode("gbk"), "text/html; charset=utf-8")
    assert used == "gb18030" and "大模型论文周报" in text


def test_broken_bytes_become_replacement_characters_not_errors() -> None:
    data = ZH.encode("gbk")[:-1] + b"\xff\xfe\x81"
    text, _ = decode_bytes(data, "text/html; charset=gbk")
    assert "大模型论文周报" in text


def test_binary_content_is_a_decode_error() -> None:
    doc = Document(url="http://x/", raw=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(DecodeError) as exc:
        decode(doc)
    assert exc.value.reason == "binary_content"


_SHARED = find_corpus()
CORPUS = (_SHARED or Path("/nonexistent")) / "zh-wced" / "html"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found ($PAPERTRAIL_CORPUS)")
def test_undeclared_gb_forum_page_from_the_corpus() -> None:
    """A real GB2312 forum page with no usable declaration: detectors said ptcp154."""
    data = (CORPUS / "6dc2d508-abb9-467c-bbea-1fedfcec5f9d.html").read_bytes()
    text, used = decode_bytes(data)
    assert used == "gb18030"
    assert text.count("\ufffd") < 5


# --- strictly valid UTF-8 wins over a stale legacy declaration (issue 15) ---------------

_ZH = "大模型推理论文速递：本周我们从数百篇新论文中挑选了四篇。机器学习与语言模型。"


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [(None, "gb2312"), ("text/html", "gbk"), ("text/html; charset=gb2312", ""),
     ("text/html; charset=iso-8859-1", "")],
)  # fmt: skip
def test_valid_utf8_under_a_legacy_declaration_reads_as_utf8(
    content_type: str | None, meta: str
) -> None:
    head = f'<meta charset="{meta}">' if meta else ""
    data = f"<html><head>{head}</head><body><p>{_ZH}</p></body></html>".encode()
    text, codec = decode_bytes(data, content_type)
    assert codec == "utf-8" and _ZH in text and "\ufffd" not in text


def test_gb_pages_still_read_as_gb18030() -> None:
    page = f"<html><head></head><body><p>{_ZH * 3}</p></body></html>"
    declared = page.replace("<head>", '<head><meta charset="gb2312">').encode("gbk")
    for data in (page.encode("gbk"), declared):  # undeclared, and declared
        text, codec = decode_bytes(data, "text/html")
        assert codec == "gb18030" and _ZH in text


def test_utf8_cut_mid_character_by_the_size_cap_still_counts_as_utf8() -> None:
    data = f'<meta charset="gbk"><p>{_ZH}</p>'.encode()[:-6]  # ends inside a character
    assert decode_bytes(data)[1] == "utf-8"
