"""Size of the backtest placebo test by simulation (run by hand; seeded, a few minutes).

    python benchmarks/simulate_placebo_size.py [--reps 300] [--runs 199] [--jobs 2]

Under the null the real news dates are themselves random: each replication picks a
random one-year period (250 sessions, 2015-2025) of the bundled prices, draws the real
day 0s uniformly (distinct sessions) inside it, attaches random bundled stocks, and runs
``eventstudy.backtest`` (long, hold 5, day-0 close entry, no costs, CSI 300 benchmark)
with ``--runs`` placebo runs. A correctly sized test gives p <= 0.05 (real beats the
placebo: upper tail) in 5 % of replications and p > 0.95 (lower tail) in 5 %. With
p = (1 + #{placebo >= real}) / (1 + runs) and 199 runs these two events have exactly 10
of the 200 equally likely ranks each; the strict ``p < 0.05`` would have 9 (4.5 %).

Setups (events per replication):

* ``clustered``: 4 dates x 15 stocks (a board story naming 15 stocks, four times);
* ``independent``: 60 dates x 1 stock;
* ``mixed``: 5 dates x 10 stocks + 30 dates x 1 stock;
* ``independent, news period``: 60 dates x 1 stock, always inside the period of the
  bundled news (2021-12-08 .. 2022-06-01, a falling market): what one user with one
  news sample faces, where a placebo window reaching into other periods compares
  market regimes.

Designs: ``new`` is the package's placebo (one placebo date per real day 0, all that
day's events moved together; drawn within the real span widened by ``window``);
``old`` re-implements the design it replaced (each event's date drawn independently
from its symbol's priced sessions within ``window`` of the span) for comparison, on the
same replications.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.backtesting import backtest
from eventstudy.backtesting.engine import Rules, simulate_trades
from eventstudy.backtesting.panel import PricePanel
from eventstudy.datasets import sample_prices

INDICES = {"000001.SH", "000300.SH", "000905.SH", "000852.SH", "399001.SZ"}
PERIOD = 250  # sessions of the "news period" the real dates are drawn from
MARGIN = 300  # sessions of prices kept on each side of the period (window 250 + exits)
HOLD = 5
#: The period of the bundled news (first to last post with a date): a falling market.
NEWS = ("2021-12-08", "2022-06-01")


@dataclass(frozen=True)
class Setup:
    name: str
    clusters: tuple[tuple[int, int], ...]  # (number of dates, stocks per date)
    design: str  # "new" or "old"
    window: int
    statistic: str
    period: tuple[str, str] | None = None  # fixed news period; None: a random year


SETUPS = (
    Setup("clustered 4x15", ((4, 15),), "old", 0, "raw"),
    Setup("clustered 4x15", ((4, 15),), "new", 0, "raw"),
    Setup("clustered 4x15", ((4, 15),), "new", 0, "excess"),
    Setup("independent 60x1", ((60, 1),), "old", 250, "raw"),
    Setup("independent 60x1", ((60, 1),), "new", 250, "raw"),
    Setup("independent 60x1", ((60, 1),), "new", 250, "excess"),
    Setup("independent 60x1", ((60, 1),), "new", 0, "raw"),
    Setup("independent 60x1", ((60, 1),), "new", 0, "excess"),
    Setup("mixed 5x10+30x1", ((5, 10), (30, 1)), "new", 0, "raw"),
    Setup("mixed 5x10+30x1", ((5, 10), (30, 1)), "new", 0, "excess"),
    Setup("independent 60x1, news period", ((60, 1),), "old", 250, "raw", NEWS),
    Setup("independent 60x1, news period", ((60, 1),), "new", 250, "raw", NEWS),
    Setup("independent 60x1, news period", ((60, 1),), "new", 250, "excess", NEWS),
    Setup("independent 60x1, news period", ((60, 1),), "new", 0, "raw", NEWS),
    Setup("independent 60x1, news period", ((60, 1),), "new", 0, "excess", NEWS),
)

_WIDE: dict[str, pd.DataFrame] = {}
_STOCKS: list[str] = []


def _init() -> None:
    px = sample_prices()
    px = px[(px["date"] >= "2014-01-01")]
    for k in ("open", "high", "low", "close"):
        _WIDE[k] = px.pivot(index="date", columns="symbol", values=k)
    _STOCKS[:] = [s for s in _WIDE["close"].columns if s not in INDICES]


def _old_design(
    prices: dict[str, pd.DataFrame], trades: pd.DataFrame, runs: int, seed: int, window: int
) -> tuple[float, float]:
    """p-value and mean filled trades per run of the replaced design (independent draws)."""
    panel = PricePanel.from_wide(prices)
    cols = np.array([panel.column(s) for s in trades["symbol"]])
    rows = panel.dates.get_indexer(pd.DatetimeIndex(trades["day0"]))
    real = float(trades["return_net"].mean())
    rng = np.random.default_rng(seed)
    lo = max(0, rows.min() - window)
    hi = min(len(panel.dates) - 1, rows.max() + window)
    draws = np.full((runs, len(cols)), -1)
    for c in np.unique(cols):
        pool = lo + np.flatnonzero(~np.isnan(panel.close[lo : hi + 1, c]))
        which = np.flatnonzero(cols == c)
        draws[:, which] = pool[rng.integers(0, len(pool), size=(runs, len(which)))]
    tr = simulate_trades(
        panel, np.tile(cols, runs), draws.ravel(), np.ones(runs * len(cols), int), Rules(hold=HOLD)
    )
    ok = tr.filled.reshape(runs, -1)
    with np.errstate(invalid="ignore"):
        vals = np.where(ok, tr.net.reshape(runs, -1), 0).sum(1) / ok.sum(1)
    vals = vals[~np.isnan(vals)]
    return float((1 + np.sum(vals >= real)) / (1 + len(vals))), float(ok.sum(1).mean())


def _one(task: tuple[int, int, int, int]) -> tuple[int, float, float]:
    """One replication of one setup → (setup index, p-value, filled trades)."""
    k, rep, runs, master = task
    s = SETUPS[k]
    # the same seed for every setup sharing a layout: designs compared on the same draws
    layout = next(
        j for j, t in enumerate(SETUPS) if (t.clusters, t.period) == (s.clusters, s.period)
    )
    rng = np.random.default_rng([master, layout, rep])
    cal = _WIDE["close"]["000300.SH"].dropna().index
    if s.period is None:
        start = int(rng.integers(MARGIN, len(cal) - PERIOD - MARGIN))
        period = cal[start : start + PERIOD]
    else:
        period = cal[(cal >= s.period[0]) & (cal <= s.period[1])]
    rows = slice(cal.get_loc(period[0]) - MARGIN, cal.get_loc(period[-1]) + MARGIN)
    prices = {f: w.loc[cal[rows]] for f, w in _WIDE.items()}
    n_dates = sum(n for n, _ in s.clusters)
    dates = rng.choice(period, size=n_dates, replace=False)
    sym: list[str] = []
    day0: list[pd.Timestamp] = []
    i = 0
    for n, per in s.clusters:
        for _ in range(n):
            sym += list(rng.choice(_STOCKS, size=per, replace=False))
            day0 += [dates[i]] * per
            i += 1
    ev = pd.DataFrame({"event_id": [f"e{j}" for j in range(len(sym))], "symbol": sym,
                       "day0": day0})  # fmt: skip
    seed = int(rng.integers(1 << 31))
    if s.design == "old":
        res = backtest(ev, prices=prices, hold=HOLD, placebo=0)
        return k, *_old_design(prices, res.trades, runs, seed, s.window)
    res = backtest(ev, prices=prices, hold=HOLD, placebo=runs, seed=seed,
                   placebo_window=s.window, placebo_statistic=s.statistic)  # type: ignore[arg-type]  # fmt: skip
    assert res.placebo is not None
    return k, res.placebo.pvalue, res.placebo.mean_filled


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--runs", type=int, default=199)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--setups", type=int, nargs="+", default=None, help="row numbers (0-based)")
    args = ap.parse_args()
    chosen = args.setups if args.setups is not None else range(len(SETUPS))
    t0 = time.perf_counter()
    tasks = [(k, r, args.runs, args.seed) for k in chosen for r in range(args.reps)]
    if args.jobs > 1:
        with mp.get_context("fork").Pool(args.jobs, initializer=_init) as pool:
            out = pool.map(_one, tasks, chunksize=20)
    else:
        _init()
        out = [_one(t) for t in tasks]
    se2 = 2 * math.sqrt(0.05 * 0.95 / args.reps)
    print(
        f"{args.reps} replications per setup, {args.runs} placebo runs each; a correct test "
        f"gives 5.0 % per tail (±2 SE: {5 - 100 * se2:.1f} .. {5 + 100 * se2:.1f} %)\n"
    )
    print("| setup | design | window | statistic | p <= 0.05 | p > 0.95 | trades/run |")
    print("|---|---|---:|---|---:|---:|---:|")
    for k, s in enumerate(SETUPS):
        if k not in chosen:
            continue
        p = np.array([x[1] for x in out if x[0] == k])
        filled = np.mean([x[2] for x in out if x[0] == k])
        flag = lambda v: "" if abs(v - 0.05) <= se2 else " *"  # noqa: E731
        lo, hi = float(np.mean(p <= 0.05)), float(np.mean(p > 0.95))
        print(
            f"| {s.name} | {s.design} | {s.window} | {s.statistic} | {lo:.1%}{flag(lo)} | "
            f"{hi:.1%}{flag(hi)} | {filled:.1f} |"
        )
    print(f"\n* outside ±2 SE of 5 %. {time.perf_counter() - t0:.0f} s on {args.jobs} processes")


if __name__ == "__main__":
    main()
