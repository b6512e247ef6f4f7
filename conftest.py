"""Fixtures shared by the tests and by the doctests of the package (not shipped with it).

Doctests find in their namespace, and tests as fixtures of the same names (the objects):

``example_result()``
    A small real event study (four events on bundled stocks against the CSI 300,
    two boards named in ``events["name"]``), built once on first use.
``example_backtest()``
    A small real backtest (two events on bundled stocks, five-session holds,
    20 placebo runs, seed 1), built once on first use.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from eventstudy.backtesting import BacktestResult
    from eventstudy.study import EventStudyResult


@functools.cache
def example_result() -> EventStudyResult:
    """Four events on bundled stocks (two liquor makers, two banks), market model vs 000300.SH."""
    import pandas as pd

    from eventstudy.datasets import sample_prices
    from eventstudy.study import run_event_study

    symbols = ["600519.SH", "000858.SZ", "600036.SH", "601398.SH"]
    px = sample_prices([*symbols, "000300.SH"]).pivot(
        index="date", columns="symbol", values="close"
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "symbol": symbols,
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31", "2022-05-31"],
            "title": ["白酒板块走强", "五粮液公告", "招商银行业绩", "工商银行"],
            "name": ["白酒", "白酒", "银行", "银行"],
        }
    )
    return run_event_study(events, prices=px, market="000300.SH")


@functools.cache
def example_backtest() -> BacktestResult:
    """Long 600519.SH on 2022-01-10 and 000858.SZ on 2022-05-31 for five sessions vs 000300.SH."""
    import pandas as pd

    from eventstudy.backtesting import backtest
    from eventstudy.datasets import sample_prices

    events = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "symbol": ["600519.SH", "000858.SZ"],
            "day0": ["2022-01-10", "2022-05-31"],
        }
    )
    prices = sample_prices(["600519.SH", "000858.SZ", "000300.SH"])
    return backtest(events, prices=prices, hold=5, placebo=20, seed=1)


@pytest.fixture(autouse=True, scope="session")
def _doctest_fixtures(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["example_result"] = example_result
    doctest_namespace["example_backtest"] = example_backtest


@pytest.fixture(name="example_result")
def _example_result_fixture() -> EventStudyResult:
    return example_result()


@pytest.fixture(name="example_backtest")
def _example_backtest_fixture() -> BacktestResult:
    return example_backtest()
