"""The returns sanity rule: events whose windows hold an impossible or suspect return.

A data error (a price scaled by 1e6, a forward-adjusted price gone negative, a
split in unadjusted prices) makes returns no market produces; they would flow
into the CARs and dominate every test. Before any model is fitted,
:func:`screen_returns` drops each event whose estimation or event window (the
span ``[min(T0, tau1), max(T1, tau2)]``) holds such a return of its security or
of the market, with reason code :data:`IMPLAUSIBLE_RETURN` and a message naming
the first such session, the value and the bound. The event, not the value, is
dropped: masking the value would silently change the data the model sees and
the event's CAR, while a dropped event is counted in ``dropped``.

A simple return ``r`` of a session is

* **impossible** when ``r <= -1`` (a price of zero or below), for every series;
* **suspect**, for a security with a daily price limit ``L`` (:func:`price_limit
  <eventstudy.backtesting.limits.price_limit>`: main board 10 %, ChiNext 20 %
  from 2020-08-24 and 10 % before, STAR 20 %, Beijing 30 %; funds and B shares
  as their exchange's main board), when it is beyond the limit by a wide margin,
  :data:`LIMIT_MARGIN` times the limit (``r > (1 + 2L)^k - 1`` or
  ``r < (1 - 2L)^k - 1``: ±20 % on the main board, ±40 % on ChiNext/STAR,
  ±60 % on the BSE), where ``k`` is the number of sessions the return spans (1,
  or more after missing returns, e.g. a trade-to-trade return over a suspension);
  ST stocks (±5 %) are held to their board's limit, since the study does not
  know when a stock was ST; the first :data:`LISTING_SESSIONS` (5) returns of a
  series are exempt (the first sessions after a listing have no limit; a series
  that starts later only loses the check on its first five returns);
* **suspect**, for a series without a daily limit (indices, boards, Hong Kong and
  US stocks), when ``r > UNLIMITED_MAX`` (+900 %, a tenfold price in one session).

A large value that is finite (1e300) is therefore dropped as
``implausible_return``, not as ``constant_returns`` after its variance overflows.

Examples
--------
>>> import numpy as np, pandas as pd
>>> dates = pd.bdate_range("2022-01-03", periods=8)
>>> r = np.full((8, 2), 0.01)
>>> r[6, 0] = 0.35  # 600519.SH: +35 % on a ±10 % board
>>> bad = suspect_returns(r, pd.Index(["600519.SH", "000300.SH"]), dates)
>>> np.argwhere(bad).tolist()
[[6, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray
from eventstudy.backtesting.limits import CHINEXT_REFORM, limit_pairs
from eventstudy.study.panel import Panel

__all__ = [
    "IMPLAUSIBLE_RETURN",
    "LIMIT_MARGIN",
    "LISTING_SESSIONS",
    "UNLIMITED_MAX",
    "drop_implausible",
    "return_bounds",
    "screen_returns",
    "suspect_returns",
]

#: Reason code of an event dropped for an impossible or suspect return in its windows.
IMPLAUSIBLE_RETURN: Final = "implausible_return"
#: A return is suspect beyond ``(1 ± LIMIT_MARGIN × limit)^k − 1`` (k sessions spanned).
LIMIT_MARGIN: Final = 2.0
#: The first returns of a series, exempt from the limit rule (no limit after a listing).
LISTING_SESSIONS: Final = 5
#: Largest plausible one-session return of a series without a daily limit (+900 %).
UNLIMITED_MAX: Final = 9.0


def _limits(symbols: Sequence[str], sessions: pd.DatetimeIndex) -> FloatArray:
    """The daily limit of each symbol on each session; NaN for a column that is no symbol."""
    pairs = limit_pairs([str(s) for s in symbols], strict=False)  # before / from the reform
    after = np.asarray(sessions >= CHINEXT_REFORM)[:, None]
    return np.where(after, pairs[:, 1][None, :], pairs[:, 0][None, :])


def _spans(values: FloatArray) -> np.ndarray:
    """Sessions each return spans: 1 + the missing returns right before it."""
    d = values.shape[0]
    rows = np.arange(d)[:, None]
    last = np.maximum.accumulate(np.where(np.isfinite(values), rows, -1), axis=0)
    prev = np.vstack([np.full((1, values.shape[1]), -1), last[:-1]])
    return np.where(prev >= 0, rows - prev, 1)


def return_bounds(
    values: FloatArray, symbols: Sequence[str], sessions: pd.DatetimeIndex
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest plausible return per session and series (see the module docstring).

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``, each of the shape of ``values`` (sessions x series):
        ``low`` is -1 or the limit bound, ``high`` the limit bound or
        :data:`UNLIMITED_MAX`; the first :data:`LISTING_SESSIONS` returns of a
        series with a limit get ``(-1, UNLIMITED_MAX)``.

    Examples
    --------
    >>> low, high = return_bounds(np.full((7, 1), 0.0), ["300750.SZ"],
    ...                           pd.bdate_range("2022-01-03", periods=7))
    >>> low[-1].round(2).tolist(), high[-1].round(2).tolist(), high[0].tolist()
    ([-0.4], [0.4], [9.0])
    """
    limit = _limits(symbols, sessions)
    k = _spans(values)
    fin = np.isfinite(values)
    seasoned = np.cumsum(fin, axis=0) > LISTING_SESSIONS
    has_limit = np.isfinite(limit) & seasoned
    step = np.where(has_limit, LIMIT_MARGIN * limit, 0.0)
    # one session (almost every cell): the bounds are +-step; compounded only where a
    # return spans missing sessions (pow is the slow part on a whole-market panel)
    high = np.where(has_limit, step, UNLIMITED_MAX)
    low = np.where(has_limit, -np.minimum(step, 1.0), -1.0)
    multi = np.nonzero(has_limit & (k > 1))
    if len(multi[0]):
        st, kk = step[multi], k[multi]
        with np.errstate(invalid="ignore", over="ignore"):
            high[multi] = (1.0 + st) ** kk - 1.0
            low[multi] = np.clip(1.0 - st, 0.0, None) ** kk - 1.0
    return low, high


def suspect_returns(
    values: FloatArray, symbols: Sequence[str], sessions: pd.DatetimeIndex
) -> np.ndarray:
    """Where a return is impossible (``<= -1``) or suspect (beyond :func:`return_bounds`).

    The bounds are computed only for the series that have a return beyond the
    one-session bound ``(-min(2L, 1), min(2L, 9))`` (:func:`_loose_hits`), since a
    return spanning missing sessions or among a series' first returns has wider
    bounds: the result is that of :func:`return_bounds` on every series.

    Parameters
    ----------
    values
        Simple returns, sessions x series (NaN: missing, never suspect).
    symbols
        Canonical symbols of the columns (their board sets the limit).
    sessions
        The rows' sessions (the ChiNext limit changed on 2020-08-24).

    Returns
    -------
    numpy.ndarray
        Boolean, the shape of ``values``.
    """
    names = list(symbols)
    out = np.zeros(values.shape, dtype=bool)
    cols = _loose_hits(values, limit_pairs(names, strict=False), sessions)
    if len(cols):
        sub = values[:, cols]
        out[:, cols] = _outside(sub, *return_bounds(sub, [names[j] for j in cols], sessions))
    return out


def _outside(values: FloatArray, low: FloatArray, high: FloatArray) -> np.ndarray:
    """Where a return is impossible (``<= -1``) or outside ``low .. high`` (NaN: never)."""
    with np.errstate(invalid="ignore"):
        out = (values <= -1.0) | (values < low) | (values > high)
    return np.asarray(out & np.isfinite(values))


def _loose_hits(
    values: FloatArray,
    pairs: FloatArray,
    sessions: pd.DatetimeIndex,
    among: np.ndarray | None = None,
) -> np.ndarray:
    """The columns (where the mask ``among`` is True) with a return beyond one-session bounds.

    :func:`return_bounds` gives bounds at least as wide as ``(-min(2L, 1), min(2L, 9))``
    (a return spanning ``k > 1`` sessions: ``(1 + 2L)^k - 1 >= 2L``; the first
    returns of a series and series without a limit: ``(-1, 9)``), so a cell inside
    them is never suspect (nor is a missing one): the columns returned are a superset
    of the columns with a suspect return. The column extremes are taken over the rows
    of each limit regime (before and from the ChiNext reform; a whole-market panel of
    later years: one pass over ``values``), so no cell is looked at twice.
    """
    after = np.asarray(sessions >= CHINEXT_REFORM)
    step = LIMIT_MARGIN * pairs  # (S, 2): before / from the ChiNext reform; NaN: no limit
    high = np.where(np.isfinite(step), np.minimum(step, UNLIMITED_MAX), UNLIMITED_MAX)
    low = np.where(np.isfinite(step), -np.minimum(step, 1.0), -1.0)
    hit = np.zeros(values.shape[1], dtype=bool)
    for k, rows in enumerate((~after, after)):
        if not rows.any():
            continue
        sub = values if rows.all() else values[rows]
        with np.errstate(invalid="ignore"):
            top, bottom = np.fmax.reduce(sub, axis=0), np.fmin.reduce(sub, axis=0)
            hit |= (top > high[:, k]) | (bottom < low[:, k]) | (bottom <= -1.0)
    if among is not None:
        hit &= among
    return np.flatnonzero(hit)


def _window_hits(
    flags: np.ndarray, pos0: np.ndarray, col: np.ndarray, lo: int, hi: int
) -> np.ndarray:
    """Number of flagged sessions in rows ``pos0 + lo .. pos0 + hi`` of column ``col``."""
    d = flags.shape[0]
    cum = np.zeros((d + 1, flags.shape[1]), dtype=np.int32)
    np.cumsum(flags, axis=0, out=cum[1:])
    a = np.clip(pos0 + lo, 0, d)
    b = np.clip(pos0 + hi + 1, 0, d)
    return cum[b, col] - cum[a, col]


def screen_returns(
    returns: FloatArray,
    symbols: Sequence[str],
    sessions: pd.DatetimeIndex,
    market: str,
    pos0: np.ndarray,
    col: np.ndarray,
    span: tuple[int, int],
) -> dict[int, str]:
    """Events whose window holds an impossible or suspect return of their security or market.

    Parameters
    ----------
    returns
        The study's panel of simple returns, sessions x series (the market included).
    symbols
        The panel's columns.
    sessions
        The panel's sessions.
    market
        The market column.
    pos0, col
        Day-0 row and column of each event; -1 for events already dropped.
    span
        ``(lo, hi)``: the relative days the event uses (estimation and event window).

    Returns
    -------
    dict
        Event position → message, for the events to drop with reason
        :data:`IMPLAUSIBLE_RETURN`.

    Examples
    --------
    >>> dates = pd.bdate_range("2022-01-03", periods=30)
    >>> r = np.full((30, 2), 0.001)
    >>> r[20, 0] = -5.0  # -500 %
    >>> screen_returns(r, ["600519.SH", "000300.SH"], dates, "000300.SH",
    ...                np.array([25, 12]), np.array([0, 0]), (-10, 3))  # doctest: +ELLIPSIS
    {0: '600519.SH has a return of -500.00% on 2022-01-31 in its windows (impossible: ...'}
    """
    ok = (pos0 >= 0) & (col >= 0)
    if not ok.any():
        return {}
    names = list(symbols)
    mcol = names.index(market)
    # only the series the events use; full bounds only where a return is beyond the
    # one-session bounds (a few series of a whole market)
    used = np.zeros(len(names), dtype=bool)
    used[col[ok]] = True
    used[mcol] = True
    near = _loose_hits(returns, limit_pairs(names, strict=False), sessions, among=used)
    values = returns[:, near]
    low, high = return_bounds(values, [names[j] for j in near], sessions)
    exact = _outside(values, low, high)
    hit = np.flatnonzero(exact.any(axis=0))
    if len(hit) == 0:
        return {}
    # the flagged series, and a last column never flagged (events of unflagged series)
    flags = np.zeros((len(sessions), len(hit) + 1), dtype=bool)
    flags[:, :-1] = exact[:, hit]
    at = np.full(len(names) + 1, len(hit))  # panel column -> flagged series; -1: none
    at[near[hit]] = np.arange(len(hit))
    lo, hi = span
    p = np.where(ok, pos0, 0)
    c = at[np.where(ok, col, -1)]
    m = int(at[mcol])
    own = _window_hits(flags, p, c, lo, hi)
    mkt = _window_hits(flags, p, np.full_like(c, m), lo, hi)
    out: dict[int, str] = {}
    for i in np.flatnonzero(ok & ((own > 0) | (mkt > 0))):
        j = int(c[i]) if own[i] > 0 else m
        rows = np.arange(max(int(p[i]) + lo, 0), min(int(p[i]) + hi + 1, len(sessions)))
        t = int(rows[np.flatnonzero(flags[rows, j])[0]])
        h = int(hit[j])  # the series' position in ``near``
        who = f"the market {market}" if j == m != c[i] else names[near[h]]
        out[int(i)] = _message(
            who, float(values[t, h]), (low[t, h], high[t, h]), sessions[t].date()
        )
    return out


def _message(who: str, v: float, bounds: tuple[float, float], day: object) -> str:
    """Why an event is dropped: ``who`` has the return ``v`` (plausible ``bounds``) on ``day``."""
    why = (
        "impossible: a price of zero or below"
        if v <= -1.0
        else f"outside the plausible range {bounds[0]:+.0%} .. {bounds[1]:+.0%}"
    )
    return (
        f"{who} has a return of {v:.2%} on {day} in its windows ({why}); "
        "check the prices (a data error, forward-adjusted prices near zero after large "
        "dividends, or unadjusted prices across a split or bonus issue)"
    )


def drop_implausible(
    panel: Panel,
    market: str,
    pos0: np.ndarray,
    col: np.ndarray,
    reason: list[str | None],
    message: list[str],
    span: tuple[int, int],
) -> None:
    """Mark the events :func:`screen_returns` finds as not located, in place.

    ``pos0``/``col``/``reason``/``message`` are those of
    :func:`~eventstudy.study.panel.locate_events`; a marked event gets
    ``pos0 = col = -1`` and reason :data:`IMPLAUSIBLE_RETURN`, so the study drops it.
    """
    found = screen_returns(
        panel.returns, panel.symbols.tolist(), panel.sessions, market, pos0, col, span
    )
    for i, msg in found.items():
        pos0[i], col[i], reason[i], message[i] = -1, -1, IMPLAUSIBLE_RETURN, msg
