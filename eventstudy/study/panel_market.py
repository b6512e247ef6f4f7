"""Benchmarks built from the returns panel itself: ``market="ew"``.

CSI 300 is a poor benchmark for small caps, ChiNext and STAR stocks. With
``EventStudy(market="ew")`` the market return of each session is the
**equal-weighted** mean of the simple returns of every stock of the returns panel
that has a return that session (missing returns are left out of that session's
mean, never counted as zero; a session where no stock has a return is not a
session). The event stocks are included, as in CRSP's equal-weighted index
(Brown and Warner 1985 use it as their market). Columns that are indices or boards
(``000300.SH``, ``BK0896``: :func:`eventstudy.symbols.symbol_kind`) are left out;
every other column counts as a stock.

The panel is what the study is given: ``returns=``/``prices=`` (e.g. the
full-market extract, :func:`eventstudy.reference.load_extract`), or, when returns
are fetched, only the events' own securities, a thin market for a small study.
The sessions of the benchmark are the calendar, so with ``"ew"`` relative days
count the sessions on which some stock of the panel has a return (unless a
``calendar=`` is given). Value weights (by market capitalisation) are not offered.

Reference: Brown, S., Warner, J. (1985). Using daily stock returns: the case of
event studies. *JFE* 14, 3-31 (the equal-weighted market index).

Examples
--------
>>> import pandas as pd
>>> r = pd.DataFrame({"A": [0.01, 0.02, None], "B": [0.03, None, None],
...                   "000300.SH": [0.5, 0.5, 0.5]},
...                  index=pd.bdate_range("2024-01-01", periods=3))
>>> equal_weighted_market(r).round(4).tolist()
[0.02, 0.02, nan]
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import get_args

import numpy as np
import pandas as pd

from eventstudy._typing import PanelMarket
from eventstudy.exceptions import InputDataError, SymbolError
from eventstudy.symbols import symbol_kind

__all__ = [
    "PANEL_MARKETS",
    "equal_weighted_market",
    "is_panel_market",
    "stock_columns",
    "with_panel_market",
]

#: The benchmarks built from the panel (``EventStudy(market=...)``).
PANEL_MARKETS: tuple[PanelMarket, ...] = get_args(PanelMarket)


def is_panel_market(market: str) -> bool:
    """Whether ``market`` names a benchmark built from the returns panel.

    Examples
    --------
    >>> is_panel_market("ew"), is_panel_market("000300.SH")
    (True, False)
    """
    return market in PANEL_MARKETS


@lru_cache(maxsize=65536)
def _is_stock(column: object) -> bool:
    try:
        return symbol_kind(column) not in ("index", "board")
    except (SymbolError, ValueError):
        return True  # a user's own label: a stock


def stock_columns(columns: Iterable[object]) -> list[object]:
    """The columns that count as stocks: all but indices and boards.

    Examples
    --------
    >>> stock_columns(["600519.SH", "000300.SH", "BK0896", "A"])
    ['600519.SH', 'A']
    """
    return [c for c in columns if _is_stock(c)]


#: Sessions summed at a time by :func:`equal_weighted_market`.
_ROWS = 64


def equal_weighted_market(returns: pd.DataFrame) -> pd.Series:
    """Each session, the mean simple return of the stocks with a return that session.

    Index and board columns are left out (see the module docstring); NaN where no
    stock has a return.

    Raises
    ------
    InputDataError
        If the panel has no stock column.
    """
    stocks = stock_columns(returns.columns)
    if not stocks:
        raise InputDataError(
            "market='ew' needs stock columns in the returns panel; it has only "
            f"{list(returns.columns)[:10]}"
        )
    # every column a stock (a whole-market panel): no column selection (a copy)
    chosen = returns if len(stocks) == returns.shape[1] else returns[stocks]
    values = chosen.to_numpy(dtype=float, na_value=np.nan)
    n = np.zeros(len(values), dtype=np.int64)
    total = np.zeros(len(values))
    for a in range(0, len(values), _ROWS):  # blocks of sessions: temporaries stay small
        ok = np.isfinite(values[a : a + _ROWS])
        n[a : a + _ROWS] = ok.sum(axis=1)
        total[a : a + _ROWS] = np.where(ok, values[a : a + _ROWS], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
    return pd.Series(np.where(n > 0, mean, np.nan), index=returns.index, name="ew")


def with_panel_market(returns: pd.DataFrame, market: str) -> pd.DataFrame:
    """The returns with the column ``market`` (``"ew"``) built from them.

    Raises
    ------
    InputDataError
        If the panel already has a column of that name, or no stock column.

    Examples
    --------
    >>> r = pd.DataFrame({"A": [0.01, 0.03], "B": [0.03, 0.01]})
    >>> with_panel_market(r, "ew")["ew"].tolist()
    [0.02, 0.02]
    """
    if market in returns.columns:
        raise InputDataError(
            f"the returns already have a column {market!r}; market={market!r} builds it "
            "from the panel: rename that column"
        )
    out = returns.copy(deep=False)  # the new column is the only change: no data copied
    out[market] = equal_weighted_market(returns)
    return out
