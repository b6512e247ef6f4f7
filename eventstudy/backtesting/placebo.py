"""Significance by randomisation: the strategy re-run on random (placebo) dates.

For every traded event, each run draws a placebo day 0 uniformly from the
sessions on which the event's symbol has a close, within ``window`` sessions
of the real events' day-0 span; the direction, weight, hold and every trading
rule stay as in the real run. All runs are simulated at once (one vectorised
call over ``runs × events`` trades).

Examples
--------
>>> import pandas as pd
>>> from eventstudy.backtesting.engine import Rules
>>> from eventstudy.backtesting.panel import PricePanel
>>> close = pd.DataFrame({"600519.SH": np.linspace(10, 12, 40)},
...                      index=pd.bdate_range("2022-01-03", periods=40))
>>> panel = PricePanel.from_wide({"close": close})
>>> pt = placebo_test(panel, np.array([0]), np.array([20]), np.array([1]), np.array([1.0]),
...                   np.array([0.05]), Rules(hold=2), runs=20, seed=3, window=10)
>>> pt.runs, bool((pt.values > 0).all()), pt.share_beating
(20, True, 0.0)
"""

from __future__ import annotations

import math

import numpy as np

from eventstudy._typing import FloatArray
from eventstudy.backtesting.engine import Rules, simulate_trades
from eventstudy.backtesting.panel import PricePanel
from eventstudy.backtesting.result import PlaceboTest

__all__ = ["placebo_test"]


def _weighted_mean(net: FloatArray, weight: FloatArray, ok: np.ndarray) -> float:
    w = np.where(ok, weight, 0.0)
    s = w.sum()
    return float(np.sum(np.where(ok, net, 0.0) * w) / s) if s > 0 else math.nan


def placebo_test(
    panel: PricePanel,
    cols: np.ndarray,
    day0_rows: np.ndarray,
    direction: np.ndarray,
    weight: FloatArray,
    real_net: FloatArray,
    rules: Rules,
    *,
    runs: int,
    seed: int | None,
    window: int,
) -> PlaceboTest:
    """Run ``runs`` placebo backtests of the traded events and compare with the real one.

    Parameters
    ----------
    panel, rules
        Prices and trading rules of the real run.
    cols, day0_rows, direction, weight
        The traded events (column in the panel, real day-0 row, ±1, weight).
    real_net
        The real net trade returns of those events.
    runs, seed
        Number of runs and the random seed.
    window
        Sessions on each side of the real day-0 span to draw from.

    Returns
    -------
    PlaceboTest
    """
    real = _weighted_mean(real_net, weight, ~np.isnan(real_net))
    k = len(cols)
    if k == 0 or runs == 0:
        return PlaceboTest(real, np.full(runs, np.nan), runs, seed, window, math.nan, math.nan, 0.0)
    n_rows = len(panel.dates)
    lo = max(0, int(day0_rows.min()) - window)
    hi = min(n_rows - 1, int(day0_rows.max()) + window)
    rng = np.random.default_rng(seed)
    draws = np.full((runs, k), -1, dtype=np.int64)
    for c in np.unique(cols):  # one pool per symbol, drawn for all its events at once
        pool = lo + np.flatnonzero(~np.isnan(panel.close[lo : hi + 1, c]))
        which = np.flatnonzero(cols == c)
        if len(pool):
            draws[:, which] = pool[rng.integers(0, len(pool), size=(runs, len(which)))]
    flat_cols = np.tile(cols, runs)
    tr = simulate_trades(panel, flat_cols, draws.ravel(), np.tile(direction, runs), rules)
    ok = tr.filled.reshape(runs, k)
    net = np.where(ok, tr.net.reshape(runs, k), 0.0)
    w = np.where(ok, np.broadcast_to(weight, (runs, k)), 0.0)
    wsum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(wsum > 0, (net * w).sum(axis=1) / wsum, np.nan)
    valid = values[~np.isnan(values)]
    if len(valid) == 0 or math.isnan(real):
        share, p = math.nan, math.nan
    else:
        share = float(np.mean(valid > real))
        p = float((1 + np.sum(valid >= real)) / (1 + len(valid)))
    return PlaceboTest(
        statistic=real,
        values=values,
        runs=runs,
        seed=seed,
        window=window,
        share_beating=share,
        pvalue=p,
        mean_filled=float(ok.sum(axis=1).mean()),
    )
