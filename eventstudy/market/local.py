"""The ``local`` source: a folder of CSV or Parquet price files.

Two layouts are recognised, looked up in this order for each symbol:

1. **generic** - one file per symbol named by
   :func:`eventstudy.symbols.to_filename`: ``<root>/600519.SH.csv``,
   ``<root>/000300.SH.parquet``, ``<root>/%5EGSPC.csv``. Columns: ``date`` and any
   of ``open high low close volume amount`` (other columns are ignored).
   Volume in shares, amount in the trading currency.
2. **shared** - the layout of the project's shared data folder:
   ``<root>/stocks/600519.csv`` (6-digit code; ``000001.csv`` is the stock
   ``000001.SZ``) and ``<root>/indices/sh000300.csv`` (Sina-style index codes);
   columns in any order.

Files hold one adjustment, declared with ``adjust=`` (default ``qfq``, as in the
shared folder); indices are always treated as unadjusted.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "600519.SH.csv").write_text("date,close\\n2022-01-10,1739.49\\n")
>>> bars = LocalSource(root).fetch(
...     "600519.SH", pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-31"), adjust="qfq")
>>> bars["close"].tolist()
[1739.49]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError, InputDataError
from eventstudy.market._clean import clean_bars
from eventstudy.symbols import parse_symbol, to_akshare, to_filename

__all__ = ["LocalSource"]


class LocalSource:
    """Prices read from files in a folder (no network, no cache).

    Parameters
    ----------
    root
        The folder.
    adjust
        The adjustment of the stock files (indices are unadjusted).
    """

    name = "local"
    network = False

    def __init__(self, root: str | Path, *, adjust: Adjust = "qfq") -> None:
        self.root = Path(root).expanduser()
        self.adjust: Adjust = adjust

    def __repr__(self) -> str:
        return f"LocalSource({str(self.root)!r}, adjust={self.adjust!r})"

    def path_for(self, symbol: str) -> Path | None:
        """The file holding ``symbol``, or None."""
        stem = to_filename(symbol)
        for ext in (".parquet", ".csv", ".csv.gz"):
            p = self.root / f"{stem}{ext}"
            if p.is_file():
                return p
        sym = parse_symbol(symbol)
        if sym.kind == "stock" and sym.market in ("SH", "SZ", "BJ"):
            p = self.root / "stocks" / f"{sym.code}.csv"
            if p.is_file():
                return p
        if sym.kind == "index" and sym.market in ("SH", "SZ", "BJ"):
            p = self.root / "indices" / f"{to_akshare(symbol, style='prefixed')}.csv"
            if p.is_file():
                return p
        return None

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """``none`` for indices, else the folder's declared adjustment."""
        return "none" if parse_symbol(symbol).kind in ("index", "board") else self.adjust

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol from its file (see :class:`PriceSource`)."""
        path = self.path_for(symbol)
        if path is None:
            raise DataUnavailableError(
                f"{symbol}: no file in {self.root} (looked for {to_filename(symbol)}.csv/.parquet "
                "and the stocks/ + indices/ layout)"
            )
        served = self.served_adjust(symbol, adjust)
        if served != "none" and served != adjust:
            raise DataUnavailableError(
                f"{symbol}: the files in {self.root} hold {served} prices, not adjust={adjust!r}"
            )
        try:
            raw = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        except (OSError, ValueError) as err:
            raise InputDataError(f"{path}: cannot be read as a price file: {err}") from err
        if "date" not in raw.columns:
            raise InputDataError(f"{path}: no 'date' column; columns: {list(raw.columns)}")
        bars, notes = clean_bars(raw, symbol=symbol)
        out = bars.loc[start:end]
        out.attrs["notes"] = notes
        return out
