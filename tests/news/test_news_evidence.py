"""Tagger v2 evidence rules on small constructed articles (each rule once), and the seed post."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.datasets import sample_news_path
from eventstudy.news import DEFAULT_MIN_SCORE, News, load_news
from eventstudy.news.evidence import EVIDENCE_WEIGHTS, ROUNDUP_MIN, WEIGHT_FACTORS, mention_weight


def link(secid: str, text: str) -> str:
    market, code = secid.split(".")
    return (
        f'<a href="http://quote.eastmoney.com/unify/r/{secid}" data-code="{market},{code}">'
        f"{text}</a>"
    )


def news_of(title: str, *paragraphs: str) -> News:
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    rows = pd.DataFrame(
        {
            "title": [title],
            "published_at": ["2022-05-30 10:00"],
            "text": [html],
            "article_id": ["A"],
        }
    )
    return load_news(rows)


def events(news: News) -> list[str]:
    return sorted(news.to_events().symbols)


def mentions_of(news: News, symbol: str) -> pd.DataFrame:
    return news.mentions[news.mentions["symbol"] == symbol]


def test_a_headline_name_alone_is_enough_for_a_stock() -> None:
    news = news_of("知情人士：宁德时代已获宝马圆柱型电池项目定点", "记者从知情人士处获悉。")
    assert events(news) == ["300750.SZ"]
    tag = news.tags().set_index("symbol").loc["300750.SZ"]
    assert (tag["score"], tag["rule"]) == (EVIDENCE_WEIGHTS["keyword_title"], "title")
    assert tag["evidence"] == "知情人士：宁德时代已获宝马圆柱型电池项目定点"
    assert EVIDENCE_WEIGHTS["keyword_title"] >= DEFAULT_MIN_SCORE


def test_the_lead_counts_more_than_the_body_for_boards() -> None:
    lead = news_of("盘面", "酿酒板块大涨。", "市场震荡。")
    body = news_of("盘面", "市场震荡。", "酿酒板块大涨。")
    assert events(lead) == ["BK0477"]
    assert events(body) == []
    assert mentions_of(lead, "BK0477")["rule"].tolist() == ["lead"]
    assert mentions_of(body, "BK0477")["weight"].tolist() == [EVIDENCE_WEIGHTS["keyword"]]


def test_names_in_long_lists_count_less() -> None:
    names = "、".join(["腾讯控股", "美的集团", "阿里巴巴", "宁德时代", "贵州茅台", "中国平安"])
    news = news_of("加拿大年金手握190只中国股票", f"其中，{names}等均被持有。")
    m = mentions_of(news, "300750.SZ")
    assert m["rule"].tolist() == ["lead+list(6)"]
    assert m["weight"].tolist() == [EVIDENCE_WEIGHTS["keyword_lead"] * WEIGHT_FACTORS["list"]]
    assert events(news) == []
    short = news_of("年金持股", "其中，宁德时代、贵州茅台被持有。")
    assert events(short) == ["300750.SZ", "600519.SH"]


@pytest.mark.parametrize(
    ("title", "text", "source", "kept"),
    [
        ("中信证券：白酒板块有望反弹", "消费复苏。", "600030.SH", "BK0896"),
        ("白酒走强", "中信证券认为，白酒板块有望反弹。", "600030.SH", "BK0896"),
        ("白酒走强", "据中信证券统计，白酒股上涨。", "600030.SH", "BK0896"),
        ("白酒走强", "东方财富研究中心数据显示，白酒股上涨。", "300059.SZ", "BK0896"),
        ("白酒走强", "白酒股上涨。\n（文章来源：人民网）", "603000.SH", "BK0896"),
    ],
)
def test_sources_are_not_the_subject(title: str, text: str, source: str, kept: str) -> None:
    news = news_of(title, *text.split("\n"))
    m = mentions_of(news, source)
    assert len(m) == 1
    assert m["weight"].tolist() == [0.0]
    assert m["rule"].iloc[0] in ("source", "attribution")
    assert source not in news.tags()["symbol"].tolist()  # kept in mentions, not tagged
    assert kept in events(news)


def test_brokers_are_sources_unless_the_headline_is_about_brokers() -> None:
    story = news_of("汽车板块反弹", "车市回暖。", "华泰证券对部分整车龙头估值如下。")
    assert mentions_of(story, "601688.SH")["rule"].tolist() == ["source"]
    about = news_of("华泰证券发布年报", "华泰证券2021年净利润增长。")
    assert events(about) == ["601688.SH"]


def test_eastmoney_links_are_checked_against_the_text() -> None:
    news = news_of(
        "盘面",
        "市场震荡。",
        f"据{link('90.BK0473', '证券')}时报报道，{link('90.BK0475', '银行')}间利率下行，"
        f"{link('0.000061', '农产品')}价格上涨，{link('90.BK0493', '新能源')}汽车下乡开启。",
    )
    m = news.mentions.set_index("symbol")
    assert m.loc["BK0473", "rule"] == "inside_longer_word"  # 证券时报
    assert m.loc["BK0475", "rule"] == "inside_longer_word"  # 银行间
    assert m.loc["000061.SZ", "rule"] == "link_on_common_word"  # 农产品 the word
    assert m.loc["BK0493", "rule"] == "inside_longer_word"  # 新能源汽车下乡
    assert set(
        news.mentions.loc[
            news.mentions["symbol"].isin(["BK0473", "BK0475", "000061.SZ", "BK0493"]), "weight"
        ]
    ) == {0.0}
    assert "BK1029" in set(news.mentions["symbol"])  # 新能源汽车下乡 → 汽车整车 (related)


def test_a_link_to_the_hk_line_of_an_a_h_company_tags_the_a_share() -> None:
    news = news_of("车企", "市场震荡。", f"受益车企有{link('116.02333', '长城汽车')}等。")
    tags = news.tags().set_index("symbol")
    assert tags.loc["601633.SH", "rule"] == "body+hk_to_a"
    assert tags.loc["601633.SH", "score"] == pytest.approx(EVIDENCE_WEIGHTS["keyword_company"])
    assert tags.loc["02333.HK", "rule"] == "body+a_h_line"
    assert tags.loc["02333.HK", "score"] < DEFAULT_MIN_SCORE  # the A share is the subject
    secids = set(mentions_of(news, "601633.SH")["secid"])
    assert secids == {"116.02333"}  # the evidence is the HK link


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("贵州茅台(600519)发布公告", "600519.SH"),
        ("贵州茅台（600519.SH）发布公告", "600519.SH"),
        ("阿里巴巴(09988.HK)新设子公司", "09988.HK"),
        ("颐海国际(1579.HK)获上调评级", "01579.HK"),
        ("腾讯控股(00700)股价下跌", "00700.HK"),
        ("公司股票代码：000858", "000858.SZ"),
        ("平安银行(000001)发布年报", "000001.SZ"),
        ("上证指数(000001)收涨", "000001.SH"),
    ],
)
def test_explicit_codes_in_text_are_read(text: str, symbol: str) -> None:
    news = news_of("公告", text)
    codes = news.mentions[news.mentions["how"] == "code"]
    assert symbol in set(codes["symbol"])
    row = codes[codes["symbol"] == symbol].iloc[0]
    assert news.articles["text"].iloc[0][row["position"] :].startswith(row["keyword"])
    assert symbol in events(news)


def test_an_hk_code_of_an_a_h_company_also_tags_its_a_share() -> None:
    news = news_of("公告", "长城汽车(02333.HK)发布公告。")
    assert {"02333.HK", "601633.SH"} <= set(events(news))
    m = mentions_of(news, "601633.SH")
    assert "code" in set(m["how"])
    assert "hk_to_a" in "".join(m["rule"])


def test_longer_words_block_the_names_inside_them() -> None:
    news = news_of("比亚迪电子涨5%", "包芯片与整车物流业务增长，公司为汽车整车物流龙头。")
    assert events(news) == []
    assert news.mentions.empty
    plain = news_of("比亚迪涨5% 芯片股走强", "芯片短缺缓解。")
    assert events(plain) == ["002594.SZ", "BK1036"]


def test_market_words_keep_sector_phrases_off_a_share_boards() -> None:
    hk = news_of("港股半导体板块走高 英恒科技涨近8%", "港股半导体板块走高。")
    assert "BK1036" not in events(hk)
    assert set(mentions_of(hk, "BK1036")["rule"]) == {"foreign_market"}
    a = news_of("A股半导体板块走高", "半导体板块走高。")
    assert "BK1036" in events(a)


def test_a_company_story_does_not_tag_the_boards_of_its_lead() -> None:
    story = news_of("车主投诉", "长城汽车(601633.SH)旗下新能源汽车品牌欧拉卷入换芯争议。")
    assert events(story) == ["601633.SH"]
    assert "lead+company_story" in set(mentions_of(story, "BK0900")["rule"])
    sector = news_of("车市", "新能源汽车销量大增，比亚迪领涨。")
    assert events(sector) == ["002594.SZ", "BK0900"]


def test_a_headline_led_by_a_company_reads_its_bare_sector_words_as_its_business() -> None:
    led = news_of("中国石化已建成光伏发电站1000座", "中国石化表示，光伏发电站已建成1000座。")
    assert events(led) == ["600028.SH"]
    assert "title+company_story" in set(mentions_of(led, "BK1031")["rule"])
    assert "lead+company_story" in set(mentions_of(led, "BK1031")["rule"])
    explicit = news_of("宁德时代领涨光伏板块", "光伏板块午后走强。")
    assert events(explicit) == ["300750.SZ", "BK1031"]
    sector_first = news_of("光伏发电装机大增 中国石化建成1000座", "光伏发电装机大增。")
    assert "BK1031" in events(sector_first)


def test_a_headline_naming_nothing_needs_two_lead_mentions_of_a_sector() -> None:
    once = news_of("顺义区将建消费桥头堡", "记者从区党代会获悉，该区将立足机场及周边区域。")
    assert "BK0420" not in events(once)
    assert mentions_of(once, "BK0420")["rule"].tolist() == ["lead+no_subject"]
    factor = WEIGHT_FACTORS["no_subject"]
    assert mentions_of(once, "BK0420")["weight"].tolist() == [
        EVIDENCE_WEIGHTS["keyword_lead"] * factor
    ]
    twice = news_of("客流恢复", "机场客流恢复，多家机场五一航班量创新高。")
    assert "BK0420" in events(twice)
    titled = news_of("机场板块走强", "机场客流恢复。")
    assert "BK0420" in events(titled)
    topic = news_of("客流恢复", "机场客流快速恢复，消费回暖。")  # the opening clause's topic
    assert mentions_of(topic, "BK0420")["rule"].tolist() == ["lead"]
    assert "BK0420" in events(topic)


def test_single_mentions_in_a_roundup_of_many_companies_count_half() -> None:
    names = [
        "贵州茅台", "五粮液", "招商银行", "中国平安", "宁德时代", "比亚迪", "隆基绿能",
        "海康威视", "美的集团", "格力电器", "万科A", "中国建筑", "长江电力", "伊利股份",
        "恒瑞医药", "药明康德",
    ]  # fmt: skip
    assert len(names) >= ROUNDUP_MIN
    paragraphs = ["各大券商公布金股组合。"] + [f"有券商推荐了{n}，其股价表现一般。" for n in names]
    news = news_of("券商金股月考", *paragraphs)
    m = mentions_of(news, "600036.SH")
    assert m["rule"].tolist() == [f"body+roundup({len(names)})"]
    assert m["weight"].tolist() == [EVIDENCE_WEIGHTS["keyword_company"] * WEIGHT_FACTORS["roundup"]]
    assert "600036.SH" not in events(news)


def test_weights_are_explained_by_their_rule() -> None:
    assert mention_weight("keyword", "body", "board") == (EVIDENCE_WEIGHTS["keyword"], "body")
    assert mention_weight("keyword", "body", "index") == (0.1, "body+index")
    assert mention_weight("code", "body", "stock") == (EVIDENCE_WEIGHTS["code"], "body")
    assert mention_weight("inline_link", "body", "board") == (0.5, "body")
    news = news_of("盘面", "市场震荡。", "上证指数收涨，沪深300走强。")
    assert news.to_events().symbols == []  # indices mentioned in passing


SEED = sample_news_path() / "_posts" / "2022-01-10-NW202201102241785025.md"


def test_the_seed_post_yields_bk0896_from_its_chart_baijiu_from_its_text_and_brewing() -> None:
    news = load_news(SEED)
    m = mentions_of(news, "BK0896")
    assert (m["how"] == "chart_embed").sum() == 1
    text_hits = m[(m["how"] == "keyword") & (m["field"] == "text")]
    assert set(text_hits["keyword"]) == {"白酒"}
    assert len(text_hits) >= 3
    ev = news.to_events()
    assert {"BK0896", "BK0477"} <= set(ev.symbols)  # 白酒 and 酿酒行业
    tags = news.tags().set_index("symbol")
    assert tags.loc["BK0896", "how"] == "chart_embed"
    assert tags.loc["BK0477", "how"] == "keyword"
    assert "BK0473" not in tags.index  # 证券 of 证券时报网 is the publisher
