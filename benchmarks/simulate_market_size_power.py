"""Size and power of every test on the whole A-share market (run by hand; seeded).

Reads the shared full-market file ``../shared/data/market_full/a_shares_daily.parquet``
(5,202 stocks, daily closes 2021-07-27..2026-07-27, forward-adjusted; read here only,
the package never reads ``../shared``) and the bundled CSI 300
(:func:`eventstudy.datasets.sample_prices`). The close panel's simple returns are
cached in ``/tmp`` (``--cache``) so a second run skips the Parquet read.

Brown and Warner (1985) design on random stocks of every size and board (main boards,
ChiNext 300xxx/301xxx, STAR 688xxx), with price limits and suspensions as they are
(a suspended day has no return). Market model, estimation window [-250,-11], event
window [-5,5] (the package defaults). A (stock, day 0) pair is eligible when the stock
has a return on day 0 and at least 200 returns in its estimation window.

- **random dates**: each sample draws N eligible pairs at random (with replacement);
- **clustered dates**: each sample draws ONE day 0 (uniformly among the sessions with at
  least N eligible stocks) and N distinct eligible stocks, all with that day 0.

Markets: ``ew``, the equal-weighted market of the whole panel
(:func:`eventstudy.study.panel_market.equal_weighted_market`, what ``market="ew"``
builds; checked against ``market="ew"`` at start-up), and the CSI 300 (``000300.SH``).
An abnormal return delta (0, +0.5 %, +1 %, +2 %) is added to each event's return on
day 0; delta = 0 gives the size. A test rejects when its two-sided p-value is below 5 %.
Samples whose p-value is undefined (``calendar_time`` on one shared day 0: one
portfolio day) are left out of that test's rate ("–" when no sample has one).

The battery of every cell is the 12 standard tests (``calendar_time`` aside), with the
CAR windows [-1,1] and [0,0] (the day rows are those of the event window [-5,5]; the
other default windows would change none of the statistics read here). The
calendar-time test costs about ten times the rest per sample on dates spread over
four years (one portfolio per calendar day, each with its 240-day estimation
series), so it runs on its own on the first ``--reps-ct`` samples of the random-date
cells (EW market, delta 0 and +1 %); with clustered dates its day-0 statistic is
undefined.

For speed and for a clean design every event gets **its own copy of its stock's
return column**, bumped by delta on its own day 0 only: a bump never lands in another
sampled event's estimation or event window (with 100,000 events on 5,202 stocks that
would be common), and the market series is computed once from the unbumped panel.
The engine runs once per chunk of samples (``--chunk`` events) and each sample's tests
are recomputed from its own events with ``result.subset`` (per-event estimates do not
depend on other events). The same draws serve every delta of a cell.

Then:

- **the headline test** (:data:`eventstudy.study.headline.HEADLINE_TEST`): the rule
  :data:`eventstudy.study.headline.HEADLINE_RULE` applied to the day-0 tables (EW market),
  and its size checked with ``--reps-headline`` (>= 5,000) random-date samples: within
  two simulation standard errors ``2 sqrt(0.05 * 0.95 / R)`` of 5 %;
- **N = 1,000 random dates** (``--reps-large`` samples, both markets): the mean day-0
  abnormal return over all events (the market model's alpha drift) and each test's
  size; on the first ``--placebo-reps`` samples (EW market) the size of the
  placebo-calibrated p-value (``result.placebo(n=--placebo-runs)``) of CAR [0,0] and
  [-1,1]. With 39 placebo runs ``p = (1 + #{|placebo| >= |real|}) / 40 <= 0.05`` is
  exactly 2 of the 40 equally likely ranks: a test of size 5 %.

Usage::

    nice -n 10 /work/venv/bin/python benchmarks/simulate_market_size_power.py
    python benchmarks/simulate_market_size_power.py --quick   # 50 samples: a smoke run

Costs about 10 CPU-minutes (see ``benchmarks/RESULTS.md`` for the recorded run).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from bench_warehouse import default_path

from eventstudy.datasets import sample_prices
from eventstudy.study import run_event_study
from eventstudy.study.headline import HEADLINE_RULE, HEADLINE_TEST, HEADLINE_TESTS, pick_headline
from eventstudy.study.inference import TESTS
from eventstudy.study.panel_market import equal_weighted_market
from eventstudy.study.sanity import IMPLAUSIBLE_RETURN

CSI300 = "000300.SH"
EW = "EW_MARKET"  # column label of the precomputed equal-weighted market
DELTAS = (0.0, 0.005, 0.01, 0.02)
SIZES = (30, 100)
EST_MIN = 200  # estimation returns an eligible event has (of 240)
ALPHA = 0.05
#: The battery of the size/power cells: the 12 standard tests. ``calendar_time`` runs on
#: its own on fewer samples (``--reps-ct``): it costs ~10x the rest per sample here.
BATTERY = tuple(t for t in TESTS if t != "calendar_time")
WINDOWS = ((-1, 1), (0, 0))  # the CAR windows read (day 0 is also a day row)


# ------------------------------------------------------------------------------- data
def load_returns(path: Path, cache: Path) -> pd.DataFrame:
    """Daily simple returns (sessions x 5,202 stocks) of the full-market closes."""
    stamp = f"{path.stat().st_size}-{int(path.stat().st_mtime)}"
    if cache.is_file():
        z = np.load(cache, allow_pickle=False)
        if str(z["stamp"]) == stamp:
            return pd.DataFrame(z["values"], index=pd.DatetimeIndex(z["dates"]), columns=z["cols"])
    df = pd.read_parquet(path, columns=["date", "symbol", "close"])
    px = df.pivot(index="date", columns="symbol", values="close").sort_index()
    rets = px.pct_change(fill_method=None).iloc[1:]
    np.savez(
        cache,
        stamp=stamp,
        values=rets.to_numpy(),
        dates=rets.index.to_numpy(),
        cols=rets.columns.to_numpy(dtype=str),
    )
    return rets


def csi300_returns(index: pd.DatetimeIndex) -> pd.Series:
    """CSI 300 simple returns on the panel's sessions (bundled index closes)."""
    px = sample_prices([CSI300]).set_index("date")["close"].sort_index()
    r = px.pct_change(fill_method=None).reindex(index)
    if r.isna().any():
        raise SystemExit(f"CSI 300 has no return on {int(r.isna().sum())} panel sessions")
    return r.rename(CSI300)


def eligible(values: np.ndarray) -> np.ndarray:
    """``(T, S)``: a return on day 0, >= EST_MIN estimation returns, a whole event window."""
    have = np.isfinite(values)
    csum = np.vstack([np.zeros((1, have.shape[1]), dtype=np.int32), np.cumsum(have, axis=0)])
    t = np.arange(len(values))
    ok = (t >= 250) & (t + 5 < len(values))
    est = csum[np.clip(t - 10, 0, None)] - csum[np.clip(t - 250, 0, None)]  # rows t-250..t-11
    return have & (est >= EST_MIN) & ok[:, None]


# ------------------------------------------------------------------------------ draws
@dataclass(frozen=True)
class Draws:
    """Day-0 row and stock column of each event, shape ``(reps, n)``."""

    day: np.ndarray
    col: np.ndarray


def draw_random(rng: np.random.Generator, elig: np.ndarray, n: int, reps: int) -> Draws:
    rows, cols = np.nonzero(elig)
    pick = rng.integers(0, len(rows), size=(reps, n))
    return Draws(rows[pick], cols[pick])


def draw_clustered(rng: np.random.Generator, elig: np.ndarray, n: int, reps: int) -> Draws:
    days = np.flatnonzero(elig.sum(axis=1) >= n)
    day = rng.choice(days, size=reps, replace=True)
    col = np.stack([rng.choice(np.flatnonzero(elig[d]), size=n, replace=False) for d in day])
    return Draws(np.repeat(day[:, None], n, axis=1), col)


# ----------------------------------------------------------------------------- engine
@dataclass(frozen=True)
class Panel:
    values: np.ndarray  # (T, S) stock returns
    dates: pd.DatetimeIndex
    market: pd.Series  # on dates


#: Events dropped by the returns sanity rule (eventstudy.study.sanity): a stock with an
#: implausible return in the event's windows; that sample then has N - 1 events.
DROPPED_IMPLAUSIBLE = [0]


def run_chunks(
    panel: Panel,
    draws: Draws,
    delta: float,
    chunk: int,
    tests: tuple[str, ...] = BATTERY,
) -> Iterator:
    """``(result, first sample, samples)`` per engine run on copies of the event columns."""
    reps, n = draws.day.shape
    per = max(1, chunk // n)
    for a in range(0, reps, per):
        b = min(reps, a + per)
        day, col = draws.day[a:b].ravel(), draws.col[a:b].ravel()
        k = np.arange(len(day))
        arr = panel.values[:, col]  # one column per event
        arr[day, k] += delta
        names = [f"E{i:07d}" for i in k]
        rets = pd.DataFrame(arr, index=panel.dates, columns=names)
        rets[panel.market.name] = panel.market.to_numpy()
        events = pd.DataFrame(
            {
                "event_id": names,
                "symbol": names,
                "day0": panel.dates[day],
                "rep": np.repeat(np.arange(a, b), n),
            }
        )
        res = run_event_study(
            events, returns=rets, market=str(panel.market.name), tests=tests, car_windows=WINDOWS
        )
        other = res.dropped[res.dropped["reason"] != IMPLAUSIBLE_RETURN]
        if len(other):
            raise RuntimeError(f"unexpected dropped events:\n{other.head()}")
        DROPPED_IMPLAUSIBLE[0] += len(res.dropped)  # the returns sanity rule: N - 1 that sample
        yield res, a, b


def pvalues(results: tuple) -> dict[str, float]:
    """Day 0 (AR; grank and skew_t on CAR [0,0]) and CAR [-1,1] p-value of each test."""
    out = {}
    for r in results:
        if r.scope == "day" and r.rel_day == 0 and r.measure == "AR":
            out[f"day0 {r.test}"] = r.pvalue
        elif r.scope == "window" and r.measure == "CAR":
            if r.window == (0, 0) and r.test in ("grank", "skew_t"):
                out[f"day0 {r.test}"] = r.pvalue
            elif r.window == (-1, 1):
                out[f"[-1,1] {r.test}"] = r.pvalue
    return out


def cell(
    panel: Panel, draws: Draws, delta: float, chunk: int, tests: tuple[str, ...] = BATTERY
) -> pd.DataFrame:
    """p-values of every sample (rows) and test (columns)."""
    rows: list[dict[str, float]] = []
    for res, a, b in run_chunks(panel, draws, delta, chunk, tests):
        rep_of = res.events["rep"].to_numpy()
        rows += [pvalues(res.subset(rep_of == r).test_results) for r in range(a, b)]
    return pd.DataFrame(rows)


def rates(p: pd.DataFrame) -> pd.Series:
    """Rejection rate at 5 % over the samples with a p-value; NaN if none has one."""
    ok = p.notna()
    return ((p < ALPHA) & ok).sum() / ok.sum().replace(0, np.nan)


# -------------------------------------------------------------------------- the parts
def check_ew(values: np.ndarray, dates: pd.DatetimeIndex, cols: pd.Index, ew: pd.Series) -> None:
    """The precomputed EW market gives the ARs of ``market="ew"`` (a few events)."""
    rng = np.random.default_rng(0)
    rows, c = np.nonzero(eligible(values))
    pick = rng.integers(0, len(rows), 20)
    ev = pd.DataFrame({"event_id": range(20), "symbol": cols[c[pick]], "day0": dates[rows[pick]]})
    full = pd.DataFrame(values, index=dates, columns=cols)
    a = run_event_study(ev, returns=full, market="ew", tests=["t_cross"]).ar
    b = run_event_study(ev, returns=full.assign(**{EW: ew}), market=EW, tests=["t_cross"]).ar
    gap = float(np.nanmax(np.abs(a.to_numpy() - b.to_numpy())))
    if not gap < 1e-12:
        raise SystemExit(f"precomputed EW market differs from market='ew' by {gap}")
    print(f"EW market check: max |AR difference| vs market='ew' = {gap:.1e}", flush=True)


def size_power(panels: dict[str, Panel], elig: np.ndarray, args: argparse.Namespace) -> dict:
    """Rejection rates keyed by (design, market, N, delta)."""
    out: dict[tuple[str, str, int, float], pd.Series] = {}
    t0 = time.perf_counter()
    for d_i, (design, drawer) in enumerate(
        (("random", draw_random), ("clustered", draw_clustered))
    ):
        for n in SIZES:
            draws = drawer(np.random.default_rng([args.seed, d_i, n]), elig, n, args.reps)
            for market, panel in panels.items():
                deltas = DELTAS if market == "ew" else (0.0, 0.01)
                for delta in deltas:
                    r = rates(cell(panel, draws, delta, args.chunk))
                    if design == "random" and market == "ew" and delta in (0.0, 0.01):
                        few = Draws(draws.day[: args.reps_ct], draws.col[: args.reps_ct])
                        ct = cell(panel, few, delta, args.chunk, tests=("calendar_time",))
                        r = pd.concat([r, rates(ct)])
                    out[(design, market, n, delta)] = r
                    print(
                        f"{design} {market} N={n} delta={delta:.3f} "
                        f"({time.perf_counter() - t0:.0f} s)",
                        flush=True,
                    )
    return out


def headline_check(panel: Panel, elig: np.ndarray, test: str, args: argparse.Namespace) -> dict:
    """Day-0 size of ``test`` with ``--reps-headline`` random-date samples per N."""
    out = {}
    for n in SIZES:
        draws = draw_random(np.random.default_rng([args.seed, 7, n]), elig, n, args.reps_headline)
        p = cell(panel, draws, 0.0, args.chunk, tests=(test,))
        out[n] = float(rates(p)[f"day0 {test}"])
    return out


def print_headline_sizes(test: str, market: str, head: dict, reps: int) -> None:
    """One line per N: the test's day-0 size and whether it is within 2 simulation SE of 5 %."""
    se_h = np.sqrt(ALPHA * (1 - ALPHA) / reps)
    for n, size in head.items():
        inside = abs(size - ALPHA) <= 2 * se_h
        print(
            f"{test} day-0 size, random dates, {market} market, N={n}, {reps} samples: "
            f"{size:.2%} (5% +/- {2 * se_h:.2%}: {'within' if inside else 'OUTSIDE'})"
        )


def large_n(panels: dict[str, Panel], elig: np.ndarray, args: argparse.Namespace) -> dict:
    """N = 1,000 random dates: mean day-0 AR, each test's size, placebo size."""
    n = 1000
    draws = draw_random(np.random.default_rng([args.seed, 9]), elig, n, args.reps_large)
    out: dict[str, object] = {}
    for market, panel in panels.items():
        ar0, rows, placebo = [], [], []
        for res, a, b in run_chunks(panel, draws, 0.0, args.chunk_large):
            ar0.append(res.ar[0].to_numpy())
            rep_of = res.events["rep"].to_numpy()
            for r in range(a, b):
                sub = res.subset(rep_of == r)
                rows.append(pvalues(sub.test_results))
                if r < args.placebo_reps:
                    pl = sub.placebo(n=args.placebo_runs, seed=args.seed + r)
                    placebo.append({w: float(pl.pvalue[w]) for w in ("[0,0]", "[-1,1]")})
            print(f"N=1000 {market}: {b} samples", flush=True)
        x = np.concatenate(ar0)
        out[market] = {
            "mean_ar0_bp": 1e4 * float(np.nanmean(x)),
            "se_bp": 1e4 * float(np.nanstd(x, ddof=1) / np.sqrt(np.isfinite(x).sum())),
            "median_ar0_bp": 1e4 * float(np.nanmedian(x)),
            "rates": rates(pd.DataFrame(rows)),
            "placebo": rates(pd.DataFrame(placebo)) if placebo else None,
            "placebo_n": len(placebo),
        }
    return out


def rule_tables(res: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Day-0 size and +1 % power (EW market), one column per design and N."""

    def at(delta: float) -> pd.DataFrame:
        cols = {}
        for design in ("random", "clustered"):
            for n in SIZES:
                s = res[(design, "ew", n, delta)]
                s = s[s.index.str.startswith("day0 ")]
                cols[f"{design} N={n}"] = s.rename(lambda k: k.split(" ", 1)[1])
        return pd.DataFrame(cols)

    return at(0.0), at(0.01)


# ------------------------------------------------------------------------------ print
def markdown(tab: pd.DataFrame, se2: float | None = None) -> str:
    lines = ["| test | " + " | ".join(tab.columns) + " |", "|---|" + "---:|" * len(tab.columns)]
    for name, row in tab.iterrows():
        cells = []
        for col, v in row.items():
            star = "*" if se2 is not None and "δ=0.0%" in str(col) and abs(v - ALPHA) > se2 else ""
            cells.append("–" if pd.isna(v) else f"{v:.1%}{star}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(
    res: dict, design: str, market: str, part: str, deltas: tuple[float, ...]
) -> pd.DataFrame:
    cols = {}
    for n in SIZES:
        for d in deltas:
            s = res[(design, market, n, d)]
            s = s[s.index.str.startswith(part + " ")]
            cols[f"N={n} δ={d:.1%}"] = s.rename(lambda k: k.split(" ", 1)[1])
    tab = pd.DataFrame(cols)
    return tab.reindex([t for t in TESTS if t in tab.index])


def machine() -> str:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if "Model name" in ln), "?"
    )
    return f"{platform.node()}, {os.cpu_count()} cores, {model}, load {os.getloadavg()[0]:.1f}"


def report(
    res: dict, big: dict, head: dict, picked: str, args: argparse.Namespace, secs: float
) -> None:
    se2 = 2 * np.sqrt(ALPHA * (1 - ALPHA) / args.reps)
    print(f"\nreps={args.reps} seed={args.seed}; 5% +/- {se2:.1%} (2 SE; * outside)")
    for design in ("random", "clustered"):
        print(f"\n### {design} dates, EW market, day 0: rejection rate at 5%\n")
        print(markdown(table(res, design, "ew", "day0", DELTAS), se2))
    print("\n### CSI 300 market, day 0\n")
    tabs = [
        table(res, d, "csi300", "day0", (0.0, 0.01)).add_prefix(f"{d[:4]} ")
        for d in ("random", "clustered")
    ]
    print(markdown(pd.concat(tabs, axis=1), se2))
    print("\n### EW market, CAR [-1,1] (delta on day 0)\n")
    tabs = [
        table(res, d, "ew", "[-1,1]", (0.0, 0.01)).add_prefix(f"{d[:4]} ")
        for d in ("random", "clustered")
    ]
    print(markdown(pd.concat(tabs, axis=1), se2))
    print(f"\n### headline rule: {HEADLINE_RULE}")
    print(f"rule picks {picked!r}; eventstudy.study.headline.HEADLINE_TEST = {HEADLINE_TEST!r}")
    print_headline_sizes(picked, "ew", head, args.reps_headline)
    report_large(big, args)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\nruntime {secs:.0f} s; {machine()}; {stamp}")


def report_large(big: dict, args: argparse.Namespace) -> None:
    se_l = 2 * np.sqrt(ALPHA * (1 - ALPHA) / args.reps_large)
    print(f"\n### N = 1,000 random dates, {args.reps_large} samples (5% +/- {se_l:.1%})\n")
    for market, b in big.items():
        print(
            f"{market}: mean day-0 AR {b['mean_ar0_bp']:.2f} bp (SE {b['se_bp']:.2f}), "
            f"median {b['median_ar0_bp']:.2f} bp"
        )
    cols = {}
    for part, label in (("day0", "day 0"), ("[-1,1]", "CAR [-1,1]")):
        for m, b in big.items():
            r = b["rates"]
            r = r[r.index.str.startswith(part + " ")].rename(lambda k: k.split(" ", 1)[1])
            cols[f"{label}, {m}"] = r
    sizes = pd.DataFrame(cols)
    print(markdown(sizes.reindex([t for t in TESTS if t in sizes.index])))
    for market, b in big.items():
        if b["placebo"] is None:
            continue
        se_p = 2 * np.sqrt(ALPHA * (1 - ALPHA) / b["placebo_n"])
        print(
            f"placebo p-value ({market}, {b['placebo_n']} samples, {args.placebo_runs} runs; "
            f"5% +/- {se_p:.1%}): " + ", ".join(f"CAR {w} {v:.1%}" for w, v in b["placebo"].items())
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--reps-headline", type=int, default=5000)
    ap.add_argument("--reps-ct", type=int, default=200, help="samples of calendar_time")
    ap.add_argument("--reps-large", type=int, default=300)
    ap.add_argument("--placebo-reps", type=int, default=150)
    ap.add_argument("--placebo-runs", type=int, default=39)
    ap.add_argument("--chunk", type=int, default=25_000, help="events per engine run")
    ap.add_argument("--chunk-large", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--path", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/eventstudy_market_full_returns.npz"))
    ap.add_argument("--quick", action="store_true", help="50 samples everywhere (smoke run)")
    ap.add_argument(
        "--part",
        choices=("all", "large", "headline-index", "headline-ew"),
        default="all",
        help="large: only N = 1,000; headline-index / headline-ew: only the --reps-headline size "
        "check of that benchmark's headline test (HEADLINE_TESTS) against the CSI 300 / EW market",
    )
    args = ap.parse_args()
    if args.quick:
        args.reps = args.reps_headline = args.reps_large = args.reps_ct = 50
        args.placebo_reps, args.placebo_runs = 5, 19
    warnings.simplefilter("ignore")  # duplicate-event warnings cannot occur; keep output clean
    t0 = time.perf_counter()
    rets = load_returns(args.path or default_path(), args.cache)
    values, dates = rets.to_numpy(), pd.DatetimeIndex(rets.index)
    ew = equal_weighted_market(rets).rename(EW)
    print(
        f"panel {values.shape[0]} sessions x {values.shape[1]} stocks "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    check_ew(values, dates, rets.columns, ew)
    panels = {"ew": Panel(values, dates, ew), "csi300": Panel(values, dates, csi300_returns(dates))}
    elig = eligible(values)
    print(f"eligible (stock, day 0) pairs: {int(elig.sum())}", flush=True)
    if args.part in ("headline-index", "headline-ew"):
        kind, market = ("index", "csi300") if args.part == "headline-index" else ("ew", "ew")
        test = HEADLINE_TESTS[kind]
        head = headline_check(panels[market], elig, test, args)
        print_headline_sizes(test, market, head, args.reps_headline)
        print(f"events dropped by the returns sanity rule: {DROPPED_IMPLAUSIBLE[0]}")
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(f"\nruntime {time.perf_counter() - t0:.0f} s; {machine()}; {stamp}")
        return
    if args.part == "large":
        report_large(large_n(panels, elig, args), args)
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(f"\nruntime {time.perf_counter() - t0:.0f} s; {machine()}; {stamp}")
        return
    res = size_power(panels, elig, args)
    picked = pick_headline(*rule_tables(res), reps=args.reps)
    head = headline_check(panels["ew"], elig, picked, args)
    big = large_n(panels, elig, args)
    report(res, big, head, picked, args, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
