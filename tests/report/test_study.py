"""The study briefing: the files, their numbers, escaping, proxies, and the PNG fallbacks."""

from __future__ import annotations

import html
import importlib
import os
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import eventstudy
from eventstudy.datasets import sample_prices
from eventstudy.exceptions import EventStudyWarning
from eventstudy.market import get_prices
from eventstudy.report import BriefingFiles, briefing, duplicate_proxy_notes, headline_table
from eventstudy.study import run_event_study

png_mod = importlib.import_module("eventstudy.report.png")

EVIL = "<script>window.__pwned=1</script>白酒"
SYMBOLS = ["600519.SH", "000858.SZ", "000568.SZ", "600036.SH", "BK0896"]


@pytest.fixture(scope="module")
def prices():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the BK0896 proxy warning
        return get_prices([*SYMBOLS, "000300.SH"], "2020-06-01", "2022-07-29", offline=True)


@pytest.fixture(scope="module")
def result(prices):  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d", "e"],
            "symbol": SYMBOLS,
            "day0": ["2022-01-10", "2022-01-10", "2021-12-08", "2022-05-31", "2022-01-10"],
            "published_at": pd.to_datetime(
                [
                    "2022-01-10 11:33",
                    "2022-01-09 20:00",
                    "2021-12-08 09:00",
                    "2022-05-31 11:34",
                    "2022-01-10 11:33",
                ]
            ).tz_localize("Asia/Shanghai"),
            "title": [EVIL, "五粮液公告", "泸州老窖", "招商银行业绩", "白酒板块走强"],
            "publisher": ["证券时报网", "东方财富", "证券时报网", "中国证券报", "证券时报网"],
            "name": ["贵州茅台", "五粮液", "泸州老窖", "招商银行", "白酒"],
            "article_id": ["A1", "A2", "A3", "A4", "A1"],
            "kind": ["stock", "stock", "stock", "stock", "board"],
        }
    )
    return run_event_study(ev, prices=prices, market="000300.SH")


class FakeNews:
    """The attributes briefing reads from a News object."""

    articles = pd.DataFrame(
        {
            "article_id": ["A1", "A2", "A3", "A4"],
            "title": [EVIL, "五粮液公告", "泸州老窖", "招商银行业绩"],
            "url": [
                "https://finance.eastmoney.com/a/202201102241785025.html",
                "javascript:alert(1)",
                None,
                "http://example.com/a?x=1&y=<2>",
            ],
            "text": ["正文"] * 4,
        }
    )
    skipped = pd.DataFrame({"path": ["bad.md"], "reason": ["no_front_matter"]})
    duplicates = pd.DataFrame({"origin": ["b.md"], "duplicate_of": ["A1"]})
    n_inputs = 6

    def with_relative_origins(self) -> FakeNews:
        return self


def test_top_level_export_is_callable(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the implementation lives in eventstudy.report, so no submodule shadows the function
    files = eventstudy.briefing(result, out=tmp_path, formats=("csv",))
    assert isinstance(files, BriefingFiles)
    assert files.html is None
    assert (tmp_path / "tables" / "tests.csv").is_file()


def test_html_csv_parquet(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = briefing(
        result, news=FakeNews(), out=tmp_path, formats=("html", "csv", "parquet"), title="周报"
    )
    assert isinstance(files, BriefingFiles)
    assert files.problems == ()
    assert files.html == tmp_path / "briefing.html"
    assert files.png == ()
    # tables: CSV and Parquet of the same numbers as the result
    tests_csv = pd.read_csv(files.tables["tests.csv"])
    np.testing.assert_allclose(tests_csv["pvalue"], result.tests["pvalue"], rtol=1e-12)
    tests_pq = pd.read_parquet(files.tables["tests.parquet"])
    np.testing.assert_array_equal(tests_pq["statistic"], result.tests["statistic"])
    ev = pd.read_parquet(files.tables["events.parquet"]).set_index("event_id")
    np.testing.assert_array_equal(ev["car_[-1,1]"], result.car["[-1,1]"].reindex(ev.index))
    caar = pd.read_csv(files.tables["caar.csv"])
    np.testing.assert_allclose(caar["caar"], result.caar.to_numpy(), rtol=1e-12)
    path = pd.read_csv(files.tables["caar_path.csv"])
    np.testing.assert_allclose(path["upper"], result.caar_path["upper"], rtol=1e-12)
    arts = pd.read_csv(files.tables["news_articles.csv"])
    assert "text" not in arts.columns  # article bodies stay out of the briefing
    assert "news_skipped.csv" in files.tables
    assert "provenance.parquet" in files.tables


def test_html_content_and_escaping(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = briefing(result, news=FakeNews(), out=tmp_path, formats=("html",), prices=None)
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    # self-contained: plotly.js inline, no external script or stylesheet
    assert "Plotly" in text
    assert len(text) > 3_000_000
    assert not re.search(r"<script[^>]+src=", text)
    assert "<link" not in text
    # the title from the news shows as text only
    assert "<script>window.__pwned" not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;白酒" in text
    # only http(s) links survive, escaped
    assert 'href="https://finance.eastmoney.com/a/202201102241785025.html"' in text
    assert "javascript:alert" not in text
    assert 'href="http://example.com/a?x=1&amp;y=&lt;2&gt;"' in text
    # headline numbers and methodology
    main = result.car.columns[0]
    assert f"{result.caar[main]:+.2%}" in text
    assert f">{len(result.car)}<" in text
    assert "Methodology" in text
    assert "000300.SH" in text
    assert "market" in text
    assert "proxy: built from constituents" in text  # BK0896 provenance
    assert html.escape(result.caar_path.attrs["variance"]) in text
    for chart in ("chart-caar", "chart-aar", "chart-car_dist", "chart-heatmap"):
        assert f'id="{chart}"' in text


def test_price_charts_and_headline(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    long = sample_prices(["600519.SH", "000858.SZ", "000568.SZ", "600036.SH", "000300.SH"])
    files = briefing(result, out=tmp_path, formats=("html",), prices=long, price_charts=2)
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert 'id="chart-price_1"' in text
    assert 'id="chart-price_2"' in text
    assert 'id="chart-price_3"' not in text
    head = headline_table(result)
    t = result.tests
    row = t[(t.test == "kp_bmp") & (t.window == "[0,5]") & (t.measure == "CAR")]
    assert head.set_index("window").loc["[0,5]", "p_kp_bmp"] == float(row["pvalue"].iloc[0])
    assert head["n"].tolist() == result.car.notna().sum().tolist()


def test_png_without_browser_is_a_message_not_a_traceback(result, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(png_mod, "find_browser", lambda: None)
    with pytest.warns(EventStudyWarning, match="no Chromium-family browser"):
        files = briefing(result, out=tmp_path, formats=("html", "png"))
    assert files.png == ()
    assert files.html is not None
    assert files.html.is_file()
    assert "BROWSER_PATH" in files.problems[0]
    assert "apt install chromium" in files.problems[0]
    assert "note:" in str(files)


@pytest.mark.browser
def test_png_export(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if png_mod.find_browser() is None and not os.environ.get("CI"):  # CI installs chromium
        pytest.skip("no Chromium-family browser on this machine (install Debian's chromium)")
    files = briefing(result, out=tmp_path, formats=("png",), charts=("caar", "heatmap"))
    assert files.problems == ()
    # "caar" also draws CAAR by kind when events are of several kinds (stock, board here)
    assert [p.name for p in files.png] == ["caar.png", "caar_by_kind.png", "heatmap.png"]
    for p in files.png:
        head = p.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert width == 1800  # 900 px layout at scale 2


def test_bad_arguments(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown briefing format"):
        briefing(result, out=tmp_path, formats=("pdf",))
    with pytest.raises(ValueError, match="unknown chart"):
        briefing(result, out=tmp_path, charts=("pie",))
    with pytest.raises(ValueError, match="CAR windows are"):
        briefing(result, out=tmp_path, window=(-3, 3), formats=("csv",))


def _card(text: str, label: str) -> str:
    m = re.search(r'<div class="v">([^<]*)</div><div class="k">' + re.escape(label), text)
    assert m, label
    return m.group(1)


def test_dropped_table_is_the_single_source(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pipeline's dropped table (with its stages) is counted once, card and table alike."""
    table = pd.DataFrame(
        {
            "stage": ["events", "prices", "prices", "study"],
            "event_id": ["x1", "x2", "x3", "x4"],
            "symbol": ["600519.SH", "00388.HK", "BK0433", "000858.SZ"],
            "reason": ["no_session", "no_price_data", "no_price_data", "insufficient_estimation"],
            "message": ["m1", "m2", "m3", "m4"],
        }
    )
    files = briefing(result, out=tmp_path, formats=("html", "csv"), dropped=table)
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert _card(text, "events dropped") == "4"
    section = text.split("<h2>Dropped</h2>")[1].split("<footer>")[0]
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td class=\"n\">(\d+)</td></tr>", section)
    assert rows == [
        ("events", "no_session", "1"),
        ("prices", "no_price_data", "2"),
        ("study", "insufficient_estimation", "1"),
    ]
    assert "pipeline_dropped" not in text
    written = pd.read_csv(files.tables["dropped.csv"])
    assert written["event_id"].tolist() == ["x1", "x2", "x3", "x4"]
    assert written["stage"].tolist() == table["stage"].tolist()


def test_dropped_without_a_table_is_result_dropped(prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["ok", "early"],
            "symbol": ["600519.SH", "000858.SZ"],
            "day0": ["2022-01-10", "2020-07-01"],  # too little history before 2020-07
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_event_study(ev, prices=prices, market="000300.SH")
    assert len(res.dropped) == 1
    files = briefing(res, out=tmp_path, formats=("html", "csv"))
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert _card(text, "events dropped") == "1"
    assert pd.read_csv(files.tables["dropped.csv"])["event_id"].tolist() == ["early"]


def test_briefing_without_bmp_uses_the_first_per_day_test(prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """study.tests = ["t_cross", "sign"] is valid: the AAR chart marks days by t_cross."""
    from eventstudy import plotting

    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "symbol": ["600519.SH", "000858.SZ", "600036.SH"],
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31"],
        }
    )
    res = run_event_study(ev, prices=prices, market="000300.SH", tests=["t_cross", "sign"])
    files = briefing(res, out=tmp_path, formats=("html",))
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert 'id="chart-aar"' in text
    fig = plotting.plot_aar(res)
    caption = fig.layout.annotations[-1].text.replace("<br>", " ")
    assert "t_cross test per day" in caption
    t = res.tests
    p = t[(t.test == "t_cross") & (t.measure == "AR")].set_index("rel_day")["pvalue"]
    np.testing.assert_array_equal(
        np.asarray(fig.data[0].customdata, dtype=float), p.reindex(res.aar.index).to_numpy()
    )
    assert "t_cross p-value" in plotting.plot_heatmap(res, by="symbol").layout.annotations[-1].text


def _footer(text: str) -> str:
    return text.split("<h2>Methodology</h2>")[1]


def test_methodology_states_the_rule_cutoff_and_model(prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "symbol": ["600519.SH", "000858.SZ", "600036.SH"],
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31"],
        }
    )
    adj = run_event_study(ev, prices=prices, market="000300.SH", model="market_adjusted")
    files = briefing(adj, out=tmp_path / "a", formats=("html",), rule="previous", cutoff="11:30")
    foot = _footer(files.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert "rule <code>previous</code>" in foot
    assert "15:00" not in foot
    assert "next session" not in foot
    assert "Mikkelson" not in foot  # the correction is the market model's, not this model's
    assert "no prediction-error term" in foot
    assert "<tr><td>day0 rule</td><td>previous</td></tr>" in foot
    assert "<tr><td>day0 cutoff</td><td>11:30</td></tr>" in foot
    mm = run_event_study(ev, prices=prices, market="000300.SH", model="market")
    files = briefing(mm, out=tmp_path / "m", formats=("html",), rule="next", cutoff="14:00")
    foot = _footer(files.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert "before the 14:00 cutoff" in foot
    assert "Mikkelson–Partch" in foot
    assert "<b>Which test to read:</b> read corrado first" in foot  # study.headline, index
    files = briefing(mm, out=tmp_path / "n", formats=("html",))
    foot = _footer(files.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert "as supplied with the events" in foot


def test_proxies_are_labelled_everywhere(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """BK0896 (a proxy of six bundled liquor makers) is labelled in every chart and table."""
    from eventstudy import plotting

    heat = plotting.plot_heatmap(result, by="name").data[0]
    assert "白酒 (proxy, 6 members)" in list(heat.y)
    assert "贵州茅台" in list(heat.y)  # a real series: no label
    kinds = plotting.plot_caar(result.by("kind"))
    names = [t.name for t in kinds.data if t.name.endswith("CAAR")]
    assert "board (proxy, 6 members, N=1) CAAR" in names
    assert "stock (N=4) CAAR" in names
    assert "(N=5, 1 proxy) CAAR" in plotting.plot_caar(result).data[-1].name
    ar = plotting.plot_aar(result).data[1]
    hover_e = [h for h in ar.hovertext if "event e" in h]
    assert hover_e
    assert all("BK0896 (proxy, 6 members)" in h for h in hover_e)
    assert not any("600519.SH (proxy" in h for h in ar.hovertext)
    car = plotting.plot_car_dist(result).data[0]
    assert "BK0896 (proxy, 6 members)" in car.hovertext[list(car.customdata).index("e")]
    files = briefing(result, out=tmp_path, formats=("csv",))
    ev = pd.read_csv(files.tables["events.csv"]).set_index("event_id")
    assert ev["is_proxy"].to_dict() == {"a": False, "b": False, "c": False, "d": False, "e": True}
    assert ev.loc["e", "proxy_members"] == 6
    assert ev["proxy_members"].drop("e").isna().all()
    res = pd.read_csv(files.tables["results.csv"])
    assert set(res.loc[res["is_proxy"], "event_id"]) == {"e"}
    prov = pd.read_csv(files.tables["provenance.csv"]).set_index("symbol")
    assert prov.loc["BK0896", "proxy_members"] == 6


def test_identical_proxies_in_one_article_are_noted(prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """BK0477 酿酒行业 and BK0896 白酒 are proxied by the same six stocks: said, not dropped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        px = get_prices(
            ["BK0477", "BK0896", "BK1029", "600519.SH", "000300.SH"],
            "2020-06-01",
            "2022-07-29",
            offline=True,
        )
    ev = pd.DataFrame(
        {
            "event_id": ["A1:BK0477", "A1:BK0896", "A1:600519.SH", "A2:BK0477", "A3:BK1029"],
            "symbol": ["BK0477", "BK0896", "600519.SH", "BK0477", "BK1029"],
            "day0": ["2022-01-10", "2022-01-10", "2022-01-10", "2022-05-31", "2022-05-31"],
            "article_id": ["A1", "A1", "A1", "A2", "A3"],
            "title": ["白酒板块走强", "白酒板块走强", "白酒板块走强", "酿酒", "汽车"],
            "name": ["酿酒行业", "白酒", "贵州茅台", "酿酒行业", "汽车整车"],
        }
    )
    res = run_event_study(ev, prices=px, market="000300.SH")
    assert len(res.car) == 5  # nothing dropped
    notes = duplicate_proxy_notes(res)
    assert len(notes) == 1  # A2 has one board only
    assert "BK0477 酿酒行业, BK0896 白酒" in notes[0]
    assert "the same 6 members" in notes[0]
    assert "白酒板块走强" in notes[0]
    files = briefing(res, out=tmp_path, formats=("html",), charts=("caar",))
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "Notes on the data" in text
    assert html.escape(notes[0]) in text
    assert "1-member proxy (BK1029)" in text


def test_cosmetics_axis_labels_provenance_and_grammar(result, prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy import plotting

    assert plotting.plot_heatmap(result, by="name").layout.yaxis.title.text == "Board / security"
    # a base-1000 proxy is not in index points
    long = (
        prices.data.rename_axis("date")
        .reset_index()
        .melt("date", var_name="symbol", value_name="close")
    )
    board = plotting.plot_event_price(long, "BK0896", "2022-01-10 11:33", proxy=True)
    assert board.layout.yaxis.title.text == "Proxy level (base 1000)"
    index = plotting.plot_event_price(long, "000300.SH", "2022-01-10 11:33", benchmark=None)
    assert index.layout.yaxis.title.text == "Level (index points)"
    # provenance: dates without 00:00:00, a word instead of an empty retrieval time
    files = briefing(result, out=tmp_path, formats=("html", "csv"))
    foot = files.html.read_text(encoding="utf-8").split("<h2>Methodology</h2>")[1]  # type: ignore[union-attr]
    prov = foot.split("Data provenance")[1].split("</table>")[0]
    assert "00:00:00" not in prov
    src = result.provenance
    for sym in ("600519.SH", "BK0896"):
        row = prov.split(f"<td>{sym}</td>")[1].split("</tr>")[0]
        assert f'<td class="d">{src.loc[sym, "first"].date()}</td>' in row
        assert f'<td class="d">{src.loc[sym, "last"].date()}</td>' in row
        assert pd.isna(src.loc[sym, "retrieved_at"])  # bundled: no retrieval time
        assert "<td>bundled snapshot</td>" in row
    assert "<td>NaT</td>" not in prov


def test_one_member_proxy_grammar(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        px = get_prices(["BK1029", "000300.SH"], "2020-06-01", "2022-07-29", offline=True)
    note = str(px.provenance.loc["BK1029", "note"])
    assert "index of 1 member (600104.SH)" in note  # the price layer's own wording
    ev = pd.DataFrame({"event_id": ["x"], "symbol": ["BK1029"], "day0": ["2022-05-31"]})
    res = run_event_study(ev, prices=px, market="000300.SH")
    files = briefing(res, out=tmp_path, formats=("html", "csv"), charts=("caar",))
    text = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "1 members" not in text
    assert "index of 1 member (600104.SH)" in text
    assert "1 members" not in files.tables["provenance.csv"].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "CHARTS",
        "FORMATS",
        "HEADLINE_TESTS",
        "TEST_NAMES",
        "BriefingFiles",
        "briefing",
        "duplicate_proxy_notes",
        "find_browser",
        "headline_table",
    ],
)
def test_reporting_is_a_deprecated_alias_of_report(name: str) -> None:
    import eventstudy.report

    old = importlib.import_module("eventstudy.reporting")
    with pytest.warns(DeprecationWarning, match=rf"eventstudy\.report\.{name}"):
        assert getattr(old, name) is getattr(eventstudy.report, name)
    with pytest.raises(AttributeError, match="no_such_name"):
        old.no_such_name  # noqa: B018


def test_top_level_briefing_is_the_report_function() -> None:
    import eventstudy.report

    assert eventstudy.briefing is eventstudy.report.briefing


def test_options_are_the_literals() -> None:
    from typing import get_args

    from eventstudy._typing import BriefingChart, BriefingFormat
    from eventstudy.report import CHARTS, DEFAULT_FORMATS, FORMATS

    assert get_args(BriefingFormat) == FORMATS
    assert get_args(BriefingChart) == CHARTS
    assert set(DEFAULT_FORMATS) <= set(FORMATS)


def test_different_proxies_in_one_article_are_not_noted() -> None:
    """Identical series are found by their data: two proxies of other members differ."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        px = get_prices(["BK0896", "BK1029", "000300.SH"], "2020-06-01", "2022-07-29", offline=True)
    ev = pd.DataFrame(
        {
            "event_id": ["A1:BK0896", "A1:BK1029"],
            "symbol": ["BK0896", "BK1029"],
            "day0": ["2022-05-31", "2022-05-31"],
        }
    )
    res = run_event_study(ev, prices=px, market="000300.SH")
    assert res.provenance.loc[["BK0896", "BK1029"], "is_proxy"].tolist() == [True, True]
    assert len(res.car) == 2
    assert duplicate_proxy_notes(res) == []


def test_methodology_states_the_estimation_window_data_and_survivorship(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.market.bundled import SURVIVORSHIP
    from eventstudy.report import methodology_notes

    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "symbol": ["600519.SH", "002456.SZ", "002013.SZ"],
            "day0": ["2022-01-10", "2022-01-10", "2022-01-10"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_event_study(ev, market="000300.SH", source="bundled",
                              estimation_window=(-90, -11), min_estimation_obs=70)  # fmt: skip
    notes = methodology_notes(res)
    assert notes[0].startswith("Estimation window (-90, -11) relative to day 0 (80 sessions)")
    assert "at least 70 returns" in notes[0]
    assert "WRDS" in notes[0]  # not the package default: the default is named with it
    data = " ".join(notes)
    assert "2 series from the long history (prices.parquet" in data  # 600519.SH, 000300.SH
    assert "1 series from the whole-market extract (a_shares_2021_2022.parquet" in data
    # sessions from 2021-07-27 to the day before day 0, counted on the CSI 300's history
    csi = sample_prices(["000300.SH"])["date"]
    n = int(((csi >= "2021-07-27") & (csi < "2022-01-10")).sum())
    assert n == 111
    assert f"The extract starts on 2021-07-27, {n} sessions before the earliest day 0" in data
    assert notes[-1] == SURVIVORSHIP + " Here: 1 event(s)."
    files = briefing(res, out=tmp_path, formats=("html",))
    foot = _footer(files.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert "<b>Estimation and data:</b> Estimation window (-90, -11)" in foot
    assert html.escape(SURVIVORSHIP) in foot
    # returns given (no bundled provenance, nothing delisted): the window only
    plain = run_event_study(ev.iloc[:1], returns=res_returns(), market="000300.SH")
    assert methodology_notes(plain) == [
        "Estimation window (-250, -11) relative to day 0 (240 sessions); an event needs at "
        "least 100 returns in it, else it is dropped (insufficient_estimation)."
    ]


def res_returns() -> pd.DataFrame:
    """Daily returns of 600519.SH and the CSI 300 from the long history, as a plain frame."""
    px = sample_prices(["600519.SH", "000300.SH"])
    wide = px.pivot(index="date", columns="symbol", values="close").loc["2020-06-01":"2022-06-30"]
    return wide.pct_change().iloc[1:]


# ----------------------------------------------------------------------------- cosmetics (13/22)
def _page(result, tmp_path, **kw) -> str:  # type: ignore[no-untyped-def]
    files = briefing(result, out=tmp_path, formats=("html",), **kw)
    assert files.html is not None
    return files.html.read_text(encoding="utf-8")


def test_headline_headers_are_display_labels_right_aligned_over_numbers(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.report import HEADLINE_LABELS

    text = _page(result, tmp_path)
    table = text.split("<h2>CAAR by window</h2>")[1].split("</table>")[0]
    head = re.findall(r"<th( class=\"n\")?>([^<]*)</th>", table)
    assert head == [
        ("", "Window"),
        (' class="n"', "CAAR"),
        (' class="n"', "N"),
        (' class="n"', "p (t)"),
        (' class="n"', "p (KP-BMP)"),
        (' class="n"', "p (Corrado)"),
    ]
    assert [label for _, label in head] == [HEADLINE_LABELS[c] for c in headline_table(result)]
    for raw in ("caar", "p_t_cross", "p_kp_bmp"):
        assert f">{raw}<" not in text
        assert f"({raw})" not in text  # nor in the note under the table
    assert "th.n{text-align:right;}" in text
    tests = text.split("<h2>Tests</h2>")[1].split("</thead>")[0]
    assert tests.count('<th class="n">') == len(result.car.columns)


def test_briefing_of_a_volatility_study_no_headline_and_own_units(prices, result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Volatility CAARs are variance ratios, not percentages; no "which test to read"."""
    vol = run_event_study(result.events, prices=prices, market="000300.SH", measure="volatility")
    text = _page(vol, tmp_path)
    assert "Which test to read" not in text
    assert "measure volatility,\nmodel market against" in text
    table = text.split("<h2>CAAR by window</h2>")[1].split("</table>")[0]
    assert "CAAR (abnormal variance U - 1)" in table
    caar = float(vol.caar["[-1,1]"])
    assert f"{caar:+.4f}" in table
    assert f"{caar:+.2%}" not in table
    top = text.split("<h2>Top events")[1].split("</table>")[0]
    assert "%" not in top.split("</thead>")[1]
    cards = text.split('<div class="cards"')[1].split("</div></div></div>")[0]
    assert "CAAR (abnormal variance U - 1)" in cards


def test_cards_fill_one_row_without_an_orphan(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = _page(result, tmp_path)
    grid = re.search(r'<div class="cards" style="--cards:(\d+)">(.*?)</div>\s*\n', text, re.S)
    assert grid is not None
    assert int(grid.group(1)) == grid.group(2).count('<div class="card">') == 5
    assert "grid-template-columns:repeat(var(--cards,4),minmax(0,1fr))" in text


def test_each_provenance_note_appears_once(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = _page(result, tmp_path)
    foot = _footer(text)
    notes = result.provenance["note"].dropna().astype(str).unique()
    assert len(result.provenance) > len(notes) >= 1  # several series share a note
    for note in notes:
        assert foot.count(html.escape(note)) == 1, note
    table = foot.split("<b>Data provenance</b>")[1].split("</table>")[0]
    assert table.count("[1]") == int((result.provenance["note"] == notes[0]).sum())
    assert "<th>Series</th>" in table
    assert '<th class="n">Members</th>' in table


def test_quotes_around_chinese_titles_are_cjk_quote_marks(prices) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["x1", "x2"],
            "symbol": ["BK0896", "BK0477"],
            "day0": ["2022-01-10"] * 2,
            "title": ["工信部：白酒产品"] * 2,
            "article_id": ["A9"] * 2,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        px = get_prices(["BK0896", "BK0477", "000300.SH"], "2020-06-01", "2022-07-29", offline=True)
        res = run_event_study(ev, prices=px, market="000300.SH")
    (note,) = duplicate_proxy_notes(res)
    assert "“工信部：白酒产品”" in note
    assert "'" not in note


def test_lighter_page_shares_one_plotly_js_beside_it(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.report.html import PLOTLY_JS_FILE

    inline = _page(result, tmp_path / "inline")
    shared = _page(result, tmp_path / "shared", plotlyjs="shared")
    js = tmp_path / "shared" / PLOTLY_JS_FILE
    assert js.is_file()
    assert not (tmp_path / "inline" / PLOTLY_JS_FILE).exists()
    assert f'<script src="{PLOTLY_JS_FILE}"></script>' in shared
    assert len(shared) < len(inline) - 3_000_000  # the page without plotly.js
    assert len(shared) + js.stat().st_size >= len(inline) - 10_000
    assert "https://" not in shared.split("<main>")[0]  # still offline: a local file
    stamp = js.stat().st_mtime_ns
    _page(result, tmp_path / "shared", plotlyjs="shared")
    assert js.stat().st_mtime_ns == stamp  # written once per folder
    with pytest.raises(ValueError, match="plotlyjs='cdn'"):
        _page(result, tmp_path / "bad", plotlyjs="cdn")


def test_briefing_says_how_many_events_share_security_and_day0(prices, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["a1", "a2", "b1"],
            "symbol": ["600519.SH", "600519.SH", "000858.SZ"],
            "day0": ["2022-05-31"] * 3,
            "title": ["茅台一", "茅台二", "五粮液"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = run_event_study(ev, prices=prices, market="000300.SH")
        first = run_event_study(ev, prices=prices, market="000300.SH", duplicates="first")
    notes = _page(kept, tmp_path / "keep").split('<div class="notes">')[1].split("</div>")[0]
    assert "2 events name the same security on the same day 0 as another event (1 " in notes
    assert '<div class="notes">' not in _page(first, tmp_path / "first").split("<h2>")[0]


def test_briefing_leads_with_the_headline_rule_and_no_na_columns(prices, result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Volatility/volume: no lead p-value by benchmark; no column for a test not run/applying."""
    vol = run_event_study(result.events, prices=prices, market="000300.SH", measure="volatility")
    cards = _page(vol, tmp_path).split('<div class="cards"')[1].split("\n")[0]
    assert "Kolari" not in cards
    assert "Corrado" not in cards
    assert "n/a" not in cards
    head = headline_table(vol)
    for c in [c for c in head.columns if c.startswith("p_")]:
        assert head[c].notna().any(), c
    only_t = run_event_study(result.events, prices=prices, market="000300.SH", tests=["t_cross"])
    assert [c for c in headline_table(only_t).columns if c.startswith("p_")] == ["p_t_cross"]
    assert (
        "p (KP-BMP)"
        not in _page(only_t, tmp_path).split("<h2>Charts</h2>")[0].split("CAAR by window")[1]
    )


def test_briefing_of_a_volume_study_says_where_the_market_volume_came_from(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.study.conftest import make_events, synthetic

    rets = synthetic(400, 6, 1)
    rng = np.random.default_rng(11)
    vol = pd.DataFrame(rng.lognormal(12, 0.5, rets.shape), index=rets.index, columns=rets.columns)
    res = run_event_study(make_events(rets), volumes=vol, market="M", measure="volume")
    assert res.market_volume is not None
    assert res.market_volume.startswith("market volume 'M': its own log volume")
    notes = _page(res, tmp_path).split('<div class="notes">')[1].split("</div>")[0]
    assert html.escape(
        res.market_volume, quote=False
    ) in notes or res.market_volume in html.unescape(notes)
