"""Size and power of every test when all events share one day 0 (run by hand; seeded).

Clustered counterpart of ``simulate_size_power.py`` (same data, model and windows):
each sample draws ONE random day 0 and N distinct bundled A-shares, all with that
day 0 (47 stocks, 2011-2026, CSI 300 as the market, market model [-250,-11], event
window [-5,5]). A stock is eligible on a day when it has a return that day and at
least 200 estimation returns; the day is drawn uniformly among the days with at
least N eligible stocks (for N = 47 these are the 1,534 days from 2019-10-28 on),
then N of that day's eligible stocks without replacement. An abnormal return delta
is added to the N stocks' returns on day 0 (delta = 0 gives the size). A test
rejects when its two-sided p-value is below 5%.

This is the situation the Kolari-Pynnönen (2010) adjustment exists for: abnormal
returns on a common calendar day are cross-correlated (industry and style factors
beyond the CSI 300), which the cross-sectional and Patell/BMP variances ignore.

For speed the engine runs once on a batch of samples and each sample's statistics are
recomputed from its own events (``result.subset``; per-event estimates do not depend
on other events). Samples in one batch have day 0s more than 250 sessions apart, so
no sample's bumped day falls in another sample's estimation or event window (no
contamination of the estimates by the delta). The same draws are used for every delta.

Usage::

    /work/venv/bin/python benchmarks/simulate_clustered.py [--reps 1000] [--seed 20260702]
    /work/venv/bin/python benchmarks/simulate_clustered.py --diagnose  # residual r-bar check
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from simulate_size_power import candidates, load_returns, to_markdown

from eventstudy.study import run_event_study

MARKET = "000300.SH"
DELTAS = (0.0, 0.01)
SIZES = (10, 30, 47)
GAP = 250  # sessions: day 0s of samples in one batch are more than this apart


def draw(
    rng: np.random.Generator, elig: np.ndarray, n: int, reps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Day 0 row of each sample (reps,) and its n distinct stock columns (reps, n)."""
    days = np.flatnonzero(elig.sum(axis=1) >= n)
    day = np.sort(rng.choice(days, size=reps, replace=True))
    cols = np.empty((reps, n), dtype=np.int64)
    for r, d in enumerate(day):
        cols[r] = rng.choice(np.flatnonzero(elig[d]), size=n, replace=False)
    return day, cols


def batches(day: np.ndarray) -> list[list[int]]:
    """Greedy interval colouring of the (sorted) day 0s: members > GAP sessions apart."""
    out: list[list[int]] = []
    last: list[int] = []
    for r, d in enumerate(day):
        for b, lst in enumerate(last):
            if d - lst > GAP:
                out[b].append(r)
                last[b] = int(d)
                break
        else:
            out.append([r])
            last.append(int(d))
    return out


def sample_rows(t: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Rejection indicators and statistics of one sample: day 0 and CAR/BHAR [-1,1]."""
    day = t[(t.scope == "day") & (t.rel_day == 0)]
    win0 = t[(t.window == "[0,0]") & t.test.isin(["grank", "skew_t"]) & (t.measure == "CAR")]
    d = pd.concat([day, win0])
    w = t[t.window == "[-1,1]"]
    rej = pd.concat(
        [
            pd.Series((d.pvalue < 0.05).to_numpy(), index="day0 " + d.test + "/" + d.measure),
            pd.Series((w.pvalue < 0.05).to_numpy(), index="[-1,1] " + w.test + "/" + w.measure),
        ]
    )
    z = d[d.test != "wilcoxon"]  # wilcoxon reports W, not a z or t
    stat = pd.Series(z.statistic.to_numpy(), index=z.test + "/" + z.measure)
    return rej, stat


def day0_correlation(mom: np.ndarray, rbar: np.ndarray, n: int) -> pd.Series:
    """Pooled correlation of the day-0 SARs of a sample vs the mean KP rbar.

    ``mom`` rows: ``(sum SAR)^2``, ``sum SAR^2``, ``|R_m|`` on day 0. Under no abnormal
    return ``E[(sum SAR)^2 - sum SAR^2] = N (N-1) rho sigma^2``, so the pooled ratio
    estimates the correlation of the event-day abnormal returns, overall and by
    tercile of the market's absolute return on day 0.
    """
    s1, s2, am = mom.T

    def rho(m: np.ndarray) -> float:
        return float((s1[m] - s2[m]).sum() / ((n - 1) * s2[m]).sum())

    out = {"rho_day0 all": rho(np.ones(len(s1), dtype=bool)), "rbar all": float(rbar.mean())}
    cut = np.quantile(am, [1 / 3, 2 / 3])
    tercile = np.searchsorted(cut, am)
    for k, name in enumerate(("low", "mid", "high")):
        m = tercile == k
        out[f"rho_day0 |Rm| {name}"] = rho(m)
        out[f"rbar |Rm| {name}"] = float(rbar[m].mean())
    return pd.Series(out)


def mean_offdiag_corr(e: np.ndarray) -> float:
    c = np.corrcoef(e.T)
    n = c.shape[0]
    return float((c.sum() - n) / (n * (n - 1)))


def residual_correlation(rets: pd.DataFrame, start: str = "2019-10-28") -> dict[str, object]:
    """How the residual correlation of the stocks depends on the window (``--diagnose``).

    Market model on the days from ``start`` with every return present: mean pairwise
    correlation of in-sample residuals per consecutive 240-day window, over the whole
    period, of out-of-sample prediction errors (fit on 240 days, errors on the next
    240, windows every 120 days), and of 20-day sums of the full-period residuals.
    """
    r = rets[rets.index >= start].dropna(axis=0, how="any")
    m = r[MARKET].to_numpy()
    x = r.drop(columns=MARKET).to_numpy()

    def fit(lo: int, hi: int) -> np.ndarray:
        a = np.column_stack([np.ones(hi - lo), m[lo:hi]])
        return np.linalg.lstsq(a, x[lo:hi], rcond=None)[0]

    def resid(b: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return x[lo:hi] - np.column_stack([np.ones(hi - lo), m[lo:hi]]) @ b

    t = len(m)
    insample = [
        mean_offdiag_corr(resid(fit(s, s + 240), s, s + 240)) for s in range(0, t - 240, 240)
    ]
    oos = [
        mean_offdiag_corr(resid(fit(s, s + 240), s + 240, s + 480)) for s in range(0, t - 480, 120)
    ]
    e_full = resid(fit(0, t), 0, t)
    k = 20
    sums = e_full[: (t // k) * k].reshape(-1, k, x.shape[1]).sum(axis=1)
    return {
        "days, stocks": (t, x.shape[1]),
        "in-sample 240-day windows": np.round(insample, 4).tolist(),
        "in-sample 240-day mean": round(float(np.mean(insample)), 4),
        "full period": round(mean_offdiag_corr(e_full), 4),
        "out-of-sample next 240 days (mean)": round(float(np.mean(oos)), 4),
        "20-day sums of full-period residuals": round(mean_offdiag_corr(sums), 4),
    }


def simulate(reps: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    rets = load_returns()
    rows, cols = candidates(rets)
    elig = np.zeros((len(rets), len(rets.columns) - 1), dtype=bool)
    elig[rows, cols] = True
    stocks = rets.columns[:-1]
    rej_tab: dict[tuple[int, float], pd.Series] = {}
    rbar_info: dict[int, dict[str, float]] = {}
    corr_info: dict[int, pd.Series] = {}
    rm = rets[MARKET].to_numpy()
    sd_stat: dict[int, pd.Series] = {}
    t0 = time.perf_counter()
    for n in SIZES:
        day, pick = draw(rng, elig, n, reps)
        groups = batches(day)
        for delta in DELTAS:
            rej_all, stat_all, rbars, moments = [], [], [], []
            for g in groups:
                g_day, g_pick = day[g], pick[g]
                events = pd.DataFrame(
                    {
                        "event_id": [f"{r}-{k}" for r in g for k in range(n)],
                        "symbol": stocks[g_pick.ravel()],
                        "day0": rets.index[np.repeat(g_day, n)],
                        "rep": np.repeat(np.asarray(g), n),
                    }
                )
                bumped = rets
                if delta:
                    arr = rets.to_numpy(copy=True)
                    arr[np.repeat(g_day, n), g_pick.ravel()] += delta
                    bumped = pd.DataFrame(arr, index=rets.index, columns=rets.columns)
                res = run_event_study(events, returns=bumped, market=MARKET)
                if len(res.dropped):
                    raise RuntimeError(f"unexpected dropped events:\n{res.dropped}")
                rep_of = res.events["rep"].to_numpy()
                for r in g:
                    sub = res.subset(rep_of == r)
                    rej, stat = sample_rows(sub.tests)
                    rej_all.append(rej)
                    stat_all.append(stat)
                    rbars.append(sub.rbar)
                    sar0 = sub.pieces.sar[:, 5]  # relative day 0 (event window starts at -5)
                    moments.append((sar0.sum() ** 2, (sar0**2).sum(), abs(rm[day[r]])))
            rej_tab[(n, delta)] = pd.concat(rej_all, axis=1).mean(axis=1)
            if delta == 0.0:
                rb = np.asarray(rbars)
                rbar_info[n] = {
                    "mean": float(rb.mean()),
                    "p10": float(np.quantile(rb, 0.1)),
                    "p90": float(np.quantile(rb, 0.9)),
                    "inflation_kp_bmp": float(np.mean((1 + (n - 1) * rb) / (1 - rb))),
                    "inflation_patell": float(np.mean(1 + (n - 1) * rb)),
                    "batches": float(len(groups)),
                }
                sd_stat[n] = pd.concat(stat_all, axis=1).std(axis=1, ddof=1)
                corr_info[n] = day0_correlation(np.asarray(moments), rb, n)
            print(
                f"N={n} delta={delta:.3f} {len(groups)} engine runs "
                f"({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    tab = pd.DataFrame(rej_tab)
    tab = tab.reindex(columns=sorted(tab.columns, key=lambda c: (c[1], c[0])))
    return {
        "tab": tab,
        "rbar": pd.DataFrame(rbar_info),
        "sd": pd.DataFrame(sd_stat),
        "corr": pd.DataFrame(corr_info),
        "secs": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20260702)
    ap.add_argument(
        "--diagnose", action="store_true", help="only print the residual-correlation check"
    )
    args = ap.parse_args()
    if args.diagnose:
        for key, val in residual_correlation(load_returns()).items():
            print(f"{key}: {val}")
        return
    out = simulate(args.reps, args.seed)
    tab = out["tab"]
    assert isinstance(tab, pd.DataFrame)
    se2 = 2 * np.sqrt(0.05 * 0.95 / args.reps)
    print(f"\nreps={args.reps} seed={args.seed} runtime={out['secs']:.0f} s")
    print(f"correctly sized test: 5% +/- {se2:.1%} (2 SE)")
    for part, title in (("day0 ", "Day 0"), ("[-1,1] ", "CAR/BHAR [-1,1]")):
        sub = tab[tab.index.str.startswith(part)]
        sub.index = sub.index.str.removeprefix(part)
        print(f"\n{title}: rejection rate at 5%")
        print(to_markdown(sub))
    print("\nKolari-Pynnönen rbar per sample (delta = 0) and mean variance inflation:")
    print(out["rbar"].round(4).to_string())
    print("\nday-0 SAR correlation (pooled over samples) vs mean rbar, by |R_m| on day 0:")
    print(out["corr"].round(4).to_string())
    print("\nsd over samples of the day-0 statistic (delta = 0; about 1 for a sized z/t):")
    print(out["sd"].round(2).to_string())


if __name__ == "__main__":
    main()
