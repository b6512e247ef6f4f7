"""The vectorised core: trades from (symbol, day 0) pairs, and the daily portfolio.

Everything here works on NumPy arrays over a :class:`~eventstudy.backtesting.panel.PricePanel`
so that the real run and thousands of placebo trades share one code path with
no Python loop over events.

Trade rules (also in :func:`eventstudy.backtesting.backtest`):

* entry ``day0_close``: buy (sell, for a short) at the close of day 0;
  ``next_open``: at the open of the session after day 0.
* exit after ``hold`` sessions, at the same field (close → close, open → open).
* entry not possible — no price that session (``suspended``; ``not_listed``
  before the symbol's first price; ``no_price`` if it has no series at all;
  ``no_open_price`` for an open entry on a session with a close but no open,
  e.g. a board proxy built from member closes) or
  the price is locked at the limit against the trade (limit-up for a buy,
  limit-down for a sell; ``limit_locked``) — → the trade is skipped, never
  delayed: a later entry would be a different signal.
* exit not possible (no price, or locked against the closing order) → delayed
  to the next session where it is possible, up to ``max_exit_delay`` sessions
  (``exit_blocked`` after that; ``beyond_data`` if the data ends first).

Examples
--------
>>> import pandas as pd
>>> from eventstudy.backtesting.panel import PricePanel
>>> close = pd.DataFrame({"600519.SH": [10.0, 11.0, 12.1]},
...                      index=pd.to_datetime(["2022-01-10", "2022-01-11", "2022-01-12"]))
>>> panel = PricePanel.from_wide({"close": close})
>>> out = simulate_trades(panel, np.array([0]), np.array([0]), np.array([1]),
...                       Rules(entry="day0_close", hold=2))
>>> out.status.tolist(), out.exit_row.tolist(), round(float(out.gross[0]), 4)
([0], [2], 0.21)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray
from eventstudy.backtesting.limits import at_limit, price_limit
from eventstudy.backtesting.panel import PricePanel

__all__ = [
    "REASONS",
    "Rules",
    "TradeArrays",
    "benchmark_returns",
    "daily_portfolio",
    "simulate_trades",
]

#: Engine outcome codes: 0 filled, 1 filled with a delayed exit, 2.. skip reasons.
REASONS: tuple[str, ...] = (
    "filled",
    "exit_delayed",
    "no_price",
    "no_session",
    "beyond_data",
    "not_listed",
    "suspended",
    "limit_locked",
    "exit_blocked",
    "no_open_price",
)
_CODE = {r: i for i, r in enumerate(REASONS)}


@dataclass(frozen=True)
class Rules:
    """Trading rules shared by the real run and the placebo runs."""

    entry: str = "day0_close"
    hold: int = 5
    costs_bps: float = 0.0
    max_exit_delay: int = 10
    limit_tolerance: float = 0.002
    st_symbols: Collection[str] = field(default_factory=tuple)

    @property
    def cost(self) -> float:
        """Cost per side as a fraction of the traded notional."""
        return self.costs_bps / 1e4


@dataclass(frozen=True)
class TradeArrays:
    """Outcome of :func:`simulate_trades`, one entry per input pair."""

    status: np.ndarray  # int codes into REASONS
    entry_row: np.ndarray
    exit_row: np.ndarray
    entry_price: FloatArray
    exit_price: FloatArray
    exit_delay: np.ndarray
    gross: FloatArray
    net: FloatArray

    @property
    def filled(self) -> np.ndarray:
        """Boolean mask of completed trades."""
        return np.asarray(self.status <= 1)


@dataclass
class _Market:
    """Derived arrays of a panel (previous close, limits), computed once."""

    panel: PricePanel
    rules: Rules
    prev_close: FloatArray = field(init=False)
    limit: FloatArray = field(init=False)
    has_any: np.ndarray = field(init=False)
    first_row: np.ndarray = field(init=False)
    last_row: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        p = self.panel
        self.prev_close = p.prev_close
        self.limit = price_limit(p.symbols, p.dates, self.rules.st_symbols)
        valid = ~np.isnan(p.close)
        self.has_any = np.asarray(valid.any(axis=0), dtype=bool)
        n = valid.shape[0]
        self.first_row = np.where(self.has_any, valid.argmax(axis=0), n)
        self.last_row = np.where(self.has_any, n - 1 - valid[::-1].argmax(axis=0), -1)


_MARKETS: dict[tuple[int, int], _Market] = {}


def _market(panel: PricePanel, rules: Rules) -> _Market:
    key = (id(panel), hash(tuple(sorted(rules.st_symbols))))
    m = _MARKETS.get(key)
    if m is None or m.panel is not panel:
        _MARKETS.clear()  # keep only the current panel alive
        m = _MARKETS[key] = _Market(panel, rules)
    return m


def _locked(
    mk: _Market,
    rows: np.ndarray,
    cols: np.ndarray,
    price: FloatArray,
    up: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Whether ``price`` at (rows, cols) is at the limit-up (``up``) / limit-down."""
    p = mk.panel
    prev = mk.prev_close[rows, cols]
    lim = mk.limit[rows, cols]
    hi = at_limit(price, prev, lim, p.high[rows, cols], up=True, tolerance=tol)
    lo = at_limit(price, prev, lim, p.low[rows, cols], up=False, tolerance=tol)
    return np.where(up, hi, lo)


def simulate_trades(
    panel: PricePanel,
    cols: np.ndarray,
    day0_rows: np.ndarray,
    direction: np.ndarray,
    rules: Rules,
) -> TradeArrays:
    """Simulate one trade per (column, day-0 row, direction).

    Parameters
    ----------
    panel
        Prices.
    cols
        Column of each trade's symbol in ``panel`` (-1: no series).
    day0_rows
        Row of day 0 in ``panel.dates`` (-1: day 0 is not a session of the
        panel inside its range; ``len(dates)`` or more: after the data).
    direction
        +1 long, -1 short.
    rules
        Entry/exit rules and costs.

    Returns
    -------
    TradeArrays
    """
    mk = _market(panel, rules)
    n_rows = len(panel.dates)
    n = len(cols)
    cols = np.asarray(cols, dtype=np.int64)
    day0_rows = np.asarray(day0_rows, dtype=np.int64)
    direction = np.asarray(direction, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    entry_field = panel.close if rules.entry == "day0_close" else panel.open
    e = day0_rows + (0 if rules.entry == "day0_close" else 1)
    x0 = e + rules.hold
    safe_col = np.where(cols >= 0, cols, 0)
    ok = np.ones(n, dtype=bool)

    def mark(mask: np.ndarray, reason: str) -> None:
        nonlocal ok
        hit = ok & mask
        status[hit] = _CODE[reason]
        ok &= ~mask

    has_series = (cols >= 0) & (mk.has_any[safe_col] if len(mk.has_any) else False)
    mark(~has_series, "no_price")
    mark(day0_rows < 0, "no_session")
    mark(x0 >= n_rows, "beyond_data")
    mark(e < mk.first_row[safe_col], "not_listed")
    mark(e > mk.last_row[safe_col], "beyond_data")
    er = np.clip(e, 0, n_rows - 1)
    entry_price = np.where(ok, entry_field[er, safe_col], np.nan)
    if rules.entry != "day0_close":  # a close that session, but no open: not a suspension
        mark(np.isnan(entry_price) & ~np.isnan(panel.close[er, safe_col]), "no_open_price")
    mark(np.isnan(entry_price), "suspended")
    up = direction > 0
    mark(_locked(mk, er, safe_col, entry_price, up, rules.limit_tolerance), "limit_locked")

    exit_field = panel.close if rules.entry == "day0_close" else panel.open
    exit_row = np.full(n, -1, dtype=np.int64)
    exit_price = np.full(n, np.nan)
    pending = ok.copy()
    ran_out = np.zeros(n, dtype=bool)
    for k in range(rules.max_exit_delay + 1):
        if not pending.any():
            break
        x = x0 + k
        inside = x < n_rows
        ran_out |= pending & ~inside
        xr = np.clip(x, 0, n_rows - 1)
        px = np.where(pending & inside, exit_field[xr, safe_col], np.nan)
        fill = ~np.isnan(px) & ~_locked(mk, xr, safe_col, px, ~up, rules.limit_tolerance)
        fill &= pending
        exit_row[fill] = x[fill]
        exit_price[fill] = px[fill]
        pending &= ~fill
    mark(pending & ran_out, "beyond_data")
    mark(pending, "exit_blocked")
    delay = np.where(ok, exit_row - x0, 0)
    status[ok & (delay > 0)] = _CODE["exit_delayed"]
    with np.errstate(invalid="ignore"):
        gross = np.where(ok, direction * (exit_price / entry_price - 1.0), np.nan)
    net = gross - 2.0 * rules.cost
    entry_price = np.where(ok, entry_price, np.nan)
    return TradeArrays(
        status=status,
        entry_row=np.where(ok, e, -1),
        exit_row=exit_row,
        entry_price=entry_price,
        exit_price=exit_price,
        exit_delay=delay,
        gross=gross,
        net=net,
    )


def benchmark_returns(
    panel: PricePanel, col: int, entry_row: np.ndarray, exit_row: np.ndarray, entry: str
) -> FloatArray:
    """Benchmark simple return from each entry to each exit session, at the trade's field.

    ``day0_close`` trades use the benchmark's closes; ``next_open`` trades its opens,
    where the benchmark has no open on a session its previous close stands in for it
    (the overnight move of an index is small; board proxies have no open). Missing
    closes carry the last level. NaN where a row is -1 or the benchmark is absent.

    Examples
    --------
    >>> close = pd.DataFrame({"000300.SH": [100.0, np.nan, 110.0]},
    ...                      index=pd.bdate_range("2022-01-03", periods=3))
    >>> panel = PricePanel.from_wide({"close": close})
    >>> benchmark_returns(panel, 0, np.array([0, 1]), np.array([2, -1]), "day0_close").round(3)
    array([0.1, nan])
    """
    entry_row = np.asarray(entry_row, dtype=np.int64)
    exit_row = np.asarray(exit_row, dtype=np.int64)
    out = np.full(len(entry_row), np.nan)
    if col < 0 or len(entry_row) == 0:
        return out
    close = pd.Series(panel.close[:, col]).ffill().to_numpy()
    if entry == "day0_close":
        level = close
    else:
        prev = np.concatenate([[np.nan], close[:-1]])
        opn = panel.open[:, col]
        level = np.where(np.isnan(opn), prev, opn)
    ok = (entry_row >= 0) & (exit_row >= 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[ok] = level[exit_row[ok]] / level[entry_row[ok]] - 1.0
    return out


def daily_portfolio(
    panel: PricePanel,
    cols: np.ndarray,
    trades: TradeArrays,
    direction: np.ndarray,
    weight: FloatArray,
    rules: Rules,
    benchmark_col: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Calendar-time portfolio of the filled trades (Jaffe 1974; Mitchell-Stafford 2000).

    Each session, the capital is split over the trades that earn a return that
    session in proportion to their weights (equal weights: 1/number of open
    trades); sessions without an open trade hold cash (return 0). A trade earns
    returns from the session after a close entry (the entry session itself for
    an open entry) to its exit session. A position in a suspended stock keeps
    its last traded price; the move is booked when it trades again.

    Costs: ``cost`` per unit of notional traded, where the traded notional on a
    session is the sum of weight changes of continuing trades, plus the weight
    of trades that start, plus the weight of trades that end that session.

    Returns
    -------
    daily
        Indexed by session: ``n_open, gross, turnover, cost, net, benchmark``
        (benchmark simple return; NaN where unknown).
    stale
        Per trade, sessions with no price while held (suspended days).
    """
    filled = trades.filled
    idx = np.flatnonzero(filled)
    stale_out = np.zeros(len(cols), dtype=np.int64)
    columns = ["n_open", "gross", "turnover", "cost", "net", "benchmark"]
    if len(idx) == 0:
        empty = pd.DataFrame(
            {c: pd.Series(dtype="float64") for c in columns},
            index=pd.DatetimeIndex([], name="date"),
        )
        return empty, stale_out
    close = panel.close
    c_ = cols[idx]
    start = trades.entry_row[idx] + (1 if rules.entry == "day0_close" else 0)
    stop = trades.exit_row[idx]
    length = stop - start + 1
    tid = np.repeat(np.arange(len(idx)), length)
    offs = np.concatenate([[0], np.cumsum(length)[:-1]])
    pos = np.arange(tid.size) - offs[tid]
    row = start[tid] + pos
    last = pos == length[tid] - 1
    val = close[row, c_[tid]]
    val[last] = trades.exit_price[idx][tid[last]]
    stale = np.isnan(val)
    mark = pd.Series(val).groupby(tid).ffill().to_numpy()
    entry_px = trades.entry_price[idx][tid]
    mark = np.where(np.isnan(mark), entry_px, mark)  # carried at the entry price
    prev = np.empty_like(mark)
    prev[:] = entry_px
    same = np.zeros(tid.size, dtype=bool)
    same[1:] = tid[1:] == tid[:-1]
    prev[1:][same[1:]] = mark[:-1][same[1:]]
    ret = direction[idx][tid] * (mark / prev - 1.0)
    w = weight[idx][tid]
    lo, hi = int(row.min()), int(row.max())
    rel = row - lo
    span = hi - lo + 1
    wsum = np.bincount(rel, weights=w, minlength=span)
    a = w / wsum[rel]
    gross = np.bincount(rel, weights=a * ret, minlength=span)
    prev_a = np.zeros_like(a)
    prev_a[1:][same[1:]] = a[:-1][same[1:]]
    tc = np.abs(a - prev_a) + np.where(last, a, 0.0)
    turnover = np.bincount(rel, weights=tc, minlength=span)
    n_open = np.bincount(rel, minlength=span)
    cost = rules.cost * turnover
    stale_out[idx] = np.bincount(tid, weights=stale.astype(float), minlength=len(idx)).astype(
        np.int64
    )
    dates = panel.dates[lo : hi + 1]
    bench = np.full(span, np.nan)
    if benchmark_col >= 0:
        level = pd.Series(close[:, benchmark_col]).ffill().to_numpy()
        rows = np.arange(lo, hi + 1)
        cur = close[rows, benchmark_col]
        prev_level = np.where(rows > 0, level[np.maximum(rows - 1, 0)], np.nan)
        with np.errstate(invalid="ignore"):
            bench = cur / prev_level - 1.0  # NaN where the benchmark has no price
    daily = pd.DataFrame(
        {
            "n_open": n_open.astype(np.int64),
            "gross": gross,
            "turnover": turnover,
            "cost": cost,
            "net": gross - cost,
            "benchmark": bench,
        },
        index=pd.DatetimeIndex(dates, name="date"),
    )
    return daily, stale_out
