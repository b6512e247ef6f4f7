"""The ``local`` source: your own price files, or a long-format Parquet warehouse.

Three layouts are recognised. For a folder of files (``layout="files"``) they
are looked up in this order for each symbol:

1. **generic** - one file per symbol named by
   :func:`eventstudy.symbols.to_filename`: ``<root>/600519.SH.csv``,
   ``<root>/000300.SH.parquet``, ``<root>/%5EGSPC.csv``. Columns: ``date`` and any
   of ``open high low close volume amount`` (other columns are ignored).
   Volume in shares, amount in the trading currency.
2. **shared** - the layout of the project's shared data folder:
   ``<root>/stocks/600519.csv`` (6-digit code; ``000001.csv`` is the stock
   ``000001.SZ``) and ``<root>/indices/sh000300.csv`` (Sina-style index codes);
   columns in any order.

3. **warehouse** (``layout="warehouse"``) - a data lake in *long* format: one
   row per date and symbol, columns ``date``, ``symbol`` and any of the fields,
   in one Parquet file (``<lake>/daily.parquet``) or a folder of Parquet files,
   optionally Hive-partitioned (``<lake>/year=2022/part-0.parquet``,
   ``<lake>/symbol=600519.SH/...``). It is read through :mod:`pyarrow.dataset`
   with the filters pushed down: only the requested symbols, date range and
   columns are read (row groups and partitions outside them are skipped; an
   integer ``year`` partition is pruned from the date range). Symbols may be
   stored in any spelling :func:`eventstudy.symbols.normalize` accepts (a bare
   ``000001`` is the stock 平安银行); ``date`` may be a timestamp, a date, an
   ISO string (``2022-01-10``), or ``20220110`` as a string or integer.
   ``columns=`` maps other column names (``{"trade_date": "date", "ts_code":
   "symbol"}``). :meth:`LocalSource.panel` reads many symbols in one scan.

``layout="auto"`` (default) takes a Parquet file, or a folder with Hive
partition folders (``key=value``) or a ``_metadata`` file, as a warehouse, and
any other folder as files.

Files hold one adjustment, declared with ``adjust=`` (default ``qfq``, as in the
shared folder); indices are always treated as unadjusted.

Column names: ``date open high low close volume amount`` in any case
(``Date``, ``CLOSE``), or akshare's Chinese names (``日期 开盘 收盘 最高 最低
成交量 成交额``); a warehouse also needs ``symbol`` (or ``code``). Files with the
Chinese names are taken to be akshare output, whose ``成交量`` is in lots (手) of
100 shares: it is converted to shares unless ``chinese_volume="shares"``.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "600519.SH.csv").write_text("date,close\\n2022-01-10,1739.49\\n")
>>> bars = LocalSource(root).fetch(
...     "600519.SH", pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-31"), adjust="qfq")
>>> bars["close"].tolist()
[1739.49]

A warehouse file, read for two symbols at once:

>>> lake = root / "lake.parquet"
>>> pd.DataFrame({"date": pd.to_datetime(["2022-01-10", "2022-01-10", "2022-01-11"]),
...               "symbol": ["600519.SH", "000858.SZ", "600519.SH"],
...               "close": [1739.49, 201.5, 1716.97]}).to_parquet(lake)
>>> panel = LocalSource(lake).panel(["600519.SH", "000858.SZ"], "2022-01-10", "2022-01-11",
...                                 fields=["close"])
>>> panel.close.data
            600519.SH  000858.SZ
date
2022-01-10    1739.49      201.5
2022-01-11    1716.97        NaN
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import (
    Adjust,
    ErrorPolicy,
    LocalLayout,
    PriceField,
    SymbolKind,
    VolumeUnit,
)
from eventstudy.calendar import shanghai_sessions, uses_china_calendar
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError, SymbolError
from eventstudy.market._clean import FIELDS, PRICE_FIELDS, clean_bars, empty_bars
from eventstudy.market.cache import Range, subtract_ranges, today_shanghai
from eventstudy.market.frame import (
    FAILURE_COLUMNS,
    PROVENANCE_COLUMNS,
    PriceFrame,
    empty_failures,
)
from eventstudy.market.panel import LACKING_COLUMNS, MarketPanel, empty_lacking
from eventstudy.symbols import (
    from_akshare,
    from_filename,
    normalize,
    parse_symbol,
    to_akshare,
    to_filename,
)

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as pads

__all__ = ["ACCEPTED_COLUMNS", "LAYOUTS", "LocalSource"]

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
#: Layouts of a local source (``auto`` decides between the others).
LAYOUTS: tuple[LocalLayout, ...] = get_args(LocalLayout)
#: Column names a warehouse's symbol column may have (any case) without ``columns=``.
_SYMBOL_COLUMNS = ("symbol", "code")
_YYYYMMDD = re.compile(r"^\d{8}$")
_LOTS = 100.0


def _header_map(names: Iterable[str]) -> tuple[dict[str, str], bool]:
    """``{column: field}`` for the known names (first spelling of a field wins); Chinese used?"""
    mapping: dict[str, str] = {}
    chinese = False
    for col in names:
        name = str(col).strip()
        target = name.lower() if name.lower() in _FIELDS else _CHINESE.get(name)
        if target is None or target in mapping.values():
            continue  # unknown, or a field named twice (Close and 收盘): the first one wins
        mapping[col] = target
        chinese = chinese or name in _CHINESE
    return mapping, chinese


def _standard_columns(raw: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Rename known columns to the English fields; True if Chinese names were used."""
    mapping, chinese = _header_map(raw.columns)
    return raw[list(mapping)].rename(columns=mapping), chinese


def _auto_layout(root: Path) -> LocalLayout:
    if root.is_file():
        return "warehouse"
    if root.is_dir():
        if (root / "_metadata").is_file():
            return "warehouse"
        if any(p.is_dir() and "=" in p.name for p in root.iterdir()):
            return "warehouse"
    return "files"


@lru_cache(maxsize=65536)
def _canonical(value: str) -> str | None:
    """The canonical symbol of a stored spelling (bare ``000001``: the stock), or None."""
    try:
        return normalize(value)
    except SymbolError:
        try:
            return from_akshare(value, kind="stock").canonical
        except (SymbolError, ValueError):
            return None


def _coded(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """A string column as ``(codes, values)``: ``values[codes[i]]`` is row i (nulls: -1).

    Dictionary columns (how the warehouse reads symbols) are used as they are.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    array = column.unify_dictionaries().combine_chunks() if column.num_chunks else None
    if array is None or len(array) == 0:
        return np.empty(0, dtype=np.int64), []
    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(v) for v in array.dictionary.to_pylist()]


def _last_of(
    codes: np.ndarray, stored: list[str], days: np.ndarray
) -> Iterator[tuple[str, np.datetime64]]:
    """``(stored spelling, last day)`` of each spelling with rows (a NaT row makes it NaT)."""
    ok = codes >= 0
    if not ok.any():
        return
    order = np.argsort(codes[ok], kind="stable")
    c, d = codes[ok][order], days[ok][order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    for code, day in zip(c[starts], np.maximum.reduceat(d, starts), strict=True):
        yield stored[code], day


@dataclass(frozen=True)
class _Long:
    """Rows read from a warehouse: parallel arrays, symbols coded into ``names``."""

    dates: np.ndarray  # datetime64[ns], midnight
    codes: np.ndarray  # index into names
    names: list[str]  # canonical symbols
    values: dict[str, np.ndarray]  # field -> float64

    @property
    def rows(self) -> int:
        return len(self.dates)

    def rows_of(self) -> dict[str, np.ndarray]:
        """``{symbol: row positions}`` of the symbols with rows, each in the order read."""
        order = np.argsort(self.codes, kind="stable")
        ranks = np.arange(len(self.names))
        lo = np.searchsorted(self.codes[order], ranks, side="left")
        hi = np.searchsorted(self.codes[order], ranks, side="right")
        return {n: order[a:b] for n, a, b in zip(self.names, lo, hi, strict=True) if b > a}

    def bars(self, rows: np.ndarray | None, symbol: str) -> pd.DataFrame:
        """Clean bars of ``rows`` (None: all), notes in ``attrs["notes"]``."""
        pick = slice(None) if rows is None else rows
        frame = pd.DataFrame(
            {"date": self.dates[pick], **{f: v[pick] for f, v in self.values.items()}}
        )
        bars, notes = clean_bars(frame, symbol=symbol)
        bars.attrs["notes"] = notes
        return bars


class _Warehouse:
    """A long-format Parquet dataset (file or folder) read through ``pyarrow.dataset``."""

    def __init__(self, path: Path, columns: Mapping[str, str], chinese_volume: VolumeUnit) -> None:
        self.path = path
        self._columns = dict(columns)
        self._chinese_volume = chinese_volume
        self._dataset: pads.Dataset | None = None
        self._stored: dict[str, str] = {}  # field/date/symbol -> stored column name
        self._lots = False
        self._symbols: dict[str, str] | None = None  # canonical -> stored spelling
        self._last: dict[str, pd.Timestamp] | None = None  # canonical -> last date
        self._date_format: str | None = None  # strftime of string/int dates

    # -- the dataset and its columns --------------------------------------------------

    def dataset(self) -> pads.Dataset:
        if self._dataset is not None:
            return self._dataset
        import pyarrow.dataset as pads

        if not self.path.exists():
            raise DataUnavailableError(
                f"the price warehouse {self.path} does not exist; point LocalSource at a "
                "long-format Parquet file or a folder of them"
            )
        partitioning = "hive" if self.path.is_dir() else None
        try:
            dataset = pads.dataset(
                self.path, format="parquet", partitioning=partitioning, exclude_invalid_files=True
            )
            self._map_columns(list(dataset.schema.names))
            symbol = self._stored["symbol"]
            partitions = dataset.partitioning.schema.names if dataset.partitioning else []
            if symbol not in partitions:  # read symbols as dictionaries: no string per row
                options = pads.ParquetReadOptions(dictionary_columns=[symbol])
                dataset = pads.dataset(
                    self.path,
                    format=pads.ParquetFileFormat(read_options=options),
                    partitioning=partitioning,
                    exclude_invalid_files=True,
                )
        except (ConfigError, InputDataError):
            raise
        except Exception as err:  # pyarrow raises ArrowInvalid / OSError for bad files
            raise InputDataError(
                f"{self.path}: cannot be read as a Parquet dataset: {err}"
            ) from err
        self._dataset = dataset
        return dataset

    def _map_columns(self, names: list[str]) -> None:
        wanted = (*_FIELDS, "symbol")
        bad = {k: v for k, v in self._columns.items() if v not in wanted}
        if bad:
            raise ConfigError(f"columns={bad}: map columns to some of {list(wanted)}")
        stored = {std: col for col, std in self._columns.items() if col in names}
        header, chinese = _header_map(c for c in names if c not in self._columns)
        for col, std in header.items():
            stored.setdefault(std, col)
        symbol = [c for c in names if c.lower() in _SYMBOL_COLUMNS and c not in self._columns]
        if "symbol" not in stored and symbol:
            stored["symbol"] = symbol[0]
        missing = [c for c in ("date", "symbol") if c not in stored]
        fields = [f for f in FIELDS if f in stored]
        if missing or not fields:
            raise InputDataError(
                f"{self.path}: a warehouse needs columns date, symbol and at least one of "
                f"{list(FIELDS)}; it has {names} (missing {missing or 'a price field'}); map "
                "other names with LocalSource(..., columns={'trade_date': 'date', ...})"
            )
        self._stored = stored
        self._lots = chinese and self._chinese_volume == "lots" and stored.get("volume") == "成交量"

    def fields(self) -> tuple[str, ...]:
        """The price fields the warehouse has."""
        self.dataset()
        return tuple(f for f in FIELDS if f in self._stored)

    def _batches(self, names: list[str]) -> Iterator[list[pa.ChunkedArray]]:
        """The columns ``names`` (``date``, ``symbol``) of every row, one batch at a time.

        A whole-warehouse scan held batch by batch: its memory is one batch, not
        the table (the symbol column of a whole market is millions of rows).
        """
        import pyarrow as pa

        dataset = self.dataset()
        for batch in dataset.to_batches(columns=[self._stored[n] for n in names]):
            yield [pa.chunked_array([batch.column(i)]) for i in range(len(names))]

    def symbols(self) -> dict[str, str]:
        """``{canonical: stored spelling}`` of every symbol in the warehouse (read once)."""
        if self._symbols is None:
            stored: set[str] = set()
            for (column,) in self._batches(["symbol"]):
                stored.update(_coded(column)[1])
            found: dict[str, str] = {}
            for value in sorted(stored):
                canon = _canonical(value)
                if canon is not None:
                    found.setdefault(canon, value)
            self._symbols = found
        return self._symbols

    def last_dates(self) -> dict[str, pd.Timestamp]:
        """``{canonical: last date}`` of every symbol in the warehouse (one scan, read once)."""
        if self._last is None:
            last: dict[str, np.datetime64] = {}  # stored spelling -> last date (NaT wins)
            for dates, symbols in self._batches(["date", "symbol"]):
                for value, day in _last_of(*_coded(symbols), self._days(dates)):
                    last[value] = np.maximum(last[value], day) if value in last else day
            found: dict[str, pd.Timestamp] = {}
            for value in sorted(last):
                canon = _canonical(value)
                if canon is not None and not np.isnat(last[value]):
                    stamp = pd.Timestamp(last[value])
                    found[canon] = max(found.get(canon, stamp), stamp)
            self._last = found
        return self._last

    # -- filters ----------------------------------------------------------------------

    def _date_bounds(self, start: pd.Timestamp, end: pd.Timestamp) -> pads.Expression:
        """``start <= date < end + 1 day`` in the column's own type (pushed down)."""
        import pyarrow as pa
        import pyarrow.dataset as pads

        name = self._stored["date"]
        kind = self.dataset().schema.field(name).type
        stop = end + pd.Timedelta(days=1)
        col = pads.field(name)
        lo: Any
        hi: Any
        if pa.types.is_timestamp(kind):
            lo, hi = (pa.scalar(self._stamp(t, kind), type=kind) for t in (start, stop))
        elif pa.types.is_date(kind):
            lo, hi = (pa.scalar(t.date(), type=kind) for t in (start, stop))
        elif pa.types.is_integer(kind):
            lo, hi = int(start.strftime("%Y%m%d")), int(stop.strftime("%Y%m%d"))
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            fmt = self._string_format()
            lo, hi = start.strftime(fmt), stop.strftime(fmt)
        else:
            raise InputDataError(
                f"{self.path}: column {name!r} has type {kind}; use a timestamp, a date, "
                "an ISO date string or yyyymmdd"
            )
        expr = (col >= lo) & (col < hi)
        schema = self.dataset().schema
        year = (
            "year" in schema.names
            and pa.types.is_integer(schema.field("year").type)
            and "year" not in self._stored.values()
        )
        if year:  # an integer partition key derived from the date: prune it too
            expr = expr & (pads.field("year") >= start.year) & (pads.field("year") <= end.year)
        return expr

    @staticmethod
    def _stamp(day: pd.Timestamp, kind: pa.DataType) -> pd.Timestamp:
        tz = getattr(kind, "tz", None)
        return day.tz_localize("Asia/Shanghai").tz_convert(tz) if tz else day

    def _string_format(self) -> str:
        """``%Y%m%d`` or ``%Y-%m-%d``: how a string date column writes dates (one row read)."""
        if self._date_format is None:
            name = self._stored["date"]
            sample = self.dataset().head(1, columns=[name]).column(0).to_pylist()
            first = str(sample[0]) if sample else ""
            self._date_format = "%Y%m%d" if _YYYYMMDD.match(first) else "%Y-%m-%d"
        return self._date_format

    def _days(self, column: pa.ChunkedArray) -> np.ndarray:
        """The dates of the scanned date column as midnight ``datetime64[ns]``."""
        import pyarrow as pa

        kind = column.type
        if pa.types.is_timestamp(kind) and getattr(kind, "tz", None):
            stamps = pd.DatetimeIndex(column.to_pandas()).tz_convert("Asia/Shanghai")
            values = stamps.tz_localize(None).to_numpy()
        elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            values = column.to_numpy()
        else:
            text = column.to_pandas().astype(str)
            fmt = "%Y%m%d" if pa.types.is_integer(kind) else self._string_format()
            values = pd.to_datetime(text, format=fmt if fmt == "%Y%m%d" else "ISO8601")
            values = values.to_numpy()
        return np.asarray(values).astype("datetime64[D]").astype("datetime64[ns]")

    # -- reading ----------------------------------------------------------------------

    def _scan(
        self,
        stored: list[str] | None,
        start: pd.Timestamp,
        end: pd.Timestamp,
        fields: tuple[str, ...],
    ) -> pa.Table:
        import pyarrow.dataset as pads

        dataset = self.dataset()
        expr = self._date_bounds(start, end)
        if stored is not None:
            expr = expr & pads.field(self._stored["symbol"]).isin(stored)
        names = [self._stored[c] for c in ("date", "symbol", *fields)]
        try:
            return dataset.to_table(columns=names, filter=expr)
        except Exception as err:  # ArrowInvalid: types that do not compare, bad files
            raise InputDataError(f"{self.path}: cannot be scanned: {err}") from err

    def read(
        self,
        symbols: list[str] | None,
        start: pd.Timestamp,
        end: pd.Timestamp,
        fields: tuple[str, ...],
    ) -> _Long:
        """The rows of ``symbols`` (canonical; None: all) in ``start..end``, one scan.

        Symbols stored in another spelling are looked up (one more scan) only
        when the canonical spelling found no row.
        """
        import pyarrow as pa

        self.dataset()
        fields = tuple(f for f in fields if f in self._stored)
        tables = [self._scan(symbols, start, end, fields)]
        if symbols is not None:
            codes, values = _coded(tables[0].column(1))
            found = {values[c] for c in np.unique(codes) if c >= 0}
            absent = set(symbols) - found
            other = (
                [self.symbols()[c] for c in absent if self.symbols().get(c, c) != c]
                if absent
                else []
            )
            if other:
                tables.append(self._scan(other, start, end, fields))
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        return self._long(table, fields)

    def _long(self, table: pa.Table, fields: tuple[str, ...]) -> _Long:
        import pyarrow as pa

        codes, stored = _coded(table.column(1))
        canon = [_canonical(v) for v in stored]
        dates = self._days(table.column(0))
        # the last entry stands for a missing symbol (code -1)
        parsed = np.array([c is not None for c in canon] + [False], dtype=bool)
        keep = parsed[codes] & ~np.isnat(dates)
        # one canonical symbol may be stored in two spellings: merge them
        names = sorted({c for c in canon if c is not None})
        position = {c: i for i, c in enumerate(names)}
        remap = np.array([position.get(c, -1) if c else -1 for c in canon] + [-1], dtype=np.int64)
        values = {}
        for i, f in enumerate(fields):
            col = table.column(2 + i).cast(pa.float64()).to_numpy()
            values[f] = (col * _LOTS if (f == "volume" and self._lots) else col)[keep]
        return _Long(dates[keep], remap[codes][keep] if len(codes) else codes, names, values)


class LocalSource:
    """Prices read from your own files or Parquet warehouse (no network, no cache).

    Parameters
    ----------
    root
        A folder of per-symbol files, or a warehouse: one long-format Parquet
        file or a folder of them (see the module docstring).
    adjust
        The adjustment of the stock files (indices are unadjusted).
    chinese_volume
        Unit of ``成交量`` in files with akshare's Chinese column names: ``lots``
        (default, akshare's 手 of 100 shares; converted to shares) or ``shares``.
    layout
        ``files``, ``warehouse`` or ``auto`` (default: a Parquet file or a
        Hive-partitioned folder is a warehouse).
    columns
        Warehouse only: ``{stored column: standard name}`` for columns named
        otherwise, e.g. ``{"trade_date": "date", "ts_code": "symbol"}``.

    Raises
    ------
    ConfigError
        For an unknown ``chinese_volume`` or ``layout``, or ``columns`` given for files.

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

    A warehouse with other column names (``register_source("lake", src)`` names it):

    >>> import pandas as pd
    >>> lake = root / "lake.parquet"
    >>> pd.DataFrame({"trade_date": ["20220110"], "ts_code": ["600519.SH"],
    ...               "close": [1739.49]}).to_parquet(lake)
    >>> src = LocalSource(lake, columns={"trade_date": "date", "ts_code": "symbol"})
    >>> float(get_prices("600519.SH", "2022-01-10", "2022-01-10", source=src).data.iloc[0, 0])
    1739.49
    """

    name = "local"
    network = False

    def __init__(
        self,
        root: str | Path,
        *,
        adjust: Adjust = "qfq",
        chinese_volume: VolumeUnit = "lots",
        layout: LocalLayout = "auto",
        columns: Mapping[str, str] | None = None,
    ) -> None:
        if chinese_volume not in get_args(VolumeUnit):
            raise ConfigError(
                f"chinese_volume={chinese_volume!r}; choose one of {list(get_args(VolumeUnit))}"
            )
        if layout not in LAYOUTS:
            raise ConfigError(f"layout={layout!r}; choose one of {list(LAYOUTS)}")
        self.root = Path(root).expanduser()
        self.adjust: Adjust = adjust
        self.chinese_volume = chinese_volume
        self.layout: LocalLayout = _auto_layout(self.root) if layout == "auto" else layout
        if columns and self.layout != "warehouse":
            raise ConfigError(
                f"columns= maps the columns of a warehouse; {self.root} is read as a folder "
                "of files (pass layout='warehouse' if it is one)"
            )
        self._warehouse = (
            _Warehouse(self.root, columns or {}, chinese_volume)
            if self.layout == "warehouse"
            else None
        )

    def __repr__(self) -> str:
        return f"LocalSource({str(self.root)!r}, adjust={self.adjust!r}, layout={self.layout!r})"

    def path_for(self, symbol: str) -> Path | None:
        """The file holding ``symbol``, or None (always None for a warehouse)."""
        if self._warehouse is not None:
            return None
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
        """Whether the folder or warehouse holds ``symbol``."""
        if self._warehouse is not None:
            return normalize(symbol) in self._warehouse.symbols()
        return self.path_for(symbol) is not None

    def symbols(self) -> list[str]:
        """Every symbol the source holds, sorted (a warehouse is scanned once for them).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (root / "600519.SH.csv").write_text("date,close\\n2022-01-10,1739.49\\n")
        >>> LocalSource(root).symbols()
        ['600519.SH']
        """
        if self._warehouse is not None:
            return sorted(self._warehouse.symbols())
        found: set[str] = set()
        if self.root.is_dir():
            for path in self.root.glob("*"):
                name = path.name.removesuffix(".gz")
                if path.is_file() and name.endswith((".csv", ".parquet")):
                    found |= self._file_symbol(name.rsplit(".", 1)[0], None)
            subfolders: tuple[tuple[str, SymbolKind], ...] = (
                ("stocks", "stock"),
                ("indices", "index"),
            )
            for sub, kind in subfolders:
                for path in (self.root / sub).glob("*.csv"):
                    found |= self._file_symbol(path.name, kind)
        return sorted(found)

    @staticmethod
    def _file_symbol(name: str, kind: SymbolKind | None) -> set[str]:
        try:
            sym = from_filename(name, kind=kind) if kind else parse_symbol(from_filename(name))
        except (SymbolError, ValueError):
            return set()
        return {sym.canonical}

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """``none`` for indices, else the folder's declared adjustment."""
        return "none" if parse_symbol(symbol).kind in ("index", "board") else self.adjust

    def _check_adjust(self, symbol: str, adjust: Adjust) -> None:
        served = self.served_adjust(symbol, adjust)
        if served != "none" and served != adjust:
            raise DataUnavailableError(
                f"{symbol}: the files in {self.root} hold {served} prices, not adjust={adjust!r}"
            )

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol from its file or the warehouse (see :class:`PriceSource`)."""
        if self._warehouse is not None:
            self._check_adjust(symbol, adjust)
            return self._fetch_warehouse(self._warehouse, normalize(symbol), start, end)
        path = self.path_for(symbol)
        if path is None:
            raise DataUnavailableError(
                f"{symbol}: no file in {self.root} (looked for {to_filename(symbol)}.csv/.parquet "
                "and the stocks/ + indices/ layout)"
            )
        self._check_adjust(symbol, adjust)
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

    def coverage_gaps(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> tuple[list[Range], str]:
        """Parts of ``start..end`` a warehouse cannot serve for ``symbol``: after its last date.

        Dates after a symbol's last row are reported (``partial`` in ``failures``, or
        :class:`~eventstudy.exceptions.DataUnavailableError` with ``errors="raise"``)
        instead of being served as empty rows. Dates before its first row are not: they
        are usually before the listing. Per-symbol files report nothing here.

        Examples
        --------
        >>> import tempfile
        >>> file = Path(tempfile.mkdtemp()) / "p.parquet"
        >>> pd.DataFrame({"date": pd.to_datetime(["2022-03-30", "2022-03-31"]),
        ...               "symbol": "600519.SH", "close": [1.0, 2.0]}).to_parquet(file)
        >>> gaps, why = LocalSource(file).coverage_gaps(
        ...     "600519.SH", pd.Timestamp("2022-03-01"), pd.Timestamp("2022-06-30"))
        >>> [(str(a.date()), str(b.date())) for a, b in gaps], why[-29:]
        ([('2022-04-01', '2022-06-30')], 'the series ends on 2022-03-31')
        """
        if self._warehouse is None:
            return [], ""
        canon = normalize(symbol)
        last = self._warehouse.last_dates().get(canon)
        if last is None:
            return [(start, end)], f"{canon} is not in the warehouse {self.root}"
        gaps = subtract_ranges(start, end, [(start, last)])
        return gaps, f"the warehouse {self.root}: the series ends on {last.date()}"

    def _fetch_warehouse(
        self, wh: _Warehouse, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> pd.DataFrame:
        long = wh.read([symbol], start, end, wh.fields())
        if long.rows == 0:
            if symbol not in wh.symbols():
                raise DataUnavailableError(
                    f"{symbol}: not in the warehouse {self.root} (it holds "
                    f"{len(wh.symbols())} symbols; LocalSource(...).symbols() lists them)"
                )
            return empty_bars(wh.fields())
        return long.bars(None, symbol)

    def fetch_many(
        self, symbols: Sequence[str], start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> dict[str, pd.DataFrame]:
        """Bars of many symbols from one warehouse scan: what :meth:`fetch` gives for each.

        The batched read behind ``load_panel`` (a
        :class:`~eventstudy.market.loaders.BatchFetching` source): a warehouse is
        scanned once for all ``symbols`` (one more scan for symbols stored in
        another spelling, as :meth:`fetch` does). Symbols it does not hold, or
        not in ``adjust``, are left out (:meth:`fetch` says why); a folder of
        files has no batched read and leaves every symbol to :meth:`fetch`.

        Parameters
        ----------
        symbols
            Symbols in any spelling.
        start, end
            Date range, both inclusive.
        adjust
            The adjustment asked for (stocks are served only in the source's own).

        Returns
        -------
        dict
            ``{canonical symbol: bars}``, bars as :meth:`fetch` returns them.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> lake = pathlib.Path(tempfile.mkdtemp()) / "daily.parquet"
        >>> pd.DataFrame({"date": pd.to_datetime(["2022-01-10", "2022-01-10"]),
        ...               "symbol": ["600519.SH", "000858.SZ"],
        ...               "close": [1739.49, 201.5]}).to_parquet(lake)
        >>> got = LocalSource(lake).fetch_many(["600519.SH", "000858", "300750.SZ"],
        ...                                    pd.Timestamp("2022-01-10"),
        ...                                    pd.Timestamp("2022-01-10"), adjust="qfq")
        >>> {s: b["close"].tolist() for s, b in got.items()}
        {'600519.SH': [1739.49], '000858.SZ': [201.5]}
        """
        wh = self._warehouse
        if wh is None:
            return {}
        wanted = [
            s
            for s in dict.fromkeys(normalize(x) for x in symbols)
            if self.served_adjust(s, adjust) in ("none", adjust)
        ]
        if not wanted:
            return {}
        long = wh.read(wanted, start, end, wh.fields())
        rows = long.rows_of()
        out = {s: long.bars(rows[s], s) for s in wanted if s in rows}
        if len(out) < len(wanted):  # held but without rows in the range: empty bars
            held = wh.symbols()
            out.update({s: empty_bars(wh.fields()) for s in wanted if s not in out and s in held})
        return out

    # -- many symbols at once ------------------------------------------------------------

    def panel(
        self,
        symbols: str | Iterable[str] | None,
        start: str | pd.Timestamp,
        end: str | pd.Timestamp,
        *,
        fields: Iterable[PriceField] | None = None,
        errors: ErrorPolicy = "raise",
    ) -> MarketPanel:
        """Many symbols' prices in one read: the fast path for a whole market.

        A warehouse is scanned once for all ``symbols`` with the symbol, date
        and column filters pushed down, then pivoted; a folder of files is read
        file by file. The result is the :class:`~eventstudy.market.MarketPanel`
        that ``load_panel(symbols, start, end, source=self)`` returns (same
        cleaning: zero/negative/non-finite prices are missing, a repeated
        date keeps the last row), without the per-symbol overhead.

        Parameters
        ----------
        symbols
            Symbols in any spelling; ``None``: every symbol of the source.
        start, end
            Date range, both inclusive.
        fields
            Fields to read (default all: ``open high low close volume amount``).
        errors
            ``"raise"`` (default): a symbol the source does not hold raises.
            ``"collect"``: it is listed in ``failures`` (reason ``unavailable``).

        Returns
        -------
        MarketPanel
            Sessions × symbols per field; a symbol without rows in the range
            has an all-NaN column; a field the source lacks is in ``lacking``.

        Raises
        ------
        DataUnavailableError
            If ``errors="raise"`` and some symbols are not in the source.
        ConfigError
            For unknown fields, an unknown ``errors`` or an inverted date range.

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> lake = pathlib.Path(tempfile.mkdtemp()) / "daily.parquet"
        >>> pd.DataFrame({"date": pd.to_datetime(["2022-01-10", "2022-01-11"]),
        ...               "symbol": ["600519.SH", "600519.SH"], "close": [1739.49, 0.0],
        ...               "volume": [2962670.0, 2227664.0]}).to_parquet(lake)
        >>> p = LocalSource(lake).panel(None, "2022-01-10", "2022-01-11", errors="collect")
        >>> p.close.data["600519.SH"].tolist(), p.provenance.loc["600519.SH", "field"]
        ([1739.49, nan], 'close,volume')
        >>> p.lacking.field.tolist()
        ['open', 'high', 'low', 'amount']
        """
        wanted = _fields_of(fields)
        if errors not in get_args(ErrorPolicy):
            raise ConfigError(f"errors={errors!r}; choose one of {list(get_args(ErrorPolicy))}")
        lo, hi = _day(start, "start"), _day(end, "end")
        if lo > hi:
            raise ConfigError(f"start {lo.date()} is after end {hi.date()}")
        asked = (
            None
            if symbols is None
            else list(
                dict.fromkeys(
                    normalize(s) for s in ([symbols] if isinstance(symbols, str) else symbols)
                )
            )
        )
        long, have, held = self._read_many(asked, lo, hi, wanted)
        order = long.names if asked is None else [s for s in asked if s in held]
        missing = [] if asked is None else [s for s in asked if s not in held]
        if missing and errors == "raise":
            raise DataUnavailableError(
                f"not in {self.root}: {', '.join(missing[:20])}"
                + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
                + '; pass errors="collect" to keep the symbols that are there'
            )
        return _assemble(self, long, order, lo, hi, wanted, have, missing)

    def _read_many(
        self,
        asked: list[str] | None,
        lo: pd.Timestamp,
        hi: pd.Timestamp,
        wanted: tuple[PriceField, ...],
    ) -> tuple[_Long, tuple[str, ...], set[str]]:
        """Rows, the fields the source has, and which asked symbols it holds."""
        if self._warehouse is not None:
            wh = self._warehouse
            long = wh.read(asked, lo, hi, tuple(f for f in wanted if f in wh.fields()))
            have = tuple(f for f in wanted if f in wh.fields())
            found = {long.names[c] for c in np.unique(long.codes)}
            held = found if asked is None or found >= set(asked) else set(wh.symbols())
            return long, have, held
        names = self.symbols() if asked is None else [s for s in asked if self.has(s)]
        parts = {s: self.fetch(s, lo, hi, adjust=self.adjust) for s in names}
        have = tuple(f for f in wanted if any(f in b.columns for b in parts.values()))
        dates = [b.index.to_numpy(dtype="datetime64[ns]") for b in parts.values()]
        codes = [np.full(len(b), i, dtype=np.int64) for i, b in enumerate(parts.values())]
        values: dict[str, np.ndarray] = {
            f: np.concatenate(
                [b[f].to_numpy(np.float64) if f in b else np.full(len(b), np.nan)
                 for b in parts.values()] or [np.empty(0)]
            )
            for f in have
        }  # fmt: skip
        long = _Long(
            np.concatenate(dates or [np.empty(0, "datetime64[ns]")]),
            np.concatenate(codes or [np.empty(0, np.int64)]),
            list(parts),
            values,
        )
        return long, have, set(names)


# -- building a MarketPanel from rows ---------------------------------------------------


def _fields_of(fields: Iterable[PriceField] | None) -> tuple[PriceField, ...]:
    if fields is None:
        return FIELDS
    items: list[PriceField] = (
        [cast(PriceField, fields)] if isinstance(fields, str) else list(fields)
    )
    bad = [f for f in items if f not in FIELDS]
    if bad or not items:
        raise ConfigError(f"fields={fields!r}; choose among {list(FIELDS)}")
    return tuple(dict.fromkeys(items))


def _day(value: str | pd.Timestamp, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{name}={value!r} is not a date (use 'YYYY-MM-DD')") from err
    if pd.isna(stamp):
        raise ConfigError(f"{name}={value!r} is not a date (use 'YYYY-MM-DD')")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamp.normalize()


def _last_rows(long: _Long, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Day positions, the sorted days, a mask of the rows kept, duplicate count.

    A repeated (date, symbol) keeps the last row read. Linear in the rows: days
    are looked up in a table spanning the first to the last day.
    """
    stamps = long.dates.astype("datetime64[D]").astype(np.int64)
    if len(stamps) == 0:
        return stamps, np.empty(0, "datetime64[ns]"), np.ones(0, dtype=bool), 0
    first = int(stamps.min())
    offset = stamps - first
    present = np.zeros(int(offset.max()) + 1, dtype=np.int64)
    present[offset] = 1
    day_pos = (np.cumsum(present) - 1)[offset]
    days = (np.flatnonzero(present) + first).astype("datetime64[D]").astype("datetime64[ns]")
    key = day_pos * max(width, 1) + long.codes
    keep = np.ones(len(key), dtype=bool)
    if int(np.bincount(key).max()) > 1:
        unique_keys, last = np.unique(key[::-1], return_index=True)
        keep[:] = False
        keep[len(key) - 1 - last] = True
        return day_pos, days, keep, len(key) - len(unique_keys)
    return day_pos, days, keep, 0


def _assemble(
    source: LocalSource,
    long: _Long,
    order: list[str],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    wanted: tuple[PriceField, ...],
    have: tuple[str, ...],
    missing: list[str],
) -> MarketPanel:
    """The wide blocks of every field; a symbol of ``order`` without rows is all NaN."""
    width = len(long.names)
    day_pos, days, keep, duplicates = _last_rows(long, width)
    index = pd.DatetimeIndex(days, name="date")
    if any(uses_china_calendar(s) for s in order):
        sessions = shanghai_sessions(lo, min(hi, today_shanghai()))
        index = pd.DatetimeIndex(np.union1d(days, sessions.to_numpy("datetime64[ns]")))
        index = index.rename("date")
    rows = index.get_indexer(pd.DatetimeIndex(days))[day_pos[keep]]
    codes = long.codes[keep]
    notes: list[list[str]] = [[] for _ in range(width)]
    for c, n in enumerate(np.bincount(long.codes[~keep], minlength=width) if duplicates else []):
        if n:
            notes[c].append(f"{n} duplicate date(s) kept the last row")
    position = {name: i for i, name in enumerate(long.names)}
    columns = np.array([position.get(s, width) for s in order], dtype=np.int64)  # width: NaN
    blocks: dict[str, np.ndarray] = {}
    for f in have:
        vals = long.values[f][keep]
        bad = ~np.isfinite(vals) & ~np.isnan(vals)
        bad |= (vals <= 0) if f in PRICE_FIELDS else (vals < 0)
        for c, n in enumerate(np.bincount(codes[bad], minlength=width)):
            if n:
                notes[c].append(f"{n} invalid {f} value(s) (zero, negative or inf) set missing")
        block = np.full((len(index), width + 1), np.nan)
        block[rows, codes] = np.where(bad, np.nan, vals)
        blocks[f] = block[:, columns]
    note_of = {long.names[c]: "; ".join(notes[c]) for c in range(width)}
    return _market_panel(source, index, order, wanted, have, blocks, note_of, missing)


def _market_panel(
    source: LocalSource,
    index: pd.DatetimeIndex,
    order: list[str],
    wanted: tuple[PriceField, ...],
    have: tuple[str, ...],
    blocks: dict[str, np.ndarray],
    note_of: dict[str, str],
    missing: list[str],
) -> MarketPanel:
    base = pd.DataFrame(
        {
            "source": source.name,
            "adjust": [source.served_adjust(s, source.adjust) for s in order],
            "retrieved_at": pd.Series(pd.NaT, index=range(len(order))),
            "is_proxy": False,
            "proxy_members": np.int64(0),
            "proxy_of": "",
            "note": [note_of.get(s, "") for s in order],
        },
        index=range(len(order)),
    )
    failed = [
        {"symbol": s, "reason": "unavailable", "message": f"{s}: not in {source.root}"}
        for s in missing
    ]
    lacking = [
        {"symbol": s, "field": f, "message": f"{s}: source 'local' provides no {f!r}"}
        for f in wanted
        if f not in have
        for s in order
    ]
    frames: dict[str, PriceFrame] = {}
    for f in wanted:
        data = pd.DataFrame(
            blocks[f] if f in have else np.empty((len(index), 0)),
            index=index,
            columns=pd.Index(order if f in have else [], dtype=object),
        )
        rows = failed + [
            {"symbol": r["symbol"], "reason": "unavailable", "message": r["message"]}
            for r in lacking
            if r["field"] == f
        ]
        frames[f] = PriceFrame(
            data=data,
            provenance=_provenance(data, base if f in have else base.iloc[:0], f),
            field=f,
            failures=pd.DataFrame(rows, columns=FAILURE_COLUMNS) if rows else empty_failures(),
        )
    ref = "close" if "close" in have else (have[0] if have else None)
    ref_data = frames[ref].data if ref else pd.DataFrame(index=index, columns=order, dtype=float)
    prov = _provenance(ref_data, base, ",".join(have))
    return MarketPanel(
        frames=frames,
        provenance=prov,
        failures=pd.DataFrame(failed, columns=FAILURE_COLUMNS) if failed else empty_failures(),
        lacking=pd.DataFrame(lacking, columns=LACKING_COLUMNS) if lacking else empty_lacking(),
    )


def _provenance(data: pd.DataFrame, base: pd.DataFrame, field: str) -> pd.DataFrame:
    """Provenance rows (the columns of ``PROVENANCE_COLUMNS``), ``first``/``last`` from ``data``."""
    valid = data.notna().to_numpy()
    has = valid.any(axis=0) if len(valid) else np.zeros(valid.shape[1], dtype=bool)
    first = np.full(valid.shape[1], np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    if len(valid):
        stamps = data.index.to_numpy(dtype="datetime64[ns]")
        first[has] = stamps[valid.argmax(axis=0)[has]]
        last[has] = stamps[len(valid) - 1 - valid[::-1].argmax(axis=0)[has]]
    prov = base.assign(field=field, first=first, last=last).reindex(columns=PROVENANCE_COLUMNS)
    prov.index = pd.Index([str(c) for c in data.columns], name="symbol", dtype=object)
    prov["retrieved_at"] = pd.to_datetime(prov["retrieved_at"], utc=True).dt.tz_convert(
        "Asia/Shanghai"
    )
    for col in ("source", "adjust", "field", "proxy_of", "note"):
        prov[col] = prov[col].astype(object)
    prov["is_proxy"] = prov["is_proxy"].astype(bool)
    prov["proxy_members"] = prov["proxy_members"].astype(np.int64)
    return prov
