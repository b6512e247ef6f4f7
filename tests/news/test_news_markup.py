"""Quote markup and HTML → text: every form in data/README.md, cleaning rules, positions."""

from __future__ import annotations

import pytest

from eventstudy.news.html import parse_html, plain_text
from eventstudy.news.quotes import chart_code, image_code, inline_code, link_code, resolve


@pytest.mark.parametrize(
    ("value", "secid"),
    [
        ("BK0896|90|1", "90.BK0896"),
        ("K BK0896|90|1", "90.BK0896"),
        ("R BK0896|90|1", "90.BK0896"),
        ("BK0896|90|3|", "90.BK0896"),
        ("K 600519|1|1", "1.600519"),
        ("000858|0|2", "0.000858"),
        ("NIO|106|7", "106.NIO"),
        ("90,BK0896", None),
        ("", None),
    ],
)
def test_chart_code(value: str, secid: str | None) -> None:
    assert chart_code(value) == secid


@pytest.mark.parametrize(
    ("value", "secid"),
    [
        ("90,BK0493", "90.BK0493"),
        ("1,600519", "1.600519"),
        ("0,000858", "0.000858"),
        ("106,NIO", "106.NIO"),
        ("105,TSLA", "105.TSLA"),
        ("116,00700", "116.00700"),
        ("BK0493|90|1", None),
        ("x,y,z", None),
    ],
)
def test_inline_code(value: str, secid: str | None) -> None:
    assert inline_code(value) == secid


@pytest.mark.parametrize(
    ("href", "secid"),
    [
        ("http://quote.eastmoney.com/unify/r/90.BK0896", "90.BK0896"),
        ("https://quote.eastmoney.com/unify/r/1.000001", "1.000001"),
        ("//quote.eastmoney.com/unify/r/116.00700?from=x", "116.00700"),
        ("http://quote.eastmoney.com/sh600519.html", "1.600519"),
        ("http://quote.eastmoney.com/sz000858.html", "0.000858"),
        ("http://quote.eastmoney.com/bk/90.BK0896.html", "90.BK0896"),
        ("http://quote.eastmoney.com/bk/BK0477.html", "90.BK0477"),
        ("http://quote.eastmoney.com/hk/00700.html", "116.00700"),
        ("http://quote.eastmoney.com/us/NIO.html", "106.NIO"),
        ("http://data.eastmoney.com/bbsj/", None),
        ("javascript:alert('quote.eastmoney.com/sh600519.html')", None),
    ],
)
def test_link_code(href: str, secid: str | None) -> None:
    assert link_code(href) == secid


def test_image_code() -> None:
    src = "https://webquoteklinepic.eastmoney.com/GetPic.aspx?nid=90.BK0896&imageType=k&at=1"
    assert image_code(src) == "90.BK0896"
    assert image_code("https://dfscdn.dfcfw.com/download/D246.jpg") is None


def test_resolve_uses_canonical_symbols() -> None:
    assert str(resolve("1.000001")) == "000001.SH"  # index, not Ping An Bank
    assert str(resolve("0.000001")) == "000001.SZ"
    assert str(resolve("116.00388")) == "00388.HK"
    assert resolve("999.ABC") is None


SEED_EMBED = (
    '<p style="display:none;height:1px;overflow:hidden;"> </p><!-- EM_StockImg_Start -->'
    '<p style="text-align:center;"><a href="http://quote.eastmoney.com/unify/r/90.BK0896" '
    'data-code="BK0896|90|1" data-code2="BK0896|90|3|" class="EmImageRemark" target="_blank">'
    '<img src="https://webquoteklinepic.eastmoney.com/GetPic.aspx?nid=90.BK0896&imageType=k" '
    'alt="K图 BK0896_0" data-code="K BK0896|90|1" data-code2="K BK0896|90|3|" /></a></p>'
    "<!-- EM_StockImg_End --><p>意见提出，发展低度化白酒产品。<br /></p>"
)


def test_chart_embed_is_one_mention_per_embed() -> None:
    doc = parse_html(SEED_EMBED)
    assert [(m.secid, m.how) for m in doc.marks] == [("90.BK0896", "chart_embed")]
    assert doc.text == "意见提出，发展低度化白酒产品。"


def test_image_only_embed_without_link() -> None:
    html = (
        '<!-- EM_StockImg_Start --><p><img src="x.aspx?nid=1.600519&imageType=k" /></p>'
        "<!-- EM_StockImg_End --><p>正文</p>"
    )
    assert [(m.secid, m.how) for m in parse_html(html).marks] == [("1.600519", "chart_embed")]


def test_inline_and_key_common_and_infokey_links() -> None:
    html = (
        '<p>据<span id="stock_106.NIO"><a href="http://quote.eastmoney.com/unify/r/106.NIO" '
        'class="keytip" data-code="106,NIO">蔚来</a></span>消息，<span web="1" '
        'href="http://quote.eastmoney.com/unify/r/90.BK0493" class="em_stock_key_common" '
        'data-code="90,BK0493">新能源</span>汽车；<span id="Info.3262"><a '
        'href="http://quote.eastmoney.com/unify/r/1.000016" class="infokey">上证50</a></span>'
        'ETF；旧链接<a href="http://quote.eastmoney.com/sh600519.html">贵州茅台</a>。</p>'
    )
    doc = parse_html(html)
    got = [(m.secid, m.how, m.name) for m in doc.marks]
    assert got == [
        ("106.NIO", "inline_link", "蔚来"),
        ("90.BK0493", "inline_link", "新能源"),
        ("1.000016", "quote_link", "上证50"),
        ("1.600519", "quote_link", "贵州茅台"),
    ]
    for m in doc.marks:  # positions point at the anchor text in the clean text
        assert m.name is not None
        assert doc.text[m.position : m.position + len(m.name)] == m.name


def test_scripts_styles_hidden_and_comments_never_reach_the_text() -> None:
    html = (
        "<p>一<script>var x='股票';</script><style>p{color:red}</style>二</p>"
        '<div style="DISPLAY: none">隐藏<a data-code="1,600519">茅台</a></div>'
        '<p hidden>也隐藏</p><!-- 注释 --><p>三<a href="javascript:alert(1)">链接</a></p>'
        "<noscript>无脚本</noscript>"
    )
    doc = parse_html(html)
    assert doc.text == "一二\n三链接"
    assert doc.marks == []  # markup inside hidden elements is not evidence


def test_paragraph_breaks_and_whitespace() -> None:
    html = "<h3>标题</h3><p>第一 \n 段</p>\r\n<p>第二段<br/>换行</p>正文\n\n尾段"
    assert parse_html(html).text == "标题\n第一 段\n第二段\n换行\n正文\n尾段"
    assert plain_text("甲\r\n\r\n乙  丙") == "甲\n乙 丙"


def test_entities_and_empty_input() -> None:
    assert parse_html("<p>《&lt;蒙特利尔议定书&gt;》&amp;</p>").text == "《<蒙特利尔议定书>》&"
    assert parse_html("").text == ""
    assert parse_html("<!-- only a comment -->").text == ""
    assert parse_html("   \n ").marks == []


def test_deep_nesting_is_reported_not_crashing() -> None:
    html = "<div>" * 10_000 + "深" + "</div>" * 10_000
    doc = parse_html(html)
    assert any(w.startswith("html_truncated") for w in doc.warnings)
    shallow = parse_html("<div>" * 100 + "浅" + "</div>" * 100)
    assert shallow.text == "浅"
    assert shallow.warnings == []


def test_nul_and_control_characters_are_removed() -> None:
    assert parse_html("<p>a\x00b\x07c</p>").text == "abc"


def test_text_after_html_nested_beyond_the_libxml2_limit_is_kept() -> None:
    html = "<p>before 白酒</p>" + "<div>" * 3000 + "中间" + "</div>" * 3000 + "<p>after</p>"
    doc = parse_html(html)
    assert any(w.startswith("html_truncated") for w in doc.warnings)
    assert doc.text == "before 白酒\n中间\nafter"


def test_deep_part_still_drops_scripts_and_hidden_and_keeps_markup() -> None:
    link = '<a href="http://quote.eastmoney.com/unify/r/1.600519" data-code="1,600519">贵州茅台</a>'
    html = (
        "<p>前</p>"
        + "<div>" * 3000
        + "<script>alert('x')</script><style>p{}</style>"
        + '<p style="display:none">隐藏<a data-code="0,000858">五粮液</a></p><p hidden>也隐藏</p>'
        + f"<p>买入{link}。</p><!-- 注释 -->"
        + "</div>" * 3000
        + "<p>后&amp;尾<br/>段</p>"
    )
    doc = parse_html(html)
    assert doc.text == "前\n买入贵州茅台。\n后&尾\n段"
    assert [(m.secid, m.how, m.name) for m in doc.marks] == [
        ("1.600519", "inline_link", "贵州茅台")
    ]
    m = doc.marks[0]
    assert doc.text[m.position : m.position + 4] == "贵州茅台"
