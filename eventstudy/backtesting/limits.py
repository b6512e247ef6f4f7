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
from eventstudy.symbols import classify_symbols, parse_symbol

__all__ = ["CHINEXT_REFORM", "at_limit", "limit_pairs", "price_limit"]

#: First session with ±20 % limits on ChiNext (the registration-system reform).
CHINEXT_REFORM = pd.Timestamp("2020-08-24")


def limit_pairs(
    symbols: Sequence[object], st_symbols: Collection[str] = (), *, strict: bool = True
) -> FloatArray:
    """Daily limit of each symbol before and from the ChiNext reform; NaN where there is none.

    The board follows from the code (:func:`eventstudy.symbols.classify_symbols`,
    vectorised): Beijing 30 %, STAR (``688``/``689``) 20 %, ChiNext (``300``/``301``)
    10 % before :data:`CHINEXT_REFORM` and 20 % from it, other stocks (funds and B
    shares included) 10 %; ST stocks 5 % (ChiNext ST: 5 % before the reform only);
    indices, boards and foreign securities have no limit.

    Parameters
    ----------
    symbols
        Symbols (any spelling :func:`~eventstudy.symbols.parse_symbol` takes).
    st_symbols
        Symbols to treat as ST (±5 %), as spelled in ``symbols``.
    strict
        Raise :class:`~eventstudy.exceptions.SymbolError` for a value that is not a
        symbol (default); False: NaN (no limit) for it.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(symbols), 2)``: the limit before the reform, the limit from it.

    Examples
    --------
    >>> limit_pairs(["300750.SZ", "920001.BJ", "my col"], strict=False).tolist()
    [[0.1, 0.2], [0.3, 0.3], [nan, nan]]
    """
    names = list(symbols)
    canonical, kind = classify_symbols(names)
    if strict and (kind == "").any():
        parse_symbol(names[int(np.flatnonzero(kind == "")[0])])  # raises: what is wrong
    st = set(st_symbols)
    is_st = np.array([s in st for s in names], dtype=bool) if st else np.zeros(len(names), bool)
    stock = kind == "stock"  # on SH/SZ/BJ: canonical "dddddd.XX"
    head = canonical.astype("<U3")  # the first three digits of the code
    bj = stock & np.char.endswith(canonical, ".BJ")
    star = stock & ~bj & np.isin(head, ["688", "689"])
    chinext = stock & ~bj & ~star & np.isin(head, ["300", "301"])
    main = stock & ~bj & ~star & ~chinext
    pairs = np.full((len(names), 2), np.nan)
    pairs[main] = np.where(is_st[main], 0.05, 0.1)[:, None]
    pairs[chinext, 0] = np.where(is_st[chinext], 0.05, 0.1)
    pairs[chinext, 1] = 0.2
    pairs[star] = 0.2
    pairs[bj] = 0.3
    return pairs


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

    Raises
    ------
    SymbolError
        A value of ``symbols`` is not a symbol.

    Examples
    --------
    >>> price_limit(["600001.SH"], pd.to_datetime(["2022-01-10"]), st_symbols={"600001.SH"})
    array([[0.05]])
    """
    pairs = limit_pairs(symbols, st_symbols)
    after = np.asarray(pd.DatetimeIndex(dates) >= CHINEXT_REFORM)
    return np.where(after[:, None], pairs[:, 1][None, :], pairs[:, 0][None, :])


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
