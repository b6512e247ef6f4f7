"""Rebuild the bundled snapshot in this folder from the project's shared raw data.

Run by hand (not at import or test time)::

    python data/build_snapshot.py /path/to/shared/data

It reads the raw CSV files described in ``data/README.md`` and writes
``prices.parquet``, ``boards.csv``, ``board_members.csv`` and copies ``news/``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def _symbol(stem: str, folder: str) -> str:
    if folder == "indices":  # Sina style: sh000300, sz399001
        return f"{stem[2:]}.{stem[:2].upper()}"
    return f"{stem}.SH" if stem.startswith("6") else f"{stem}.SZ"


def main(shared: Path) -> None:
    frames = []
    for folder, adjust in (("stocks", "qfq"), ("indices", "none")):
        for path in sorted((shared / "prices" / folder).glob("*.csv")):
            raw = pd.read_csv(path, dtype={"date": str})
            out = pd.DataFrame(
                {
                    "date": pd.to_datetime(raw["date"], format="%Y-%m-%d"),
                    "symbol": _symbol(path.stem, folder),
                    "open": raw["open"].astype("float64"),
                    "high": raw["high"].astype("float64"),
                    "low": raw["low"].astype("float64"),
                    "close": raw["close"].astype("float64"),
                    "volume": raw["volume"].astype("float64"),
                    "amount": raw["amount"].astype("float64"),
                    "adjust": adjust,
                }
            )
            frames.append(out)
    prices = pd.concat(frames, ignore_index=True).sort_values(["symbol", "date"])
    prices["symbol"] = prices["symbol"].astype("category")
    prices["adjust"] = prices["adjust"].astype("category")
    prices.to_parquet(HERE / "prices.parquet", index=False, compression="zstd")

    boards = pd.read_csv(shared / "boards" / "em_boards.csv", dtype=str)
    boards.to_csv(HERE / "boards.csv", index=False)
    members = pd.read_csv(shared / "boards" / "members_sample.csv", dtype=str)
    members.to_csv(HERE / "board_members.csv", index=False)

    dest = HERE / "news"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(shared / "news", dest)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
