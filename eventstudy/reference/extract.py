"""The full-market price extract: every stock's daily OHLCV, 2021-07-27 .. 2022-12-31.

``data/a_shares_2021_2022.parquet`` (built by ``data/build_extract.py`` from the
shared full-market file) holds one row per (date, symbol): ``date`` (date32),
``symbol`` (dictionary-encoded canonical code), ``open``/``high``/``low``/``close``
as ``decimal(9, 2)`` (CNY, forward-adjusted as of 2026-07; the source's values
all have two decimals, so nothing is rounded) and ``volume`` (int64, shares).
Rows are sorted by symbol and date, so filters on either are pushed down to
the row groups. :func:`load_extract` returns float64 prices equal to the
source's float64 values bit for bit.

Volumes are in shares for every stock after a correction at build time: the
source records the volumes of the 000xxx.SZ stocks in lots of 100 shares
(every other prefix in shares), so the build multiplies those by 100. The
rule and its evidence (the long history's volumes and ``amount`` of the nine
000xxx.SZ stocks of ``prices.parquet``, traded value by code prefix) are the
reviewed data file ``data/volume_units.csv``, described in the data folder's
README; :func:`extract_info` lists the corrections under ``volume_corrections``.

Survivorship: the universe is the stocks listed in mid-2026; stocks delisted
before then are absent. Stocks listed after 2022-12-31 have no rows (their
codes are in :func:`extract_info`).

Examples
--------
>>> from eventstudy.reference import load_extract
>>> df = load_extract(["600519.SH"], start="2022-01-10", end="2022-01-10")
>>> df[["date", "symbol", "close"]].to_string(index=False)
'      date    symbol   close\\n2022-01-10 600519.SH 1743.06'
"""

from __future__ import annotations

import decimal
import json
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from eventstudy._typing import DateLike, PriceField
from eventstudy.datasets import data_dir
from eventstudy.exceptions import DataUnavailableError, InputDataError, UnknownSymbolError
from eventstudy.symbols import normalize

__all__ = ["EXTRACT_FIELDS", "EXTRACT_FILE", "extract_info", "extract_symbols", "load_extract"]

#: File name of the extract inside the data folder.
EXTRACT_FILE: Final = "a_shares_2021_2022.parquet"
#: Price fields the extract carries (it has no ``amount``).
EXTRACT_FIELDS: Final[tuple[PriceField, ...]] = ("open", "high", "low", "close", "volume")
#: Key of the extract's JSON description in the Parquet file's metadata.
METADATA_KEY: Final = b"eventstudy.extract"

_PRICES: Final = ("open", "high", "low", "close")
_HUNDRED = pa.scalar(decimal.Decimal(100), pa.decimal128(3, 0))


def _path() -> Path:
    path = data_dir() / EXTRACT_FILE
    if not path.is_file():
        raise DataUnavailableError(
            f"the price extract {path} is missing; reinstall the package or rebuild it with "
            "python data/build_extract.py"
        )
    return path


@lru_cache(maxsize=1)
def extract_info() -> dict[str, Any]:
    """The extract's description: source, adjustment, period, symbol counts.

    ``symbols_without_rows`` lists the source's stocks that were first listed
    after the extract ends.

    Examples
    --------
    >>> info = extract_info()
    >>> info["start"], info["end"], info["adjust"], info["symbols"]
    ('2021-07-27', '2022-12-31', 'qfq', 4760)
    >>> info["symbols"] + len(info["symbols_without_rows"]) == info["source_symbols"]
    True
    """
    meta = pq.read_schema(_path()).metadata or {}
    if METADATA_KEY not in meta:
        raise DataUnavailableError(
            f"{_path()} carries no {METADATA_KEY.decode()} metadata; rebuild it with "
            "python data/build_extract.py"
        )
    info: dict[str, Any] = json.loads(meta[METADATA_KEY])
    return info


@lru_cache(maxsize=1)
def _symbols() -> tuple[str, ...]:
    column = pq.read_table(_path(), columns=["symbol"])["symbol"]
    values = pc.unique(column.cast(pa.string()))
    return tuple(sorted(str(s) for s in values.to_pylist()))


def extract_symbols() -> list[str]:
    """Canonical symbols with rows in the extract, sorted.

    Examples
    --------
    >>> syms = extract_symbols()
    >>> len(syms), "600519.SH" in syms, "000001.SZ" in syms
    (4760, True, True)
    """
    return list(_symbols())


def _day(value: DateLike, what: str) -> pa.Scalar:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise InputDataError(f"{what}={value!r} is not a date; pass e.g. '2022-01-10'") from err
    if stamp is pd.NaT:
        raise InputDataError(f"{what}={value!r} is not a date; pass e.g. '2022-01-10'")
    return pa.scalar(stamp.date(), pa.date32())


def _fields(fields: Iterable[PriceField] | None) -> list[str]:
    if fields is None:
        return list(EXTRACT_FIELDS)
    chosen = [fields] if isinstance(fields, str) else list(fields)
    bad = [f for f in chosen if f not in EXTRACT_FIELDS]
    if bad or not chosen:
        raise InputDataError(
            f"fields={chosen!r}: the extract carries {list(EXTRACT_FIELDS)}; pick from those"
        )
    return [str(f) for f in dict.fromkeys(chosen)]


def _symbol_filter(symbols: Iterable[str]) -> list[str]:
    wanted = list(
        dict.fromkeys(normalize(s) for s in ([symbols] if isinstance(symbols, str) else symbols))
    )
    have = set(_symbols())
    missing = [s for s in wanted if s not in have]
    if missing:
        later = set(extract_info()["symbols_without_rows"])
        after = [s for s in missing if s in later]
        raise UnknownSymbolError(
            f"{missing} have no rows in the price extract (2021-07-27 .. 2022-12-31)"
            + (f"; {after} were listed after 2022-12-31" if after else "")
            + "; the others are not in the source (not stocks, or delisted before 2026-07: "
            "survivorship); fetch them with get_prices(source='akshare')"
        )
    return wanted


def _exact_float(column: pa.ChunkedArray) -> np.ndarray:
    """decimal(9, 2) to float64, correctly rounded (cents / 100.0).

    A decimal128 value is a 16-byte little-endian two's-complement integer
    (here: cents); its low 8 bytes are the cents as int64, since they fit.
    """
    if sys.byteorder != "little":  # pragma: no cover - every supported platform is little-endian
        cents = pc.cast(pc.multiply(column, _HUNDRED), pa.int64()).to_numpy()
        out: np.ndarray = cents / 100.0
        return out
    parts = []
    for chunk in column.chunks:
        words = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
        start = 2 * chunk.offset
        parts.append(words[start : start + 2 * len(chunk) : 2] / 100.0)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)


def load_extract(
    symbols: Iterable[str] | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    fields: Iterable[PriceField] | None = None,
) -> pd.DataFrame:
    """Read daily prices from the full-market extract, in long form.

    Filters on symbol and date are pushed down to the Parquet row groups, so
    reading one stock or one month reads little.

    Parameters
    ----------
    symbols
        Canonical symbols (any spelling :func:`eventstudy.symbols.normalize`
        accepts); ``None``: all 4,760.
    start, end
        First and last session to include (inclusive); ``None``: the extract's ends.
    fields
        Some of ``open``, ``high``, ``low``, ``close``, ``volume``; ``None``: all.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), ``symbol`` (str), then the fields as float64
        (prices in CNY, qfq as of 2026-07; volume in shares), sorted by symbol, date.

    Raises
    ------
    UnknownSymbolError
        If a requested symbol has no rows in the extract.
    InputDataError
        For an unknown field, a bad date, or ``start`` after ``end``.

    Examples
    --------
    >>> df = load_extract(["000858.SZ", "600519.SH"], start="2022-01-04", end="2022-01-05",
    ...                   fields=["close", "volume"])
    >>> df.shape, df.columns.tolist()
    ((4, 4), ['date', 'symbol', 'close', 'volume'])
    >>> df.symbol.tolist()
    ['000858.SZ', '000858.SZ', '600519.SH', '600519.SH']
    """
    columns = _fields(fields)
    conditions = []
    if symbols is not None:
        conditions.append(ds.field("symbol").isin(_symbol_filter(symbols)))
    first = None if start is None else _day(start, "start")
    last = None if end is None else _day(end, "end")
    if first is not None and last is not None and first.as_py() > last.as_py():
        raise InputDataError(f"start={start!r} is after end={end!r}")
    if first is not None:
        conditions.append(ds.field("date") >= first)
    if last is not None:
        conditions.append(ds.field("date") <= last)
    expr = None
    for condition in conditions:
        expr = condition if expr is None else expr & condition
    table = ds.dataset(_path(), format="parquet").to_table(
        columns=["date", "symbol", *columns], filter=expr
    )
    data: dict[str, Any] = {"date": table["date"].cast(pa.timestamp("us")).to_numpy()}
    for name in columns:
        if name in _PRICES:
            data[name] = _exact_float(table[name])
        else:
            data[name] = table[name].to_numpy().astype(np.float64)
    frame = pd.DataFrame(data)
    names = pd.Series(table["symbol"].cast(pa.string()).to_pandas())  # str; object before pandas 3
    frame.insert(1, "symbol", names.astype(str))
    if not _sorted(table):
        frame = frame.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    return frame


def _sorted(table: pa.Table) -> bool:
    """Whether rows are in (symbol, date) order, as the file stores them."""
    if table.num_rows < 2:
        return True
    symbols = table.select(["symbol"]).to_pandas()["symbol"].astype("category")
    if not symbols.cat.categories.is_monotonic_increasing:
        symbols = symbols.cat.reorder_categories(sorted(symbols.cat.categories))
    code = symbols.cat.codes.to_numpy()
    day = table["date"].cast(pa.int32()).to_numpy()
    same = code[1:] == code[:-1]
    return bool(np.all((code[1:] > code[:-1]) | (same & (day[1:] > day[:-1]))))
