"""Study figures: every trace's data equal the result's numbers; result.plot dispatches."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import plotting
from eventstudy._typing import StudyPlotKind
from eventstudy.datasets import sample_prices
from eventstudy.exceptions import ConfigError
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
    fig = plotting.plot_heatmap(result, by="name", min_n=1)  # groups of 2: colour them all
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


def test_pick_window_by_tuple_label_or_default(result) -> None:  # type: ignore[no-untyped-def]
    for window, label in zip(result.windows, result.car.columns, strict=True):
        assert plotting.pick_window(result, window) == label
        assert plotting.pick_window(result, label) == label
    assert plotting.pick_window(result) == result.car.columns[0]
    with pytest.raises(ValueError, match=r"window \(-9, 9\) is not in the result"):
        plotting.pick_window(result, (-9, 9))
    with pytest.raises(ValueError, match="CAR windows are"):
        plotting.pick_window(result, "[-9,9]")


def test_every_study_plot_kind_has_a_figure() -> None:
    assert set(plotting.STUDY_FIGURES) == set(get_args(StudyPlotKind))


@pytest.mark.parametrize("kind", get_args(StudyPlotKind))
def test_result_plot_delegates_to_the_figure_function(result, kind) -> None:  # type: ignore[no-untyped-def]
    fig = result.plot(kind, title="<b>x</b>")
    direct = plotting.STUDY_FIGURES[kind](result, title="<b>x</b>")
    assert fig.layout.title.text == "&lt;b&gt;x&lt;/b&gt;"
    assert [t.type for t in fig.data] == [t.type for t in direct.data]
    assert [t.name for t in fig.data] == [t.name for t in direct.data]


def test_result_plot_passes_options_and_rejects_unknown_kinds(result) -> None:  # type: ignore[no-untyped-def]
    fig = result.plot("car_dist", window=(0, 5))
    np.testing.assert_array_equal(
        np.asarray(fig.data[0].y, dtype=float), result.car["[0,5]"].dropna().to_numpy()
    )
    with pytest.raises(ConfigError, match="'pie' is not one of"):
        result.plot("pie")  # type: ignore[arg-type]


def test_car_distribution_of_bhar_and_bad_measure(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_car_dist(result, window=(-1, 1), measure="bhar")
    np.testing.assert_array_equal(
        np.asarray(fig.data[0].y, dtype=float), result.bhar["[-1,1]"].dropna().to_numpy()
    )
    with pytest.raises(ValueError, match=r"measure='sar'.*\['car', 'bhar'\]"):
        plotting.plot_car_dist(result, measure="sar")  # type: ignore[arg-type]


def test_heatmap_cells_below_the_minimum_n_have_no_colour_and_no_stars(result) -> None:  # type: ignore[no-untyped-def]
    groups = result.by("name")
    sizes = {g: len(r.car) for g, r in groups.items()}
    assert max(sizes.values()) < 5
    fig = plotting.plot_heatmap(result, by="name", test="t_cross")
    assert plotting.HEATMAP_MIN_N == 5
    hm = fig.data[0]
    assert np.isnan(np.asarray(hm.z, dtype=float)).all()  # no colour
    for i, g in enumerate(hm.y):
        # the CAAR stays readable (text and customdata), without stars or a p-value
        np.testing.assert_array_equal(np.asarray(hm.customdata[i], dtype=float), groups[g].caar)
        for cell in hm.text[i]:
            assert "*" not in cell
            assert "p=" not in cell
            assert cell.endswith(f"N={sizes[g]}")
    # with the minimum lowered the same cells are coloured and may carry stars
    low = plotting.plot_heatmap(result, by="name", test="t_cross", min_n=1).data[0]
    assert np.isfinite(np.asarray(low.z, dtype=float)).all()
    assert all("p=" in cell for row in low.text for cell in row)
    assert "fewer than 5 events" in fig.layout.annotations[-1].text.replace("<br>", " ")


def test_legends_sit_above_the_plot_horizontally(result) -> None:  # type: ignore[no-untyped-def]
    figs = [
        plotting.plot_caar(result),
        plotting.plot_caar(result.by("name")),
        plotting.plot_aar(result),
        plotting.plot_heatmap(result, by="name"),
    ]
    for fig in figs:
        legend = fig.layout.legend
        tmpl = fig.layout.template.layout.legend
        assert (legend.orientation or tmpl.orientation) == "h"
        assert (legend.x if legend.x is not None else tmpl.x) == 0
        assert (legend.yanchor or tmpl.yanchor) == "bottom"
        assert fig.layout.width is None  # fills the page's column (PNG: 900 px)
        assert fig.layout.template.layout.width is None


def test_several_groups_draw_dotted_bands_not_overlapping_shades(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_caar(result.by("name"))
    assert [t.fill for t in fig.data if t.fill not in (None, "none")] == []
    edges = [t for t in fig.data if "confidence band" in t.name or " upper " in t.name]
    assert len(edges) == 4
    assert {t.line.dash for t in edges} == {"dot"}
    assert fig.layout.legend.title.text.startswith("Dotted")
    assert plotting.plot_caar(result).data[1].fill == "tonexty"  # one group: shaded


def test_aar_legend_has_one_swatch_per_bar_colour_and_no_text_glyph(result) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_aar(result, test="t_cross", alpha=0.05)
    shown = [t for t in fig.data if t.showlegend is not False]
    assert [t.type for t in shown] == ["scatter", "bar", "bar"]
    swatches = {t.name: t.marker.color for t in shown if t.type == "bar"}
    assert swatches == {
        "AAR, t_cross p < 0.05": plotting.SIGNIFICANT_COLOR,
        "AAR, t_cross p ≥ 0.05": plotting.INSIGNIFICANT_COLOR,
    }
    assert fig.data[0].showlegend is False  # the two-coloured bars themselves
    assert all(getattr(t, "mode", None) != "text" for t in shown)
