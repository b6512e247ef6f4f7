"""A-share daily price limits (涨跌停) and whether a fill at a price is possible.

Limits, as a fraction of the previous close:

=========================================== ============================
security                                    daily limit
=========================================== ============================
Shanghai / Shenzhen main board              ±10 %
ChiNext (``300xxx``, ``301xxx``)            ±20 % from 2020-08-24, ±10 % before
STAR market (``688xxx``, ``689xxx``)        ±20 %
Beijing Stock Exchange (``.BJ`` stocks)     ±30 %
ST / \\*ST stocks (``st_symbols``)           ±5 % (ChiNext/STAR ST: as the board)
indices, boards, foreign securities         no limit
=========================================== ============================

The first days after a listing (no limit) and the 2025 rule changes for ST
stocks are not modelled: pass ``st_symbols`` only for the dates it applied.

A price is *at the limit* when it is within ``tolerance`` of the limit price
``prev_close * (1 ± limit)`` and, where the day's high/low are known, it is the
day's high (limit-up) or low (limit-down): a price at the limit is necessarily
the extreme of the day, which guards the tolerance against false positives.
With forward-adjusted (qfq) prices the ratios, not the tick-rounded limit
prices, are what survive, hence a tolerance rather than exact equality.

Examples
--------
>>> import pandas as pd
>>> price_limit(["600519.SH", "300750.SZ", "000300.SH"],
...             pd.to_datetime(["2020-08-21", "2020-08-24"])).tolist()
[[0.1, 0.1, nan], [0.1, 0.2, nan]]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray
from eventstudy.symbols import parse_symbol

__all__ = ["CHINEXT_REFORM", "at_limit", "price_limit"]

#: First session with ±20 % limits on ChiNext (the registration-system reform).
CHINEXT_REFORM = pd.Timestamp("2020-08-24")


def _board_limit(symbol: str, st: bool) -> tuple[float, float]:
    """(limit before the ChiNext reform, limit from it) for one symbol; NaN if none."""
    sym = parse_symbol(symbol)
    if sym.kind != "stock":
        return (np.nan, np.nan)
    code = sym.code
    if sym.market == "BJ":
        return (0.3, 0.3)
    if code.startswith(("688", "689")):
        return (0.2, 0.2)
    if code.startswith(("300", "301")):
        return (0.05 if st else 0.1, 0.2)
    return (0.05, 0.05) if st else (0.1, 0.1)


def price_limit(
    symbols: Sequence[str], dates: pd.DatetimeIndex, st_symbols: Collection[str] = ()
) -> FloatArray:
    """Daily limit (a fraction) per date and symbol; NaN where there is none.

    Parameters
    ----------
    symbols
        Canonical symbols (columns of the result).
    dates
        Sessions (rows of the result).
    st_symbols
        Symbols to treat as ST (±5 %) on every date.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(dates), len(symbols))``.

    Examples
    --------
    >>> price_limit(["600001.SH"], pd.to_datetime(["2022-01-10"]), st_symbols={"600001.SH"})
    array([[0.05]])
    """
    st = set(st_symbols)
    after = np.asarray(pd.DatetimeIndex(dates) >= CHINEXT_REFORM)
    out = np.empty((len(dates), len(symbols)), dtype=np.float64)
    for j, s in enumerate(symbols):
        before_lim, after_lim = _board_limit(s, s in st)
        out[:, j] = np.where(after, after_lim, before_lim)
    return out


def at_limit(
    price: FloatArray,
    prev_close: FloatArray,
    limit: FloatArray,
    extreme: FloatArray,
    *,
    up: bool,
    tolerance: float,
) -> np.ndarray:
    """Whether ``price`` is locked at the limit-up (``up=True``) or limit-down.

    Parameters
    ----------
    price, prev_close, limit
        Arrays of one shape; NaN ``limit`` (no limit) or NaN ``prev_close`` → False.
    extreme
        The day's high (``up``) or low; NaN means unknown and skips that check.
    up
        Test the upper (True) or lower limit.
    tolerance
        Absolute tolerance on the return ``price / prev_close - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> at_limit(np.array([11.0, 10.9]), np.array([10.0, 10.0]), np.array([0.1, 0.1]),
    ...          np.array([11.0, 11.0]), up=True, tolerance=0.002).tolist()
    [True, False]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ret = price / prev_close - 1.0
        if up:
            near = ret >= limit - tolerance
            extreme_ok = np.isnan(extreme) | (price >= extreme * (1 - 1e-4))
        else:
            near = ret <= -limit + tolerance
            extreme_ok = np.isnan(extreme) | (price <= extreme * (1 + 1e-4))
    return np.asarray(near & extreme_ok & np.isfinite(limit) & np.isfinite(ret))
