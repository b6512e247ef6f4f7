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

Column names: ``date open high low close volume amount`` in any case
(``Date``, ``CLOSE``), or akshare's Chinese names (``日期 开盘 收盘 最高 最低
成交量 成交额``). Files with the Chinese names are taken to be akshare output,
whose ``成交量`` is in lots (手) of 100 shares: it is converted to shares unless
``chinese_volume="shares"``.

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
from typing import get_args

import pandas as pd

from eventstudy._typing import Adjust, VolumeUnit
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError
from eventstudy.market._clean import FIELDS, clean_bars
from eventstudy.symbols import parse_symbol, to_akshare, to_filename

__all__ = ["ACCEPTED_COLUMNS", "LocalSource"]

_FIELDS = ("date", *FIELDS)
_CHINESE = {
    "日期": "date",
    "开盘": "open",
    "最高": "high",
    "最低": "low",
    "收盘": "close",
    "成交量": "volume",
    "成交额": "amount",
}
#: Column names a local file may use (English in any case, or akshare's Chinese names).
ACCEPTED_COLUMNS = (*_FIELDS, *_CHINESE)


def _standard_columns(raw: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Rename known columns to the English fields; True if Chinese names were used."""
    rename: dict[object, str] = {}
    chinese = False
    for col in raw.columns:
        name = str(col).strip()
        if name.lower() in _FIELDS:
            rename[col] = name.lower()
        elif name in _CHINESE:
            rename[col] = _CHINESE[name]
            chinese = True
    taken = set()
    keep = []
    for col in raw.columns:  # a field named twice (Close and 收盘): the first one wins
        if col in rename and rename[col] not in taken:
            taken.add(rename[col])
            keep.append(col)
    return raw[keep].rename(columns=rename), chinese


class LocalSource:
    """Prices read from files in a folder (no network, no cache).

    Parameters
    ----------
    root
        The folder.
    adjust
        The adjustment of the stock files (indices are unadjusted).
    chinese_volume
        Unit of ``成交量`` in files with akshare's Chinese column names: ``lots``
        (default, akshare's 手 of 100 shares; converted to shares) or ``shares``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from eventstudy.market import get_prices
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "000858.SZ.csv").write_text("日期,收盘,成交量\\n2022-01-10,201.5,296\\n")
    >>> pf = get_prices("000858.SZ", "2022-01-10", "2022-01-10", source=LocalSource(root),
    ...                 field="volume")
    >>> float(pf.data.iloc[0, 0]), pf.provenance.loc["000858.SZ", "source"]
    (29600.0, 'local')
    """

    name = "local"
    network = False

    def __init__(
        self,
        root: str | Path,
        *,
        adjust: Adjust = "qfq",
        chinese_volume: VolumeUnit = "lots",
    ) -> None:
        if chinese_volume not in get_args(VolumeUnit):
            raise ConfigError(
                f"chinese_volume={chinese_volume!r}; choose one of {list(get_args(VolumeUnit))}"
            )
        self.root = Path(root).expanduser()
        self.adjust: Adjust = adjust
        self.chinese_volume = chinese_volume

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

    def has(self, symbol: str) -> bool:
        """Whether the folder holds a file for ``symbol``."""
        return self.path_for(symbol) is not None

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
        frame, chinese = _standard_columns(raw)
        if "date" not in frame.columns or len(frame.columns) < 2:
            raise InputDataError(
                f"{path}: needs a date column and at least one price column; it has "
                f"{[str(c) for c in raw.columns]}; accepted (any case): "
                f"{', '.join(ACCEPTED_COLUMNS)}"
            )
        if chinese and self.chinese_volume == "lots" and "volume" in frame.columns:
            frame = frame.assign(volume=pd.to_numeric(frame["volume"], errors="coerce") * 100.0)
        bars, notes = clean_bars(frame, symbol=symbol)
        if chinese and self.chinese_volume == "lots" and "volume" in frame.columns:
            notes = [*notes, "成交量 in lots (手) converted to shares"]
        out = bars.loc[start:end]
        out.attrs["notes"] = notes
        return out
