"""The pandas edge of the engine: return panels -> arrays, events -> calendar positions.

A return panel is a wide DataFrame (dates x symbols, the market column included)
of **simple** returns. Prices are turned into returns with
``P_t / P_{t-1} - 1`` between consecutive sessions of the calendar; a missing
price makes the return of that day and of the next day missing (never zero).
With ``trade_to_trade=True`` the return of a traded session is measured from the
last traded price instead (the day trading resumes carries the whole suspension).

Relative days count sessions of the market's calendar: the dates on which the
market series is present, or the sessions of an explicit ``calendar``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> px = pd.DataFrame({"A": [10.0, 11.0, np.nan, 12.1], "M": [1.0, 1.1, 1.21, 1.21]},
...                   index=pd.date_range("2022-01-03", periods=4))
>>> panel = build_panel(prices=px, market="M")
>>> panel.returns[:, 0].round(3).tolist()
[nan, 0.1, nan, nan]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike, FloatArray, PanelMarket
from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study.models import NormalModel, get_model

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar

__all__ = [
    "CalendarLike",
    "HasFrame",
    "Panel",
    "WideData",
    "build_panel",
    "calendar_sessions",
    "event_positions",
    "locate_events",
    "unwrap",
]


class HasFrame(Protocol):
    """An object carrying a wide DataFrame in ``.data`` (e.g. a ``PriceFrame``).

    A ``provenance`` DataFrame attribute, when present, is carried to the result.
    """

    @property
    def data(self) -> pd.DataFrame: ...


#: Returns or prices given to a study: a wide DataFrame (dates x symbols) or a
#: :class:`HasFrame` such as ``eventstudy.market.PriceFrame``.
WideData: TypeAlias = "pd.DataFrame | HasFrame"

#: The sessions relative days count: a ``TradingCalendar`` or the dates themselves.
CalendarLike: TypeAlias = "TradingCalendar | pd.DatetimeIndex | Sequence[DateLike]"


def unwrap(obj: WideData | None, what: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A wide DataFrame and its provenance from a DataFrame or a ``.data`` object.

    Examples
    --------
    >>> frame, prov = unwrap(pd.DataFrame({"A": [0.01]}), "returns")
    >>> frame.shape, prov.empty
    ((1, 1), True)
    """
    prov = pd.DataFrame()
    if obj is None:
        raise ConfigError(f"{what} is None")
    data: object = obj
    if not isinstance(obj, pd.DataFrame) and hasattr(obj, "data"):
        p = getattr(obj, "provenance", None)
        if isinstance(p, pd.DataFrame):
            prov = p
        data = obj.data
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(
            f"{what} must be a wide DataFrame (dates x symbols) or an object with a .data "
            f"DataFrame, got {type(data).__name__}"
        )
    return data, prov


def calendar_sessions(calendar: CalendarLike) -> pd.DatetimeIndex:
    """The sorted, unique, naive sessions of a calendar (a ``TradingCalendar`` or dates).

    Examples
    --------
    >>> calendar_sessions(["2022-01-04", "2022-01-03", "2022-01-04"]).strftime("%m-%d").tolist()
    ['01-03', '01-04']
    """
    sess = calendar.sessions if hasattr(calendar, "sessions") else calendar
    sessions = pd.DatetimeIndex(pd.to_datetime(pd.Index(sess))).normalize()
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    return sessions.unique().sort_values()


def _panel_market_hint(market: str) -> str:
    """A hint when ``market`` is a panel-built market in another case (``"EW"``: ``"ew"``).

    Examples
    --------
    >>> _panel_market_hint("EW"), _panel_market_hint("000300.SH")
    (", or market='ew' (lower case) for the equal-weighted market built from the panel", '')
    """
    lower = market.lower() if isinstance(market, str) else market
    if lower != market and lower in get_args(PanelMarket):
        return (
            f", or market={lower!r} (lower case) for the equal-weighted market built from the panel"
        )
    return ""


def _check_finite(frame: pd.DataFrame, what: str, *, copy: bool = True) -> FloatArray:
    """The frame's values as a float array (``copy``: a new one); refused if some is infinite."""
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan, copy=copy)
    except (TypeError, ValueError) as err:
        raise InputDataError(f"{what} must be numeric: {err}") from None
    bad = np.isinf(values)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputDataError(
            f"{what} contain {int(bad.sum())} infinite value(s), e.g. {frame.columns[j]!r} on "
            f"{frame.index[i]}; clean the data (a zero price upstream?) before the event study"
        )
    return values


def _date_index(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if frame.columns.has_duplicates:
        dup = list(dict.fromkeys(map(str, frame.columns[frame.columns.duplicated()])))
        raise InputDataError(
            f"{what} have duplicated columns {dup[:5]}: one column per symbol; drop or "
            "rename the repeats (e.g. frame.loc[:, ~frame.columns.duplicated()])"
        )
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(frame.index))
    except (TypeError, ValueError) as err:
        raise InputDataError(f"{what} need a date index: {err}") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    out = frame.copy(deep=False)  # a new index, the same data (read, never written)
    out.index = idx.normalize()
    if out.index.has_duplicates:
        dup = out.index[out.index.duplicated()][:3].strftime("%Y-%m-%d").tolist()
        raise InputDataError(f"{what} have duplicated dates {dup}")
    return out.sort_index()


@dataclass(frozen=True)
class Panel:
    """Aligned arrays on the session calendar.

    Attributes
    ----------
    sessions
        The calendar (relative days count these).
    returns
        ``(D, S)`` simple returns of the securities (columns ``symbols``).
    symbols
        Column labels of ``returns``.
    market
        ``(D,)`` market return.
    """

    sessions: pd.DatetimeIndex
    returns: FloatArray
    symbols: pd.Index
    market: FloatArray


def build_panel(
    *,
    returns: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
    market: str,
    calendar: CalendarLike | None = None,
    trade_to_trade: bool = False,
    copy: bool = True,
) -> Panel:
    """Align a return (or price) panel on the market's session calendar.

    Parameters
    ----------
    returns, prices
        Wide DataFrame, dates x symbols; exactly one of them.
    market
        Column of the market (benchmark) series.
    calendar
        ``TradingCalendar`` or a sequence of dates; default: the dates on which
        the market series is present.
    trade_to_trade
        With ``prices``: returns from the last traded price
        (:func:`eventstudy.market.trade_to_trade_returns` on the session-aligned
        prices), so the return of the day trading resumes spans the suspension
        instead of being missing.
    copy
        True (default): the panel holds a copy of the data, so later changes to the
        frame do not reach the study; False: it may hold the frame's own values (a
        frame made for the panel, e.g. by
        :func:`~eventstudy.study.panel_market.with_panel_market`).

    Raises
    ------
    InputDataError
        Infinite values, a missing market column, duplicated dates or columns.
    """
    what = "returns" if returns is not None else "prices"
    frame = returns if returns is not None else prices
    assert frame is not None
    frame = _date_index(frame, what)
    if market not in frame.columns:
        raise InputDataError(
            f"the market column {market!r} is not in the {what} given (columns: "
            f"{list(frame.columns)[:10]}...); include it or pass market= one of the columns"
            + _panel_market_hint(market)
        )
    values = _check_finite(frame, what, copy=copy)
    if calendar is not None:
        sessions = calendar_sessions(calendar)
        sessions = sessions[(sessions >= frame.index[0]) & (sessions <= frame.index[-1])]
    else:
        sessions = pd.DatetimeIndex(frame.index[frame[market].notna()])
    if len(sessions) == 0:
        raise InputDataError(f"no session of the calendar has {market!r} data in the {what}")
    values = _rows_at(values, frame.index, sessions)  # frame.reindex(sessions), as an array
    if prices is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            if trade_to_trade:
                from eventstudy.market.returns import trade_to_trade_returns

                t2t, _ = trade_to_trade_returns(
                    pd.DataFrame(values, index=sessions, columns=frame.columns)
                )
                rets = t2t.to_numpy(dtype=float, na_value=np.nan)
            else:
                rets = np.full_like(values, np.nan)
                rets[1:] = values[1:] / values[:-1] - 1.0
        bad = np.isinf(rets)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise InputDataError(
                f"prices give an infinite return for {frame.columns[j]!r} on "
                f"{sessions[i].date()} (zero price the session before)"
            )
        values = rets
    cols = pd.Index([str(c) for c in frame.columns.tolist()])
    mcol = cols.get_loc(market)
    assert isinstance(mcol, int)
    return Panel(sessions=sessions, returns=values, symbols=cols, market=values[:, mcol].copy())


def _rows_at(values: FloatArray, dates: pd.Index, sessions: pd.DatetimeIndex) -> FloatArray:
    """``reindex(sessions)`` of the rows of ``values``, one per (unique) date of ``dates``.

    NaN rows for sessions without a date; ``values`` itself when the sessions are the dates.
    """
    rows = dates.get_indexer(sessions)
    if len(rows) == len(dates) and (rows == np.arange(len(rows))).all():
        return values
    out = np.full_like(values, np.nan, shape=(len(rows), values.shape[1]))  # same layout
    have = rows >= 0
    out[have] = values[rows[have]]
    return out


def factor_arrays(
    factors: pd.DataFrame | None, model: str | NormalModel, sessions: pd.DatetimeIndex
) -> tuple[FloatArray, FloatArray]:
    """Factor returns ``(D, F)`` and risk-free rate ``(D,)`` on the sessions.

    ``model`` is a model name or a bound model (``"factors"`` with its columns, see
    :func:`eventstudy.study.models.bind_model`).

    Raises
    ------
    ConfigError
        No factors for a factor model, or missing factor columns.
    """
    spec = model if isinstance(model, NormalModel) else get_model(model)
    model, cols = spec.name, spec.factors
    if factors is None:
        raise ConfigError(
            f"model={model!r} needs factors=: a DataFrame indexed by date with columns "
            f"{list(cols)} (and optionally 'rf'), as simple daily returns"
        )
    f = factors
    if "date" in f.columns:
        f = f.set_index("date")
    missing = [c for c in cols if c not in f.columns]
    if missing:
        raise ConfigError(
            f"factors lack column(s) {missing} needed by model={model!r}; have "
            f"{list(f.columns)}; rename them to {list(cols)}"
        )
    f = _date_index(f, "factors")
    _check_finite(f[list(cols) + (["rf"] if "rf" in f.columns else [])], "factors")
    aligned = f.reindex(sessions)
    z = aligned[list(cols)].to_numpy(dtype=float, na_value=np.nan)
    rf = (
        aligned["rf"].to_numpy(dtype=float, na_value=np.nan)
        if "rf" in f.columns
        else np.zeros(len(sessions))
    )
    return z, rf


def event_positions(
    day0: pd.Series, symbols: pd.Series, panel: Panel
) -> tuple[np.ndarray, np.ndarray]:
    """Session position of each event's day 0 and panel column of its security (-1: none).

    Day 0 is normalised (a date); the security is matched by its string. Each distinct
    day and security is looked up once (a whole-market study has 100,000 events on a
    few thousand securities and sessions). :func:`locate_events` screens these.

    Examples
    --------
    >>> sessions = pd.bdate_range("2022-01-03", periods=3)
    >>> panel = Panel(sessions, np.zeros((3, 2)), pd.Index(["A", "M"]), np.zeros(3))
    >>> day0 = pd.Series(pd.to_datetime(["2022-01-04 10:00", "2022-01-08 00:00"]))
    >>> pos, col = event_positions(day0, pd.Series(["A", "B"]), panel)
    >>> pos.tolist(), col.tolist()
    ([1, -1], [0, -1])
    """
    d0 = pd.DatetimeIndex(pd.to_datetime(day0)).normalize()
    return _lookup(panel.sessions, d0), _lookup(panel.symbols, pd.Index(symbols.astype(str)))


def _lookup(index: pd.Index, values: pd.Index) -> np.ndarray:
    """``index.get_indexer(values)``, each distinct value looked up once."""
    codes, distinct = values.factorize(use_na_sentinel=False)
    return np.asarray(index.get_indexer(pd.Index(distinct))[codes], dtype=np.intp)


def locate_events(
    day0: pd.Series,
    symbols: pd.Series,
    panel: Panel,
    *,
    tau1: int,
    tau2: int,
    positions: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str | None], list[str]]:
    """Calendar position of day 0 and column of each event, or why it cannot be analysed.

    ``positions``: :func:`event_positions` of these events, when already computed.

    Returns
    -------
    pos0, col, reason, message
        ``pos0``/``col`` are -1 for events with a reason.
    """
    n = len(day0)
    pos, cols = positions if positions is not None else event_positions(day0, symbols, panel)
    first, last = panel.sessions[0], panel.sessions[-1]
    nsess = len(panel.sessions)
    reason: list[str | None] = [None] * n
    message = [""] * n
    bad = (cols < 0) | (pos < 0) | (pos + tau2 >= nsess) | (pos + tau1 < 0)
    # the days of the messages (only when some event is not located: a few)
    d0 = pd.DatetimeIndex(pd.to_datetime(day0)).normalize() if bad.any() else pd.DatetimeIndex([])
    for i in np.flatnonzero(bad).tolist():
        sym, d = symbols.iloc[i], d0[i]
        if cols[i] < 0:
            reason[i] = "unknown_symbol"
            message[i] = (
                f"{sym!r} has no return series in the data given; include its column "
                "(or let get_returns fetch it)"
            )
        elif pd.isna(d) or d < first or d > last:
            reason[i] = "outside_data"
            message[i] = f"day 0 {d} is outside the data ({first.date()} .. {last.date()})"
        elif pos[i] < 0:
            reason[i] = "not_a_session"
            message[i] = f"day 0 {d.date()} is not a session of the market calendar"
        else:
            reason[i] = "outside_data"
            message[i] = (
                f"event window [{tau1},{tau2}] around {d.date()} runs outside the data "
                f"({first.date()} .. {last.date()})"
            )
    return np.where(bad, -1, pos), np.where(bad, -1, cols), reason, message
