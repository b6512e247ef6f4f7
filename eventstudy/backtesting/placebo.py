"""Significance by randomisation: the strategy re-run on random (placebo) dates.

The design keeps what the real events share:

* **One placebo date per real day 0.** The traded events are grouped by their
  real day 0; each run draws as many distinct placebo sessions as there are
  distinct real day 0s (without replacement, uniformly, seeded) and moves *all*
  the events of a real day to that day's placebo session together. Events that
  cluster on a shared day 0 (a board story naming fifteen stocks) therefore
  stay clustered, and the placebo distribution carries the same common-market
  exposure as the real statistic. Drawing each event's date independently
  would average out the market move of the shared day and make the placebo
  distribution far too narrow (a test that rejected 22-23 % per tail instead
  of 5 %; see ``benchmarks/RESULTS.md``, "Backtest placebo size").
* **Same period.** The sessions are drawn from the span of the real day 0s
  (first to last), widened by ``window`` sessions on each side (default 0). A
  wider span compares the news dates with a different market period: with raw
  returns that tests the market's drift, not the news.
* **Same securities and rules.** Each event keeps its symbol, direction,
  weight, hold and every trading rule. A moved event that cannot trade on its
  placebo session (no price: suspended or not yet listed; locked at the limit;
  beyond the data) is left out of that run, exactly as the real run leaves out
  events it cannot trade, and the run's statistic is the weighted mean over the
  trades it did fill (the weights renormalise). Whether an event fills depends
  on its placebo date and symbol, not on the return it would have earned after
  entry, so leaving it out widens that run's sampling error a little but does
  not shift the placebo distribution; ``mean_filled`` reports how many trades
  the runs filled on average.
* **Statistic.** ``"raw"``: the weighted mean net trade return (the strategy's
  P&L per trade). ``"excess"``: the weighted mean of net trade return minus the
  benchmark's return over the same sessions (times the direction), which
  removes the market's move from the comparison.

The runs are simulated in vectorised chunks of ``runs × events`` trades.

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
>>> pt.runs, bool((pt.values > 0).all()), pt.share_beating, pt.days.shape
(20, True, 0.0, (20, 1))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray
from eventstudy.backtesting.engine import Rules, benchmark_returns, simulate_trades
from eventstudy.backtesting.panel import PricePanel
from eventstudy.backtesting.result import PlaceboTest

__all__ = ["PlaceboDays", "PlaceboStatistic", "draw_placebo_rows", "placebo_days", "placebo_test"]

#: What a placebo run measures: raw net trade returns or returns in excess of the benchmark.
PlaceboStatistic: TypeAlias = Literal["raw", "excess"]

#: Trades simulated per vectorised chunk (bounds memory; one progress update each).
_CHUNK_TRADES = 200_000


@dataclass(frozen=True)
class PlaceboDays:
    """Where placebo days are drawn from (:func:`placebo_days`).

    Attributes
    ----------
    real_rows
        The distinct real day-0 rows, sorted.
    group
        For each event, the index of its real day 0 in ``real_rows``.
    pool
        The rows a placebo day is drawn from.
    lo, hi
        First and last row of the span (real day-0 span widened by ``window``).
    """

    real_rows: np.ndarray
    group: np.ndarray
    pool: np.ndarray
    lo: int
    hi: int


def placebo_days(day0_rows: np.ndarray, has_data: np.ndarray, window: int) -> PlaceboDays:
    """The placebo design's pool: sessions of the real day-0 span that have data.

    The span runs from the first to the last real day 0, widened by ``window`` rows on
    each side (clipped to the data); the pool is the rows of the span where
    ``has_data`` (e.g. at least one of the events' securities has a price).

    Parameters
    ----------
    day0_rows
        Row (session position) of each event's real day 0 (at least one event).
    has_data
        ``(rows,)`` boolean: whether a row may be drawn.
    window
        Rows added on each side of the real span.

    Examples
    --------
    >>> d = placebo_days(np.array([5, 9, 5]), np.ones(20, dtype=bool), 2)
    >>> d.real_rows.tolist(), d.group.tolist(), d.pool.tolist()
    ([5, 9], [0, 1, 0], [3, 4, 5, 6, 7, 8, 9, 10, 11])
    """
    real_rows, group = np.unique(day0_rows, return_inverse=True)
    lo = max(0, int(real_rows[0]) - window)
    hi = min(len(has_data) - 1, int(real_rows[-1]) + window)
    pool = lo + np.flatnonzero(has_data[lo : hi + 1])
    return PlaceboDays(real_rows, group.reshape(-1), pool, lo, hi)


def draw_placebo_rows(pool: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """One run's ``m`` placebo rows: distinct rows of ``pool``, uniformly, seeded.

    One placebo row per distinct real day 0, so the events that share a real day 0
    move together (clustering kept; see the module docstring). Drawn without
    replacement (``rng.choice(len(pool), size=m, replace=False)``), with replacement
    only when the pool has fewer rows than ``m``.

    Examples
    --------
    >>> draw_placebo_rows(np.arange(100, 110), 3, np.random.default_rng(0)).tolist()
    [105, 109, 106]
    """
    picks = rng.choice(len(pool), size=m, replace=len(pool) < m)
    out: np.ndarray = pool[picks]
    return out


def _weighted_mean(values: FloatArray, weight: FloatArray) -> float:
    ok = ~np.isnan(values)
    w = np.where(ok, weight, 0.0)
    s = w.sum()
    return float(np.sum(np.where(ok, values, 0.0) * w) / s) if s > 0 else math.nan


@dataclass(frozen=True)
class PlaceboTrades:
    """What every chunk of placebo runs shares: the prices, the traded events, the rules."""

    panel: PricePanel
    cols: np.ndarray
    direction: np.ndarray
    weight: FloatArray
    rules: Rules
    statistic: PlaceboStatistic
    benchmark_col: int


def placebo_chunk_values(shared: PlaceboTrades, rows: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Statistic and trades filled of the runs ``rows`` (``(runs, events)`` entry rows)."""
    n, k = rows.shape
    direction = np.tile(shared.direction, n)
    tr = simulate_trades(shared.panel, np.tile(shared.cols, n), rows.ravel(), direction,
                         shared.rules)  # fmt: skip
    per_trade = tr.net
    if shared.statistic == "excess":
        bench = benchmark_returns(
            shared.panel, shared.benchmark_col, tr.entry_row, tr.exit_row, shared.rules.entry
        )
        per_trade = per_trade - direction * bench
    ok = tr.filled.reshape(n, k) & ~np.isnan(per_trade.reshape(n, k))
    w = np.where(ok, np.broadcast_to(shared.weight, (n, k)), 0.0)
    wsum = w.sum(axis=1)
    num = (np.where(ok, per_trade.reshape(n, k), 0.0) * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(wsum > 0, num / wsum, np.nan)
    return values, ok.sum(axis=1).astype(float)


def placebo_test(
    panel: PricePanel,
    cols: np.ndarray,
    day0_rows: np.ndarray,
    direction: np.ndarray,
    weight: FloatArray,
    real_values: FloatArray,
    rules: Rules,
    *,
    runs: int,
    seed: int | None,
    window: int,
    statistic: PlaceboStatistic = "raw",
    benchmark_col: int = -1,
    progress: Callable[[int], None] | None = None,
    mapper: Callable[[Callable[[Any, Any], Any], Any, list[Any]], list[Any]] | None = None,
) -> PlaceboTest:
    """Run ``runs`` placebo backtests of the traded events and compare with the real one.

    Parameters
    ----------
    panel, rules
        Prices and trading rules of the real run.
    cols, day0_rows, direction, weight
        The traded events (column in the panel, real day-0 row, ±1, weight).
    real_values
        The real trades' per-trade statistic (net return, or net excess return).
    runs, seed
        Number of runs and the random seed.
    window
        Sessions on each side of the real day-0 span added to the draw span.
    statistic
        ``"raw"`` or ``"excess"`` (see the module docstring).
    benchmark_col
        Column of the benchmark in ``panel`` (needed for ``"excess"``).
    progress
        Called with the number of runs completed after each chunk.
    mapper
        How the chunks of runs run: ``mapper(fn, shared, chunks)`` returns
        ``[fn(shared, chunk) ...]`` in order (``engine="dask"``:
        :func:`eventstudy.scale.cluster.dask_mapper`); default here, chunk by chunk.
        Run ``r`` draws from ``SeedSequence(seed).spawn(runs)[r]``, so the result does
        not depend on it.

    Returns
    -------
    PlaceboTest
    """
    real = _weighted_mean(real_values, weight)
    k = len(cols)
    nat = np.datetime64("NaT", "ns")
    if k == 0 or runs == 0:
        return PlaceboTest(
            real, np.full(runs, np.nan), runs, seed, window, math.nan, math.nan, 0.0,
            statistic_name=statistic, days=np.full((runs, 0), nat),
        )  # fmt: skip
    dates = panel.dates.values.astype("datetime64[ns]")
    # sessions of the span on which at least one of the traded symbols has a close
    priced = np.asarray(~np.isnan(panel.close[:, np.unique(cols)]).all(axis=1))
    design = placebo_days(day0_rows, priced, window)
    real_days, group, pool = design.real_rows, design.group, design.pool
    lo, hi = design.lo, design.hi
    m = len(real_days)
    # run r draws from SeedSequence(seed).spawn(runs)[r] only: the same runs however they
    # are chunked, here or across workers
    children = np.random.SeedSequence(seed).spawn(runs)
    placebo_rows = np.stack(
        [draw_placebo_rows(pool, m, np.random.default_rng(c)) for c in children]
    )
    # (runs, m): run r moves real day j to placebo_rows[r, j]
    shared = PlaceboTrades(panel, cols, direction, weight, rules, statistic, benchmark_col)
    step = max(1, min(_CHUNK_TRADES // k, math.ceil(runs / 20)))  # >= 20 progress updates
    chunks = [placebo_rows[a : a + step][:, group] for a in range(0, runs, step)]
    if mapper is None:
        outs = []
        for rows in chunks:
            outs.append(placebo_chunk_values(shared, rows))
            if progress is not None:
                progress(len(rows))
    else:
        outs = mapper(placebo_chunk_values, shared, chunks)
        if progress is not None:
            progress(runs)
    values = np.concatenate([o[0] for o in outs])
    filled = np.concatenate([o[1] for o in outs])
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
        mean_filled=float(filled.mean()),
        statistic_name=statistic,
        days=dates[placebo_rows],
        real_days=dates[real_days],
        first_day=pd.Timestamp(dates[lo]),
        last_day=pd.Timestamp(dates[hi]),
        pool_sessions=len(pool),
    )
