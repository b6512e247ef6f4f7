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
full-market extract, :func:`eventstudy.reference.load_extract`, or a warehouse panel
from :func:`eventstudy.market.load_panel`). Without them the study would fetch only
the events' own securities, so each event stock would weigh in its own market (one
event: CAR 0, beta 1): both engines refuse that (:func:`check_panel_given`), as
they refuse a volume study whose market volume would be the mean of the fetched
event securities only (:func:`check_market_volume`).
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
from typing import get_args

import numpy as np
import pandas as pd

from eventstudy._typing import PanelMarket
from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.symbols import classify_symbols

__all__ = [
    "PANEL_MARKETS",
    "check_market_volume",
    "check_panel_given",
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


#: What to pass instead of letting a benchmark be built from the fetched event securities.
_PASS_A_PANEL = (
    "pass {what} with the market's columns (e.g. the whole-market extract, "
    "eventstudy.reference.load_extract, or a warehouse panel: "
    "eventstudy.market.load_panel(symbols, start, end, fields={fields}, source='local'){attr})"
)


def check_panel_given(market: str, *, given: bool, engine: str = "local") -> None:
    """Refuse ``market="ew"`` when no panel is given (it would be the event stocks only).

    ``given``: whether the study was given ``returns=``/``prices=`` (a volume study:
    ``volumes=``). Without them only the events' own securities are fetched and
    their mean would be the market: each event stock weighs in its own benchmark
    (one event: its abnormal return is 0 every day). The one check of both engines.

    Raises
    ------
    ConfigError
        ``market`` is built from the panel and ``given`` is False.

    Examples
    --------
    >>> check_panel_given("000300.SH", given=False)
    >>> check_panel_given("ew", given=False)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: market='ew' is built from the returns panel, and none \
was given: ...
    """
    if given or not is_panel_market(market):
        return
    how = _PASS_A_PANEL.format(what="returns= or prices=", fields="['close']", attr=".close")
    raise ConfigError(
        f"market={market!r} is built from the returns panel, and none was given: with "
        "fetched prices it would be the mean of the event securities only (one event: "
        f"abnormal return 0 every day; engine={engine!r}); {how}, or use a market index "
        "(market='000300.SH')"
    )


def check_market_volume(market: str, volumes: pd.DataFrame) -> None:
    """Refuse fetched volumes without the market's: its mean would be the event stocks'.

    A volume study whose volumes were fetched (no ``volumes=``) uses the market's own
    volume as ``V_mt``; when the source has none (a warehouse without the index),
    the fallback, the panel's mean log volume, would be the mean of the event
    securities only.

    Raises
    ------
    ConfigError
        ``volumes`` has no data in the column ``market``.

    Examples
    --------
    >>> v = pd.DataFrame({"600519.SH": [1.0], "000300.SH": [2.0]})
    >>> check_market_volume("000300.SH", v)
    >>> check_market_volume("000300.SH", v.drop(columns="000300.SH"))
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: measure='volume': no volume of the market '000300.SH' \
could be fetched...
    """
    if market in volumes.columns and volumes[market].notna().any():
        return
    n = len([c for c in volumes.columns if c != market])
    how = _PASS_A_PANEL.format(what="volumes=", fields="['volume']", attr=".volume")
    raise ConfigError(
        f"measure='volume': no volume of the market {market!r} could be fetched, and the "
        f"panel's mean log volume would be that of the {n} fetched event securities only "
        f"(one event: abnormal volume 0 every day); {how}"
    )


def stock_columns(columns: Iterable[object]) -> list[object]:
    """The columns that count as stocks: all but indices and boards.

    A label that is no symbol (a user's own) counts as a stock. The labels are
    classified at once (:func:`eventstudy.symbols.classify_symbols`).

    Examples
    --------
    >>> stock_columns(["600519.SH", "000300.SH", "BK0896", "A"])
    ['600519.SH', 'A']
    """
    tolist = getattr(columns, "tolist", None)  # a pandas Index: at C speed
    labels = list(tolist() if callable(tolist) else columns)
    _, kind = classify_symbols(labels)
    keep = (kind != "index") & (kind != "board")
    return [c for c, k in zip(labels, keep.tolist(), strict=True) if k]


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

    A new frame: it shares no data with ``returns`` (one float block when the returns
    are numeric).

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
    ew = equal_weighted_market(returns)
    try:
        values = returns.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):  # not numeric: the panel's own check says which column
        out = returns.copy()
        out[market] = ew
        return out
    # one float block, the market last: the panel is built from it with one plain copy
    # (two blocks would be interleaved column by column)
    both = np.empty((values.shape[0], values.shape[1] + 1))
    both[:, :-1] = values
    both[:, -1] = ew.to_numpy()
    columns = returns.columns.insert(len(returns.columns), market)
    return pd.DataFrame(both, index=returns.index, columns=columns, copy=False)
