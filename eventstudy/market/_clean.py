"""Validation of daily bars at the source boundary.

Every source returns *bars*: a DataFrame indexed by a naive normalised
``DatetimeIndex`` named ``date`` with float64 columns among :data:`FIELDS`.
:func:`clean_bars` enforces that shape and says what it changed:

* rows are sorted by date;
* duplicate dates keep the last row received (a later page or a correction);
* zero, negative and non-finite prices (open/high/low/close) become NaN, as do
  negative or non-finite volume/amount: they are data errors, not prices;
* rows whose every field is missing are removed (no information, no row).

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"date": ["2022-01-11", "2022-01-10", "2022-01-11"],
...                     "close": [2.0, 1.0, 3.0]})
>>> bars, notes = clean_bars(raw, symbol="600519.SH")
>>> bars["close"].tolist(), notes
([1.0, 3.0], ['sorted rows by date', '1 duplicate date(s) kept the last row'])
"""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd

from eventstudy._typing import PriceField
from eventstudy.exceptions import InputDataError

__all__ = ["FIELDS", "PRICE_FIELDS", "clean_bars", "empty_bars"]

#: Fields every source may provide (the values of :data:`~eventstudy._typing.PriceField`).
FIELDS: tuple[PriceField, ...] = get_args(PriceField)
#: Fields that are prices (must be > 0).
PRICE_FIELDS = ("open", "high", "low", "close")


def empty_bars(fields: tuple[str, ...] = FIELDS) -> pd.DataFrame:
    """Bars with no rows.

    Examples
    --------
    >>> empty_bars().shape
    (0, 6)
    """
    idx = pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
    return pd.DataFrame({f: pd.Series([], dtype=np.float64) for f in fields}, index=idx)


def clean_bars(raw: pd.DataFrame, *, symbol: str) -> tuple[pd.DataFrame, list[str]]:
    """Return validated bars and a list of notes on what was changed.

    Parameters
    ----------
    raw
        A frame with a ``date`` column (or a date index) and any of :data:`FIELDS`.
    symbol
        For error messages.

    Raises
    ------
    InputDataError
        If there is no date information or no known field, or dates do not parse.
    """
    frame = raw.copy()
    if "date" in frame.columns:
        frame = frame.set_index("date")
    fields = [f for f in FIELDS if f in frame.columns]
    if not fields:
        raise InputDataError(
            f"{symbol}: the bars have none of the fields {list(FIELDS)}; columns: "
            f"{[str(c) for c in raw.columns]}"
        )
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(frame.index, errors="raise"))
    except (ValueError, TypeError) as err:
        raise InputDataError(f"{symbol}: dates that do not parse: {err}") from err
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    notes: list[str] = []
    if idx.isna().any():
        raise InputDataError(f"{symbol}: {int(np.sum(idx.isna()))} row(s) without a date")
    out = pd.DataFrame(
        {f: pd.to_numeric(frame[f], errors="coerce").to_numpy(dtype=np.float64) for f in fields},
        index=idx.normalize().astype("datetime64[ns]"),
    )
    out.index.name = "date"
    if not out.index.is_monotonic_increasing:
        out = out.sort_index(kind="stable")
        notes.append("sorted rows by date")
    dup = out.index.duplicated(keep="last")
    if dup.any():
        out = out[~dup]
        notes.append(f"{int(dup.sum())} duplicate date(s) kept the last row")
    for f in fields:
        col = out[f].to_numpy()
        bad = ~np.isfinite(col) & ~np.isnan(col)
        if f in PRICE_FIELDS:
            bad |= col <= 0
        else:
            bad |= col < 0
        if bad.any():
            out.loc[out.index[bad], f] = np.nan
            notes.append(
                f"{int(bad.sum())} invalid {f} value(s) (zero, negative or inf) set missing"
            )
    empty = out.isna().all(axis=1).to_numpy()
    if empty.any():
        out = out[~empty]
        notes.append(f"{int(empty.sum())} row(s) with no valid value removed")
    return out, notes
