"""Trading calendars, the publication-time → session (day 0) rule, and exact session bounds.

A read-only base module (it imports only :mod:`eventstudy.datasets` and
:mod:`eventstudy.symbols`); :mod:`eventstudy.market`, :mod:`eventstudy.events`,
the study and the backtest all take their sessions from here.

Sessions come from the benchmark's own price history (METHODS.md: the
``exchange_calendars`` XSHG holiday table ends on 2026-12-31, and a price
history is the ground truth for the days that actually traded); beyond the
data, ``exchange_calendars``' ``XSHG`` fills in.

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
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, get_args

import numpy as np
import pandas as pd
from pandas._libs.tslibs.nattype import NaTType

from eventstudy._typing import DateLike, SessionRule
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError
from eventstudy.symbols import Symbol, parse_symbol

__all__ = [
    "DEFAULT_CALENDAR_END",
    "TZ",
    "TradingCalendar",
    "default_calendar",
    "parse_cutoff",
    "session_bounds",
    "shanghai_sessions",
    "to_local",
    "to_session",
    "trading_sessions",
    "uses_china_calendar",
]

#: Time zone of Chinese news and exchanges.
TZ = "Asia/Shanghai"
#: Last day of the default calendar (the end of ``exchange_calendars``' XSHG holiday table).
DEFAULT_CALENDAR_END = "2026-12-31"


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


@dataclass(frozen=True)
class TradingCalendar:
    """An ordered set of trading sessions (dates without time zone).

    Parameters
    ----------
    sessions
        The trading days.
    source
        Where the sessions come from, e.g. ``"000300.SH price history + XSHG"``.

    Examples
    --------
    >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10"]))
    >>> len(cal), str(cal.first.date()), str(cal.last.date())
    (2, '2022-01-07', '2022-01-10')
    """

    sessions: pd.DatetimeIndex
    source: str = "given"
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
        """Last session."""
        return pd.Timestamp(self.sessions[-1])

    def is_session(self, date: DateLike) -> bool:
        """Whether ``date`` is a trading session.

        Examples
        --------
        >>> TradingCalendar(pd.to_datetime(["2022-01-10"])).is_session("2022-01-10")
        True
        """
        d = np.datetime64(pd.Timestamp(date).normalize().tz_localize(None), "ns")
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

        ``NaT`` arises for missing timestamps, for publications outside the
        calendar's range, and (``rule="strict"``) outside a session.

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
        vals = self._values
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
        d = np.datetime64(pd.Timestamp(session).normalize(), "ns")
        i = int(np.searchsorted(self._values, d)) + n
        if not 0 <= i < len(self._values):
            raise DataUnavailableError(
                f"{n} sessions from {pd.Timestamp(session).date()} is outside the calendar "
                f"({self.first.date()} .. {self.last.date()})"
            )
        return pd.Timestamp(self._values[i])

    def range(self, start: DateLike | None = None, end: DateLike | None = None) -> pd.DatetimeIndex:
        """Sessions between ``start`` and ``end`` (both inclusive).

        Examples
        --------
        >>> cal = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10", "2022-01-11"]))
        >>> cal.range("2022-01-08", "2022-01-11").strftime("%d").tolist()
        ['10', '11']
        """
        s = self.sessions
        if start is not None:
            s = s[s >= pd.Timestamp(start).normalize()]
        if end is not None:
            s = s[s <= pd.Timestamp(end).normalize()]
        return s


def _xshg_sessions(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    import exchange_calendars as xcals  # deferred: slow import

    with warnings.catch_warnings():
        # exchange_calendars 4.x reads tz-aware Series.values, deprecated in pandas 3.1;
        # the values it gets are still correct, the warning is theirs to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        cal = xcals.get_calendar("XSHG")
    lo = max(start, pd.Timestamp(cal.first_session))
    hi = min(end, pd.Timestamp(cal.last_session))
    if lo > hi:
        return pd.DatetimeIndex([])
    return pd.DatetimeIndex(cal.sessions_in_range(lo, hi)).tz_localize(None)


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
        Range of the calendar (inclusive); defaults to the data's range, extended
        with XSHG sessions to ``end`` when it lies beyond the data.
    benchmark
        Symbol whose sessions define the calendar; read from ``prices`` when given
        (a wide panel with that column, or a Series indexed by date), else from the
        bundled snapshot.
    prices
        Price history to take the sessions from.
    extend
        Add ``exchange_calendars`` XSHG sessions outside the price history's range.

    Examples
    --------
    >>> cal = trading_sessions("2022-01-01", "2022-01-31")
    >>> str(cal.first.date()), len(cal)
    ('2022-01-04', 19)
    """
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
    days = days.normalize().unique().sort_values()
    lo = pd.Timestamp(start).normalize() if start is not None else days[0]
    hi = pd.Timestamp(end).normalize() if end is not None else days[-1]
    if lo.tzinfo is not None:
        lo = lo.tz_localize(None)
    if hi.tzinfo is not None:
        hi = hi.tz_localize(None)
    parts = [days[(days >= lo) & (days <= hi)]]
    if extend and (hi > days[-1] or lo < days[0]):
        extra = []
        if hi > days[-1]:
            extra.append(_xshg_sessions(days[-1] + pd.Timedelta(days=1), hi))
        if lo < days[0]:
            extra.append(_xshg_sessions(lo, days[0] - pd.Timedelta(days=1)))
        parts.extend(extra)
        source += " + XSHG (exchange_calendars) outside it"
    sessions = pd.DatetimeIndex(np.concatenate([p.values for p in parts]))
    if len(sessions) == 0:
        raise DataUnavailableError(f"no trading sessions between {lo.date()} and {hi.date()}")
    return TradingCalendar(sessions, source=source)


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
        Defaults to :func:`trading_sessions` on the bundled CSI 300 history.
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


_DEFAULT: list[TradingCalendar] = []


def default_calendar() -> TradingCalendar:
    """The calendar used when none is given: Shanghai sessions 2005-01-04 .. 2026-12-31.

    Built once per process from the bundled CSI 300 (``000300.SH``) history,
    extended with ``exchange_calendars``' XSHG sessions to
    :data:`DEFAULT_CALENDAR_END`.

    Examples
    --------
    >>> cal = default_calendar()
    >>> str(cal.first.date()), str(cal.last.date()) <= DEFAULT_CALENDAR_END
    ('2005-01-04', True)
    """
    if not _DEFAULT:
        _DEFAULT.append(trading_sessions(end=DEFAULT_CALENDAR_END))
    return _DEFAULT[0]


@lru_cache(maxsize=64)
def _shanghai_sessions(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    try:
        cal = trading_sessions(start, end)
    except DataUnavailableError:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return pd.DatetimeIndex(pd.DatetimeIndex(cal.sessions).astype("datetime64[ns]"))


def shanghai_sessions(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """The Shanghai trading sessions between ``start`` and ``end`` (inclusive).

    The bundled CSI 300 history, extended with XSHG (:func:`trading_sessions`);
    an empty index where neither knows the range. Cached per ``(start, end)``.

    Examples
    --------
    >>> shanghai_sessions("2022-01-28", "2022-02-08").strftime("%m-%d").tolist()
    ['01-28', '02-07', '02-08']
    """
    lo = pd.Timestamp(start).normalize()
    hi = pd.Timestamp(end).normalize()
    return _shanghai_sessions(lo, hi)


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
        session, so there the bound is a weekday count (holidays unknown).

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
    >>> [str(d.date()) for d in session_bounds("2030-01-07", before=1, after=1)]  # weekdays
    ['2030-01-04', '2030-01-08']
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
    return pd.Timestamp(grid[i - int(before)]), pd.Timestamp(grid[j + int(after)])
