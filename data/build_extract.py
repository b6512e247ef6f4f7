"""Build data/a_shares_2021_2022.parquet: every stock's daily OHLCV, 2021-07-27 .. 2022-12-31.

    python data/build_extract.py [SHARED_DATA_DIR]

Reads SHARED_DATA_DIR/market_full/a_shares_daily.parquet (default: ../shared/data
beside the repository; 5,202 stocks, qfq as of 2026-07, recorded from Eastmoney
through akshare by WenxuanWu123/stock_learning commit 0e75ac3) at build time only.

Encoding, chosen for size without losing a bit: the source's prices all have two
decimals (checked), so they are stored as decimal(9, 2) on INT32 with
DELTA_BINARY_PACKED; volume (integral shares, checked) as int64, delta-packed;
date as date32 and symbol dictionary-encoded; rows sorted by symbol then date;
zstd level 19. float32 would be smaller but not exact, so it is not used. The
script reads the file back through eventstudy.reference.load_extract and
checks every value equals the source's float64 (volumes: times the factor below).

Volume units: the source's volumes are shares except where ``data/volume_units.csv``
(reviewed data: code prefix, exchange, factor, evidence, source) says otherwise;
today every 000xxx.SZ stock, whose volumes the source records in lots of 100
shares. The build multiplies those volumes by the factor, so the extract's
volumes are shares throughout, and records the corrections in the file's
metadata (``volume_corrections``).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from eventstudy.reference.extract import EXTRACT_FILE, METADATA_KEY  # noqa: E402

START, END = "2021-07-27", "2022-12-31"
PRICES = ("open", "high", "low", "close")
ROW_GROUP = 131_072
VOLUME_UNITS = HERE / "volume_units.csv"


def default_shared() -> Path:
    """``../shared/data`` beside the repository (or beside its worktree folder)."""
    for root in (HERE.parent.parent, HERE.parent.parent.parent):
        if (root / "shared" / "data" / "market_full").is_dir():
            return root / "shared" / "data"
    raise SystemExit("pass the shared data folder: python data/build_extract.py SHARED_DATA_DIR")


def decimal_cents(values: np.ndarray) -> pa.Array:
    """float64 prices with two decimals -> decimal128(9, 2), exactly."""
    cents = np.round(values * 100.0).astype(np.int64)
    if not np.array_equal(cents / 100.0, values):
        raise SystemExit("some prices have more than two decimals: decimal(9, 2) would round")
    if np.abs(cents).max() >= 10**9:
        raise SystemExit("a price needs more than 9 digits")
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(
        pa.decimal128(9, 2), len(cents), [None, pa.py_buffer(words.tobytes())]
    )


def volume_units(path: Path = VOLUME_UNITS) -> list[dict[str, str]]:
    """The reviewed volume-unit corrections: one row per (code prefix, exchange)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if not (row["code_prefix"].isdigit() and row["exchange"] in ("SH", "SZ")):
            raise SystemExit(f"{path.name}: bad code_prefix/exchange in {row}")
        if int(row["factor"]) < 1 or not row["evidence"] or not row["source"]:
            raise SystemExit(
                f"{path.name}: {row}: factor must be a positive integer, with evidence and source"
            )
    return rows


def volume_factor(symbols: pd.Series, rows: list[dict[str, str]]) -> np.ndarray:
    """Per-row factor that turns the source's volume into shares (1 where no rule applies)."""
    factor = np.ones(len(symbols), dtype=np.int64)
    text = symbols.astype(str)
    for row in rows:
        hit = text.str.startswith(row["code_prefix"]) & text.str.endswith("." + row["exchange"])
        factor[hit.to_numpy()] *= int(row["factor"])
    return factor


def main(shared: Path) -> None:
    source = shared / "market_full" / "a_shares_daily.parquet"
    dataset = ds.dataset(source)
    all_symbols = sorted(set(dataset.to_table(columns=["symbol"])["symbol"].to_pylist()))
    window = (ds.field("date") >= pd.Timestamp(START)) & (
        ds.field("date") <= pd.Timestamp(END + " 23:59:59")
    )
    frame = dataset.to_table(filter=window).to_pandas()
    frame = frame.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    assert not frame.duplicated(["symbol", "date"]).any()
    volume = frame["volume"].to_numpy()
    if not np.array_equal(np.round(volume), volume):
        raise SystemExit("volume is not integral")
    units = volume_units()
    factor = volume_factor(frame["symbol"], units)
    volume = volume * factor  # shares throughout (exact: integers far below 2**53)
    frame["volume"] = volume
    corrected = sorted(frame.loc[factor != 1, "symbol"].astype(str).unique())
    symbols = sorted(frame["symbol"].unique())
    later = sorted(set(all_symbols) - set(symbols))
    table = pa.table(
        {
            "date": pa.array(frame["date"].to_numpy().astype("datetime64[D]"), pa.date32()),
            "symbol": pa.array(frame["symbol"].astype(str).to_numpy()).dictionary_encode(),
            **{c: decimal_cents(frame[c].to_numpy()) for c in PRICES},
            "volume": pa.array(volume.astype(np.int64)),
        }
    )
    info = {
        "source": "WenxuanWu123/stock_learning commit 0e75ac3 data/stocks/daily/<code>.parquet "
        "(Eastmoney daily prices through akshare stock_zh_a_hist; no licence file), via "
        "shared market_full/a_shares_daily.parquet",
        "adjust": "qfq",
        "adjust_as_of": "2026-07",
        "start": START,
        "end": END,
        "first_session": str(frame["date"].min().date()),
        "last_session": str(frame["date"].max().date()),
        "rows": len(frame),
        "symbols": len(symbols),
        "source_symbols": len(all_symbols),
        "symbols_without_rows": later,
        "units": {"prices": "CNY", "volume": "shares"},
        "volume_corrections": [
            {
                "code_prefix": row["code_prefix"],
                "exchange": row["exchange"],
                "factor": int(row["factor"]),
                "symbols": sum(
                    s.startswith(row["code_prefix"]) and s.endswith("." + row["exchange"])
                    for s in corrected
                ),
                "documented_in": "data/volume_units.csv",
            }
            for row in units
        ],
    }
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(info, ensure_ascii=False)})
    out = HERE / EXTRACT_FILE
    pq.write_table(
        table,
        out,
        compression="zstd",
        compression_level=19,
        row_group_size=ROW_GROUP,
        use_dictionary=["date", "symbol"],
        column_encoding={c: "DELTA_BINARY_PACKED" for c in (*PRICES, "volume")},
        store_decimal_as_integer=True,
        write_statistics=True,
    )
    print(
        f"{out.relative_to(HERE.parent)}: {out.stat().st_size} bytes, {len(frame)} rows, "
        f"{len(symbols)} symbols with rows, {len(later)} of {len(all_symbols)} listed after {END}"
    )
    verify(frame)


def verify(frame: pd.DataFrame) -> None:
    """Read the extract back through the package and compare with the source exactly.

    ``frame`` holds the source's values with the volume corrections applied.
    """
    from eventstudy.reference import load_extract  # a fresh import: nothing cached yet

    back = load_extract()
    assert len(back) == len(frame)
    assert (back["symbol"].to_numpy() == frame["symbol"].astype(str).to_numpy()).all()
    assert (back["date"].to_numpy() == frame["date"].to_numpy().astype("datetime64[us]")).all()
    for column in (*PRICES, "volume"):
        assert np.array_equal(back[column].to_numpy(), frame[column].to_numpy()), column
    assert np.all(back["volume"].to_numpy() < 2.0**53)
    print(
        "verified: every value read back through load_extract equals the source's float64 "
        "(volumes times data/volume_units.csv's factor)"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default_shared())
