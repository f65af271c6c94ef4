"""Line rules and metadata helpers on single examples: what goes, what stays, and why."""

from __future__ import annotations

import pytest
from lxml import etree

from papertrail.clean.behaviour import BY_TYPE
from papertrail.clean.lines import drop_repeated_lines, filter_lines, match_rule
from papertrail.clean.metadata import (
    _meta_author,
    detect_lang,
    extract_page_metadata,
    strip_site_suffix,
)
from papertrail.clean.tree import load_tree


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("图片", "placeholder"),
        ("Ad imageAd image", "placeholder"),
        ("扫码关注公众号，获取更多论文", "cta_zh"),
        (
            "想要第一时间获取每日最新大模型热门论文？添加微信 Tobethenum1，加入论文分享群，"
            "务必备注“大模型日报”或点击“阅读原文”，获取「2024必读大模型论文」合集。",
            "cta_multi",
        ),
        ("Read More", "cta_en"),
        ("Follow NBC Latino on Facebook, Twitter and Instagram.", "cta_en_sentence"),
        ("(Reporting by Will Dunham; Editing by Tom Brown)", "reporting_by"),
        ("登陆", "chrome_zh"),
        ("相关推荐", "chrome_zh"),
        ("ICP备案号:京ICP备15066964号-8 违法和不良信息举报电话:010-67196565", "copyright"),
        ("© 2024 Example Inc. All Rights Reserved.", "copyright"),
        ("（责任编辑：魏喆）", "credit_zh"),
        ("来源：新华网", "credit_zh"),
        ("本报记者 王燕平 方云凤", "reporter_zh"),
        ("2024-04-02 10:31", "date_only"),
        ("736次阅读", "counter"),
        ("| lr9111[219.130.79.*] 认为： | |", "forum_ip"),
        ("上一篇 图 1: 这是我们的双部分大语言模型程序的示意图。", "prev_next"),
        ("〓 网易娱乐 明星话题 发布时间 2005/03/15 22:36:13 by duscha 〓", "stamp_credit"),
        (
            "| 2005-01-06 08:13更新 来源：转载文章 | 第1页/共1页 << 上一页 | 下一页 >> |",
            "stamp_credit",
        ),
        ("转自《北京科技报》", "source_ref"),
        ("光明日报记者 王建宏 张文攀", "reporter_zh"),
        ("③ 如因作品内容、版权和其它问题需要同本网联系的，请在30日内进行。", "site_notice"),
        ("振兴东北网版权与免责声明：", "site_notice"),
    ],
)
def test_chrome_lines_are_dropped_by_the_named_rule(line: str, rule: str) -> None:
    found = match_rule(line)
    assert found is not None and found.name == rule


@pytest.mark.parametrize(
    "line",
    [
        "Mixtral 8x22B 是 Mistral AI 推出的混合专家模型，采用了宽松的 Apache 2.0 开源许可证。",
        "为了减少 transformer 的计算负荷，线性关注的研究获得了显著的发展。",
        "特别值得称赞的是，研究人员使用了经过授权和尊重隐私的图像，避免了重大版权问题。",
        "论文链接：https://arxiv.org/abs/2403.19928",
        "结论",
        "| Model | MMLU | GSM8K |",
        "Follow the money, the report says, and the pattern becomes clear.",
        "美国唱片工会表示：“播客在使用其它音乐时，一定要获得版权所有者或制作人的许可。”",
        "2005年3月15日，研究团队在会上发表了这项成果，并公布了代码。",
        "记者：你们的农机大市场市场场址在哪？",
    ],
)
def test_article_lines_stay(line: str) -> None:
    assert match_rule(line) is None


def test_repeated_lines_go_on_threads_and_product_pages_only() -> None:
    """A reply that quotes the post above it repeats its lines: the copy goes, the reply
    stays, the order is kept; blank lines are left alone."""
    post = "I upgraded to 7.1 and the VM no longer boots, it stops at the EFI shell."
    text = "\n".join(["alice", post, "", "bob", f"  {post} ", "", "Same here on Ubuntu 24.04."])
    kept, dropped = drop_repeated_lines(text)
    assert kept.splitlines() == ["alice", post, "", "bob", "", "Same here on Ubuntu 24.04."]
    assert dropped == 1
    assert [t for t, b in sorted(BY_TYPE.items()) if b.drop_repeats] == [
        "forum", "product"
    ]  # fmt: skip


def test_doubled_caption_and_table_of_contents() -> None:
    lines = [
        "目录",
        "1) Pythia",
        "2) Llama 2",
        "3) QLoRA",
        "正文第一段，介绍了今年值得关注的十篇论文，以及选择它们的理由和阅读顺序。",
        "1) Pythia",
        "关于 Pythia 的一段正文，讲述了训练细节、分析和洞见。",
        "图1：训练曲线 https://arxiv.org/abs/2304.01373",
        "图1：训练曲线 https://arxiv.org/abs/2304.01373",
        "2) Llama 2",
        "关于 Llama 2 的一段正文。",
        "3) QLoRA",
        "关于 QLoRA 的一段正文。",
    ]
    result = filter_lines(lines)
    assert result.kept[0].startswith("正文第一段")
    assert result.kept.count("图1：训练曲线 https://arxiv.org/abs/2304.01373") == 1
    assert result.kept.count("1) Pythia") == 1
    assert result.stats["toc"] == 3 and result.stats["doubled"] == 1


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        (
            "谷歌提出Gecko：强大的检索性能 | 某某科技网",
            "某某科技网",
            "谷歌提出Gecko：强大的检索性能",
        ),
        (
            "拿起跨界“指挥棒”她跟学生“较着劲儿”成长--大河网",
            None,
            "拿起跨界“指挥棒”她跟学生“较着劲儿”成长",
        ),
        (
            "Trump’s Trade War Keeps World Guessing - The New York Times",
            "NYTimes",
            "Trump’s Trade War Keeps World Guessing",
        ),
        ("No separator here", None, "No separator here"),
    ],
)
def test_title_without_site_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected


def test_language_from_characters() -> None:
    assert detect_lang("这是一个中文句子，讲的是大模型。" * 3) == "zh"
    assert detect_lang("This is an English sentence about language models. " * 3) == "en"
    assert detect_lang("", "zh-CN") == "zh"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('<script>var author = "王建宏";</script>', "王建宏"),
        ('<script>var author="李四"</script>', "李四"),
        ('<script>myvar author = "王建宏";</script>', None),  # another variable
        ('<script>$var author = "王建宏";</script>', None),
    ],
)
def test_author_from_a_script_variable(script: str, expected: str | None) -> None:
    page = f"<html><head>{script}</head><body><p>正文</p></body></html>"
    assert extract_page_metadata(load_tree(page), page, None, "").author == expected


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ('<span class="post-author">张文攀</span>', "张文攀"),
        ('<div id="byline-box"><a rel="author">Jane Doe</a></div>', "Jane Doe"),
        ('<span class="writer">张文攀</span>', None),  # neither word in the markup: not looked for
    ],
)
def test_author_from_an_author_or_byline_element(element: str, expected: str | None) -> None:
    page = f"<html><body>{element}<p>正文</p></body></html>"
    assert extract_page_metadata(load_tree(page), page, None, "").author == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('var ct = "1712345678";', "2024-04-05"),
        ("window.DATA = {publishTime: 1712345678};", "2024-04-05"),
        # the first variable on the page, whichever its name
        ('var create_time = "1600000000"; var ct = "1712345678";', "2020-09-13"),
        ('var product_ct = "1712345678";', None),  # another variable
        ('var ct = "17123456789";', None),  # not a Unix time of our era
    ],
)
def test_published_from_a_script_variable(script: str, expected: str | None) -> None:
    page = f"<html><head><script>{script}</script></head><body><p>正文</p></body></html>"
    assert extract_page_metadata(load_tree(page), page, None, "").published == expected


def test_author_meta_in_order_of_trust_empty_ones_skipped() -> None:
    page = (
        '<html><head><meta property="og:article:author" content="Og Author">'
        '<meta name="author" content="  "><meta property="article:author" content="Art Author">'
        '<meta name="author" content="Jane Doe"></head><body><p>x</p></body></html>'
    )
    assert _meta_author(load_tree(page)) == "Jane Doe"
    assert _meta_author(load_tree(page.replace("Jane Doe", ""))) == "Art Author"


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ('<div class="author">By Daniel Morris</div>', "Daniel Morris"),
        ('<span class="byline">Text by Hunter Dukes</span>', "Hunter Dukes"),
        ('<a class="author-link">Sign In</a><span class="author">Jane Roe</span>', "Jane Roe"),
        ('<h3 class="author-title">About the Author</h3>', None),
        ('<span class="author">admin</span>', None),
        ('<span class="author">262588213843476</span>', None),
        ('<span class="author">佚名</span>', None),
    ],
)
def test_byline_labels_and_placeholder_accounts_are_not_authors(
    byline: str, author: str | None
) -> None:
    page = f"<html><head><title>t</title></head><body>{byline}<p>text</p></body></html>"
    meta = extract_page_metadata(load_tree(page), page, "https://example.com/a", "text")
    assert meta.author == author


def test_page_metas_the_parser_left_in_the_body_still_count() -> None:
    """libxml2 ends <head> at the first element it does not expect there: the tags after
    it (og:title, og:site_name...) land in <body>, where trafilatura never looks."""
    page = (
        '<html><head><meta charset="utf-8"><title>94 | LessWrong</title><div id="announcer">'
        '</div><meta property="og:title" content="Scalable End-to-End Interpretability">'
        '<meta property="og:site_name" content="LessWrong"></head><body><article>'
        '<h1 class="vote">\u03a9 48</h1><h1>Scalable End-to-End Interpretability</h1>'
        '<meta itemprop="headline" content="A related post">'
        f"<p>{' '.join(['A long enough paragraph of the post.'] * 8)}</p></article></body></html>"
    )
    tree = load_tree(page)
    assert tree.xpath("//body//meta[@property='og:title']")  # where the parser put it
    before = etree.tostring(tree)
    meta = extract_page_metadata(tree, page, "https://www.lesswrong.com/posts/x", "")
    assert (meta.title, meta.sitename) == ("Scalable End-to-End Interpretability", "LessWrong")
    assert etree.tostring(tree) == before  # extraction reads this tree next: left as it was


_PICKS = ["Best overall: Kia EV6", "Best budget: Chevrolet Bolt", "Best range: Lucid Air"]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(
            [
                "本周值得一读的三篇论文",
                "• Pythia",
                "• Llama 2",
                "• QLoRA",
                "1) Pythia",
                "关于 Pythia 的一段正文，讲述了训练细节、分析和洞见。",
                "2) Llama 2",
                "关于 Llama 2 的一段正文。",
                "3) QLoRA",
                "关于 QLoRA 的一段正文。",
            ],
            id="unlabelled list of later headings, in other words: the author's",
        ),
        pytest.param(
            # a review's summary of its picks, each pick a section later: WCXB's gold keeps it
            [
                "Our picks at a glance",
                *_PICKS,
                *(
                    line
                    for pick in _PICKS
                    for line in (
                        pick,
                        f"Why we chose the {pick.split(': ')[1]}, after a month of driving it.",
                    )
                ),
            ],
            id="unlabelled list repeated verbatim as headings",
        ),
        pytest.param(
            # letters compared with the spaces taken out, "pros", "cons" and "price" were
            # found in this paragraph and it went as a one-line table of contents
            [
                "This model improves on last year's in price, and the pros outweigh the cons "
                "for most buyers; the battery is where it shines.",
                "Pros",
                "Long battery life and a bright screen.",
                "Cons",
                "Heavy.",
                "Price",
                "From $999.",
            ],
            id="paragraph mentioning later headings in passing",
        ),
    ],
)
def test_lists_and_paragraphs_naming_later_headings_are_not_a_toc(lines: list[str]) -> None:
    result = filter_lines(lines)
    assert result.kept == lines
    assert result.stats["toc"] == 0


def test_one_line_table_of_contents_is_dropped() -> None:
    lines = [
        "In this guide: Background and motivation / Training recipe / Results and analysis",
        "Background and motivation",
        "Why another model: the previous ones were slow to train.",
        "Training recipe",
        "We train on public data for two weeks.",
        "Results and analysis",
        "It beats the baseline on every benchmark we tried.",
    ]
    result = filter_lines(lines)
    assert result.kept == lines[1:]
    assert result.stats["toc"] == 1
