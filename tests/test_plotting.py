"""Figures: every trace's data equal the result's numbers (or the bundled prices)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import plotting
from eventstudy.datasets import sample_prices
from eventstudy.study import run_event_study

SYMBOLS = ["600519.SH", "000858.SZ", "000568.SZ", "600036.SH", "601398.SH"]
EVIL = "<script>window.__pwned=1</script>白酒"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    px = sample_prices([*SYMBOLS, "000300.SH"]).pivot(
        index="date", columns="symbol", values="close"
    )
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d", "e"],
            "symbol": SYMBOLS,
            "day0": ["2022-01-10", "2022-01-10", "2021-12-08", "2022-05-31", "2022-05-31"],
            "title": [EVIL, "五粮液公告", "泸州老窖", "招商银行业绩", "工商银行"],
            "publisher": ["证券时报网", "东方财富", "证券时报网", "中国证券报", "上海证券报"],
            "name": ["白酒", "白酒", "白酒", "银行", "银行"],
            "kind": "stock",
        }
    )
    return run_event_study(ev, prices=px, market="000300.SH")


def _by_name(fig, suffix):  # type: ignore[no-untyped-def]
    hits = [t for t in fig.data if t.name and t.name.endswith(suffix)]
    assert hits, [t.name for t in fig.data]
    return hits


def test_import_eventstudy_does_not_import_plotly() -> None:
    code = "import sys, eventstudy, eventstudy.plotting; print('plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_template_has_cjk_font_and_is_registered() -> None:
    import plotly.io as pio

    t = plotting.template()
    assert t.layout.font.family.startswith('"Noto Sans CJK SC"')
    assert pio.templates[plotting.TEMPLATE_NAME].layout.font.family == plotting.FONT_FAMILY
    assert plotting.plot_caar.__module__ == "eventstudy.plotting"


def test_caar_trace_equals_caar_path(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_caar(result)
    path = result.caar_path
    (line,) = _by_name(fig, "CAAR")
    assert list(line.x) == path.index.tolist()
    np.testing.assert_array_equal(np.asarray(line.y, dtype=float), path["caar"].to_numpy())
    upper = next(t for t in fig.data if t.name.endswith("upper 95%"))
    lower = next(t for t in fig.data if "confidence band" in t.name)
    np.testing.assert_array_equal(np.asarray(upper.y, dtype=float), path["upper"].to_numpy())
    np.testing.assert_array_equal(np.asarray(lower.y, dtype=float), path["lower"].to_numpy())
    assert lower.fill == "tonexty"
    # level in the legend, variance sentence in the caption
    assert "95%" in fig.layout.legend.title.text
    caption = fig.layout.annotations[-1].text.replace("<br>", " ")
    assert "t(n-1)" in caption
    assert "cross-sectional" in caption
    assert fig.layout.yaxis.tickformat == ".1%"
    assert "trading sessions" in fig.layout.xaxis.title.text


def test_caar_other_level_uses_t_quantiles(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_caar(result, level=0.90)
    path = result.caar_path
    q = stats.t.ppf(0.95, path["n"].to_numpy() - 1)
    upper = next(t for t in fig.data if t.name.endswith("upper 90%"))
    np.testing.assert_allclose(
        np.asarray(upper.y, dtype=float), path["caar"] + q * path["se"], rtol=1e-12
    )
    # the default level reproduces the engine's own band (independent check of the convention)
    q95 = stats.t.ppf(0.975, path["n"].to_numpy() - 1)
    np.testing.assert_allclose(path["upper"], path["caar"] + q95 * path["se"], rtol=1e-10)
    with pytest.raises(ValueError, match="between 0 and 1"):
        plotting.plot_caar(result, level=95)


def test_caar_several_groups_on_one_figure(result) -> None:  # type: ignore[no-untyped-def]
    groups = result.by("name")
    fig = plotting.plot_caar(groups)
    lines = _by_name(fig, "CAAR")
    assert len(lines) == 2
    assert len(fig.data) == 6
    for name, g in groups.items():
        (line,) = [t for t in lines if t.name.startswith(name)]
        assert f"N={len(g.car)}" in line.name
        np.testing.assert_array_equal(np.asarray(line.y, dtype=float), g.caar_path["caar"])
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_caar({})


def test_aar_bars_and_significance(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_aar(result, test="t_cross", alpha=0.05)
    bars = fig.data[0]
    assert bars.type == "bar"
    assert list(bars.x) == result.aar.index.tolist()
    np.testing.assert_array_equal(np.asarray(bars.y, dtype=float), result.aar.to_numpy())
    t = result.tests
    rows = t[(t.test == "t_cross") & (t.measure == "AR")].set_index("rel_day")["pvalue"]
    p = rows.reindex(result.aar.index).to_numpy(dtype=float)
    np.testing.assert_array_equal(np.asarray(bars.customdata, dtype=float), p)
    sig = [c == plotting.SIGNIFICANT_COLOR for c in bars.marker.color]
    assert sig == list(p < 0.05)
    assert any(sig), "the fixture has a day with p < 0.05 (day -1); the marking must show it"
    stars = ["***" if x < 0.01 else "**" if x < 0.05 else "*" if x < 0.1 else "" for x in p]
    points = fig.data[1]
    assert len(points.y) == int(result.ar.notna().sum().sum())
    # the stars: the last trace (drawn over the AR dots), one per day with p < 0.10, above
    # the day's bar and every AR dot of that day
    marks = fig.data[-1]
    assert marks.mode == "text"
    days = result.aar.index.to_numpy()
    starred = [d for d, st in zip(days, stars, strict=True) if st]
    assert starred, "the fixture has starred days"
    assert list(marks.x) == starred
    assert list(marks.text) == [st for st in stars if st]
    for x, y in zip(marks.x, marks.y, strict=True):
        assert y > max(result.aar[x], result.ar[x].max(), 0)
    # significant bars are outlined, the others not
    outlined = [c != "rgba(0,0,0,0)" for c in bars.marker.line.color]
    assert outlined == sig
    with pytest.raises(ValueError, match="known tests"):
        plotting.plot_aar(result, test="nope")


def test_car_distribution_hover_shows_escaped_titles(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_car_dist(result, window=(-1, 1))
    box = fig.data[0]
    np.testing.assert_array_equal(np.asarray(box.y, dtype=float), result.car["[-1,1]"].to_numpy())
    assert list(box.customdata) == result.car.index.tolist()
    first = box.hovertext[0]
    assert "&lt;script&gt;" in first
    assert "<script>" not in first
    assert "五粮液公告" in box.hovertext[1]
    assert plotting.plot_car_dist(result).data[0].name.endswith(result.car.columns[0])
    with pytest.raises(ValueError, match="CAR windows are"):
        plotting.plot_car_dist(result, window=(-9, 9))


def test_car_distribution_leaves_missing_out() -> None:
    class Fake:  # the attributes plot_car_dist reads, with a missing CAR
        car = pd.DataFrame({"[0,0]": [0.01, np.nan, -0.02]}, index=["x", "y", "z"])
        events = pd.DataFrame({"event_id": ["x", "y", "z"], "symbol": ["A", "B", "C"]})

    fig = plotting.plot_car_dist(Fake())  # type: ignore[arg-type]
    assert list(fig.data[0].y) == [0.01, -0.02]
    assert "1 event(s) without a CAR" in fig.layout.annotations[-1].text.replace("<br>", " ")


def test_heatmap_cells_equal_group_caar(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_heatmap(result, by="name")
    hm = fig.data[0]
    groups = result.by("name")
    assert list(hm.x) == result.car.columns.tolist()
    assert sorted(hm.y) == sorted(groups)
    for i, g in enumerate(hm.y):
        np.testing.assert_array_equal(np.asarray(hm.z[i], dtype=float), groups[g].caar.to_numpy())
    # cross-check with an independent computation: CAAR = mean of the group's CARs
    names = result.events.set_index("event_id")["name"]
    direct = result.car.groupby(names.reindex(result.car.index).to_numpy()).mean()
    for i, g in enumerate(hm.y):
        np.testing.assert_allclose(np.asarray(hm.z[i], dtype=float), direct.loc[g], rtol=1e-12)
    with pytest.raises(ValueError, match="not an event attribute"):
        plotting.plot_heatmap(result, by="board")


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return sample_prices(["600519.SH", "000300.SH"])


def test_event_price_candles_benchmark_and_marker(prices) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_event_price(
        prices, "600519.SH", "2022-01-10 11:33:36+08:00", title=EVIL, publisher="证券时报网"
    )
    candle, bench, marker = fig.data
    own = prices[prices.symbol == "600519.SH"].set_index("date")
    sessions = own.index[(own.index >= "2021-12-01") & (own.index <= "2022-02-28")]
    i0 = sessions.get_loc(pd.Timestamp("2022-01-10"))
    shown = sessions[i0 - 10 : i0 + 11]
    assert list(candle.x) == [str(d.date()) for d in shown]
    for col in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(np.asarray(getattr(candle, col)), own.loc[shown, col])
    csi = prices[prices.symbol == "000300.SH"].set_index("date")["close"]
    np.testing.assert_array_equal(np.asarray(bench.y), csi.loc[shown])
    assert bench.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y"
    assert candle.increasing.line.color == plotting.UP_COLOR  # red up (Chinese convention)
    # published 11:33, 123 of the 330 minutes from 09:30 to 15:00 into day 0 (position 10)
    assert marker.x[0] == pytest.approx(10 - 0.5 + 123 / 330)
    assert "&lt;script&gt;" in marker.hovertext[0]
    assert "证券时报网" in marker.hovertext[0]
    assert "<script>" not in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Price (CNY)"


def test_event_price_after_close_and_weekend(prices) -> None:  # type: ignore[no-untyped-def]
    after = plotting.plot_event_price(prices, "600519.SH", "2022-01-10 15:30", benchmark=None)
    # after the close → day 0 is the next session; the marker sits just before its candle
    assert after.data[0].x[10] == "2022-01-11"
    assert after.data[-1].x[0] == pytest.approx(9.5)
    weekend = plotting.plot_event_price(prices, "600519.SH", "2022-01-08 10:00", benchmark=None)
    assert weekend.data[0].x[10] == "2022-01-10"
    with pytest.raises(ValueError, match="outside the price history"):
        plotting.plot_event_price(prices, "600519.SH", "1990-01-01 10:00")


def test_event_price_close_only_panel_is_a_labelled_line() -> None:
    wide = sample_prices(["000858.SZ"]).pivot(index="date", columns="symbol", values="close")
    fig = plotting.plot_event_price(
        wide, "000858.SZ", "2022-01-10 10:00", benchmark=None, proxy=True, symbol_label="BK0896"
    )
    assert fig.data[0].type == "scatter"
    assert "(proxy)" in fig.data[0].name
    assert "proxy built from the board's constituents" in fig.layout.annotations[-1].text
    np.testing.assert_array_equal(
        np.asarray(fig.data[0].y), wide["000858.SZ"].loc["2021-12-24":"2022-01-24"].to_numpy()
    )


def test_escape_text() -> None:
    assert plotting.escape_text('a"<b>&') == "a&quot;&lt;b&gt;&amp;"
    assert plotting.escape_text(pd.NA) == ""


def test_event_price_follows_the_day0_rule(prices) -> None:  # type: ignore[no-untyped-def]
    # Saturday 2022-01-08 with rule 'previous': day 0 is Friday 2022-01-07, news after its candle
    fig = plotting.plot_event_price(
        prices, "600519.SH", "2022-01-08 10:00", benchmark=None, rule="previous"
    )
    assert fig.data[0].x[10] == "2022-01-07"
    assert fig.data[-1].x[0] == pytest.approx(10.5)
    # cutoff 11:30 with rule 'next': 13:00 goes to the next session, marker before its candle
    fig = plotting.plot_event_price(prices, "600519.SH", "2022-01-10 13:00", cutoff="11:30")
    assert fig.data[0].x[10] == "2022-01-11"
    assert fig.data[-1].x[0] == pytest.approx(9.5)
    with pytest.raises(ValueError, match="strict"):
        plotting.plot_event_price(prices, "600519.SH", "2022-01-08 10:00", rule="strict")
