"""Size of ``EventStudyResult.placebo`` (and of the tests beside it) by simulation.

    python benchmarks/simulate_placebo_study.py [--reps 200] [--runs 99] [--seed 20260801]

Under the null the real news dates are themselves random: each replication takes a
random one-year period (250 sessions, 2012-2025) of the bundled prices, draws the
real day 0s as distinct sessions inside it, attaches random bundled stocks (each must
have 200 estimation returns and a return on day 0), runs the study (market model
against the CSI 300, estimation [-250,-11], event window [-5,5]) and its placebo
(``result.placebo(n=runs)``: one placebo session per distinct real day 0, all that
day's events moved together, drawn within the span of the real day 0s). A test of
size 5 % rejects (p <= 0.05) in 5 % of replications. With p = (1 + #{|placebo| >=
|real|}) / (runs + 1) and 99 runs, p <= 0.05 is exactly 5 of the 100 equally likely
ranks of |CAAR|.

Beside the placebo p-value the same replications give the rejection rates of the
cross-sectional t, the Kolari-Pynnönen adjusted BMP, the calendar-time portfolio test
and the two resampling tests (wild bootstrap, B = 999; LBT bootstrapped skewness-
adjusted t of BHAR, B = 1,000), on the CAR windows [0,0], [-1,1] and [-5,5].

Setups (events per replication): ``clustered 3x10`` (a board story naming ten stocks,
three times), ``independent 30x1``, ``mixed 2x10+10x1``.

Reads only the bundled prices (``eventstudy.datasets.sample_prices``); seeded.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.datasets import sample_prices
from eventstudy.study import run_event_study

MARKET = "000300.SH"
PERIOD = 250
WINDOWS = ("[0,0]", "[-1,1]", "[-5,5]")
TESTS = ["t_cross", "kp_bmp", "calendar_time", "wild_bootstrap", "lbt_skew_t"]
ROWS = (
    ("t_cross", "CAR"),
    ("kp_bmp", "CAR"),
    ("calendar_time", "CAR"),
    ("wild_bootstrap", "CAR"),
    ("lbt_skew_t", "BHAR"),
)


@dataclass(frozen=True)
class Setup:
    name: str
    clusters: tuple[tuple[int, int], ...]  # (number of dates, stocks per date)


SETUPS = (
    Setup("clustered 3x10", ((3, 10),)),
    Setup("independent 30x1", ((30, 1),)),
    Setup("mixed 2x10+10x1", ((2, 10), (10, 1))),
)


def load_returns() -> pd.DataFrame:
    px = sample_prices().pivot(index="date", columns="symbol", values="close")
    px = px[px.index >= "2011-01-01"]
    indices = ("000001.SH", "000300.SH", "000905", "000852", "399")
    stocks = [c for c in px.columns if c.endswith((".SH", ".SZ")) and not c.startswith(indices)]
    return px[[*stocks, MARKET]].pct_change(fill_method=None).iloc[1:]


def eligible(rets: pd.DataFrame) -> np.ndarray:
    """``(D, S)``: the stock has a return on the day and >= 200 estimation returns."""
    have = rets.iloc[:, :-1].notna().to_numpy()
    csum = np.vstack([np.zeros((1, have.shape[1])), np.cumsum(have, axis=0)])
    t = np.arange(len(rets))
    est = csum[np.clip(t - 10, 0, None)] - csum[np.clip(t - 250, 0, None)]
    ok = (t >= 250) & (t + 5 < len(rets))
    return have & (est >= 200) & ok[:, None]


def draw_events(rng, rets, elig, setup) -> pd.DataFrame | None:
    start = int(rng.integers(250, len(rets) - PERIOD - 5))
    n_dates = sum(k for k, _ in setup.clusters)
    days = np.sort(rng.choice(np.arange(start, start + PERIOD), n_dates, replace=False))
    rng.shuffle(days)
    rows, i = [], 0
    for k, m in setup.clusters:
        for d in days[i : i + k]:
            pool = np.flatnonzero(elig[d])
            if len(pool) < m:
                return None
            rows += [(rets.columns[c], rets.index[d]) for c in rng.choice(pool, m, replace=False)]
        i += k
    return pd.DataFrame(
        {"event_id": range(len(rows)), "symbol": [s for s, _ in rows], "day0": [d for _, d in rows]}
    )


def one_replication(rets, elig, setup, rng, runs, seed) -> dict[str, float] | None:
    ev = draw_events(rng, rets, elig, setup)
    if ev is None:
        return None
    res = run_event_study(ev, returns=rets, market=MARKET, tests=TESTS, seed=seed)
    pl = res.placebo(n=runs, seed=seed)
    t = res.tests
    out = {f"placebo {w}": float(pl.pvalue[w] <= 0.05) for w in WINDOWS}
    for name, measure in ROWS:
        for w in WINDOWS:
            row = t[(t.test == name) & (t.measure == measure) & (t.window == w)]
            out[f"{name} {w}"] = float(row.pvalue.iloc[0] <= 0.05)
    out["events"] = res.n_events
    out["placebo events"] = pl.mean_events
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--runs", type=int, default=99)
    ap.add_argument("--seed", type=int, default=20260801)
    args = ap.parse_args()
    rets = load_returns()
    elig = eligible(rets)
    t0 = time.perf_counter()
    table = {}
    for s_i, setup in enumerate(SETUPS):
        rng = np.random.default_rng([args.seed, s_i])
        rows = []
        while len(rows) < args.reps:
            r = one_replication(rets, elig, setup, rng, args.runs, args.seed + len(rows))
            if r is not None:
                rows.append(r)
        table[setup.name] = pd.DataFrame(rows).mean()
        print(f"{setup.name} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    tab = pd.DataFrame(table)
    se = np.sqrt(0.05 * 0.95 / args.reps)
    print(
        f"\nreps={args.reps} runs={args.runs} seed={args.seed} "
        f"runtime={time.perf_counter() - t0:.0f} s; +-2 SE = "
        f"{0.05 - 2 * se:.1%} .. {0.05 + 2 * se:.1%} (* outside)\n"
    )
    print("| test | window | " + " | ".join(tab.columns) + " |")
    print("|---|---|" + "---:|" * len(tab.columns))
    for key, row in tab.iterrows():
        if key in ("events", "placebo events"):
            cells = " | ".join(f"{v:.1f}" for v in row)
            print(f"| {key} | | {cells} |")
            continue
        name, window = str(key).rsplit(" ", 1)
        flag = ["*" if abs(v - 0.05) > 2 * se else "" for v in row]
        cells = " | ".join(f"{v:.1%}{f}" for v, f in zip(row, flag, strict=True))
        print(f"| {name} | {window} | {cells} |")


if __name__ == "__main__":
    main()
