"""Size and power of every test by simulation on the bundled real stocks (run by hand).

Brown and Warner (1985) design: each sample draws N (stock, day 0) pairs at random
from the 47 bundled A-shares (2011-2026, CSI 300 as the market, market model,
estimation [-250,-11], event window [-5,5]); a pair is eligible when the stock has a
return on day 0 and at least 200 estimation returns. An abnormal return delta is
added to each sampled stock's return on its day 0 (delta = 0 gives the size).
A test rejects when its two-sided p-value is below 5%. Seeded.

For speed each (N, delta) cell runs the engine once on all R x N events and then
computes every sample's statistics from its own events with ``result.subset`` (the
per-event estimates do not depend on the other events). A bumped stock-day can fall
inside the estimation window of another sampled event of the same stock (rare; as
in the original design).

Usage::

    /work/venv/bin/python benchmarks/simulate_size_power.py [--reps 300] [--seed 20260701]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from eventstudy.datasets import sample_prices
from eventstudy.study import run_event_study

MARKET = "000300.SH"
DELTAS = (0.0, 0.005, 0.01, 0.02)
SIZES = (10, 30, 100)


def load_returns() -> pd.DataFrame:
    px = sample_prices().pivot(index="date", columns="symbol", values="close")
    px = px[px.index >= "2010-01-01"]
    stocks = [c for c in px.columns if c.endswith((".SH", ".SZ")) and c != MARKET]
    stocks = [c for c in stocks if not c.startswith(("000001.SH", "000905", "000852", "399"))]
    return px[[*stocks, MARKET]].pct_change(fill_method=None)


def candidates(rets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    stocks = rets.columns[:-1]
    have = rets[stocks].notna().to_numpy()
    csum = np.vstack([np.zeros((1, have.shape[1])), np.cumsum(have, axis=0)])
    t = np.arange(len(rets))
    lo, hi = t - 250, t - 10  # estimation rows [t-250, t-11]
    ok_rows = (lo >= 0) & (t + 5 < len(rets))
    est = np.where(ok_rows[:, None], csum[np.clip(hi, 0, None)] - csum[np.clip(lo, 0, None)], 0)
    elig = have & (est >= 200) & ok_rows[:, None]
    rows, cols = np.nonzero(elig)
    return rows, cols


def simulate(reps: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    rng = np.random.default_rng(seed)
    rets = load_returns()
    rows, cols = candidates(rets)
    stocks = rets.columns[:-1]
    out_day: dict[tuple[int, float], pd.Series] = {}
    out_win: dict[tuple[int, float], pd.Series] = {}
    t0 = time.perf_counter()
    for n in SIZES:
        pick = rng.integers(0, len(rows), size=(reps, n))
        r_idx, c_idx = rows[pick].ravel(), cols[pick].ravel()
        events = pd.DataFrame(
            {
                "event_id": [f"{k}" for k in range(reps * n)],
                "symbol": stocks[c_idx],
                "day0": rets.index[r_idx],
                "rep": np.repeat(np.arange(reps), n),
            }
        )
        for delta in DELTAS:
            bumped = rets.copy()
            if delta:
                arr = bumped.to_numpy(copy=True)
                uniq = np.unique(np.column_stack([r_idx, c_idx]), axis=0)
                arr[uniq[:, 0], uniq[:, 1]] += delta
                bumped = pd.DataFrame(arr, index=rets.index, columns=rets.columns)
            res = run_event_study(events, returns=bumped, market=MARKET)
            rep_of = res.events["rep"].to_numpy()
            rej_d, rej_w = [], []
            for r in range(reps):
                t = res.subset(rep_of == r).tests
                day = t[(t.scope == "day") & (t.rel_day == 0)]
                win0 = t[(t.window == "[0,0]") & t.test.isin(["grank", "skew_t"])]
                win0 = win0[win0.measure == "CAR"]
                d = pd.concat([day, win0])
                rej_d.append((d.pvalue < 0.05).groupby(d.test + "/" + d.measure).mean())
                w = t[(t.window == "[-1,1]")]
                rej_w.append((w.pvalue < 0.05).groupby(w.test + "/" + w.measure).mean())
            out_day[(n, delta)] = pd.concat(rej_d, axis=1).mean(axis=1)
            out_win[(n, delta)] = pd.concat(rej_w, axis=1).mean(axis=1)
            print(f"N={n} delta={delta:.3f} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    day_tab = pd.DataFrame(out_day)
    win_tab = pd.DataFrame(out_win)
    return day_tab, win_tab, time.perf_counter() - t0


def to_markdown(tab: pd.DataFrame) -> str:
    cols = [f"N={n} δ={d:.1%}" for n, d in tab.columns]
    lines = ["| test | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for name, row in tab.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.1%}" for v in row) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20260701)
    args = ap.parse_args()
    day_tab, win_tab, secs = simulate(args.reps, args.seed)
    order = [0.0, 0.005, 0.01, 0.02]
    day_tab = day_tab.reindex(
        columns=sorted(day_tab.columns, key=lambda c: (order.index(c[1]), c[0]))
    )
    win_tab = win_tab.reindex(
        columns=sorted(win_tab.columns, key=lambda c: (order.index(c[1]), c[0]))
    )
    print(f"\nreps={args.reps} seed={args.seed} runtime={secs:.0f} s")
    print("\nDay 0 (AR; grank and skew_t on the CAR [0,0] window): rejection rate at 5%")
    print(to_markdown(day_tab))
    print("\nCAR [-1,1] (delta on day 0 only): rejection rate at 5%")
    print(to_markdown(win_tab))


if __name__ == "__main__":
    main()
