"""Benchmark: a year of the whole market from a Parquet warehouse into a panel.

Reads the shared full-market file ``../shared/data/market_full/a_shares_daily.parquet``
(5,202 stocks, daily OHLCV 2021-07-27..2026-07, one file sorted by symbol; read
here only, the package never reads ``../shared``), and a copy of it written as a
Hive-partitioned dataset (``year=YYYY/``) in a temporary folder. For each layout
it times ``LocalSource(path).panel(symbols, "2022-01-01", "2022-12-31",
fields=...)``: a fresh source each run (no metadata kept between runs), the
symbol, date and column filters pushed down into ``pyarrow.dataset``, and the
rows pivoted into a :class:`~eventstudy.market.MarketPanel`. ``symbols`` is
the 5,202 symbols of the file (442 have no 2022 rows: listed later; they are
NaN columns), or ``None`` (every symbol with rows).

Targets: one field (close) < 1 s, the five fields < 3 s.

Run: ``python benchmarks/bench_warehouse.py [--repeat 5] [--path FILE]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from eventstudy.market import LocalSource


def default_path() -> Path:
    """``../shared/data/market_full/a_shares_daily.parquet`` beside the repository (or its
    worktree folder)."""
    for root in Path(__file__).resolve().parents[1:4]:
        path = root / "shared" / "data" / "market_full" / "a_shares_daily.parquet"
        if path.is_file():
            return path
    raise SystemExit("pass the full-market file: python benchmarks/bench_warehouse.py --path FILE")


START, END = "2022-01-01", "2022-12-31"
FIELDS = {"close": ["close"], "ohlcv": ["open", "high", "low", "close", "volume"]}


def write_partitioned(path: Path, root: Path) -> None:
    """The file as a Hive-partitioned dataset by year (``root/year=2022/...``)."""
    table = pads.dataset(path).to_table()
    table = table.append_column("year", pc.year(table["date"]).cast(pa.int32()))
    pads.write_dataset(
        table,
        root,
        format="parquet",
        partitioning=pads.partitioning(pa.schema([("year", pa.int32())]), flavor="hive"),
        existing_data_behavior="overwrite_or_ignore",
    )


def timed(path: Path, symbols: list[str] | None, fields: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        panel = LocalSource(path).panel(symbols, START, END, fields=fields)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
    close = panel.close.data
    print(
        f"    {len(close)} sessions x {close.shape[1]} symbols, "
        f"{int(close.notna().sum().sum())} closes"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--path", type=Path, default=None)
    args = parser.parse_args()
    args.path = args.path or default_path()
    print(f"load average before: {os.getloadavg()}")
    symbols = LocalSource(args.path).symbols()
    LocalSource(args.path).panel(symbols[:2], START, END, fields=["close"])  # imports, calendar
    with tempfile.TemporaryDirectory() as tmp:
        parted = Path(tmp) / "by_year"
        t0 = time.perf_counter()
        write_partitioned(args.path, parted)
        print(f"wrote the partitioned copy in {time.perf_counter() - t0:.1f} s")
        for layout, path in (("one file", args.path), ("year=YYYY/", parted)):
            for name, fields in FIELDS.items():
                for label, asked in (("5,202 listed", symbols), ("all (None)", None)):
                    print(f"{layout:11s} {name:6s} {label}:")
                    times = timed(path, asked, fields, args.repeat)
                    print(
                        f"    median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
                        f"max {max(times):.3f} s ({args.repeat} runs)"
                    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
