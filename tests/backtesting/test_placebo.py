"""The placebo (randomisation) test: clustered day 0s, the draw span, its size, `excess`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.exceptions import ConfigError


def _market_panel(n: int = 400, n_sym: int = 15, seed: int = 0) -> pd.DataFrame:
    """Closes of ``n_sym`` stocks driven by one strong common factor (+ small noise)."""
    rng = np.random.default_rng(seed)
    market = rng.normal(0, 0.015, size=(n, 1))
    rets = market + rng.normal(0, 0.003, size=(n, n_sym))
    days = pd.bdate_range("2019-01-02", periods=n)
    syms = [f"6000{i:02d}.SH" for i in range(n_sym)]
    return pd.DataFrame(100 * np.cumprod(1 + rets, axis=0), index=days, columns=syms)


def _identical_panel(n: int = 120) -> pd.DataFrame:
    """Five stocks with identical prices: a trade's return depends on its date only."""
    rng = np.random.default_rng(3)
    path = 100 * np.cumprod(1 + rng.normal(0, 0.02, n))
    days = pd.bdate_range("2021-01-04", periods=n)
    return pd.DataFrame({f"60000{i}.SH": path for i in range(5)}, index=days)


def test_events_sharing_a_day0_move_together_in_each_placebo_run() -> None:
    close = _identical_panel()
    ev = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(5)], "symbol": list(close.columns),
         "day0": close.index[60]}
    )  # fmt: skip
    res = backtest(ev, prices={"close": close}, hold=2, placebo=200, seed=1,
                   placebo_window=40, benchmark="600000.SH")  # fmt: skip
    pl = res.placebo
    assert pl is not None
    # one placebo date per run for the one real day 0, shared by the five events
    assert pl.days.shape == (200, 1)
    single = close.shift(-2) / close - 1  # the hold-2 return of a trade entered on each date
    for value, day in zip(pl.values, pl.days[:, 0], strict=True):
        assert value == pytest.approx(single.loc[day].iloc[0], rel=1e-12)
    # independent draws would average five dates: a far narrower placebo distribution
    assert np.nanstd(pl.values) > 0.6 * np.nanstd(single.iloc[20:100, 0])


def test_default_placebo_dates_lie_within_the_span_of_the_real_day0s() -> None:
    close = _market_panel()
    ev = pd.DataFrame(
        {"event_id": ["a", "b", "c"], "symbol": ["600000.SH", "600001.SH", "600002.SH"],
         "day0": [close.index[150], close.index[180], close.index[220]]}
    )  # fmt: skip
    res = backtest(ev, prices={"close": close}, hold=3, placebo=300, seed=0,
                   benchmark="600014.SH")  # fmt: skip
    pl = res.placebo
    assert pl is not None
    assert pl.window == 0
    days = pd.DatetimeIndex(pl.days.ravel())
    assert days.min() >= close.index[150]
    assert days.max() <= close.index[220]
    assert (pl.first_day, pl.last_day) == (close.index[150], close.index[220])
    # three distinct real days → three distinct placebo days per run
    assert all(len(set(row)) == 3 for row in pl.days)
    wide = backtest(ev, prices={"close": close}, hold=3, placebo=300, seed=0,
                    benchmark="600014.SH", placebo_window=100)  # fmt: skip
    assert wide.placebo is not None
    assert pd.DatetimeIndex(wide.placebo.days.ravel()).min() < close.index[150]


def test_placebo_size_with_clustered_random_dates() -> None:
    """Real dates drawn at random (no news effect): each tail rejects about 5 %.

    4 dates x 15 stocks under a strong common factor: independent placebo draws gave
    about 19 % per tail (the reviewer's simulation); moving each day's events together
    restores the size. 150 replications: 5 % has a standard error of 1.8 %.
    """
    close = _market_panel(n=300, seed=5)
    rng = np.random.default_rng(11)
    syms = list(close.columns)
    p = []
    for _ in range(150):
        dates = rng.choice(close.index[20:280], size=4, replace=False)
        ev = pd.DataFrame(
            {"event_id": [f"e{i}" for i in range(60)], "symbol": syms * 4,
             "day0": np.repeat(dates, 15)}
        )  # fmt: skip
        seed = int(rng.integers(1 << 30))
        res = backtest(ev, prices={"close": close}, hold=5, placebo=99, seed=seed,
                       benchmark="600000.SH")  # fmt: skip
        assert res.placebo is not None
        p.append(res.placebo.pvalue)
    p_arr = np.array(p)
    assert np.mean(p_arr < 0.05) < 0.12
    assert np.mean(p_arr > 0.95) < 0.12


def test_excess_statistic_subtracts_the_benchmark_over_the_same_sessions() -> None:
    close = _market_panel(n=80)
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["600001.SH", "600002.SH"],
         "day0": [close.index[30], close.index[40]], "score": [1.0, -3.0]}
    )  # fmt: skip
    res = backtest(ev, prices={"close": close}, hold=4, placebo=50, seed=2, costs_bps=10,
                   direction="sign_of_score", weights="abs_score", benchmark="600000.SH",
                   placebo_statistic="excess")  # fmt: skip
    b = close["600000.SH"]
    t = res.trades.set_index("event_id")
    bench_a = b.iloc[34] / b.iloc[30] - 1
    bench_b = b.iloc[44] / b.iloc[40] - 1
    assert t.loc["a", "return_excess"] == pytest.approx(t.loc["a", "return_net"] - bench_a)
    assert t.loc["b", "return_excess"] == pytest.approx(t.loc["b", "return_net"] + bench_b)
    pl = res.placebo
    assert pl is not None
    assert pl.statistic_name == "excess"
    expected = (1 * t.loc["a", "return_excess"] + 3 * t.loc["b", "return_excess"]) / 4
    assert pl.statistic == pytest.approx(expected)
    with pytest.raises(ConfigError, match="placebo_statistic"):
        backtest(ev, prices={"close": close}, placebo=5, placebo_statistic="alpha")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="benchmark"):
        backtest(ev, prices={"close": close}, placebo=5, placebo_statistic="excess",
                 benchmark="000300.SH")  # fmt: skip


def test_a_single_day_pool_is_flagged_in_the_notes() -> None:
    close = _identical_panel()
    ev = pd.DataFrame({"event_id": ["a", "b"], "symbol": list(close.columns[:2]),
                       "day0": close.index[60]})  # fmt: skip
    res = backtest(ev, prices={"close": close}, hold=2, placebo=20, benchmark="600000.SH")
    assert any("placebo" in n and "placebo_window" in n for n in res.notes)
