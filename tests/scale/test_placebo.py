"""Placebo replications on the workers: the local result for the same seed, however chunked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.datasets import sample_prices
from eventstudy.study import placebo as placebo_mod
from eventstudy.study import run_event_study

SYMS = ["600519.SH", "000858.SZ", "600036.SH", "601398.SH", "000002.SZ", "601318.SH"]


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    return sample_prices([*SYMS, "000300.SH"]).pivot(index="date", columns="symbol",
                                                     values="close")  # fmt: skip


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    days = ["2022-01-10", "2022-01-10", "2022-03-15", "2022-05-31", "2022-07-01", "2022-09-05"]
    return pd.DataFrame({"event_id": [f"e{i}" for i in range(6)], "symbol": SYMS, "day0": days})


def test_study_placebo_same_on_the_workers(client, closes, events, monkeypatch) -> None:
    res = run_event_study(events, prices=closes)
    local = res.placebo(n=24, seed=11)
    remote = res.placebo(n=24, seed=11, engine="dask", client=client)
    pd.testing.assert_frame_equal(local.values, remote.values, check_exact=True)
    pd.testing.assert_series_equal(local.pvalue, remote.pvalue, check_exact=True)
    assert (local.days == remote.days).all()
    monkeypatch.setattr(placebo_mod, "_CHUNK_EVENTS", 6 * 5)  # 5 replications per chunk
    chunked = res.placebo(n=24, seed=11, engine="dask", client=client)
    pd.testing.assert_frame_equal(local.values, chunked.values, check_exact=True)
    assert not local.values.equals(res.placebo(n=24, seed=12).values)


def test_backtest_placebo_same_on_the_workers(client, closes, events) -> None:
    kw = {"prices": {"close": closes}, "hold": 3, "placebo": 40, "seed": 5}
    local = backtest(events, **kw)
    remote = backtest(events, **kw, engine="dask", client=client)
    assert local.placebo is not None
    assert remote.placebo is not None
    np.testing.assert_array_equal(local.placebo.values, remote.placebo.values)
    np.testing.assert_array_equal(local.placebo.days, remote.placebo.days)
    assert local.placebo.pvalue == remote.placebo.pvalue


def test_backtest_run_r_draws_from_seed_sequence_child_r(closes, events) -> None:
    """Run r's placebo days are drawn with default_rng(SeedSequence(seed).spawn(n)[r])."""
    from eventstudy.backtesting.placebo import draw_placebo_rows

    pl = backtest(events, prices={"close": closes}, hold=3, placebo=40, seed=5).placebo
    assert pl is not None
    dates = closes.index.values.astype("datetime64[ns]")
    first, last = pl.first_day.to_datetime64(), pl.last_day.to_datetime64()
    pool = np.flatnonzero((dates >= first) & (dates <= last))
    assert len(pool) == pl.pool_sessions  # every session of the span has prices
    children = np.random.SeedSequence(5).spawn(40)
    for r in (0, 17, 39):
        rows = draw_placebo_rows(pool, len(pl.real_days), np.random.default_rng(children[r]))
        np.testing.assert_array_equal(np.sort(pl.days[r]), np.sort(dates[rows]))
