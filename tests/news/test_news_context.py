"""Where a name stands and what the words around it say: normalisation, lead, lists, roles."""

from __future__ import annotations

import pytest

from eventstudy.news.context import (
    LEAD_CHARS,
    LIST_MIN,
    ContextRules,
    Layout,
    normalise_text,
    normalised_units,
)

RULES = ContextRules.default()


def layout(text: str, **kw: bool) -> Layout:
    return Layout(normalise_text(text)[0], RULES, **kw)


def role_of(text: str, name: str, kind: str = "stock", **kw: bool) -> str | None:
    norm = normalise_text(text)[0]
    start = norm.index(normalise_text(name)[0])
    return Layout(norm, RULES, **kw).role(start, start + len(name), kind, name)


def test_normalisation_keeps_offsets_and_matches_name_keys() -> None:
    from eventstudy.reference.names import name_key

    for raw in ["ＴＣＬ科技（０００１００）", "tcl科技", "中国平安Ａ股", "“茅台”：涨！"]:
        norm, offsets = normalise_text(raw)
        assert offsets is None
        assert len(norm) == len(raw)
    assert normalise_text("ＴＣＬ科技（０００１００）")[0] == name_key("TCL科技") + "(000100)"
    norm, offsets = normalise_text("万  科Ａ与万　科A")  # ASCII and ideographic spaces
    assert norm == "万科A与万科A"
    assert offsets == [0, 3, 4, 5, 6, 8, 9]
    norm, offsets = normalise_text("😀茅台 Moutai")  # astral: one U+FFFD, spaces kept
    assert norm == "\ufffd茅台 MOUTAI"
    assert offsets is None
    text, _, units = normalised_units("白酒A")
    assert units == text.encode("utf-16-be").decode("latin-1")


def test_lead_is_the_first_sentences_of_the_first_paragraph() -> None:
    first = "甲" * 50 + "。" + "乙" * 50 + "。" + "丙" * (LEAD_CHARS) + "。" + "丁" * 10 + "。"
    lay = layout(first + "\n第二段。")
    assert lay.position(0) == "lead"
    assert lay.position(60) == "lead"  # second sentence starts before LEAD_CHARS
    assert lay.position(110) == "lead"  # third sentence starts at 102
    assert lay.position(len(first) - 5) == "body"  # the fourth starts beyond LEAD_CHARS
    assert lay.position(len(first) + 2) == "body"  # second paragraph
    assert layout("短讯，白酒走强").position(3) == "lead"  # no full stop: the whole paragraph
    assert layout("白酒", title=True).position(0) == "title"


def test_long_lists_of_bare_names_are_counted() -> None:
    names = ["腾讯控股", "美的集团", "阿里巴巴", "宁德时代", "贵州茅台", "美团"]
    text = "其中，" + "、".join(names) + "等均被持有。"
    lay = layout(text)
    assert lay.list_size(3, 7) == len(names) >= LIST_MIN
    short = "其中，" + "、".join(names[:4]) + "等均被持有。"
    assert layout(short).list_size(3, 7) == 0  # four items: a short list counts in full
    long_items = "、".join(["国盛证券推荐的湘电股份"] * 5)
    assert layout(long_items).list_size(7, 11) == 0  # items say something about each name


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("中信证券：白酒板块有望反弹", "中信证券", "source"),
        ("中信证券认为，白酒板块有望反弹", "中信证券", "source"),
        ("中信证券付宸硕等人认为该重组意义重大", "中信证券", "source"),
        ("据中信证券统计，白酒板块上涨", "中信证券", "source"),
        ("国盛证券推荐的湘电股份涨幅居前", "国盛证券", "source"),
        ("东方财富研究中心发布报告", "东方财富", "source"),  # research suffix
        ("招商银行研究院指出", "招商银行", "source"),
        ("人民网报道，某公司中标", "人民网", "source"),
        ("中信证券发布2021年年报，净利润增长", "中信证券", None),  # not quoted: the subject
        ("宁德时代表示将扩产", "宁德时代", None),  # a company speaking for itself
        ("某公司公告。\n（文章来源：证券时报）", "证券时报", "attribution"),
        ("某公司公告。\n(东方财富Choice数据)", "东方财富", "attribution"),
        ("中国银行业协会发布报告", "中国银行", "organisation"),
    ],
)
def test_source_and_attribution_roles(text: str, name: str, expected: str | None) -> None:
    assert role_of(text, name) == expected


def test_a_broker_in_the_text_is_a_source_unless_the_headline_is_about_brokers() -> None:
    text = "华泰证券对部分整车龙头估值如下"
    assert role_of(text, "华泰证券", brokers_are_news=True) is None
    assert role_of(text, "华泰证券", brokers_are_news=False) == "source"
    # the generic word for brokers names the board, never a quoted company
    assert role_of("券商收益凭证暂停发行", "券商", "board", brokers_are_news=False) is None


@pytest.mark.parametrize(
    ("text", "name", "kind", "expected"),
    [
        ("港股半导体板块走高", "半导体", "board", "foreign_market"),
        ("港美苹果概念股全线走强", "苹果概念", "board", "foreign_market"),
        ("美股大跌拖累A股半导体板块", "半导体", "board", None),  # A股 cancels 美股
        ("半导体板块走高，港股亦涨", "半导体", "board", None),  # the market word is after it
        ("华夏上证50ETF规模超400亿", "上证50", "index", "fund_product"),
        ("证券ETF成交放量", "证券", "board", "fund_product"),
        ("白酒基金净值上涨", "白酒", "board", "fund_product"),
        ("港股贵州茅台", "贵州茅台", "stock", None),  # market words concern boards only
    ],
)
def test_market_words_and_fund_products(text: str, name: str, kind: str, expected: str) -> None:
    assert role_of(text, name, kind) == expected


def test_names_after_a_related_reports_heading_are_not_the_story() -> None:
    text = "白酒板块走强。\n相关报道\n晨会精华：半导体板块反弹"
    lay = layout(text)
    start = lay.text.index("半导体")
    assert lay.judge(start, start + 3, "board", "半导体")[1] == "related_report"
    assert lay.judge(0, 2, "board", "白酒") == ("lead", None, 0)
    assert layout("相关报道白酒").related_start == len("相关报道白酒")  # only a heading line


def test_rules_recognise_brokers_and_sources() -> None:
    assert RULES.is_broker("国盛证券", "国盛证券")  # any name ending in 证券
    assert RULES.is_broker("中金公司", "中金公司")  # listed, from source_names.csv
    assert not RULES.is_broker("东方财富", "东方财富")  # a data source, not a broker
    assert RULES.is_source_name("东方财富", "东方财富")
    assert not RULES.is_source_name("贵州茅台", "贵州茅台")
