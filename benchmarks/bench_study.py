"""Benchmark of the event-study engine (run by hand; not a test).

100,000 events, market model, 250-day estimation window (-260..-11), 11-day event
window (-5..5), every test, on a synthetic panel of 3,000 sessions x 800 stocks
(market-model returns with 1% missing values). Each size runs in a fresh
subprocess so the peak RSS (``ru_maxrss``) is that run's.

Usage::

    /work/venv/bin/python benchmarks/bench_study.py            # 1k, 10k, 100k
    /work/venv/bin/python benchmarks/bench_study.py --n 100000 # one size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

TZ_DTYPE = "datetime64[ns, Asia/Shanghai]"
HEADER = (
    "| events | analysed | fit (s) | tests (s) | tables (s) | total (s) | events/s "
    "| peak RSS (GiB) |"
)


def make_data(n_events: int, seed: int = 0) -> tuple[object, pd.DataFrame]:
    from eventstudy.events import EventSet

    rng = np.random.default_rng(seed)
    n_days, n_stocks = 3000, 800
    dates = pd.bdate_range("2012-01-04", periods=n_days)
    mkt = rng.normal(0.0003, 0.012, n_days)
    beta = rng.uniform(0.6, 1.4, n_stocks)
    rets = mkt[:, None] * beta[None, :] + rng.normal(0, 0.018, (n_days, n_stocks))
    rets[rng.random(rets.shape) < 0.01] = np.nan
    symbols = [f"{600000 + i}.SH" for i in range(n_stocks)]
    frame = pd.DataFrame(rets, index=dates, columns=symbols)
    frame["000300.SH"] = mkt
    pos = rng.integers(270, n_days - 6, n_events)
    ev = pd.DataFrame(
        {
            "event_id": np.arange(n_events).astype(str),
            "symbol": np.array(symbols)[rng.integers(0, n_stocks, n_events)],
            "published_at": pd.Series(
                pd.NaT, index=range(n_events), dtype="datetime64[ns, Asia/Shanghai]"
            ),
            "day0": dates[pos],
            "score": rng.random(n_events),
        }
    )
    return EventSet(ev), frame


def run_one(n: int) -> dict[str, float]:
    from eventstudy.study import run_event_study

    events, returns = make_data(n)
    t0 = time.perf_counter()
    res = run_event_study(
        events, returns=returns, estimation_window=(-260, -11), event_window=(-5, 5)
    )
    t1 = time.perf_counter()
    tests = res.tests
    t2 = time.perf_counter()
    _ = (res.ar, res.car, res.bhar, res.caar_path, res.aar, res.caar)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    return {
        "n": n,
        "analysed": res.n_events,
        "fit_s": t1 - t0,
        "tests_s": t2 - t1,
        "tables_s": t3 - t2,
        "total_s": t3 - t0,
        "events_per_s": n / (t3 - t0),
        "peak_rss_gib": peak,
        "n_test_rows": len(tests),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=None)
    args = ap.parse_args()
    if args.n is not None:
        print(json.dumps(run_one(args.n)))
        return
    print(HEADER)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (1_000, 10_000, 100_000):
        out = subprocess.run(
            [sys.executable, __file__, "--n", str(n)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {r['n']:,} | {r['analysed']:,} | {r['fit_s']:.2f} | {r['tests_s']:.2f} | "
            f"{r['tables_s']:.2f} | {r['total_s']:.2f} | {r['events_per_s']:,.0f} | "
            f"{r['peak_rss_gib']:.2f} |"
        )


if __name__ == "__main__":
    main()
