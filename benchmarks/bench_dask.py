"""Benchmark: the study and the news load on a local Dask cluster vs one process.

Reads the shared full-market file ``../shared/data/market_full/a_shares_daily.parquet``
(5,202 stocks, daily 2021-07-27..2026-07; read here only, the package and its tests never
read ``../shared``). The warehouse is a temporary folder holding a link to that file and
one small file with the CSI 300 (000300.SH, from the bundled history), read with
``LocalSource(folder, layout="warehouse")`` registered as ``lake``.

- **study**: ``--events`` random (stock, day 0) events over 2022-06..2025-12 on every
  stock of the file, market model vs 000300.SH, default windows, all tests. ``local``:
  ``run_event_study(ev, source="lake")`` (one process reads every event stock); ``dask-N``:
  the same with ``engine="dask"`` on ``LocalCluster(n_workers=N, processes=True,
  threads_per_worker=1)``, each worker reading only its partition's stocks. Checked equal
  to the local result (every test statistic to 1e-10, ``dropped`` identical).
- **news**: ``--posts`` copies of the 64 bundled posts (unique ids, as in
  ``bench_news.py``) in a temporary folder; ``load_news(folder)`` vs
  ``load_news(folder, engine="dask")`` on 2 workers; checked equal.

Each configuration runs in a fresh subprocess; printed: wall time, the peak resident
memory (``ru_maxrss``) of the process that ran it, and for Dask of each worker process.
Run: ``python benchmarks/bench_dask.py [--events 200000] [--posts 20000] [--only study]``.
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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_study(mode: str, n_events: int, lake: Path, out: Path) -> dict[str, Any]:
    from eventstudy.market import LocalSource, register_source
    from eventstudy.study import run_event_study

    register_source("lake", LocalSource(lake, layout="warehouse"))
    ev = make_events(n_events)
    if mode == "local":
        t0 = time.perf_counter()
        res = run_event_study(ev, source="lake", market=MARKET)
        wall = time.perf_counter() - t0
        workers: list[float] = []
    else:
        from distributed import Client, LocalCluster

        n = int(mode.split("-")[1])
        with (
            LocalCluster(n_workers=n, processes=True, threads_per_worker=1,
                         dashboard_address=None, memory_limit=0) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            t0 = time.perf_counter()
            res = run_event_study(ev, source="lake", market=MARKET, engine="dask", client=client)
            wall = time.perf_counter() - t0
            workers = sorted(client.run(peak_mb).values())
    res.tests.to_parquet(out / f"tests-{mode}.parquet")
    res.dropped.astype(str).to_parquet(out / f"dropped-{mode}.parquet")
    return {
        "mode": mode,
        "events": n_events,
        "analysed": res.n_events,
        "dropped": len(res.dropped),
        "wall_s": round(wall, 2),
        "client_peak_mb": round(peak_mb()),
        "worker_peak_mb": [round(w) for w in workers],
    }


def run_news(mode: str, folder: Path) -> dict[str, Any]:
    from eventstudy.news import load_news

    if mode == "local":
        t0 = time.perf_counter()
        news = load_news(folder)
        wall = time.perf_counter() - t0
        workers: list[float] = []
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                         dashboard_address=None, memory_limit=0) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            t0 = time.perf_counter()
            news = load_news(folder, engine="dask", client=client)
            wall = time.perf_counter() - t0
            workers = sorted(client.run(peak_mb).values())
    news.mentions.to_parquet(folder.parent / f"mentions-{mode}.parquet")
    return {
        "mode": mode,
        "inputs": news.n_inputs,
        "articles": len(news.articles),
        "mentions": len(news.mentions),
        "wall_s": round(wall, 2),
        "client_peak_mb": round(peak_mb()),
        "worker_peak_mb": [round(w) for w in workers],
    }


def child(args: argparse.Namespace) -> None:
    warnings.simplefilter("ignore")
    work = Path(args.work)
    if args.child.startswith("study:"):
        out = run_study(args.child.split(":")[1], args.events, work / "lake", work)
    else:
        out = run_news(args.child.split(":")[1], work / "posts")
    print(json.dumps(out))


def same_study(work: Path, modes: list[str]) -> bool:
    ref = pd.read_parquet(work / "tests-local.parquet")
    drop = pd.read_parquet(work / "dropped-local.parquet")
    for mode in modes[1:]:
        pd.testing.assert_frame_equal(ref, pd.read_parquet(work / f"tests-{mode}.parquet"),
                                      check_exact=False, rtol=0, atol=1e-10)  # fmt: skip
        pd.testing.assert_frame_equal(drop, pd.read_parquet(work / f"dropped-{mode}.parquet"))
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--only", choices=["study", "news"], default=None)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--work", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_news import replicate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()}")

        def run(what: str) -> None:
            cmd = [sys.executable, __file__, "--child", what, "--work", tmp,
                   "--events", str(args.events)]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)

        if args.only in (None, "study"):
            (work / "lake").mkdir()
            make_lake(work / "lake")
            modes = ["local", "dask-1", "dask-2"]
            for mode in modes:
                run(f"study:{mode}")
            print("study results identical to local:", same_study(work, modes))
        if args.only in (None, "news"):
            (work / "posts").mkdir()
            size = replicate(work / "posts", args.posts)
            print(f"news: {args.posts} posts, {size / 1e6:.1f} MB")
            for mode in ("local", "dask-2"):
                run(f"news:{mode}")
            a = pd.read_parquet(work / "mentions-local.parquet")
            b = pd.read_parquet(work / "mentions-dask-2.parquet")
            pd.testing.assert_frame_equal(a, b)
            print("news mentions identical to local: True")
        print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
