"""Benchmark: the study and the news load on a local Dask cluster vs one process.

Reads the shared full-market file ``../shared/data/market_full/a_shares_daily.parquet``
(5,202 stocks, daily 2021-07-27..2026-07; read here only, the package and its tests never
read ``../shared``). The warehouse is a temporary folder holding a link to that file and
one small file with the CSI 300 (000300.SH, from the bundled history), read with
``LocalSource(folder, layout="warehouse")`` registered as ``lake``.

- **study**: ``--events`` random (stock, day 0) events over 2022-06..2025-12 on every
  stock of the file, **market model vs 000300.SH**, default windows, all tests.
  ``local``: ``run_event_study(ev, source="lake")`` (one process reads every event
  stock: with the batched warehouse read, one scan per 1,000 stocks); ``dask-N``: the
  same with ``engine="dask"`` on ``LocalCluster(n_workers=N, processes=True,
  threads_per_worker=1)``, each worker reading only its partition's stocks. Checked
  equal to the local result: every statistic (the test table, AAR, CAAR, ABHAR, and
  per event CAR, BHAR, sigma, parameters) to 1e-10, ``dropped`` identical.
- **news**: ``--posts`` copies of the 64 bundled posts (unique ids, as in
  ``bench_news.py``) in a temporary folder; ``load_news(folder)`` vs
  ``load_news(folder, engine="dask")`` on 2 workers; checked equal (articles, mentions,
  skipped, duplicates, input count).

Each configuration runs in a fresh subprocess; printed per run: wall time, the peak
resident memory (``ru_maxrss``, read in the process itself) of the client process (for
Dask it also hosts the scheduler) and of each worker process, the load average before
and after. A Markdown table of all runs is printed at the end.

Run (the issue's sizes; the machine is shared, so niced)::

    nice -n 10 python benchmarks/bench_dask.py --events 1000000 --posts 100000

Small sizes first: ``python benchmarks/bench_dask.py --events 2000 --posts 2000``.
``--only study|news`` runs one half, ``--modes local,dask-2`` some configurations.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MARKET = "000300.SH"
STUDY_MODES = ("local", "dask-1", "dask-2")
NEWS_MODES = ("local", "dask-2")
TOLERANCE = 1e-10


def shared_file() -> Path:
    """``../shared/data/market_full/a_shares_daily.parquet`` beside the repository."""
    for root in Path(__file__).resolve().parents[1:4]:
        path = root / "shared" / "data" / "market_full" / "a_shares_daily.parquet"
        if path.is_file():
            return path
    raise SystemExit("the shared full-market file ../shared/data/market_full/ is not here")


def make_lake(folder: Path) -> Path:
    """A warehouse folder: the shared file (linked) and the CSI 300 in the same schema."""
    from eventstudy.datasets import sample_prices

    src = shared_file()
    (folder / "stocks.parquet").symlink_to(src)
    schema = pq.read_schema(src)
    mkt = sample_prices([MARKET])
    mkt = mkt[mkt["date"] >= "2021-07-27"]
    cols = {f.name: mkt.get(f.name, np.nan) for f in schema}
    table = pa.Table.from_pandas(pd.DataFrame(cols), preserve_index=False).cast(schema)
    pq.write_table(table, folder / "index.parquet")
    return folder


def make_events(n: int, seed: int = 0) -> pd.DataFrame:
    symbols = pq.read_table(shared_file(), columns=["symbol"]).column(0).unique().to_pylist()
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2022-06-01", "2025-12-31")
    return pd.DataFrame(
        {
            "event_id": np.arange(n),
            "symbol": rng.choice(sorted(symbols), n),
            "day0": rng.choice(days, n).astype("datetime64[ns]"),
        }
    )


def peak_mb() -> float:
    """Peak resident memory of this process (``ru_maxrss``, kB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cluster(n: int) -> Any:
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        memory_limit=0,  # no memory monitor: ru_maxrss of each worker is what is reported
    )


def study_tables(res: Any) -> dict[str, pd.DataFrame]:
    """Every statistic of a study result as plain frames (string labels)."""

    def plain(obj: pd.DataFrame | pd.Series) -> pd.DataFrame:
        frame = pd.DataFrame(obj).copy()
        frame.columns = [str(c) for c in frame.columns]
        frame.index = frame.index.map(str)
        return frame

    tables = {
        "tests": res.tests,
        "aar": res.aar,
        "caar": res.caar,
        "abhar": res.abhar,
        "car": res.car,
        "bhar": res.bhar,
        "sigma": res.sigma,
        "params": res.params,
    }
    return {k: plain(v) for k, v in tables.items()}


def run_study(mode: str, n_events: int, lake: Path, out: Path) -> dict[str, Any]:
    from eventstudy.market import LocalSource, register_source
    from eventstudy.study import run_event_study

    register_source("lake", LocalSource(lake, layout="warehouse"))
    ev = make_events(n_events)
    workers: list[float] = []
    if mode == "local":
        t0 = time.perf_counter()
        res = run_event_study(ev, source="lake", market=MARKET)
        wall = time.perf_counter() - t0
    else:
        from distributed import Client

        with cluster(int(mode.split("-")[1])) as lc, Client(lc) as client:
            t0 = time.perf_counter()
            res = run_event_study(ev, source="lake", market=MARKET, engine="dask", client=client)
            wall = time.perf_counter() - t0
            workers = sorted(client.run(peak_mb).values())
    pd.to_pickle(study_tables(res), out / f"study-{mode}.pkl")
    res.dropped.astype(str).to_parquet(out / f"dropped-{mode}.parquet")
    return {
        "what": "study",
        "mode": mode,
        "size": n_events,
        "result": f"{res.n_events:,} analysed, {len(res.dropped):,} dropped",
        "wall_s": round(wall, 1),
        "client_peak_mb": round(peak_mb()),
        "worker_peak_mb": [round(w) for w in workers],
    }


def news_tables(news: Any) -> dict[str, Any]:
    return {
        "articles": news.articles,
        "mentions": news.mentions,
        "skipped": news.skipped,
        "duplicates": news.duplicates,
        "n_inputs": news.n_inputs,
    }


def run_news(mode: str, folder: Path, out: Path) -> dict[str, Any]:
    from eventstudy.news import load_news

    workers: list[float] = []
    if mode == "local":
        t0 = time.perf_counter()
        news = load_news(folder)
        wall = time.perf_counter() - t0
    else:
        from distributed import Client

        with cluster(int(mode.split("-")[1])) as lc, Client(lc) as client:
            t0 = time.perf_counter()
            news = load_news(folder, engine="dask", client=client)
            wall = time.perf_counter() - t0
            workers = sorted(client.run(peak_mb).values())
    pd.to_pickle(news_tables(news), out / f"news-{mode}.pkl")
    return {
        "what": "news",
        "mode": mode,
        "size": news.n_inputs,
        "result": f"{len(news.articles):,} articles, {len(news.mentions):,} mentions",
        "wall_s": round(wall, 1),
        "client_peak_mb": round(peak_mb()),
        "worker_peak_mb": [round(w) for w in workers],
    }


def child(args: argparse.Namespace) -> None:
    warnings.simplefilter("ignore")
    work = Path(args.work)
    what, mode = args.child.split(":")
    if what == "study":
        out = run_study(mode, args.events, work / "lake", work)
    else:
        out = run_news(mode, work / "posts", work)
    print(json.dumps(out))


def same_study(work: Path, modes: list[str]) -> str:
    """Every statistic of each Dask run equal to the local run's to 1e-10, ``dropped`` equal."""
    ref = pd.read_pickle(work / "study-local.pkl")
    drop = pd.read_parquet(work / "dropped-local.parquet")
    for mode in modes:
        if mode == "local":
            continue
        got = pd.read_pickle(work / f"study-{mode}.pkl")
        for name, table in ref.items():
            pd.testing.assert_frame_equal(
                table, got[name], check_exact=False, rtol=0, atol=TOLERANCE, obj=f"{mode} {name}"
            )
        pd.testing.assert_frame_equal(drop, pd.read_parquet(work / f"dropped-{mode}.parquet"))
    return f"identical to local (every statistic to {TOLERANCE:g}, dropped equal)"


def same_news(work: Path, modes: list[str]) -> str:
    ref = pd.read_pickle(work / "news-local.pkl")
    for mode in modes:
        if mode == "local":
            continue
        got = pd.read_pickle(work / f"news-{mode}.pkl")
        assert got["n_inputs"] == ref["n_inputs"]
        for name in ("articles", "mentions", "skipped", "duplicates"):
            pd.testing.assert_frame_equal(ref[name], got[name], obj=f"{mode} {name}")
    return "identical to local (articles, mentions, skipped, duplicates)"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| run | wall | peak memory (client; workers) | result | load before → after |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        workers = ", ".join(f"{w:,}" for w in r["worker_peak_mb"])
        memory = f"{r['client_peak_mb']:,} MB" + (f"; {workers} MB" if workers else "")
        lines.append(
            f"| {r['what']}, {r['size']:,}, {r['mode']} | {r['wall_s']:,} s | {memory} "
            f"| {r['result']} | {r['load_before']:.1f} → {r['load_after']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--only", choices=["study", "news"], default=None)
    ap.add_argument("--modes", default=None, help="e.g. local,dask-2 (local always runs)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--work", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_news import replicate

    chosen = None if args.modes is None else {"local", *args.modes.split(",")}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()}; reads {shared_file()}")

        def run(what: str) -> None:
            cmd = [sys.executable, __file__, "--child", what, "--work", tmp,
                   "--events", str(args.events)]  # fmt: skip
            before = os.getloadavg()[0]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"{what} failed:\n{out.stderr[-3000:]}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row.update(load_before=before, load_after=os.getloadavg()[0])
            rows.append(row)
            print(json.dumps(row), flush=True)

        if args.only in (None, "study"):
            (work / "lake").mkdir()
            make_lake(work / "lake")
            modes = [m for m in STUDY_MODES if chosen is None or m in chosen]
            for mode in modes:
                run(f"study:{mode}")
            print("study:", same_study(work, modes), flush=True)
        if args.only in (None, "news"):
            (work / "posts").mkdir()
            size = replicate(work / "posts", args.posts)
            print(f"news: {args.posts:,} posts, {size / 1e6:.1f} MB", flush=True)
            modes = [m for m in NEWS_MODES if chosen is None or m in chosen]
            for mode in modes:
                run(f"news:{mode}")
            print("news:", same_news(work, modes), flush=True)
        print(f"load after: {os.getloadavg()}")
        print(markdown(rows))


if __name__ == "__main__":
    main()
