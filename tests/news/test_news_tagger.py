"""The keyword Tagger: default dictionary, false-hit guards, immutability."""

from __future__ import annotations

import pytest

from eventstudy.datasets import board_members
from eventstudy.exceptions import ConfigError, SymbolError
from eventstudy.news import Tagger
from eventstudy.reference import load_master


def symbols(tagger: Tagger, text: str) -> list[str]:
    return [h.symbol for h in tagger.find(text)]


def test_default_covers_boards_members_and_indices() -> None:
    t = Tagger.default()
    kw = t.keywords
    members = board_members().drop_duplicates("symbol")
    for sym, name in zip(members["symbol"], members["name"], strict=True):
        assert sym in set(kw.loc[kw["keyword"] == name, "symbol"])
    boards = load_master().table("boards")
    tagged_boards = set(kw.loc[kw["kind"] == "board", "symbol"])
    assert tagged_boards <= set(boards["code"])  # no invented board codes
    assert len(tagged_boards) > 100
    stocks = set(kw.loc[kw["kind"] == "stock", "symbol"])
    assert len(stocks) > 5000  # the whole market, not 46 stocks
    assert symbols(t, "茅台") == ["600519.SH"]
    assert symbols(t, "贵州茅台") == ["600519.SH"]
    assert symbols(t, "沪指收涨") == ["000001.SH"]
    assert symbols(t, "上证50") == ["000016.SH"]  # the index, not the style board
    assert t.name_of("BK0896") == "白酒"


def test_longest_match_and_stop_words() -> None:
    t = Tagger.default()
    assert symbols(t, "中国人民银行宣布降准") == []
    assert symbols(t, "招商银行") == ["600036.SH"]
    assert symbols(t, "证券时报网") == []
    assert symbols(t, "证券板块走强，券商股领涨") == ["BK0473", "BK0473"]
    assert "证券" in t.common_words
    assert symbols(t, "上海板块") == ["BK0145"]
    assert "上海" not in set(t.keywords["keyword"])


def test_ascii_keywords_need_word_boundaries() -> None:
    t = Tagger.from_keywords({"BK0727": ["CXO"]})
    assert symbols(t, "CXO板块") == ["BK0727"]
    assert symbols(t, "ACXO1") == []
    assert symbols(t, "the CXO.") == ["BK0727"]


def test_with_keywords_returns_a_new_tagger() -> None:
    base = Tagger.default()
    n = len(base)
    more = base.with_keywords({"BK0896": ["光瓶酒", "次高端"], "sz000858": "五粮液集团"})
    assert len(base) == n
    assert len(more) == n + 3
    assert symbols(more, "光瓶酒") == ["BK0896"]
    assert symbols(more, "五粮液集团") == ["000858.SZ"]
    assert symbols(base, "光瓶酒") == []
    shared = base.with_keywords({"BK0477": ["白酒"]})  # a keyword can name several boards
    assert sorted(symbols(shared, "白酒")) == ["BK0477", "BK0896"]


@pytest.mark.parametrize("bad", ["酒", "AB", "", "  x "])
def test_short_keywords_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="too short"):
        Tagger.default().with_keywords({"BK0896": [bad]})


def test_bad_symbol_and_mapping() -> None:
    with pytest.raises(SymbolError):
        Tagger.default().with_keywords({"NOT A CODE!": ["酱香"]})
    with pytest.raises(ConfigError):
        Tagger.default().with_keywords([("BK0896", "酱香")])  # type: ignore[arg-type]


def test_one_pass_over_large_text_is_fast() -> None:
    import time

    t = Tagger.default()
    text = "贵州茅台与五粮液领涨白酒板块。" * 20_000  # 300k characters
    start = time.perf_counter()
    hits = t.find(text)
    assert len(hits) == 60_000
    assert time.perf_counter() - start < 5  # generous: one pass, not keyword loops


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("积极搭建行业战略研究", []),  # 建行 (601939.SH) inside 搭建行业
        ("目前国内军工行业以国有大型企业为主", ["BK0480"]),  # 军工行业, not 工行 (601398.SH)
        ("涉农行业贷款", []),
        ("建行业务收入", ["601939.SH"]),
        ("建行与工行", ["601939.SH", "601398.SH"]),
        ("大盘股走强", []),  # 大盘 (000001.SH) inside 大盘股
        ("为稳住经济大盘提供支撑", []),
        ("预计大盘将延续震荡", ["000001.SH"]),
        ("券商中国记者获悉", []),  # the newspaper, not the brokers board
        ("券商股走强", ["BK0473"]),
        ("京东方精电涨近6%", []),  # a Hong Kong stock, not 000725.SZ
        ("京东方发布公告", ["000725.SZ"]),
        ("伊利诺伊州", []),
        ("完美的开局", []),  # 美的 is not a keyword: 完美的, 精美的, ...
        ("美的集团", ["000333.SZ"]),
        ("上海天然气价格", []),  # 海天 is not a keyword
        ("其中建设投资增长", []),  # 中建 is not a keyword
        ("其中车企复工", ["BK1029"]),  # 中车 is not a keyword; 车企 is
        ("减免税费", []),  # 免税 alone is not a keyword
        ("离岛免税店", ["BK0485"]),
        ("黑龙江省", []),  # region boards need 板块
        ("黑龙江板块", ["BK0146"]),
    ],
)
def test_keywords_inside_longer_common_words_are_not_hits(text: str, expected: list[str]) -> None:
    assert symbols(Tagger.default(), text) == expected


def test_exclusions_are_not_keywords_and_survive_extension() -> None:
    t = Tagger.default()
    assert "搭建行业" in t.exclusions or "建行业" in t.exclusions
    assert not set(t.exclusions) & set(t.keywords["keyword"])
    more = t.with_keywords({"BK0896": ["酱香"]})
    assert more.exclusions == t.exclusions
    assert symbols(more, "积极搭建行业") == []
    # a keyword the user adds explicitly wins over an exclusion
    own = t.with_keywords({"000001.SH": ["大盘股"]})
    assert symbols(own, "大盘股走强") == ["000001.SH"]
    # users can add exclusions too
    fewer = t.with_exclusions(["茅台镇"])
    assert symbols(fewer, "茅台镇") == []
    assert symbols(t, "茅台镇") == ["600519.SH"]
    assert symbols(fewer, "茅台") == ["600519.SH"]
