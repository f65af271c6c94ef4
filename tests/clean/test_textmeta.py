"""Metadata of text renderings: the labelled fields a page prints, not one fixed line."""

from __future__ import annotations

from datetime import date

import pytest

from papertrail.clean import clean_text
from papertrail.clean.textmeta import parse_date, text_metadata

from ..conftest import FIXTURES

SEEDS = FIXTURES / "seeds"
TODAY = date(2026, 11, 29)


def seed_meta(name: str) -> tuple[str | None, str | None, str | None]:
    meta = clean_text((SEEDS / f"{name}.txt").read_text(encoding="utf-8")).meta
    return meta.title, meta.author, meta.published


def test_seed_001_fields_on_one_line_after_the_title() -> None:
    assert seed_meta("001_543402f31be759b0") == (
        "开源模型进展盘点:最新Mixtral、Llama 3、Phi-3、OpenELM到底有多好?",
        "田佳恬",
        "2024-06-05",  # not the site header's clock (2024-07-16 19:28:16)
    )


def test_seed_003_updated_date_and_the_title_above_it() -> None:
    title, _, published = seed_meta("003_735e1453a294066b")
    assert title == "2023 年十篇值得关注的 AI 研究论文 [译]"
    assert published == "2024-07-31"


def test_seed_002_title_without_its_column_suffix() -> None:
    title, _, _ = seed_meta("002_42328441e1192498")
    assert title == "Google DeepMind提出Gecko:实现强大的检索性能"


@pytest.mark.parametrize("name", ["000_340f0f37da041932", "004_c7890c1a5ca76b8c"])
def test_seeds_that_print_no_metadata_get_none_invented(name: str) -> None:
    _, author, published = seed_meta(name)
    assert author is None and published is None


def meta_of(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    body = [ln for ln in text.splitlines() if len(ln) > 40]
    meta = text_metadata(text, body, today=TODAY)
    return meta.title, meta.author, meta.published, meta.sitename


BODY = "这是一篇关于大模型推理的文章正文，介绍了三篇最新论文的方法、实验与结论，供读者参考。\n" * 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # labels with full-width colons, fields in any order, an outlet as 来源
        (
            "某某科技网\n大模型推理加速的五种方法\n"
            "来源：机器之心  作者：王小明  日期：2023-11-02\n",
            ("大模型推理加速的五种方法", "王小明", "2023-11-02", "机器之心"),
        ),
        # one field a line, slashes in the date, an editor only
        (
            "三篇论文读懂检索增强生成\n发布日期: 2024/3/7\n编辑: 李华\n",
            ("三篇论文读懂检索增强生成", "李华", "2024-03-07", None),
        ),
        # 作者 wins over 编辑 wherever they are
        (
            "多模态模型综述\n编辑：赵六 | 作者：钱七 | 发布时间：2022年12月1日 08:30\n",
            ("多模态模型综述", "钱七", "2022-12-01", None),
        ),
        # English byline and date
        (
            "Five Papers on Small Language Models\nBy Jane Doe and Li Wei\n"
            "Published June 5, 2024\n",
            ("Five Papers on Small Language Models", "Jane Doe and Li Wei", "2024-06-05", None),
        ),
        (
            "Why Mixture of Experts Works\nPosted on: 2021-04-09 | by John Smith\n",
            ("Why Mixture of Experts Works", None, "2021-04-09", None),
        ),
    ],
)
def test_invented_headers(
    header: str, expected: tuple[str | None, str | None, str | None, str | None]
) -> None:
    assert meta_of(header + BODY) == expected


def test_prose_mentioning_an_author_or_a_date_is_not_metadata() -> None:
    text = (
        "大模型论文速递\n"
        "作者表示：这个方法在2023年3月5日提交的版本里还没有，后来在新版本中补上了。\n" + BODY
    )
    _, author, published, _ = meta_of(text)
    assert author is None and published is None


def test_a_label_with_an_impossible_value_is_ignored() -> None:
    _, author, published, _ = meta_of(
        "标题在这里很长\n日期：2099-01-01 作者：https://example.org/me\n" + BODY
    )
    assert author is None and published is None


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2024年06月05日", "2024-06-05"),
        ("2024-6-5 10:21", "2024-06-05"),
        ("2024.06.05", "2024-06-05"),
        ("March 3, 2024", "2024-03-03"),
        ("3 March 2024", "2024-03-03"),
        ("2024年13月40日", None),
        ("161次", None),
    ],
)
def test_parse_date(printed: str, iso: str | None) -> None:
    assert parse_date(printed, today=TODAY) == iso
