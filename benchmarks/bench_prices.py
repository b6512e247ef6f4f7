"""Benchmark: cached ``get_prices`` of 50 symbols x 10 years (target < 100 ms).

The cache is built once in a temporary folder from the bundled snapshot (46
stocks + 4 indices, 2015-01-01..2024-12-31, written as ``akshare`` cache entries
with their covered range), then ``get_prices(..., source="akshare",
offline=True)`` is timed: every value comes from the Parquet cache, no network.

Run: ``python benchmarks/bench_prices.py``
"""

from __future__ import annotations

import statistics
import tempfile
import time

import pandas as pd

from eventstudy.datasets import sample_prices, sample_symbols
from eventstudy.market import PriceCache, get_prices

START, END = pd.Timestamp("2015-01-01"), pd.Timestamp("2024-12-31")


def build_cache(root: str) -> list[str]:
    symbols = [s for s in sample_symbols() if s != "399001.SZ"][:50]
    prices = sample_prices(symbols)
    cache = PriceCache(root)
    for sym, g in prices.groupby("symbol"):
        g = g[(g["date"] >= START) & (g["date"] <= END)]
        series = pd.Series(g["close"].to_numpy(), index=pd.DatetimeIndex(g["date"]))
        adjust = "none" if g["adjust"].iloc[0] == "none" else "qfq"
        cache.write("akshare", str(sym), "close", adjust, series, covered=[(START, END)])
    return symbols


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        symbols = build_cache(root)
        kwargs = dict(source="akshare", offline=True, cache_dir=root)
        pf = get_prices(symbols, START, END, **kwargs)  # warm-up (imports, calendar)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            pf = get_prices(symbols, START, END, **kwargs)
            times.append(time.perf_counter() - t0)
        values = int(pf.data.notna().sum().sum())
        print(f"symbols={len(symbols)} sessions={len(pf.data)} values={values}")
        print(
            f"cached get_prices: median {statistics.median(times) * 1e3:.1f} ms, "
            f"min {min(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms (20 runs)"
        )


if __name__ == "__main__":
    main()
