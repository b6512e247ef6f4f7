"""The default dictionary built from the security master and the word lists."""

from __future__ import annotations

import pytest

from eventstudy.news import Tagger
from eventstudy.news.dictionary import MIN_BASE_CHARS, board_words, build_dictionary
from eventstudy.news.lexicon import load_lexicon
from eventstudy.reference import load_master


def symbols(text: str) -> list[str]:
    return [h.symbol for h in Tagger.default().find(text)]


def test_every_listed_stock_is_in_the_dictionary_unless_its_name_is_an_everyday_word() -> None:
    from eventstudy.reference.names import name_key

    stocks = load_master().table("stocks").sort_values("as_of", kind="stable")
    listed = stocks.drop_duplicates("code", keep="last")
    listed = listed[listed["status"] == "listed"]
    kw = Tagger.default().keywords
    found = set(kw.loc[kw["kind"] == "stock", "symbol"])
    common = {name_key(w) for w in load_lexicon().words("common_words")}
    missing = [
        name_key(n) for c, n in zip(listed["code"], listed["name"], strict=True) if c not in found
    ]
    assert len(listed) > 5000
    assert missing
    assert set(missing) <= common


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国铝业发布公告", ["601600.SH"]),  # the A share, not its HK or ADR line
        ("长城汽车销量", ["601633.SH"]),
        ("比亚迪股份(HK)上涨", ["01211.HK"]),  # the HK short name is the HK line
        ("圣莱退进入退市整理期", ["002473.SZ"]),  # a delisting name
        ("赛力斯与小康股份", ["601127.SH", "601127.SH"]),  # current and former names
        ("万  科Ａ涨停", ["000002.SZ"]),  # Eastmoney's padding and full-width letters
        ("上证50与沪深300", ["000016.SH", "000300.SH"]),  # indices, not the style boards
        ("黑龙江省出台政策", []),  # a region board needs a market suffix
        ("黑龙江板块与海南本地股", ["BK0146", "BK0176"]),
        ("美丽的风景", []),  # *ST美丽's base name is too short to match
        ("农产品价格", []),  # an everyday word (stock 000061.SZ)
        ("ST板块集体跌停", ["BK0511"]),  # ST股 as news writes it
        ("MSCI中国指数调整", ["BK0821"]),
        ("军工股走强，锂电池回调", ["BK0480", "BK1033"]),
    ],
)
def test_default_dictionary_examples(text: str, expected: list[str]) -> None:
    assert symbols(text) == expected


def test_board_variants_and_aliases() -> None:
    assert board_words("酿酒行业", "industry") == [
        "酿酒行业",
        "酿酒",
        "酿酒板块",
        "酿酒概念",
        "酿酒股",
    ]
    assert board_words("上海板块", "region") == ["上海板块", "上海股", "上海本地股", "上海概念股"]
    assert board_words("上证50_", "style") == ["上证50"]
    assert board_words("银行", "industry", common=["银行"]) == [
        "银行板块",
        "银行概念",
        "银行股",
        "银行行业",
    ]
    d = build_dictionary(load_master(), load_lexicon())
    assert [(t.symbol, t.strength) for t in d.entries["购置税"]] == [("BK1029", 0.5)]
    assert [(t.symbol, t.strength) for t in d.entries["军工板块"]] == [("BK0480", 1.0)]
    assert "购置税板块" not in d.entries  # related aliases get no variants
    assert d.cross_listings["02333.HK"] == "601633.SH"
    assert d.codes["000001"] == ("000001.SZ", "000001.SH")  # the stock first
    assert d.names["BK0611"] == "上证50"  # style board names lose Eastmoney's "_"


def test_short_base_names_and_shared_names() -> None:
    kw = Tagger.default().keywords
    base = kw[kw["origin"] == "base"]
    assert (base["keyword"].str.len() >= MIN_BASE_CHARS).all()
    # one stock code per name: the one listed under it today
    per_key = kw[kw["kind"] == "stock"].groupby("keyword")["symbol"].nunique()
    assert (per_key == 1).all()
    assert symbols("东方明珠") == ["600637.SH"]  # not the delisted 600832.SH of the same name
