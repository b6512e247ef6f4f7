"""Trading calendars, the publication-time → session (day 0) rule, and exact session bounds.

A read-only base module (it imports only :mod:`eventstudy.datasets`,
:mod:`eventstudy.paths` and :mod:`eventstudy.symbols`); :mod:`eventstudy.market`,
:mod:`eventstudy.events`, the study and the backtest all take their sessions
from here.

Where the sessions come from (:func:`default_calendar`), each source filling
only the dates outside the ones before it:

1. the benchmark's own price history (METHODS.md: a price history is the
   ground truth for the days that actually traded; the bundled CSI 300,
   2005 on);
2. the calendar **stored in the cache** by
   :func:`eventstudy.market.refresh_calendar` (Sina's list of Shanghai trading
   days through akshare's ``tool_trade_date_hist_sina``, with its retrieval
   time; read with :func:`read_stored_calendar`). The market layer writes it
   with :func:`store_calendar`, this module reads it: the flow is one way;
3. ``exchange_calendars``' ``XSHG`` (1991 on; its holiday table ends on
   2026-12-31, :data:`DEFAULT_CALENDAR_END`);
4. **past the last known session** (the *horizon*): every weekday, with a
   :class:`~eventstudy.exceptions.CalendarHorizonWarning` wherever a result
   lies there - a day 0, an offset, a range, or the bounds of an estimation or
   event window - because a holiday counted as a session shifts day 0 and the
   relative days. A date the user gives never resolves to ``NaT`` for lack of a
   calendar: 2027-01-05 10:00 is day 0 2027-01-05 (with the warning) until a
   refreshed calendar knows 2027.

Day-0 rules (METHODS.md "Day 0"), for a timestamp in Asia/Shanghai:

========== ==============================================================
rule       session
========== ==============================================================
``next``   a trading day before ``cutoff`` → that day; at/after the
           cutoff, or on a non-trading day → the next session
``previous`` the last session on or before the publication date
``strict`` a trading day before ``cutoff`` → that day; anything else NaT
           (the event is dropped with reason ``outside_session``)
========== ==============================================================

Examples
--------
>>> import pandas as pd
>>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10", "2022-01-11"]))
>>> str(cal.to_session("2022-01-10 11:33:36+08:00").date())
'2022-01-10'
>>> str(cal.to_session("2022-01-08 09:00:00+08:00").date())
'2022-01-10'
>>> str(cal.to_session("2022-01-10 15:00:00+08:00").date())
'2022-01-11'
>>> str(cal.to_session("2022-01-08 09:00", rule="previous").date())
'2022-01-07'
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
from pandas._libs.tslibs.nattype import NaTType

from eventstudy._typing import DateLike, SessionRule
from eventstudy.exceptions import (
    CalendarHorizonWarning,
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
    user_stacklevel,
)
from eventstudy.paths import resolve_cache_dir
from eventstudy.symbols import Symbol, parse_symbol

__all__ = [
    "CALENDAR_STORE",
    "DEFAULT_CALENDAR_END",
    "TZ",
    "XSHG_START",
    "StoredCalendar",
    "TradingCalendar",
    "calendar_store",
    "default_calendar",
    "parse_cutoff",
    "read_stored_calendar",
    "session_bounds",
    "shanghai_sessions",
    "store_calendar",
    "to_local",
    "to_session",
    "trading_sessions",
    "uses_china_calendar",
]

#: Time zone of Chinese news and exchanges.
TZ = "Asia/Shanghai"
#: The end of ``exchange_calendars``' XSHG holiday table (4.x): the horizon of the default
#: calendar until a refreshed calendar is stored (see :func:`default_calendar`).
DEFAULT_CALENDAR_END = "2026-12-31"
#: First day asked of ``exchange_calendars``' XSHG (the exchange opened on 1990-12-19).
XSHG_START = "1991-01-01"
#: The stored calendar, relative to the cache folder (:func:`eventstudy.paths.resolve_cache_dir`).
CALENDAR_STORE = Path("calendar") / "XSHG.json"
_STORE_VERSION = 1


def parse_cutoff(cutoff: str | dt.time) -> dt.time:
    """Parse a cutoff such as ``"15:00"``.

    Examples
    --------
    >>> parse_cutoff("15:00")
    datetime.time(15, 0)
    """
    if isinstance(cutoff, dt.time):
        return cutoff
    try:
        return dt.time.fromisoformat(str(cutoff))
    except ValueError:
        raise ConfigError(
            f"cutoff={cutoff!r} is not a time of day; pass 'HH:MM' such as '15:00'"
        ) from None


def _one_local(value: Any) -> pd.Timestamp | NaTType:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def to_local(values: Any) -> pd.DatetimeIndex:
    """Timestamps as a tz-aware Asia/Shanghai index; naive input is local time.

    Mixed aware/naive input is handled element by element; unparseable values
    become ``NaT``.

    Examples
    --------
    >>> stamps = ["2022-01-10 11:33:36+08:00", "2022-01-10 03:33:36Z", "2022-01-10 11:33"]
    >>> to_local(stamps).hour.tolist()
    [11, 11, 11]
    """
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    try:
        with warnings.catch_warnings():
            # pandas 2.x warns (3.x raises) on mixed offsets: both mean "go element-wise"
            warnings.simplefilter("error", FutureWarning)
            idx = pd.DatetimeIndex(pd.to_datetime(values, errors="coerce", format="mixed"))
    except (ValueError, TypeError, FutureWarning):
        return pd.DatetimeIndex([_one_local(v) for v in values], dtype=f"datetime64[ns, {TZ}]")
    if idx.tz is None:
        return idx.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    return idx.tz_convert(TZ)


def _horizon_warning(what: str, last: pd.Timestamp, source: str) -> None:
    warnings.warn(
        f"{what} past {last.date()}, the last session whose holidays are known "
        f"({source}): every weekday after it is taken as a session, so a holiday there "
        "would shift day 0 and the relative days; when online, run "
        "eventstudy.market.refresh_calendar() to extend the calendar",
        CalendarHorizonWarning,
        stacklevel=user_stacklevel(),  # the user's line, not the package's
    )


def _weekdays(first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    return np.asarray(pd.bdate_range(first, last).values, dtype="datetime64[ns]")


@dataclass(frozen=True)
class TradingCalendar:
    """An ordered set of trading sessions (dates without time zone).

    Parameters
    ----------
    sessions
        The trading days.
    source
        Where the sessions come from, e.g. ``"000300.SH price history + XSHG"``.
    weekdays_after
        Past the last session (the *horizon*), take every weekday as a session
        and warn (:class:`~eventstudy.exceptions.CalendarHorizonWarning`) where a
        result lies there; ``False`` (a calendar of exactly the sessions given):
        nothing lies after the last session (``NaT``). :func:`default_calendar`
        has it on.

    Examples
    --------
    >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10"]))
    >>> len(cal), str(cal.first.date()), str(cal.last.date())
    (2, '2022-01-07', '2022-01-10')
    >>> import warnings
    >>> open_ended = TradingCalendar(cal.sessions, weekdays_after=True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     str(open_ended.to_session("2022-01-11 10:00").date())
    '2022-01-11'
    """

    sessions: pd.DatetimeIndex
    source: str = "given"
    weekdays_after: bool = False
    _values: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        s = pd.DatetimeIndex(self.sessions)
        if s.tz is not None:
            s = s.tz_localize(None)
        s = s.normalize().unique().sort_values()
        if len(s) == 0:
            raise DataUnavailableError("a trading calendar needs at least one session")
        object.__setattr__(self, "sessions", s.rename("session"))
        object.__setattr__(self, "_values", s.values.astype("datetime64[ns]"))

    def __len__(self) -> int:
        return len(self.sessions)

    @property
    def first(self) -> pd.Timestamp:
        """First session."""
        return pd.Timestamp(self.sessions[0])

    @property
    def last(self) -> pd.Timestamp:
        """Last session: the horizon, after which holidays are not known."""
        return pd.Timestamp(self.sessions[-1])

    def _grid(self, until: np.datetime64 | None) -> np.ndarray:
        """The sessions, with the weekdays after the last one up to ``until`` (if open-ended)."""
        vals = self._values
        if not self.weekdays_after or until is None or until < vals[-1]:
            return vals
        extra = _weekdays(self.last + pd.Timedelta(days=1), pd.Timestamp(until))
        return np.concatenate([vals, extra])

    def is_session(self, date: DateLike) -> bool:
        """Whether ``date`` is a trading session (past the horizon of an open-ended
        calendar: whether it is a weekday).

        Examples
        --------
        >>> TradingCalendar(pd.to_datetime(["2022-01-10"])).is_session("2022-01-10")
        True
        """
        day = pd.Timestamp(date).normalize().tz_localize(None)
        if self.weekdays_after and day > self.last:
            return day.day_of_week < 5
        d = np.datetime64(day, "ns")
        i = int(np.searchsorted(self._values, d))
        return bool(i < len(self._values) and self._values[i] == d)

    def to_sessions(
        self,
        timestamps: Iterable[DateLike] | pd.Series | pd.DatetimeIndex,
        *,
        rule: SessionRule = "next",
        cutoff: str | dt.time = "15:00",
    ) -> pd.DatetimeIndex:
        """Vectorised :meth:`to_session`; unresolvable timestamps give ``NaT``.

        ``NaT`` arises for missing timestamps, for publications before the
        calendar's first session (or after its last, unless ``weekdays_after``),
        and (``rule="strict"``) outside a session. Past the horizon of an
        open-ended calendar every weekday is a session, with a
        :class:`~eventstudy.exceptions.CalendarHorizonWarning`.

        Examples
        --------
        >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10"]))
        >>> cal.to_sessions(["2022-01-07 16:00", "2022-01-10 09:00"]).strftime("%Y-%m-%d").tolist()
        ['2022-01-10', '2022-01-10']
        """
        if rule not in get_args(SessionRule):
            raise ConfigError(f"rule={rule!r} is not one of {get_args(SessionRule)}")
        cut = parse_cutoff(cutoff)
        local = to_local(
            timestamps if isinstance(timestamps, pd.Index | pd.Series) else list(timestamps)
        )
        missing = np.asarray(local.isna())
        day = local.tz_localize(None).normalize()
        day_ns = day.values.astype("datetime64[ns]")
        secs = (local.hour * 3600 + local.minute * 60 + local.second).to_numpy()
        after_cut = secs >= cut.hour * 3600 + cut.minute * 60 + cut.second
        latest = day_ns[~missing].max() if (~missing).any() else None
        # past the horizon: weekdays, a week beyond the latest day so "next" finds one
        vals = self._grid(None if latest is None else latest + np.timedelta64(7, "D"))
        n = len(vals)
        pos = np.searchsorted(vals, day_ns, side="left")
        safe = np.minimum(pos, n - 1)
        on_session = (pos < n) & (vals[safe] == day_ns)
        out = np.full(len(local), np.datetime64("NaT"), dtype="datetime64[ns]")
        if rule == "previous":
            p = np.searchsorted(vals, day_ns, side="right") - 1
            ok = p >= 0
            out[ok] = vals[p[ok]]
        else:
            target = np.where(on_session & ~after_cut, pos, np.where(on_session, pos + 1, pos))
            ok = target < n
            if rule == "strict":
                ok &= on_session & ~after_cut
            out[ok] = vals[target[ok]]
        # a publication past the calendar's end, or before its start, is not resolvable
        beyond = (day_ns > vals[-1]) | (day_ns < vals[0])
        out[beyond | missing] = np.datetime64("NaT")
        past = int(np.count_nonzero(out > self._values[-1]))
        if past:
            _horizon_warning(f"{past} day 0(s) resolved", self.last, self.source)
        return pd.DatetimeIndex(out, name="day0")

    def to_session(
        self, timestamp: DateLike, *, rule: SessionRule = "next", cutoff: str | dt.time = "15:00"
    ) -> pd.Timestamp:
        """The session of one publication timestamp (see the module docstring).

        Naive timestamps are taken as Asia/Shanghai local time. Returns ``NaT``
        where the rule gives no session.

        Examples
        --------
        >>> cal = TradingCalendar(pd.to_datetime(["2022-01-10", "2022-01-11"]))
        >>> str(cal.to_session("2022-01-10 14:59:59").date())
        '2022-01-10'
        >>> cal.to_session("2022-01-10 16:00", rule="strict") is pd.NaT
        True
        """
        return pd.Timestamp(self.to_sessions([timestamp], rule=rule, cutoff=cutoff)[0])

    def offset(self, session: DateLike, n: int) -> pd.Timestamp:
        """The session ``n`` sessions after (``n < 0``: before) ``session``.

        Examples
        --------
        >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10", "2022-01-11"]))
        >>> str(cal.offset("2022-01-10", -1).date()), str(cal.offset("2022-01-10", 1).date())
        ('2022-01-07', '2022-01-11')
        """
        start = pd.Timestamp(session).normalize()
        d = np.datetime64(start, "ns")
        # n weekdays (plus weekends) past the start suffice (the grid grows past the horizon)
        reach = start + pd.Timedelta(days=2 * max(int(n), 0) + 7)
        vals = self._grid(np.datetime64(reach, "ns"))
        i = int(np.searchsorted(vals, d)) + n
        if not 0 <= i < len(vals):
            raise DataUnavailableError(
                f"{n} sessions from {start.date()} is outside the calendar "
                f"({self.first.date()} .. {self.last.date()})"
            )
        out = pd.Timestamp(vals[i])
        if out > self.last:
            _horizon_warning(f"{n} sessions from {start.date()} is {out.date()},", self.last,
                             self.source)  # fmt: skip
        return out

    def range(self, start: DateLike | None = None, end: DateLike | None = None) -> pd.DatetimeIndex:
        """Sessions between ``start`` and ``end`` (both inclusive).

        An open-ended calendar (``weekdays_after``) adds the weekdays after its
        horizon up to ``end``, with a :class:`~eventstudy.exceptions.CalendarHorizonWarning`.

        Examples
        --------
        >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10", "2022-01-11"]))
        >>> cal.range("2022-01-08", "2022-01-11").strftime("%d").tolist()
        ['10', '11']
        """
        hi = None if end is None else pd.Timestamp(end).normalize().tz_localize(None)
        s = self.sessions
        if self.weekdays_after and hi is not None and hi > self.last:
            lo = self.last + pd.Timedelta(days=1)
            if start is not None:
                lo = max(lo, pd.Timestamp(start).normalize().tz_localize(None))
            extra = pd.bdate_range(lo, hi)
            if len(extra):
                _horizon_warning(f"sessions up to {hi.date()} asked", self.last, self.source)
                s = pd.DatetimeIndex(s.append(pd.DatetimeIndex(extra, name="session")))
        if start is not None:
            s = s[s >= pd.Timestamp(start).normalize().tz_localize(None)]
        if hi is not None:
            s = s[s <= hi]
        return s


@lru_cache(maxsize=1)
def _xshg_all() -> pd.DatetimeIndex:
    """Every XSHG session ``exchange_calendars`` knows, from :data:`XSHG_START`."""
    import exchange_calendars as xcals  # deferred: slow import

    with warnings.catch_warnings():
        # exchange_calendars 4.x reads tz-aware Series.values, deprecated in pandas 3.1;
        # the values it gets are still correct, the warning is theirs to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        cal = xcals.get_calendar("XSHG", start=XSHG_START)
    sessions = pd.DatetimeIndex(cal.sessions)
    return sessions.tz_localize(None) if sessions.tz is not None else sessions


def _patch(parts: list[pd.DatetimeIndex]) -> pd.DatetimeIndex:
    """Sessions of ``parts`` in priority order: each adds only dates outside the spans
    (first..last) of the parts before it."""
    taken: list[np.ndarray] = []
    spans: list[tuple[np.datetime64, np.datetime64]] = []
    for part in parts:
        vals = np.asarray(pd.DatetimeIndex(part).values, dtype="datetime64[ns]")
        if len(vals) == 0:
            continue
        keep = np.ones(len(vals), dtype=bool)
        for lo, hi in spans:
            keep &= (vals < lo) | (vals > hi)
        taken.append(vals[keep])
        spans.append((vals.min(), vals.max()))
    if not taken:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return pd.DatetimeIndex(np.unique(np.concatenate(taken)))


# -- the stored calendar (written by eventstudy.market, read here) ------------------------


@dataclass(frozen=True)
class StoredCalendar:
    """A trading calendar stored in the cache, with where and when it was retrieved.

    Attributes
    ----------
    sessions
        The trading days (naive dates, sorted).
    source
        Where they came from, e.g. ``"akshare.tool_trade_date_hist_sina"``.
    retrieved_at
        When they were fetched (Asia/Shanghai).
    path
        The file.
    """

    sessions: pd.DatetimeIndex
    source: str
    retrieved_at: pd.Timestamp
    path: Path

    @property
    def last(self) -> pd.Timestamp:
        """The last session the stored list knows (its horizon)."""
        return pd.Timestamp(self.sessions[-1])


def calendar_store(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The file of the stored calendar: :data:`CALENDAR_STORE` in the cache folder.

    Examples
    --------
    >>> calendar_store("/tmp/c").as_posix()
    '/tmp/c/calendar/XSHG.json'
    """
    return resolve_cache_dir(cache_dir) / CALENDAR_STORE


def _check_sessions(sessions: pd.DatetimeIndex) -> None:
    """Refuse a list that cannot be Shanghai's sessions (weekends, or too far from XSHG)."""
    if len(sessions) < 20:
        raise InputDataError(f"a stored calendar needs at least 20 sessions, got {len(sessions)}")
    weekend = sessions[sessions.day_of_week >= 5]
    if len(weekend):
        raise InputDataError(
            f"the sessions include {len(weekend)} weekend day(s), e.g. {weekend[0].date()}: "
            "not a list of Shanghai trading days"
        )
    xshg = _xshg_all()
    lo, hi = max(sessions[0], xshg[0]), min(sessions[-1], xshg[-1])
    mine = sessions[(sessions >= lo) & (sessions <= hi)]
    theirs = xshg[(xshg >= lo) & (xshg <= hi)]
    differ = mine.symmetric_difference(theirs)
    if len(theirs) and len(differ) > 0.01 * len(theirs):
        raise InputDataError(
            f"the sessions disagree with exchange_calendars' XSHG on {len(differ)} of "
            f"{len(theirs)} days between {lo.date()} and {hi.date()} (e.g. "
            f"{differ[0].date()}): not stored"
        )


def store_calendar(
    sessions: Iterable[DateLike] | pd.DatetimeIndex,
    *,
    source: str,
    retrieved_at: DateLike | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> StoredCalendar:
    """Store a list of Shanghai trading days in the cache (atomically), for every later session.

    :func:`eventstudy.market.refresh_calendar` calls this with the list it
    fetched; :func:`default_calendar` reads it. The list is checked first: weekdays
    only, and within 1 % of ``exchange_calendars``' XSHG where both know the dates.

    Parameters
    ----------
    sessions
        The trading days.
    source
        Where they come from (shown in the calendar's ``source``).
    retrieved_at
        When they were fetched; default now (Asia/Shanghai).
    cache_dir
        Cache folder (default ``$EVENTSTUDY_CACHE``, else the user cache folder).

    Raises
    ------
    InputDataError
        For a list that cannot be Shanghai's sessions.

    Examples
    --------
    >>> import tempfile
    >>> days = shanghai_sessions("2026-11-02", "2026-12-31")
    >>> stored = store_calendar(days, source="example", cache_dir=tempfile.mkdtemp())
    >>> str(stored.last.date()), stored.path.name
    ('2026-12-31', 'XSHG.json')
    """
    days = pd.DatetimeIndex(pd.to_datetime(pd.Index(list(sessions))))
    if days.tz is not None:
        days = days.tz_localize(None)
    days = days.normalize().unique().sort_values()
    _check_sessions(days)
    when = pd.Timestamp.now(tz=TZ) if retrieved_at is None else pd.Timestamp(retrieved_at)
    when = when.tz_localize(TZ) if when.tzinfo is None else when.tz_convert(TZ)
    path = calendar_store(cache_dir)
    payload = {
        "version": _STORE_VERSION,
        "calendar": "XSHG",
        "source": source,
        "retrieved_at": when.isoformat(),
        "first": str(days[0].date()),
        "last": str(days[-1].date()),
        "sessions": [str(d.date()) for d in days],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".XSHG-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return StoredCalendar(days.rename("session"), source, when, path)


def read_stored_calendar(
    cache_dir: str | os.PathLike[str] | None = None,
) -> StoredCalendar | None:
    """The calendar stored in the cache, or None (none stored; an unreadable file warns).

    Examples
    --------
    >>> import tempfile
    >>> read_stored_calendar(tempfile.mkdtemp()) is None
    True
    """
    path = calendar_store(cache_dir)
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("version") != _STORE_VERSION:
            raise ValueError(f"version {payload.get('version')!r}, expected {_STORE_VERSION}")
        days = pd.DatetimeIndex(pd.to_datetime(payload["sessions"]), name="session")
        when = pd.Timestamp(payload["retrieved_at"])
        source = str(payload["source"])
        if len(days) == 0 or not days.is_monotonic_increasing:
            raise ValueError("sessions empty or not sorted")
    except (OSError, ValueError, KeyError, TypeError) as err:
        warnings.warn(
            f"the stored calendar {path} cannot be read ({err}); it is ignored - "
            "eventstudy.market.refresh_calendar() writes it anew",
            EventStudyWarning,
            stacklevel=2,
        )
        return None
    return StoredCalendar(days, source, when, path)


def _bench_days(
    benchmark: str, prices: pd.DataFrame | pd.Series | None
) -> tuple[pd.DatetimeIndex, str]:
    """The benchmark's trading days and their description (given prices or the bundled ones)."""
    bench = parse_symbol(benchmark).canonical
    if prices is not None:
        if isinstance(prices, pd.DataFrame):
            if bench not in prices.columns:
                raise DataUnavailableError(
                    f"benchmark {bench!r} is not a column of the prices given; "
                    f"columns: {list(prices.columns)[:10]}"
                )
            series = prices[bench]
        else:
            series = prices
        days = pd.DatetimeIndex(series.dropna().index)
        source = f"{bench} prices given"
    else:
        from eventstudy.datasets import sample_prices

        frame = sample_prices([bench])
        days = pd.DatetimeIndex(frame["date"])
        source = f"{bench} bundled price history"
    if days.tz is not None:
        days = days.tz_localize(None)
    return days.normalize().unique().sort_values(), source


def _known(
    days: pd.DatetimeIndex, source: str, stored: StoredCalendar | None
) -> tuple[pd.DatetimeIndex, str]:
    """``days``, then the stored calendar, then XSHG outside them (the module's order)."""
    parts = [days]
    names = [source]
    if stored is not None:
        parts.append(stored.sessions)
        names.append(f"{stored.source} retrieved {stored.retrieved_at.date()}")
    parts.append(_xshg_all())
    names.append("XSHG (exchange_calendars)")
    return _patch(parts), " + ".join(names)


def trading_sessions(
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    benchmark: str = "000300.SH",
    prices: pd.DataFrame | pd.Series | None = None,
    extend: bool = True,
) -> TradingCalendar:
    """Build the trading calendar from the benchmark's price history.

    Parameters
    ----------
    start, end
        Range of the calendar (inclusive); defaults to the data's range.
    benchmark
        Symbol whose sessions define the calendar; read from ``prices`` when given
        (a wide panel with that column, or a Series indexed by date), else from the
        bundled snapshot.
    prices
        Price history to take the sessions from.
    extend
        Outside the price history, add the stored calendar and ``exchange_calendars``'
        XSHG sessions (see the module docstring); when ``end`` lies past every known
        session, add the weekdays up to ``end`` with a
        :class:`~eventstudy.exceptions.CalendarHorizonWarning` (the calendar is then
        open-ended: ``weekdays_after``). ``False``: exactly the history's sessions.

    Examples
    --------
    >>> cal = trading_sessions("2022-01-01", "2022-01-31")
    >>> str(cal.first.date()), len(cal)
    ('2022-01-04', 19)
    """
    days, source = _bench_days(benchmark, prices)
    lo = pd.Timestamp(start).normalize() if start is not None else days[0]
    hi = pd.Timestamp(end).normalize() if end is not None else days[-1]
    if lo.tzinfo is not None:
        lo = lo.tz_localize(None)
    if hi.tzinfo is not None:
        hi = hi.tz_localize(None)
    open_ended = False
    if extend and (hi > days[-1] or lo < days[0]):
        known, source = _known(days, source, read_stored_calendar())
        last = pd.Timestamp(known[-1])
        if hi > last:
            open_ended = True
            _horizon_warning(f"a calendar up to {hi.date()} asked", last, source)
            extra = pd.DatetimeIndex(_weekdays(last + pd.Timedelta(days=1), hi))
            known = pd.DatetimeIndex(known.append(extra))
            source += f"; weekdays after {last.date()} (holidays unknown)"
        days = known
    sessions = days[(days >= lo) & (days <= hi)]
    if len(sessions) == 0:
        raise DataUnavailableError(f"no trading sessions between {lo.date()} and {hi.date()}")
    return TradingCalendar(sessions, source=source, weekdays_after=open_ended)


def to_session(
    timestamp: DateLike,
    *,
    calendar: TradingCalendar | None = None,
    rule: SessionRule = "next",
    cutoff: str | dt.time = "15:00",
) -> pd.Timestamp:
    """The trading session (day 0) of a publication timestamp.

    Parameters
    ----------
    timestamp
        Publication time; naive values are Asia/Shanghai.
    calendar
        Defaults to :func:`default_calendar` (open-ended: past its last known
        session every weekday is a session, with a
        :class:`~eventstudy.exceptions.CalendarHorizonWarning`).
    rule, cutoff
        See the module docstring.

    Examples
    --------
    >>> str(to_session("2022-01-10 11:33:36+08:00").date())
    '2022-01-10'
    >>> str(to_session("2022-01-10 15:30:00+08:00").date())
    '2022-01-11'
    """
    cal = calendar if calendar is not None else default_calendar()
    return cal.to_session(timestamp, rule=rule, cutoff=cutoff)


_DEFAULT: dict[str, tuple[tuple[Any, ...], TradingCalendar]] = {}


def _store_key(path: Path) -> tuple[Any, ...]:
    try:
        st = path.stat()
    except OSError:
        return (None,)
    return (st.st_mtime_ns, st.st_size)


def default_calendar(cache_dir: str | os.PathLike[str] | None = None) -> TradingCalendar:
    """The calendar used when none is given: Shanghai sessions from 1991, open-ended.

    The bundled CSI 300 (``000300.SH``) history, the calendar stored in the
    cache (:func:`read_stored_calendar`, written by
    :func:`eventstudy.market.refresh_calendar`) and ``exchange_calendars``'
    XSHG, in that order (see the module docstring). Past its last session every
    weekday is a session, with a :class:`~eventstudy.exceptions.CalendarHorizonWarning`.
    Built once per process and cache folder, and again when the stored file changes.

    Parameters
    ----------
    cache_dir
        Where the stored calendar is looked for (default ``$EVENTSTUDY_CACHE``,
        else the user cache folder).

    Examples
    --------
    >>> cal = default_calendar()
    >>> str(cal.first.date()), cal.weekdays_after, cal.last >= pd.Timestamp(DEFAULT_CALENDAR_END)
    ('1991-01-02', True, True)
    """
    path = calendar_store(cache_dir)
    key = _store_key(path)
    hit = _DEFAULT.get(str(path))
    if hit is not None and hit[0] == key:
        return hit[1]
    days, source = _bench_days("000300.SH", None)
    known, source = _known(days, source, read_stored_calendar(cache_dir))
    cal = TradingCalendar(known, source=source, weekdays_after=True)
    _DEFAULT[str(path)] = (key, cal)
    return cal


def shanghai_sessions(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """The Shanghai trading sessions between ``start`` and ``end`` (inclusive).

    :func:`default_calendar`'s sessions: past its last known session, the
    weekdays (with a :class:`~eventstudy.exceptions.CalendarHorizonWarning`);
    before its first, none.

    Examples
    --------
    >>> shanghai_sessions("2022-01-28", "2022-02-08").strftime("%m-%d").tolist()
    ['01-28', '02-07', '02-08']
    """
    lo = pd.Timestamp(start).normalize()
    hi = pd.Timestamp(end).normalize()
    out = default_calendar().range(lo, hi)
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def uses_china_calendar(symbol: str | Symbol) -> bool:
    """Whether ``symbol`` trades on the Shanghai/Shenzhen calendar.

    A-share stocks, Chinese indices and Eastmoney boards do; foreign symbols
    (``^GSPC``, ``NIO``, ``00700.HK``) do not. Unparseable symbols do not.

    Examples
    --------
    >>> uses_china_calendar("600519.SH"), uses_china_calendar("BK0896"), uses_china_calendar("NIO")
    (True, True, False)
    """
    try:
        kind = parse_symbol(symbol).kind
    except ValueError:
        return False
    return kind in ("stock", "index", "board")


def _day_index(day0s: Any) -> pd.DatetimeIndex:
    """Day 0s as naive normalised dates, missing values dropped."""
    if isinstance(day0s, str | dt.date | pd.Timestamp | np.datetime64):
        day0s = [day0s]
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(day0s), dtype=object), errors="coerce"))
    if idx.tz is not None:
        idx = idx.tz_convert(TZ).tz_localize(None)
    return idx.dropna().normalize()


def session_bounds(
    day0s: DateLike | Iterable[DateLike] | pd.Series | pd.DatetimeIndex,
    *,
    before: int,
    after: int,
    calendar: TradingCalendar | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Exact date bounds: ``before`` sessions before the earliest day 0, ``after`` after the latest.

    ``start`` is the session ``before`` sessions before the first session on
    or after the earliest day 0; ``end`` is the session ``after`` sessions
    after the last session on or before the latest day 0. A price request
    ``start..end`` therefore holds every session a window ``(-before, after)``
    around each day 0 needs (ask one more ``before`` for the return of the
    window's first session).

    Parameters
    ----------
    day0s
        One date or several (``NaT`` ignored).
    before, after
        Session counts (>= 0).
    calendar
        The sessions to count; default :func:`default_calendar` (Shanghai).
        Beyond the calendar's first or last session every weekday counts as a
        session, so there the bound is a weekday count (holidays unknown), with a
        :class:`~eventstudy.exceptions.CalendarHorizonWarning`: an estimation or
        event window reaching past the horizon may be shifted by a holiday.

    Returns
    -------
    tuple of Timestamp
        ``(start, end)``, naive dates.

    Raises
    ------
    ConfigError
        For a negative count.
    InputDataError
        When no day 0 is a date.

    Examples
    --------
    The seed post's day 0 (Mon 2022-01-10): five sessions back skip the weekend;
    the Spring Festival week (01-31 .. 02-04) is closed.

    >>> a, b = session_bounds(["2022-01-10", "2022-01-25"], before=5, after=5)
    >>> str(a.date()), str(b.date())
    ('2021-12-31', '2022-02-08')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     bounds = session_bounds("2040-01-09", before=1, after=1)  # weekdays, holidays unknown
    >>> [str(d.date()) for d in bounds], caught[0].category.__name__
    (['2040-01-06', '2040-01-10'], 'CalendarHorizonWarning')
    """
    if int(before) < 0 or int(after) < 0:
        raise ConfigError(f"before={before!r}, after={after!r}: session counts must be >= 0")
    days = _day_index(day0s)
    if len(days) == 0:
        raise InputDataError(f"no date among the day 0s given ({day0s!r}); pass dates")
    cal = calendar if calendar is not None else default_calendar()
    first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    lo = min(first, cal.first) - pd.offsets.BDay(int(before) + 1)
    hi = max(last, cal.last) + pd.offsets.BDay(int(after) + 1)
    parts = [pd.bdate_range(lo, cal.first - pd.Timedelta(days=1)).values, cal._values]
    parts.append(pd.bdate_range(cal.last + pd.Timedelta(days=1), hi).values)
    grid = np.concatenate([np.asarray(p, dtype="datetime64[ns]") for p in parts])
    i = int(np.searchsorted(grid, np.datetime64(first, "ns"), side="left"))
    j = int(np.searchsorted(grid, np.datetime64(last, "ns"), side="right")) - 1
    start, end = pd.Timestamp(grid[i - int(before)]), pd.Timestamp(grid[j + int(after)])
    if end > cal.last:
        _horizon_warning(f"the window of {after} session(s) after {last.date()} reaches "
                         f"{end.date()},", cal.last, cal.source)  # fmt: skip
    if start < cal.first:
        warnings.warn(
            f"the window of {before} session(s) before {first.date()} starts on "
            f"{start.date()}, before the calendar's first session {cal.first.date()} "
            f"({cal.source}): every weekday before it is counted as a session",
            CalendarHorizonWarning,
            stacklevel=user_stacklevel(),
        )
    return start, end
