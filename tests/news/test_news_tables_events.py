"""Tables (DataFrame, akshare shape, CSV/Parquet/JSON lines), scoring, to_events, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, InputDataError, NewsParseError
from eventstudy.news import DEFAULT_MIN_SCORE, EVIDENCE_WEIGHTS, News, Tagger, load_news

CHART = (
    '<!-- EM_StockImg_Start --><a href="http://quote.eastmoney.com/unify/r/90.BK0896" '
    'data-code="BK0896|90|1"><img src="x?nid=90.BK0896&imageType=k"/></a><!-- EM_StockImg_End -->'
)


def akshare_rows() -> pd.DataFrame:
    """Rows in the exact column layout of akshare.stock_news_em (constructed, not fetched)."""
    return pd.DataFrame(
        {
            "关键词": ["600519", "600519", "600519"],
            "新闻标题": ["贵州茅台：2022年一季度净利润增长", "白酒板块午后拉升", ""],
            "新闻内容": ["贵州茅台发布一季报，茅台酒销量上升。", "白酒股走强，五粮液涨3%。", ""],
            "发布时间": ["2022-04-20 18:31:09", "2022-05-31 13:05:00", "2022-05-31 13:06:00"],
            "文章来源": ["证券时报网", "财联社", "东方财富网"],
            "新闻链接": [
                "http://finance.eastmoney.com/a/202204202351111111.html",
                "http://finance.eastmoney.com/a/202205312397777777.html",
                "http://finance.eastmoney.com/a/202205312397777778.html",
            ],
        }
    )


def test_akshare_shape() -> None:
    news = load_news(akshare_rows())
    assert news.n_inputs == 3
    assert news.skipped[["origin", "reason"]].values.tolist() == [["row 2", "empty_row"]]
    a = news.articles
    assert a["article_id"].tolist() == ["202204202351111111", "202205312397777777"]
    assert a["publisher"].tolist() == ["证券时报网", "财联社"]
    assert str(a["published_at"].iloc[0]) == "2022-04-20 18:31:09+08:00"
    q = news.mentions[news.mentions["how"] == "query"]
    assert q["symbol"].tolist() == ["600519.SH", "600519.SH"]
    tags = news.tags().set_index(["article_id", "symbol"])
    # second row: 白酒板块 in the title (0.6) + 白酒股 in the lead (0.6); 五粮液 in the lead
    assert tags.loc[("202205312397777777", "BK0896"), "score"] == pytest.approx(1 - 0.4 * 0.4)
    assert tags.loc[("202205312397777777", "000858.SZ"), "score"] == pytest.approx(0.6)
    assert tags.loc[("202205312397777777", "000858.SZ"), "rule"] == "lead"


def test_scores_are_noisy_or_of_the_weights() -> None:
    link = '<a href="http://quote.eastmoney.com/unify/r/90.BK0896" data-code="90,BK0896">白酒</a>'
    html = f"<p>市场震荡。</p><p>{link}领涨，白酒股与白酒板块都涨。</p>"
    news = load_news(
        pd.DataFrame({"title": ["盘面"], "published_at": ["2022-01-10 10:00"], "text": [html]})
    )
    m = news.mentions
    mine = m[m["symbol"] == "BK0896"].sort_values("position")
    # the linked word is not counted again as a keyword; the two later words are
    assert mine["how"].tolist() == ["inline_link", "keyword", "keyword"]
    assert mine["rule"].tolist() == ["body", "body", "body"]  # after the lead paragraph
    expected = 1 - (1 - EVIDENCE_WEIGHTS["inline_link"]) * (1 - EVIDENCE_WEIGHTS["keyword"]) ** 2
    tag = news.tags().set_index("symbol").loc["BK0896"]
    assert tag["score"] == pytest.approx(expected)  # 0.68
    assert tag["n_mentions"] == 3
    assert tag["how"] == "inline_link"
    assert tag["hows"] == "inline_link,keyword"
    assert tag["name"] == "白酒"
    assert tag["rule"] == "body"
    assert "白酒领涨" in tag["evidence"]
    assert news.tags(min_score=0.7).empty


def test_to_events_day0_rules() -> None:
    rows = pd.DataFrame(
        {
            "title": ["a", "b", "c", "d"],
            "published_at": [
                "2022-01-10 11:33:36+08:00",  # Monday before the close -> same day
                "2022-05-28 03:54:18+08:00",  # Saturday -> Monday 2022-05-30
                "2022-05-31 15:45:08+08:00",  # after the close -> 2022-06-01
                "2022-06-02 16:00:00+08:00",  # Thursday after close; 06-03 Dragon Boat -> 06-06
            ],
            "text": [CHART + "<p>x</p>"] * 4,
            "article_id": ["A1", "A2", "A3", "A4"],
            "publisher": ["p"] * 4,
        }
    )
    ev = load_news(rows).to_events()
    f = ev.frame.set_index("event_id")
    assert f.index.tolist() == ["A1:BK0896", "A2:BK0896", "A3:BK0896", "A4:BK0896"]
    assert f["day0"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-01-10",
        "2022-05-30",
        "2022-06-01",
        "2022-06-06",
    ]
    for col in ("article_id", "title", "publisher", "category", "kind", "score", "how", "name"):
        assert col in f.columns
    assert set(f["name"]) == {"白酒"}
    assert set(f["how"]) == {"chart_embed"}
    strict = load_news(rows).to_events(rule="strict")
    assert strict.frame["event_id"].tolist() == ["A1:BK0896"]
    assert set(strict.dropped["reason"]) == {"outside_session"}
    assert len(strict.frame) + len(strict.dropped) == 4


def test_to_events_filters_and_default_threshold() -> None:
    link = '<a href="http://quote.eastmoney.com/unify/r/90.BK0477" data-code="90,BK0477">'
    html = CHART + f"<p>市场震荡。</p><p>{link}酿酒行业</a>走强</p>"
    news = load_news(pd.DataFrame({"title": ["t"], "published_at": ["2022-01-10"], "text": [html]}))
    assert DEFAULT_MIN_SCORE == 0.6
    # one automatic link on a board below the lead (0.5) is not enough
    assert news.to_events().symbols == ["BK0896"]
    assert news.to_events(min_score=0.5).symbols == ["BK0477", "BK0896"]
    assert news.to_events(min_score=0.5, kinds=["board"]).symbols == ["BK0477", "BK0896"]
    assert news.to_events(min_score=0.5, kinds=["stock"]).symbols == []
    assert news.to_events(min_score=0.5, symbols=["bk0896"]).symbols == ["BK0896"]
    empty = news.to_events(symbols=["000001.SZ"])
    assert len(empty) == 0
    with pytest.raises(ConfigError):
        news.to_events(kinds=["sector"])  # type: ignore[list-item]
    with pytest.raises(ConfigError):
        news.tags(min_score=2)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_table_files(tmp_path: Path, suffix: str) -> None:
    df = akshare_rows()
    path = tmp_path / f"news{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    news = load_news(path)
    assert news.n_inputs == 3
    assert len(news.articles) == 2
    assert news.skipped["origin"].tolist() == [f"{path}#row2"]
    assert set(news.mentions.loc[news.mentions["how"] == "query", "symbol"]) == {"600519.SH"}


def test_table_rows_bad_dates_and_duplicates() -> None:
    rows = pd.DataFrame(
        {
            "title": ["好", "坏", "空", "好"],
            "published_at": ["2022-01-10 09:00", "昨天", None, "2022-01-10 09:00"],
            "text": ["白酒", "白酒", "白酒", "白酒股"],
        }
    )
    news = load_news(rows)
    assert news.skipped["reason"].tolist() == ["bad_date", "missing_date"]
    assert news.duplicates["key"].tolist() == ["title_time"]
    assert news.duplicates["origin"].tolist() == ["row 0"]  # the longer text (row 3) is kept
    assert news.articles["origin"].tolist() == ["row 3"]
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == 4
    with pytest.raises(NewsParseError, match="row 1"):
        load_news(rows, errors="raise")


def test_bad_sources_and_options(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no such file"):
        load_news(tmp_path / "nope")
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(InputDataError, match="neither a post"):
        load_news(tmp_path / "x.xlsx")
    with pytest.raises(InputDataError, match="publication-time"):
        load_news(pd.DataFrame({"title": ["t"]}))
    with pytest.raises(InputDataError, match="matches no post"):
        load_news(str(tmp_path / "*.md"))
    with pytest.raises(InputDataError):
        load_news(42)
    with pytest.raises(ConfigError):
        load_news(pd.DataFrame({"title": ["t"], "date": ["2022-01-10"]}), errors="ignore")  # type: ignore[arg-type]
    empty = load_news(tmp_path)
    assert isinstance(empty, News)
    assert empty.n_inputs == 0
    assert empty.tags().empty
    assert len(empty.to_events()) == 0


def test_post_problems_are_skipped_with_reasons(tmp_path: Path) -> None:
    posts = {
        "a_ok.md": "---\ntitle: ok\ndate: 2022-01-10 10:00:00 +0800\n---\n<p>白酒</p>\n",
        "b_noheader.md": "<p>no header</p>",
        "c_unclosed.md": "---\ntitle: x\ndate: 2022-01-10\n<p>body</p>",
        "d_yaml.md": "---\ntitle: [unclosed\ndate: 2022-01-10\n---\nx",
        "e_date.md": "---\ntitle: x\ndate: 2022-13-45 99:00:00\n---\nx",
        "f_nodate.md": "---\ntitle: x\n---\nx",
        "g_empty.md": "",
        "h_list.md": "---\n- a\n- b\n---\nx",
        "i_nested_title.md": "---\ntitle: {a: b}\ndate: 2022-01-10\n---\nx",
    }
    for name, text in posts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    news = load_news(tmp_path)
    reasons = dict(
        zip([Path(o).name for o in news.skipped["origin"]], news.skipped["reason"], strict=True)
    )
    assert reasons == {
        "b_noheader.md": "no_front_matter",
        "c_unclosed.md": "broken_front_matter",
        "d_yaml.md": "bad_front_matter",
        "e_date.md": "bad_date",
        "f_nodate.md": "missing_date",
        "g_empty.md": "empty_file",
        "h_list.md": "bad_front_matter",
        "i_nested_title.md": "bad_front_matter",
    }
    assert len(news.articles) == 1
    with pytest.raises(NewsParseError, match=r"b_noheader\.md"):
        load_news(tmp_path, errors="raise")


def test_custom_tagger_is_used() -> None:
    rows = pd.DataFrame({"title": ["次高端新品"], "published_at": ["2022-01-10"], "text": ["x"]})
    assert load_news(rows).tags().empty
    tagger = Tagger.default().with_keywords({"BK0896": ["次高端"]})
    tags = load_news(rows, tagger=tagger).tags()
    assert tags[["symbol", "how", "score"]].values.tolist() == [["BK0896", "keyword", 0.6]]


def test_different_prefixed_ids_with_the_same_digits_are_not_duplicates() -> None:
    rows = pd.DataFrame(
        {
            "article_id": ["reuters-20240329-0001", "xinhua-20240329-0001"],
            "title": ["茅台涨", "五粮液跌"],
            "published_at": ["2024-03-29 10:00", "2024-03-29 10:00"],
        }
    )
    news = load_news(rows)
    assert news.articles["article_id"].tolist() == ["reuters-20240329-0001", "xinhua-20240329-0001"]
    assert news.duplicates.empty


def test_eastmoney_ids_with_and_without_prefix_are_one_article() -> None:
    rows = pd.DataFrame(
        {
            "article_id": ["NW202201102241785025", "202201102241785025", "AN202201102241785025"],
            "title": ["白酒一", "白酒二", "白酒三"],
            "published_at": ["2022-01-10 10:00", "2022-01-10 11:00", "2022-01-10 12:00"],
            "text": ["长文本长文本", "短", "短"],
        }
    )
    news = load_news(rows)
    assert news.articles["article_id"].tolist() == ["NW202201102241785025"]
    assert news.duplicates["key"].tolist() == ["article_id", "article_id"]
    # ids that only share some digits with an Eastmoney id are different articles
    other = pd.DataFrame(
        {
            "article_id": ["202201102241785025", "x202201102241785025", "2022011022417850"],
            "title": ["a", "b", "c"],
            "published_at": ["2022-01-10 10:00"] * 3,
        }
    )
    assert len(load_news(other).articles) == 3


@pytest.mark.parametrize(
    ("suffix", "encoding"),
    [(".csv", "gbk"), (".csv", "gb18030"), (".csv", "utf-8-sig"), (".jsonl", "gb18030")],
)
def test_gbk_and_bom_tables(tmp_path: Path, suffix: str, encoding: str) -> None:
    df = akshare_rows()
    path = tmp_path / f"news_em{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False, encoding=encoding)  # as Excel in China saves it
    else:
        text = df.to_json(orient="records", lines=True, force_ascii=False)
        path.write_bytes(text.encode(encoding))
    news = load_news(path)
    assert news.n_inputs == 3
    assert news.articles["title"].tolist() == df["新闻标题"].tolist()[:2]
    assert news.articles["publisher"].tolist() == ["证券时报网", "财联社"]
    assert set(news.articles["warnings"]) == {""}


def test_table_row_with_undecodable_bytes_is_skipped_not_garbled(tmp_path: Path) -> None:
    # issue 13 item 7: the row was kept with U+FFFD (and every article warned); now it is
    # skipped as bad_encoding and the other rows are clean
    path = tmp_path / "bad.csv"
    path.write_bytes(
        "title,published_at,text\n白酒,2022-01-10 10:00,正文\n".encode()
        + b"x\xff\xfe\xfa\xfby,2022-01-11 10:00,t\n"
    )
    news = load_news(path)
    assert news.articles["title"].tolist() == ["白酒"]
    assert set(news.articles["warnings"]) == {""}
    assert news.skipped[["origin", "reason"]].values.tolist() == [[f"{path}#row1", "bad_encoding"]]


def test_headline_alone_is_an_event_one_body_mention_of_a_board_is_not() -> None:
    """Tagger v2: a name in the headline is enough on its own (v1 wanted 0.5 + a body
    mention); a board named once below the lead is not."""
    rows = pd.DataFrame(
        {
            "article_id": ["A1", "A2", "A3"],
            "title": ["白酒板块午后拉升", "白酒板块午后拉升", "盘面"],
            "published_at": ["2022-05-31 10:00", "2022-05-31 11:00", "2022-05-31 12:00"],
            "text": ["市场震荡。", "白酒股走强。", "<p>市场震荡。</p><p>白酒股走强。</p>"],
        }
    )
    news = load_news(rows)
    assert EVIDENCE_WEIGHTS["keyword_title"] >= DEFAULT_MIN_SCORE > EVIDENCE_WEIGHTS["keyword"]
    tags = news.tags().set_index(["article_id", "symbol"])["score"]
    assert tags[("A1", "BK0896")] == pytest.approx(0.6)  # the headline alone
    assert tags[("A2", "BK0896")] == pytest.approx(1 - 0.4 * 0.4)  # headline + lead
    assert tags[("A3", "BK0896")] == pytest.approx(0.2)  # one mention below the lead
    assert news.to_events().frame["event_id"].tolist() == ["A1:BK0896", "A2:BK0896"]
    kw = news.mentions.sort_values(["article_id", "field"])
    assert kw["keyword"].tolist() == ["白酒板块", "白酒股", "白酒板块", "白酒股"]
    assert kw["rule"].tolist() == ["title", "lead", "title", "body"]


def test_folder_with_tables_but_no_posts_loads_the_tables(tmp_path: Path) -> None:
    # issue 13 item 9: the tables of a folder are read (they were refused before)
    akshare_rows().to_csv(tmp_path / "news_em.csv", index=False)
    akshare_rows().to_parquet(tmp_path / "more.parquet")
    news = load_news(tmp_path)
    assert news.n_inputs == 6
    assert len(news.articles) == 2  # the parquet rows repeat the CSV rows
    assert len(news.duplicates) == 2
    assert news.skipped["reason"].tolist() == ["empty_row", "empty_row"]
    # an empty folder still loads (nothing to lose)
    (tmp_path / "empty").mkdir()
    assert load_news(tmp_path / "empty").n_inputs == 0


def test_list_dispatches_tables_and_posts_by_extension(tmp_path: Path) -> None:
    table = tmp_path / "news_em.csv"
    akshare_rows().to_csv(table, index=False)
    post = tmp_path / "a.md"
    post.write_text(
        "---\ntitle: 白酒\ndate: 2022-01-10 10:00:00 +0800\n---\n" + CHART + "<p>白酒</p>\n",
        encoding="utf-8",
    )
    news = load_news([post, table])
    assert news.n_inputs == 1 + 3
    assert news.articles["origin"].tolist() == [str(post), f"{table}#row0", f"{table}#row1"]
    assert news.skipped["origin"].tolist() == [f"{table}#row2"]
    assert news.skipped["reason"].tolist() == ["empty_row"]
    assert set(news.mentions.loc[news.mentions["how"] == "query", "symbol"]) == {"600519.SH"}
    only_table = load_news([table])
    assert len(only_table.articles) == 2


def test_skipped_rows_carry_the_recoverable_article_id() -> None:
    rows = pd.DataFrame(
        {
            "article_id": ["X1", None, None],
            "title": ["a", "b", "c"],
            "published_at": [None, "昨天", None],
            "url": [None, "http://finance.eastmoney.com/a/202205312397777777.html", None],
        }
    )
    s = load_news(rows).skipped
    assert s["reason"].tolist() == ["missing_date", "bad_date", "missing_date"]
    assert s["article_id"].tolist()[:2] == ["X1", "202205312397777777"]
    assert pd.isna(s["article_id"].iloc[2])


@pytest.mark.parametrize("code", [858, 858.0, "858", "000858", "858.0", np.int64(858)])
def test_numeric_query_codes_are_zero_padded(code: object) -> None:
    rows = pd.DataFrame(
        {"关键词": [code], "新闻标题": ["公司公告"], "发布时间": ["2022-05-25 09:10:20"]},
        dtype=object,
    )
    m = load_news(rows).mentions
    assert m[["symbol", "how"]].values.tolist() == [["000858.SZ", "query"]]


def test_float_query_column_with_missing_values() -> None:
    rows = pd.DataFrame(
        {
            "关键词": [600519.0, np.nan],  # what read_csv makes of a code column with a gap
            "新闻标题": ["公告一", "公告二"],
            "发布时间": ["2022-05-25 09:10:20", "2022-05-25 09:11:20"],
        }
    )
    m = load_news(rows).mentions
    assert m[["symbol", "how"]].values.tolist() == [["600519.SH", "query"]]
    for bad in (-858, 8580000, 858.5, True, "1e3"):
        frame = rows.assign(关键词=pd.Series([bad, None], dtype=object))
        assert load_news(frame).mentions.empty, bad


def test_news_repr_html_is_compact_escaped_and_counts_everything() -> None:
    import pandas as pd

    from eventstudy.news import load_news
    from eventstudy.summary import PREVIEW_ROWS

    rows = pd.DataFrame(
        {
            "article_id": [f"A{i}" for i in range(8)] + ["A0", "B"],
            "title": ["<script>alert(1)</script>白酒股走强"]
            + [f"标题{i}" for i in range(1, 8)]
            + ["<script>alert(1)</script>白酒股走强", "无日期"],
            "published_at": ["2022-05-31 13:05"] * 9 + [None],
            "text": ["贵州茅台涨3%。"] * 10,
        }
    )
    news = load_news(rows)
    assert (len(news.articles), len(news.skipped), len(news.duplicates)) == (8, 1, 1)
    page = news._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    for label, value in (("inputs", "10"), ("articles", "8"), ("duplicates", "1")):
        assert (
            f"<th style='text-align:left'>{label}</th><td style='text-align:left'>{value}" in page
        )
    assert "<td style='text-align:left'>1 (missing_date 1)</td>" in page
    assert page.count("<tr>\n") == PREVIEW_ROWS  # preview rows only
    assert f"first {PREVIEW_ROWS} of 8 articles" in page
    assert "2022-05-31 13:05<" in page
