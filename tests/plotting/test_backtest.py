"""Backtest figures: the traces equal the result's equity curves and placebo runs."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd
import pytest

from eventstudy import plotting
from eventstudy._typing import BacktestPlotKind
from eventstudy.backtesting import backtest
from eventstudy.datasets import sample_prices
from eventstudy.exceptions import ConfigError

EVENTS = pd.DataFrame(
    {
        "event_id": ["a", "b", "c"],
        "symbol": ["600519.SH", "000858.SZ", "600036.SH"],
        "day0": ["2022-01-10", "2022-01-10", "2022-05-31"],
    }
)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return sample_prices(["600519.SH", "000858.SZ", "600036.SH", "000300.SH"])


def test_equity_traces_equal_the_equity_curves(prices) -> None:  # type: ignore[no-untyped-def]
    res = backtest(EVENTS, prices=prices, hold=3, placebo=0)
    fig = plotting.plot_equity(res)
    strategy, bench = fig.data
    assert list(pd.DatetimeIndex(strategy.x)) == list(res.equity.index)
    np.testing.assert_array_equal(np.asarray(strategy.y, dtype=float), res.equity["strategy"])
    np.testing.assert_array_equal(np.asarray(bench.y, dtype=float), res.equity["benchmark"])
    assert bench.name == "benchmark 000300.SH"
    assert fig.layout.template == plotting.template()


def test_placebo_histogram_holds_every_run_and_marks_the_real_value(prices) -> None:  # type: ignore[no-untyped-def]
    res = backtest(EVENTS, prices=prices, hold=3, placebo=25, seed=7, placebo_statistic="excess")
    assert res.placebo is not None
    fig = plotting.plot_placebo(res)
    np.testing.assert_array_equal(np.asarray(fig.data[0].x, dtype=float), res.placebo.values)
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == pytest.approx(res.placebo.statistic)
    assert fig.layout.xaxis.title.text == res.placebo.statistic_label
    assert "excess" in res.placebo.statistic_label
    assert fig.layout.title.text.startswith("Weighted mean net excess return")
    assert fig.layout.xaxis.tickformat == ".1%"


def test_placebo_figure_needs_a_placebo_test(prices) -> None:  # type: ignore[no-untyped-def]
    res = backtest(EVENTS, prices=prices, hold=3, placebo=0)
    with pytest.raises(ConfigError, match="needs a placebo test"):
        plotting.plot_placebo(res)
    with pytest.raises(ConfigError, match="needs a placebo test"):
        res.plot("placebo")


def test_every_backtest_plot_kind_has_a_figure_and_plot_delegates(prices) -> None:  # type: ignore[no-untyped-def]
    assert set(plotting.BACKTEST_FIGURES) == set(get_args(BacktestPlotKind))
    res = backtest(EVENTS, prices=prices, hold=3, placebo=10, seed=1)
    for kind in get_args(BacktestPlotKind):
        fig = res.plot(kind)
        direct = plotting.BACKTEST_FIGURES[kind](res)
        assert fig.layout.title.text == direct.layout.title.text
        assert [t.type for t in fig.data] == [t.type for t in direct.data]
    with pytest.raises(ConfigError, match="'pie' is not one of"):
        res.plot("pie")  # type: ignore[arg-type]
