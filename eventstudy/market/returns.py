"""Returns of a price panel: simple or log, suspensions kept missing.

:func:`eventstudy.market.get_returns` fetches prices and applies :func:`returns_of`.

Two conventions (METHODS.md: suspensions):

* default - the return of session *t* needs prices on *t* and on the session
  before it; after a suspension the resumption day's return is therefore NaN
  (the price change over the gap is not attributed to any day);
* ``trade_to_trade=True`` - the return of a traded session is measured from the
  last traded price, however many sessions ago, and attributed to the day
  trading resumes; ``PriceFrame.gaps`` records how many sessions each return
  spans (1 = consecutive, k > 1 = after k - 1 suspended sessions).

Nothing is forward-filled in the output, and the first row of each series is NaN.

Each symbol's returns are computed on its own calendar and then aligned on
the panel's dates: Chinese symbols (A-shares, Chinese indices, boards) on the
Shanghai sessions, so a suspension stays a gap; other symbols (``^GSPC``,
``NIO``, ``00700.HK``) on their own dates. A day when only one market traded
(the Spring Festival week for ``^GSPC``, a US holiday for ``600519.SH``) is
then NaN for the closed market without costing it the return of the next day.

Examples
--------
>>> import numpy as np, pandas as pd
>>> p = pd.DataFrame({"A": [10.0, 11.0, np.nan, 12.1]},
...                  index=pd.to_datetime(["2022-01-04", "2022-01-05", "2022-01-06", "2022-01-07"]))
>>> simple_returns(p)["A"].round(4).tolist()
[nan, 0.1, nan, nan]
>>> r, gaps = trade_to_trade_returns(p)
>>> r["A"].round(4).tolist(), gaps["A"].tolist()
([nan, 0.1, nan, 0.1], [<NA>, 1, <NA>, 2])
"""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind
from eventstudy.calendar import shanghai_sessions, uses_china_calendar
from eventstudy.exceptions import ConfigError
from eventstudy.market.frame import PriceFrame

__all__ = [
    "log_returns",
    "returns_of",
    "simple_returns",
    "trade_to_trade_returns",
]


def simple_returns(prices: pd.DataFrame) -> pd.DataFrame:
    """``p_t / p_{t-1} - 1`` on consecutive rows; NaN unless both prices exist.

    Examples
    --------
    >>> p = pd.DataFrame({"A": [10.0, 11.0, np.nan, 12.1]})
    >>> simple_returns(p)["A"].round(4).tolist()
    [nan, 0.1, nan, nan]
    """
    p = prices.astype(np.float64)
    return p / p.shift(1) - 1.0


def log_returns(prices: pd.DataFrame) -> pd.DataFrame:
    """``log(p_t / p_{t-1})`` on consecutive rows; NaN unless both prices exist.

    Examples
    --------
    >>> p = pd.DataFrame({"A": [10.0, 11.0, 12.1]})
    >>> log_returns(p)["A"].round(6).tolist()
    [nan, 0.09531, 0.09531]
    """
    p = prices.astype(np.float64)
    ratio = p / p.shift(1)
    return ratio.apply(np.log)


def trade_to_trade_returns(
    prices: pd.DataFrame, *, kind: ReturnKind = "simple"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns from the last traded price, and the number of sessions each spans.

    Returns
    -------
    returns, gaps
        ``returns`` float64 (NaN on untraded sessions and on each series' first
        traded session); ``gaps`` nullable ``Int64`` (``<NA>`` where the return is NaN).

    Examples
    --------
    Suspended on the third row: the fourth row's return spans two sessions.

    >>> p = pd.DataFrame({"A": [10.0, 11.0, np.nan, 12.1]})
    >>> r, gaps = trade_to_trade_returns(p)
    >>> r["A"].round(4).tolist(), gaps["A"].tolist()
    ([nan, 0.1, nan, 0.1], [<NA>, 1, <NA>, 2])
    """
    p = prices.astype(np.float64)
    pos = pd.DataFrame(
        np.tile(np.arange(len(p), dtype=np.float64)[:, None], (1, p.shape[1])),
        index=p.index,
        columns=p.columns,
    )
    traded_pos = pos.where(p.notna())
    # previous traded price/position, looked up (not filled into the output)
    prev_price = p.ffill().shift(1)
    prev_pos = traded_pos.ffill().shift(1)
    ratio = (p / prev_price).where(p.notna())
    r = ratio - 1.0 if kind == "simple" else ratio.apply(np.log)
    gaps = (pos - prev_pos).where(r.notna()).astype("Int64")
    return r, gaps


def _returns_on(
    prices: pd.DataFrame, kind: ReturnKind, trade_to_trade: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if trade_to_trade:
        return trade_to_trade_returns(prices, kind=kind)
    return (simple_returns(prices) if kind == "simple" else log_returns(prices)), None


def _own_calendar_returns(
    prices: pd.DataFrame, kind: ReturnKind, trade_to_trade: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Returns of each symbol on its own calendar, reindexed to ``prices.index``.

    Chinese symbols use the Shanghai sessions inside the index (plus any date
    one of them has a value on); each other symbol uses the dates it has a value.
    """
    idx = prices.index
    out = np.full(prices.shape, np.nan)
    span = np.full(prices.shape, np.nan)
    chinese = [c for c in prices.columns if uses_china_calendar(str(c))]
    groups: list[tuple[list[Any], pd.Index]] = []
    if chinese and len(idx):
        sessions = shanghai_sessions(pd.Timestamp(idx[0]), pd.Timestamp(idx[-1]))
        if len(sessions):
            traded = prices[chinese].notna().any(axis=1).to_numpy()
            keep = idx.isin(sessions) | traded
            groups.append((chinese, idx[keep]))
        else:  # no calendar known for these dates: the panel's own rows
            groups.append((chinese, idx))
    for col in prices.columns:
        if col not in chinese:
            groups.append(([col], idx[prices[col].notna().to_numpy()]))
    for cols, grid in groups:
        rows = idx.get_indexer(grid)
        pos = prices.columns.get_indexer(pd.Index(cols))
        r, g = _returns_on(prices.loc[grid, cols], kind, trade_to_trade)
        out[np.ix_(rows, pos)] = r.to_numpy(dtype=np.float64)
        if g is not None:
            span[np.ix_(rows, pos)] = g.to_numpy(dtype=np.float64, na_value=np.nan)
    data = pd.DataFrame(out, index=idx, columns=prices.columns)
    if not trade_to_trade:
        return data, None
    return data, pd.DataFrame(span, index=idx, columns=prices.columns).astype("Int64")


def returns_of(
    prices: PriceFrame, *, kind: ReturnKind = "simple", trade_to_trade: bool = False
) -> PriceFrame:
    """Returns of a price frame, each symbol on its own calendar (see the module docstring).

    Parameters
    ----------
    prices
        Prices (``get_prices``, ``load_panel(...).close``).
    kind
        ``simple`` or ``log``.
    trade_to_trade
        Attribute the return over a suspension to the day trading resumes and
        record the gap lengths in ``.gaps``.

    Returns
    -------
    PriceFrame
        ``field`` is ``simple_return`` or ``log_return``; provenance and
        failures as for the prices.

    Examples
    --------
    >>> p = PriceFrame.from_series(
    ...     {"NIO": pd.Series([10.0, 11.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))},
    ...     field="close", source="given", adjust="none")
    >>> returns_of(p).data["NIO"].round(4).tolist()
    [nan, 0.1]
    """
    if kind not in get_args(ReturnKind):
        raise ConfigError(f"kind={kind!r}; choose one of {list(get_args(ReturnKind))}")
    data, gaps = _own_calendar_returns(prices.data, kind, trade_to_trade)
    name = f"{kind}_return"
    prov = prices.provenance.copy()
    prov["field"] = name
    return PriceFrame(data=data, provenance=prov, field=name, gaps=gaps, failures=prices.failures)
