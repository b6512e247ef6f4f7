"""``backtest``: would trading on the news have made money, and is that luck?"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import warnings
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from eventstudy._typing import DuplicatePolicy
from eventstudy.backtesting._progress import Progress
from eventstudy.backtesting.engine import (
    REASONS,
    Rules,
    TradeArrays,
    benchmark_returns,
    daily_portfolio,
    simulate_trades,
)
from eventstudy.backtesting.panel import PricePanel
from eventstudy.backtesting.placebo import PlaceboStatistic, placebo_test
from eventstudy.backtesting.result import BacktestResult
from eventstudy.events import EventSet, same_day_counts
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
)
from eventstudy.scale.cluster import mapper_for
from eventstudy.symbols import normalize

if TYPE_CHECKING:
    from eventstudy._typing import Engine
    from eventstudy.calendar import TradingCalendar

__all__ = ["SKIP_REASONS", "Direction", "Entry", "backtest"]

#: Entry rule.
Entry: TypeAlias = Literal["day0_close", "next_open"]
#: Trade direction rule.
Direction: TypeAlias = Literal["long", "short", "sign_of_score"]

#: Every reason an event can be skipped for.
SKIP_REASONS: dict[str, str] = {
    "unknown_symbol": "the symbol could not be parsed (from EventSet.dropped)",
    "no_timestamp": "no day0 and no parseable published_at (from EventSet.dropped)",
    "outside_session": "the day-0 rule gave no session (from EventSet.dropped)",
    "beyond_calendar": "published outside the trading calendar (from EventSet.dropped)",
    "no_membership": "a board event whose membership no snapshot holds (EventSet.expand_boards)",
    "collapsed": "merged into an event of the same security and day 0 (resolve_duplicates)",
    "duplicate": "same security and day 0 as an earlier event (resolve_duplicates 'first')",
    "no_signal": "direction='sign_of_score' and the score is 0 or missing",
    "no_weight": "the weight is missing, zero or negative",
    "no_price": "no price series for the symbol (e.g. a board without a proxy)",
    "no_session": "day 0 is not a session of the price data",
    "look_ahead": "the entry price would be observed before the publication time",
    "beyond_data": "the entry or the exit session is after the last price (of the data or symbol)",
    "not_listed": "the entry session is before the symbol's first price (not yet listed)",
    "suspended": "no price on the entry session, or listed in the stored suspension snapshot "
    "of that session (停牌)",
    "no_open_price": (
        "entry='next_open' and the series has a close but no open on the entry session "
        "(e.g. a board proxy built from member closes): not a suspension"
    ),
    "limit_locked": "the entry price is locked at the limit against the trade",
    "exit_blocked": "no fillable exit within max_exit_delay sessions",
}

_ENTRY_TIME = {"day0_close": dt.time(15, 0), "next_open": dt.time(9, 25)}
_CORE = [
    "event_id", "symbol", "published_at", "day0", "direction", "weight", "status", "reason",
    "message", "entry_date", "entry_price", "exit_date", "exit_price", "exit_delay",
    "stale_days", "return_gross", "return_net", "return_excess", "proxy",
]  # fmt: skip
#: Fewer sessions than this to draw placebo dates from: flagged in the notes.
_MIN_POOL = 20
#: The backtest note when the reference store holds no ST / suspension snapshot.
NO_LIST_NOTE = (
    "no ST/suspension snapshot: refresh with eventstudy reference refresh --what st,suspensions"
)


@dataclasses.dataclass
class _StoredLists:
    """Per event: ST at its entry session, suspended on it (from the reference store)."""

    st: np.ndarray | None  # None: the user's st_symbols are used instead
    suspended: np.ndarray
    notes: list[str]

    def placebo_rules(self, rules: Rules, symbols: np.ndarray) -> Rules:
        """Rules of the placebo runs: the symbols ST at any real event are ST throughout."""
        if self.st is None or not self.st.any():
            return rules
        return dataclasses.replace(rules, st_symbols=tuple(sorted(set(symbols[self.st]))))


def _entry_sessions(dates: np.ndarray, day0_rows: np.ndarray, shift: int) -> np.ndarray:
    """The entry session of each event (NaT where it has none in the price data)."""
    rows = np.where((day0_rows >= 0) & (day0_rows + shift < len(dates)), day0_rows + shift, -1)
    out = np.full(len(day0_rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[rows >= 0] = dates[rows[rows >= 0]]
    return out


def _st_at(
    history: pd.DataFrame, symbols: np.ndarray, days: np.ndarray, has: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """ST flags from the newest ST snapshot on or before each day (else the earliest)."""
    snap_days = np.array(sorted(set(history["as_of"])), dtype=object)
    idx = np.searchsorted(snap_days, days.astype(object), side="right") - 1
    early = has & (idx < 0)
    pairs = set(zip(history["as_of"], history["symbol"], strict=True))
    picked = snap_days[np.maximum(idx, 0)]
    flags = has & np.array([(d, s) in pairs for d, s in zip(picked, symbols, strict=True)], bool)
    notes = []
    if early.any():
        notes.append(
            f"ST status of {int(early.sum())} events whose entry session precedes the earliest "
            f"ST snapshot ({snap_days[0]}) taken from that snapshot: look-ahead"
        )
    return flags, notes


def _stored_lists(symbols: np.ndarray, sessions: np.ndarray, use_st: bool) -> _StoredLists:
    """ST and suspension flags per event from the reference store (no network).

    ``sessions`` are the entry sessions (NaT where there is none).
    """
    from eventstudy.reference.store import ReferenceStore

    store = ReferenceStore()
    has = ~np.isnat(sessions)
    days = np.asarray(pd.DatetimeIndex(sessions).strftime("%Y-%m-%d"), dtype=object)
    notes: list[str] = []
    missing = []
    st: np.ndarray | None = None
    if use_st:
        history = store.list_history("st")
        st = np.zeros(len(symbols), bool)
        if history.empty:
            missing.append("ST")
        else:
            st, more = _st_at(history, symbols, days, has)
            notes += more
    suspended = np.zeros(len(symbols), bool)
    stops = store.list_history("suspensions")
    if stops.empty:
        missing.append("suspension")
    else:
        pairs = set(zip(stops["as_of"], stops["symbol"], strict=True))
        suspended = has & np.array([(d, x) in pairs for d, x in zip(days, symbols, strict=True)])
        covered = has & np.isin(days, list(set(stops["as_of"])))
        if covered.sum() < has.sum():
            notes.append(
                f"suspension snapshots cover the entry sessions of {int(covered.sum())} of "
                f"{int(has.sum())} events; the others are judged from missing prices only"
            )
    if missing:
        notes.insert(0, NO_LIST_NOTE.replace("ST/suspension", "/".join(missing)))
    return _StoredLists(st=st, suspended=suspended, notes=notes)


def _simulate(
    panel: PricePanel,
    cols: np.ndarray,
    day0_rows: np.ndarray,
    direc: np.ndarray,
    rules: Rules,
    st_all: np.ndarray | None,
    run: np.ndarray,
) -> TradeArrays:
    """``simulate_trades``; with per-event ST flags, ST events run with their symbols as ST.

    ``cols``, ``day0_rows``, ``direc`` are of the events that run (``run`` of all events);
    ``st_all`` are the flags of all events (None: the rules' own ``st_symbols``).
    """
    st = None if st_all is None else st_all[run]
    if st is None or not st.any():
        return simulate_trades(panel, cols, day0_rows, direc, rules)
    out = simulate_trades(panel, cols, day0_rows, direc, dataclasses.replace(rules, st_symbols=()))
    st_rules = dataclasses.replace(
        rules, st_symbols=tuple(sorted({panel.symbols[c] for c in cols[st] if c >= 0}))
    )
    part = simulate_trades(panel, cols[st], day0_rows[st], direc[st], st_rules)
    merged = {}
    for f in dataclasses.fields(TradeArrays):
        whole = getattr(out, f.name).copy()
        whole[st] = getattr(part, f.name)
        merged[f.name] = whole
    return TradeArrays(**merged)


def _directions(frame: pd.DataFrame, direction: str) -> np.ndarray:
    if direction == "long":
        return np.ones(len(frame), dtype=np.int64)
    if direction == "short":
        return -np.ones(len(frame), dtype=np.int64)
    if direction == "sign_of_score":
        if "score" not in frame.columns:
            raise ConfigError(
                "direction='sign_of_score' needs a 'score' column in the events "
                f"(have {list(frame.columns)}); use direction='long' or add scores"
            )
        s = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isnan(s), 0, np.sign(s)).astype(np.int64)
    raise ConfigError(f"direction={direction!r} is not one of 'long', 'short', 'sign_of_score'")


def _weights(frame: pd.DataFrame, weights: Any) -> np.ndarray:
    n = len(frame)
    if isinstance(weights, str):
        if weights == "equal":
            return np.ones(n)
        if weights == "abs_score":
            if "score" not in frame.columns:
                raise ConfigError("weights='abs_score' needs a 'score' column in the events")
            return np.abs(pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float))
        if weights in frame.columns:
            return pd.to_numeric(frame[weights], errors="coerce").to_numpy(dtype=float)
        raise ConfigError(
            f"weights={weights!r} is neither 'equal', 'abs_score' nor a column of the events "
            f"({list(frame.columns)})"
        )
    if isinstance(weights, pd.Series | Mapping):
        m = pd.Series(weights)
        m.index = m.index.astype(str)
        return pd.to_numeric(frame["event_id"].map(m), errors="coerce").to_numpy(dtype=float)
    raise ConfigError(
        "weights must be 'equal', 'abs_score', a column name, or a Series/dict keyed by event_id; "
        f"got {type(weights).__name__}"
    )


def _event_set(
    events: EventSet | pd.DataFrame, calendar: TradingCalendar | None, duplicates: DuplicatePolicy
) -> EventSet:
    """The events as an EventSet, with the duplicates policy applied (ConfigError if unknown)."""
    es = events if isinstance(events, EventSet) else EventSet.from_frame(events, calendar=calendar)
    return es if duplicates == "keep" else es.resolve_duplicates(duplicates)


def _same_day_note(es: EventSet, duplicates: str) -> list[str]:
    """The note (and one warning) on events sharing their security and day 0, if kept."""
    n, days = same_day_counts(es.frame)
    if not n or duplicates != "keep":
        return []
    note = (
        f"{n} events name the same security on the same day 0 as another event "
        f"({days} security-days); each is a separate trade (duplicates='keep'); pass "
        "duplicates='collapse' or 'first' to trade each security-day once"
    )
    warnings.warn(note, EventStudyWarning, stacklevel=3)
    return [note]


def _validate(
    entry: str,
    hold: int,
    costs_bps: float,
    placebo: int,
    max_exit_delay: int,
    placebo_window: int,
    placebo_statistic: str,
) -> None:
    if entry not in _ENTRY_TIME:
        raise ConfigError(f"entry={entry!r} is not one of {sorted(_ENTRY_TIME)}")
    if isinstance(hold, bool) or not isinstance(hold, int | np.integer) or hold < 1:
        raise ConfigError(f"hold={hold!r} must be a whole number of sessions >= 1")
    if not (isinstance(costs_bps, int | float) and math.isfinite(costs_bps) and costs_bps >= 0):
        raise ConfigError(f"costs_bps={costs_bps!r} must be a finite number >= 0 (bps per side)")
    if isinstance(placebo, bool) or not isinstance(placebo, int | np.integer) or placebo < 0:
        raise ConfigError(f"placebo={placebo!r} must be a number of runs >= 0")
    if not isinstance(max_exit_delay, int | np.integer) or max_exit_delay < 0:
        raise ConfigError(f"max_exit_delay={max_exit_delay!r} must be an integer >= 0")
    if (
        isinstance(placebo_window, bool)
        or not isinstance(placebo_window, int | np.integer)
        or placebo_window < 0
    ):
        raise ConfigError(f"placebo_window={placebo_window!r} must be a number of sessions >= 0")
    if placebo_statistic not in ("raw", "excess"):
        raise ConfigError(f"placebo_statistic={placebo_statistic!r} is not one of 'raw', 'excess'")


def _messages(ledger: pd.DataFrame, rules: Rules, entry_session: pd.DatetimeIndex) -> list[str]:
    out = []
    r: Any
    for r, es in zip(ledger.itertuples(index=False), entry_session, strict=True):
        reason, sym, d0 = str(r.reason), r.symbol, r.day0
        day = "" if pd.isna(d0) else str(pd.Timestamp(d0).date())
        at = f"entry session {es.date()}, day 0 {day}" if not pd.isna(es) else f"day 0 {day}"
        msg = {
            "no_signal": f"score {getattr(r, 'score', None)!r} gives no direction",
            "no_weight": f"weight {r.weight!r} is not > 0",
            "no_price": f"no price series for {sym}",
            "no_session": f"day 0 {day} is not a session of the price data for {sym}",
            "look_ahead": (
                f"entry at {rules.entry} of {day} would precede publication {r.published_at}"
            ),
            "beyond_data": f"{sym}: entry/exit after day 0 {day} + {rules.hold} sessions is "
            "beyond the last price date",
            "suspended": f"{sym} has no price on the entry session ({at})",
            "no_open_price": f"{sym} has a close but no open price on the entry session ({at}); "
            "use entry='day0_close' for series without opens",
            "not_listed": f"{sym} has no price before the entry session ({at})",
            "limit_locked": f"{sym} entry price locked at the daily limit ({at})",
            "exit_blocked": f"{sym} exit not fillable within {rules.max_exit_delay} sessions",
        }.get(reason, "")
        out.append(msg)
    return out


def _price_panel(
    prices: Any,
    symbols: list[str],
    day0: pd.Index,
    *,
    events: EventSet,
    window: int,
    lag: int,
    source: str,
    offline: bool | None,
    progress: bool,
) -> tuple[PricePanel, dict[str, str]]:
    """The given prices, or those loaded for exactly the sessions the backtest needs.

    ``window`` placebo sessions on both sides of the day 0s; before them the previous
    close (limit checks); after them ``lag`` sessions: the next open, the holding
    period and the longest delayed exit.
    """
    if prices is not None:
        return PricePanel.from_prices(prices), {}
    if len(day0) == 0:
        raise InputDataError(f"no events to backtest: {events.why_empty()}")
    from eventstudy.calendar import session_bounds

    start, end = session_bounds(day0, before=window + 1, after=window + lag)
    return PricePanel.load(symbols, start, end, source=source, offline=offline, progress=progress)


#: Skip reasons that mean "no prices for the event" (not a trading rule).
NO_DATA_REASONS = ("no_price", "beyond_data", "no_session")


def _series_ends(panel: PricePanel, symbols: list[str], load_failed: Mapping[str, str]) -> str:
    """``600519.SH ends on 2026-06-16`` (or why it has no series) for each symbol."""
    out = []
    for sym in symbols:
        if sym in load_failed:
            out.append(f"{sym}: {load_failed[sym]}")
            continue
        col = panel.column(sym)
        have = np.flatnonzero(np.isfinite(panel.close[:, col])) if col >= 0 else np.array([])
        last = f"ends on {panel.dates[have[-1]].date()}" if len(have) else "has no price"
        out.append(f"{sym} {last}")
    return "; ".join(out)


def _check_some_priced(
    reason: np.ndarray,
    frame: pd.DataFrame,
    panel: PricePanel,
    load_failed: Mapping[str, str],
    *,
    loaded: bool,
) -> None:
    """Raise :class:`DataUnavailableError` when no event has prices in the prices loaded
    for them (``loaded``; the data end before the events). Given prices are the user's."""
    if not loaded or len(reason) == 0 or not np.isin(reason, NO_DATA_REASONS).all():
        return
    day0 = pd.DatetimeIndex(frame["day0"])
    symbols = sorted(set(frame["symbol"].astype(str)))
    raise DataUnavailableError(
        f"none of the {len(reason)} events has prices to trade (day 0 "
        f"{day0.min().date()}..{day0.max().date()}): {_series_ends(panel, symbols, load_failed)}."
        " Go online to extend the series, or backtest events within the data"
    )


def backtest(
    events: EventSet | pd.DataFrame,
    *,
    prices: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    entry: Entry = "day0_close",
    hold: int = 5,
    direction: Direction = "long",
    weights: str | pd.Series | Mapping[str, float] = "equal",
    costs_bps: float = 0.0,
    benchmark: str = "000300.SH",
    placebo: int = 200,
    seed: int | None = 0,
    placebo_window: int = 0,
    placebo_statistic: PlaceboStatistic = "raw",
    max_exit_delay: int = 10,
    limit_tolerance: float = 0.002,
    st_symbols: Collection[str] = (),
    source: str = "auto",
    offline: bool | None = None,
    calendar: TradingCalendar | None = None,
    progress: bool = False,
    duplicates: DuplicatePolicy = "keep",
    engine: Engine = "local",
    client: Any = None,
) -> BacktestResult:
    """Backtest trading each event's security around its news.

    Parameters
    ----------
    events
        An :class:`~eventstudy.events.EventSet` or a DataFrame accepted by
        :meth:`EventSet.from_frame` (``event_id, symbol`` and ``published_at`` or
        ``day0``; optional ``score``). Rows in ``EventSet.dropped`` are reported
        as skipped with their reason.
    prices
        Long OHLC frame (as :func:`eventstudy.datasets.sample_prices`), a dict of
        wide panels ``{"open": df, "close": df, "high": df, "low": df}``, or None
        to load with :func:`eventstudy.market.get_prices` (``source``).
    entry
        ``"day0_close"``: at the close (15:00) of day 0; ``"next_open"``: at the
        open of the next session. Either way the entry must come after
        publication: an event whose entry time precedes ``published_at`` (possible
        with ``rule="previous"`` or a hand-set ``day0``) is skipped as ``look_ahead``.
    hold
        Sessions between entry and exit (exit at the same field as the entry).
    direction
        ``"long"``, ``"short"``, or ``"sign_of_score"`` (long if score > 0, short
        if < 0, skipped ``no_signal`` if 0 or missing).
    weights
        Relative capital per trade: ``"equal"``, ``"abs_score"``, a column of the
        events, or a Series/dict keyed by ``event_id``.
    costs_bps
        Cost per side in basis points of traded notional (a round trip costs
        twice this).
    benchmark
        Symbol of the benchmark curve.
    placebo, seed
        Number of placebo runs (0: none) and their seed.
    placebo_window
        Sessions added on each side of the span of the real day 0s (first to
        last) from which placebo dates are drawn; the default 0 draws within the
        span, i.e. from the same market period as the news.
    placebo_statistic
        ``"raw"``: weighted mean net trade return; ``"excess"``: weighted mean
        of the net trade return minus the benchmark's return over the same
        sessions (times the direction), which takes the market's move out of
        the comparison (needs the benchmark's prices).
    max_exit_delay
        Sessions an exit may be delayed by a suspension or a limit lock.
    limit_tolerance
        Tolerance on the return when testing for a limit lock.
    st_symbols
        Symbols to treat as ST (±5 % limit) on every date. Empty (default): the
        ST snapshots of the reference store (``eventstudy reference refresh
        --what st``), point in time: each event's entry session uses the newest
        ST snapshot on or before it (before the earliest snapshot: the earliest,
        flagged as look-ahead in the notes). Symbols given win over the
        snapshots (which are then not used for ST). Either way, a stored suspension snapshot of an
        event's entry session that lists its symbol skips it as ``suspended``.
        Without snapshots the notes say so once.
    source, offline
        Market-data source when ``prices`` is None, and whether to stay off the
        network (see :func:`eventstudy.market.get_prices`). Symbols it cannot
        serve are skipped as ``no_price``; board proxies are named in ``provenance``.
    calendar
        Calendar for resolving day 0 when ``events`` is a DataFrame.
    progress
        Show progress bars on stderr (fetching prices, placebo runs).
    duplicates
        Events naming the same security on the same day 0 (several articles):
        ``"keep"`` trades each (one warning and a note give their number),
        ``"collapse"`` or ``"first"`` trade each security-day once, the others
        skipped as ``collapsed`` / ``duplicate``
        (:meth:`~eventstudy.events.EventSet.resolve_duplicates`).
    engine, client
        ``"dask"``: the placebo runs go in chunks to the workers of ``client``
        (default: the running Dask client; the prices are sent to each worker once).
        Run ``r`` draws from ``SeedSequence(seed).spawn(placebo)[r]`` in both engines,
        so the result is the same.

    Returns
    -------
    BacktestResult

    Notes
    -----
    Rules (documented once, applied to the real and the placebo runs alike):

    * **Overlapping positions**: a calendar-time portfolio (Jaffe 1974;
      Mitchell & Stafford 2000). Each session the capital is split over the
      trades that earn a return that session in proportion to their weights
      (equal weights: 1/number of open trades), rebalanced daily; sessions with
      no open trade are in cash (return 0). The same stock hit by several news
      items is several trades (``duplicates="keep"``; one warning gives their number).
    * **Suspension**: no entry price → skipped ``suspended`` (with
      ``entry="next_open"``, a close but no open that session → skipped
      ``no_open_price``: board proxies have closes only); a held position
      keeps its last price while suspended (counted in ``stale_days``); no exit
      price → exit delayed to the next priced session.
    * **Price limits** (±10 % main board, ±20 % ChiNext from 2020-08-24, ±20 %
      STAR, ±30 % Beijing, ±5 % ST; see :mod:`eventstudy.backtesting.limits`): a
      buy at limit-up or a sell at limit-down cannot be filled. Entry → skipped
      ``limit_locked``; exit → delayed to the next fillable session, at most
      ``max_exit_delay`` sessions (else ``exit_blocked``).
    * **Costs**: ``costs_bps`` per side. Trade net return = gross − 2·cost;
      the portfolio pays cost × traded notional each session.
    * **Placebo** (:mod:`eventstudy.backtesting.placebo`): each run draws one
      placebo session per distinct real day 0 (uniformly, without replacement,
      seeded) from the span of the real day 0s widened by ``placebo_window``
      sessions, and moves all the events of that real day there together,
      keeping each event's symbol, direction and weight. A moved event that
      cannot trade on its placebo session is left out of that run (as in the
      real run). The statistic (``placebo_statistic``) is the weighted mean
      net trade return, or net excess return over the benchmark; the summary
      shows its real value next to the p-value.

    Examples
    --------
    >>> from eventstudy.datasets import sample_prices
    >>> liquor = ["600519.SH", "000858.SZ", "000568.SZ", "000596.SZ", "002304.SZ", "600809.SH"]
    >>> events = pd.DataFrame({"event_id": [f"miit-{s}" for s in liquor], "symbol": liquor,
    ...                        "published_at": "2022-01-10 11:33:36+08:00"})
    >>> res = backtest(events, prices=sample_prices([*liquor, "000300.SH"]), hold=5,
    ...                placebo=50, seed=1, placebo_window=120)
    >>> first = res.trades.iloc[0]
    >>> res.n_trades, str(first.entry_date.date()), str(first.exit_date.date())
    (6, '2022-01-10', '2022-01-17')
    >>> print(f"{res.mean_return:.4f}")
    -0.0473
    """
    _validate(entry, hold, costs_bps, placebo, max_exit_delay, placebo_window, placebo_statistic)
    es = _event_set(events, calendar, duplicates)
    bench = normalize(benchmark)
    frame = es.frame.reset_index(drop=True)
    n = len(frame)
    rules = Rules(
        entry=entry,
        hold=int(hold),
        costs_bps=float(costs_bps),
        max_exit_delay=int(max_exit_delay),
        limit_tolerance=float(limit_tolerance),
        st_symbols=tuple(normalize(s) for s in st_symbols),
    )
    direc = _directions(frame, direction)
    weight = _weights(frame, weights)
    day0 = pd.DatetimeIndex(frame["day0"]).astype("datetime64[ns]")

    notes: list[str] = list(es.notes)  # e.g. board membership observed after day 0
    notes += _same_day_note(es, duplicates)
    panel, load_failed = _price_panel(
        prices,
        [*frame["symbol"].unique(), bench],
        day0,
        events=es,
        window=int(placebo_window) if placebo else 0,
        lag=1 + int(hold) + int(max_exit_delay),
        source=source,
        offline=offline,
        progress=progress,
    )
    if not panel.has_ohlc:
        notes.append("open/high/low not all given: limit locks judged from closes only")

    cols = np.array([panel.column(s) for s in frame["symbol"]], dtype=np.int64)
    dates = panel.dates.values.astype("datetime64[ns]")
    pos = np.searchsorted(dates, day0.values)
    inside = pos < len(dates)
    exact = inside & (dates[np.minimum(pos, len(dates) - 1)] == day0.values)
    after = day0.values > dates[-1] if len(dates) else np.ones(n, bool)
    day0_rows = np.where(exact, pos, np.where(after, len(dates) + hold + 1, -1))
    day0_rows = np.where((~exact) & (day0.values < dates[0]), -1, day0_rows)

    pre = np.zeros(n, dtype=object)
    pre[:] = ""
    pre[direc == 0] = "no_signal"
    pre[(pre == "") & ~(np.isfinite(weight) & (weight > 0))] = "no_weight"
    e_sess = _entry_sessions(dates, day0_rows, 0 if entry == "day0_close" else 1)
    symbols = frame["symbol"].astype(str).to_numpy()
    lists = _stored_lists(symbols, e_sess, not rules.st_symbols)
    notes += lists.notes
    pre[(pre == "") & lists.suspended] = "suspended"
    run = pre == ""
    tr = _simulate(panel, cols[run], day0_rows[run], direc[run], rules, lists.st, run)
    rules = lists.placebo_rules(rules, symbols)

    status = np.full(n, "", dtype=object)
    reason = pre.copy()
    reason[run] = np.array(REASONS, dtype=object)[tr.status]
    full = {k: np.full(n, np.nan) for k in ("entry_price", "exit_price", "gross", "net")}
    entry_row = np.full(n, -1, dtype=np.int64)
    exit_row = np.full(n, -1, dtype=np.int64)
    delay = np.zeros(n, dtype=np.int64)
    for k, v in (
        ("entry_price", tr.entry_price),
        ("exit_price", tr.exit_price),
        ("gross", tr.gross),
        ("net", tr.net),
    ):
        full[k][run] = v
    entry_row[run], exit_row[run], delay[run] = tr.entry_row, tr.exit_row, tr.exit_delay

    # No look-ahead: the entry must be observable after publication.
    traded = entry_row >= 0
    entry_ts = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    t = _ENTRY_TIME[entry]
    entry_ts[traded] = dates[entry_row[traded]] + np.timedelta64(t.hour * 3600 + t.minute * 60, "s")
    pub = pd.DatetimeIndex(frame["published_at"])
    pub_local = pub.tz_convert("Asia/Shanghai").tz_localize(None) if pub.tz else pub
    pub_ns = pub_local.values.astype("datetime64[ns]")
    look = traded & ~np.isnat(pub_ns) & (pub_ns >= entry_ts)
    reason[look] = "look_ahead"
    traded &= ~look
    for k in full:
        full[k][~traded] = np.nan
    filled_mask = traded & np.isin(reason, ["filled", "exit_delayed"])
    status[filled_mask] = reason[filled_mask]
    status[~filled_mask] = "skipped"
    reason[filled_mask] = ""
    _check_some_priced(reason, frame, panel, load_failed, loaded=prices is None)
    if load_failed:
        notes.append(
            f"no prices for {len(load_failed)} symbols ({', '.join(sorted(load_failed))}): "
            "their events are skipped as no_price (reasons in the skipped messages)"
        )

    # daily portfolio of the trades that survived every rule
    final = TradeArrays(
        status=np.where(filled_mask, 0, 2),
        entry_row=np.where(filled_mask, entry_row, -1),
        exit_row=np.where(filled_mask, exit_row, -1),
        entry_price=full["entry_price"],
        exit_price=full["exit_price"],
        exit_delay=delay,
        gross=full["gross"],
        net=full["net"],
    )
    daily, stale = daily_portfolio(panel, cols, final, direc, weight, rules, panel.column(bench))
    bench_col = panel.column(bench)
    if bench_col < 0:
        notes.append(f"benchmark {bench} not in the prices: no benchmark curve")
        if placebo and placebo_statistic == "excess":
            raise ConfigError(
                f"placebo_statistic='excess' needs the benchmark's prices, but {bench} is not "
                "in the prices; add it to prices= or use placebo_statistic='raw'"
            )
    excess = full["net"] - direc * benchmark_returns(
        panel, bench_col, np.where(filled_mask, entry_row, -1),
        np.where(filled_mask, exit_row, -1), entry,
    )  # fmt: skip

    def at(rows: np.ndarray) -> pd.DatetimeIndex:
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = filled_mask & (rows >= 0)
        out[ok] = dates[rows[ok]]
        return pd.DatetimeIndex(out)

    ledger = pd.DataFrame(
        {
            "event_id": frame["event_id"].astype(str),
            "symbol": frame["symbol"].astype(str),
            "published_at": frame["published_at"],
            "day0": frame["day0"],
            "direction": direc,
            "weight": weight,
            "status": status.astype(str),
            "reason": reason.astype(str),
            "message": "",
            "entry_date": at(entry_row),
            "entry_price": full["entry_price"],
            "exit_date": at(exit_row),
            "exit_price": full["exit_price"],
            "exit_delay": np.where(filled_mask, delay, 0),
            "stale_days": np.where(filled_mask, stale, 0),
            "return_gross": full["gross"],
            "return_net": full["net"],
            "return_excess": excess,
            "proxy": frame["symbol"].isin(list(panel.proxies)).to_numpy(),
        }
    )
    extra = [c for c in frame.columns if c not in _CORE]
    for c in extra:
        ledger[c] = frame[c].to_numpy()
    ledger["message"] = _messages(ledger, rules, pd.DatetimeIndex(e_sess))
    stopped = lists.suspended & (pre == "suspended")
    ledger.loc[stopped, "message"] = [
        f"{sym} is listed in the stored suspension snapshot of its entry session {day.date()}"
        for sym, day in zip(symbols[stopped], pd.DatetimeIndex(e_sess[stopped]), strict=True)
    ]
    failed = (ledger["reason"] == "no_price") & ledger["symbol"].isin(list(load_failed))
    ledger.loc[failed, "message"] = [
        f"no price series for {s}: {load_failed[s]}" for s in ledger.loc[failed, "symbol"]
    ]
    ledger.loc[ledger["status"] != "skipped", "message"] = np.where(
        ledger.loc[ledger["status"] != "skipped", "exit_delay"] > 0, "exit delayed", ""
    )
    if len(es.dropped):
        d = es.dropped
        drop_rows = pd.DataFrame(
            {
                "event_id": d["event_id"].astype(str),
                "symbol": d["symbol"].astype(str),
                "status": "skipped",
                "reason": d["reason"].astype(str),
                "message": d["message"].astype(str),
                "proxy": False,
            }
        )
        ledger = pd.concat([ledger, drop_rows], ignore_index=True)
    ledger = ledger[_CORE + extra]

    pl = None
    if placebo:
        bar = Progress(int(placebo), "placebo runs", enabled=progress, unit="run")
        with bar:
            pl = placebo_test(
                panel,
                cols[filled_mask],
                day0_rows[filled_mask],
                direc[filled_mask],
                weight[filled_mask],
                (excess if placebo_statistic == "excess" else full["net"])[filled_mask],
                rules,
                runs=int(placebo),
                seed=seed,
                window=int(placebo_window),
                statistic=placebo_statistic,
                benchmark_col=bench_col,
                progress=bar.update,
                mapper=mapper_for(engine, client),
            )
        n_days = len(pl.real_days)
        if n_days and (pl.pool_sessions < _MIN_POOL or pl.pool_sessions < 2 * n_days):
            notes.append(
                f"placebo dates drawn from only {pl.pool_sessions} sessions "
                f"({pl.first_day:%Y-%m-%d} .. {pl.last_day:%Y-%m-%d}) for {n_days} real day 0s: "
                "the placebo test has little power; widen placebo_window"
            )
    params = {
        "entry": entry,
        "hold": int(hold),
        "direction": direction,
        "weights": weights if isinstance(weights, str) else "custom",
        "costs_bps": float(costs_bps),
        "benchmark": bench,
        "max_exit_delay": int(max_exit_delay),
        "limit_tolerance": float(limit_tolerance),
        "placebo": int(placebo),
        "seed": seed,
        "placebo_window": int(placebo_window),
        "placebo_statistic": placebo_statistic,
    }
    return BacktestResult(
        ledger=ledger,
        daily=daily,
        params=params,
        placebo=pl,
        provenance=panel.provenance,
        notes=tuple(notes),
    )
