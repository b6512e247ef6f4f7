"""Benchmark of eventstudy.backtest: placebo runs on many events (run by hand).

    python benchmarks/bench_backtest.py [--events 100] [--runs 200 1000] [--repeat 3]

Events are random (symbol, day 0) pairs on the bundled stocks, 2016-2024 (seed 0);
prices are the whole bundled snapshot (52 symbols, 1990-2026), so the time includes
building the price panel. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from eventstudy.backtesting import backtest
from eventstudy.datasets import sample_prices, sample_symbols

INDICES = {"000001.SH", "000300.SH", "000905.SH", "000852.SH", "399001.SZ"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100)
    ap.add_argument("--runs", type=int, nargs="+", default=[0, 200, 1000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    prices = sample_prices()
    stocks = [s for s in sample_symbols() if s not in INDICES]
    cal = pd.DatetimeIndex(sorted(prices.loc[prices.symbol == "000300.SH", "date"]))
    cal = cal[(cal >= "2016-01-01") & (cal <= "2024-12-31")]
    rng = np.random.default_rng(0)
    ev = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(args.events)],
            "symbol": rng.choice(stocks, args.events),
            "day0": rng.choice(cal, args.events),
        }
    )
    for runs in args.runs:
        best = np.inf
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = backtest(ev, prices=prices, placebo=runs, seed=1)
            best = min(best, time.perf_counter() - t)
        p = res.placebo.pvalue if res.placebo is not None else float("nan")
        print(
            f"{args.events} events, {runs:>5} placebo runs: {best:.2f} s "
            f"({res.n_trades} trades, skipped {res.skip_counts.to_dict()}, placebo p = {p:.3f})"
        )


if __name__ == "__main__":
    main()
