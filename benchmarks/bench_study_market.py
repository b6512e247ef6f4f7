"""Benchmark of the event-study engine on the whole A-share market (run by hand; not a test).

Reads the shared full-market file ``../shared/data/market_full/a_shares_daily.parquet``
(5,202 stocks, daily closes 2021-07-27..2026-07; read here only, the package and its
tests never read ``../shared``) and turns the closes into a returns panel of
5,202 stocks x 1,210 sessions (simple close-to-close returns, NaN where a close is
missing; the panel is built before the clock starts). The study:
``EventStudy(market="ew")`` (the equal-weighted market built from the panel itself),
the market model, estimation window [-250,-11], event window [-5,5], the default CAR
windows, random (stock, day 0) pairs drawn uniformly among the sessions 260..1204
(seed 0; a stock without a return on day 0 or with too few estimation returns is
dropped by the study, as it would be), and ``.tests`` with the default selection:
the twelve standard tests and ``calendar_time``. The opt-in resampling tests
(``wild_bootstrap``, ``lbt_skew_t``) and ``result.placebo`` are **not** timed here.

Each size runs in a fresh subprocess so that peak RSS (``ru_maxrss``) is that run's
(it includes the ~0.05 GB returns panel and the interpreter/pandas, ~0.2 GB). Per
run: minor page faults during fit + tests (``ru_minflt``: first touches of fresh
memory, which cost a lot on a VM; a count that does not depend on the machine's
load); ``fit`` = ``EventStudy.fit`` (``market="ew"``, locating, screening, OLS and
per-event pieces), ``tests`` = first access of ``.tests``; wall time
(``perf_counter``) and CPU time of the process (``process_time``: the machine may be
shared, so wall time alone can mislead). ``--check`` (20,000 events, or ``--check-n``)
stores every statistic of the table in a ``.npz`` file, or compares with one stored
before (max relative difference; the dropped events and overlap counts exactly), to
show a change to the engine leaves results equal.

Usage::

    python benchmarks/bench_study_market.py                 # 100k and 1M events
    python benchmarks/bench_study_market.py --sizes 100000 --repeat 3   # 3 fresh runs
    python benchmarks/bench_study_market.py --n 100000      # one size, this process
    python benchmarks/bench_study_market.py --check before.npz   # 20k; save or compare
    python benchmarks/bench_study_market.py --check before.npz --check-n 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = (
    "| events | analysed | fit (s) | tests (s) | total (s) | CPU (s) | peak RSS (GiB) "
    "| page faults | load avg |"
)


def default_path() -> Path:
    """``../shared/data/market_full/a_shares_daily.parquet`` beside the repository."""
    for root in Path(__file__).resolve().parents[1:4]:
        path = root / "shared" / "data" / "market_full" / "a_shares_daily.parquet"
        if path.is_file():
            return path
    raise SystemExit("pass the full-market file: --path FILE")


def load_returns(path: Path) -> pd.DataFrame:
    """The closes of the file as a (sessions x stocks) simple-returns frame."""
    long = pd.read_parquet(path, columns=["date", "symbol", "close"])
    close = long.pivot(index="date", columns="symbol", values="close").sort_index()
    returns = close.pct_change(fill_method=None).iloc[1:]
    return returns.astype(np.float64)


def make_events(returns: pd.DataFrame, n: int, seed: int = 0) -> object:
    """``n`` random (stock, day 0) events as an :class:`~eventstudy.events.EventSet`."""
    from eventstudy.events import EventSet

    rng = np.random.default_rng(seed)
    dates = returns.index
    pos = rng.integers(260, len(dates) - 6, n)
    sym = returns.columns.to_numpy()[rng.integers(0, returns.shape[1], n)]
    day0 = pd.DatetimeIndex(dates[pos])
    frame = pd.DataFrame(
        {
            "event_id": np.arange(n).astype(str),
            "symbol": sym,
            "published_at": pd.Series(
                pd.NaT, index=range(n), dtype="datetime64[ns, Asia/Shanghai]"
            ),
            "day0": day0,
            "score": np.zeros(n),
        }
    )
    return EventSet(frame)


def run_one(n: int, path: Path) -> dict[str, object]:
    from eventstudy.study import EventStudy

    returns = load_returns(path)
    events = make_events(returns, n)
    spec = EventStudy(market="ew", estimation_window=(-250, -11), event_window=(-5, 5))
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    c0, t0 = time.process_time(), time.perf_counter()
    res = spec.fit(events, returns=returns)
    t1 = time.perf_counter()
    tests = res.tests
    t2, c2 = time.perf_counter(), time.process_time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024**2  # KiB -> GiB
    return {
        "n": n,
        "panel": list(returns.shape),
        "analysed": res.n_events,
        "fit_s": t1 - t0,
        "tests_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "peak_rss_gib": peak,
        "page_faults": usage.ru_minflt - f0,
        "n_test_rows": len(tests),
        "load": os.getloadavg()[0],
    }


def check(out: Path, path: Path, n: int = 20_000) -> None:
    """Save every statistic of an ``n``-event study, or compare with a saved one.

    Besides the statistics, CAR and CAAR: the dropped events with their reasons and
    each analysed event's overlap count, compared exactly (when the saved file has them).
    """
    from eventstudy.study import EventStudy

    returns = load_returns(path)
    spec = EventStudy(market="ew", estimation_window=(-250, -11), event_window=(-5, 5))
    res = spec.fit(make_events(returns, n), returns=returns)
    t = res.tests
    arrays = {
        "statistic": t["statistic"].to_numpy(float),
        "pvalue": t["pvalue"].to_numpy(float),
        "n": t["n"].to_numpy(float),
        "car": res.car.to_numpy(float) if hasattr(res.car, "to_numpy") else np.asarray(res.car),
        "caar": np.asarray(res.caar, dtype=float),
    }
    exact = {
        "dropped": (res.dropped["event_id"] + ":" + res.dropped["reason"]).to_numpy(str),
        "n_overlaps": res.events["n_overlaps"].to_numpy(np.int64),
    }
    if not out.exists():
        np.savez(out, **arrays, **exact)
        print(f"saved {len(t)} test rows of {res.n_events} events to {out}")
        return
    old = np.load(out)
    for name, value in exact.items():
        if name in old.files:
            same = old[name].shape == value.shape and bool((old[name] == value).all())
            print(f"{name}: {len(value)} values, identical {same}")
    for name, new in arrays.items():
        ref = old[name]
        if ref.shape != new.shape:
            print(f"{name}: shape {ref.shape} != {new.shape}")
            continue
        both = np.isfinite(ref) & np.isfinite(new)
        same_nan = bool((np.isfinite(ref) == np.isfinite(new)).all())
        rel = np.abs(new[both] - ref[both]) / np.maximum(np.abs(ref[both]), 1e-300)
        print(f"{name}: max rel diff {rel.max() if rel.size else 0.0:.3g}, same NaNs {same_nan}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--path", type=Path, default=None)
    ap.add_argument("--check", type=Path, default=None)
    ap.add_argument("--check-n", type=int, default=20_000, help="events of --check")
    ap.add_argument("--repeat", type=int, default=1, help="fresh runs of each size (table)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    # random draws put ~2% of events on a security-day shared with another event: kept
    warnings.filterwarnings("ignore", message=".*name the same security on the same day 0")
    path = args.path or default_path()
    if args.check is not None:
        check(args.check, path, args.check_n)
        return
    if args.n is not None:
        print(json.dumps(run_one(args.n, path)))
        return
    print(HEADER)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in [n for n in args.sizes for _ in range(args.repeat)]:
        cmd = [sys.executable, __file__, "--n", str(n), "--path", str(path)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {r['n']:,} | {r['analysed']:,} | {r['fit_s']:.2f} | {r['tests_s']:.2f} | "
            f"{r['total_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_gib']:.2f} | "
            f"{r['page_faults']:,} | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
