"""Refresh the stored trading calendar from Sina (akshare's ``tool_trade_date_hist_sina``).

``exchange_calendars``' XSHG holiday table ends on 2026-12-31; Sina's list of
Shanghai trading days gets the next year once the exchange publishes its
holidays (in December). :func:`refresh_calendar` fetches that list and stores
it in the cache with its retrieval time (:func:`eventstudy.calendar.store_calendar`);
from then on :func:`eventstudy.calendar.default_calendar` uses it - offline
too, in every later session. The flow is one way: this module writes,
:mod:`eventstudy.calendar` (a base module) reads and never imports the market layer.

A fetched list is stored only if it looks like Shanghai's sessions (weekdays,
within 1 % of XSHG where both know the dates), and never replaces a stored one
that reaches further.

Examples
--------
>>> import pandas as pd, tempfile
>>> from eventstudy.market.akshare_source import AkshareSource
>>> from eventstudy.calendar import shanghai_sessions
>>> days = shanghai_sessions("2026-11-02", "2026-12-31")
>>> fake = AkshareSource(fetcher=lambda name, kw: pd.DataFrame({"trade_date": days.date}),
...                      limiter=None)
>>> stored = refresh_calendar(cache_dir=tempfile.mkdtemp(), source=fake, offline=False)
>>> str(stored.last.date()), stored.source
('2026-12-31', 'akshare.tool_trade_date_hist_sina')
"""

from __future__ import annotations

import os
import warnings
from typing import Protocol

import pandas as pd

from eventstudy.calendar import (
    DEFAULT_CALENDAR_END,
    StoredCalendar,
    calendar_store,
    default_calendar,
    read_stored_calendar,
    store_calendar,
)
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyError,
    EventStudyWarning,
)
from eventstudy.market.request import resolve_offline

__all__ = ["CALENDAR_SOURCE", "MAX_AGE", "TradeDateSource", "ensure_calendar", "refresh_calendar"]

#: How a calendar refreshed here is labelled (``StoredCalendar.source``).
CALENDAR_SOURCE = "akshare.tool_trade_date_hist_sina"


class TradeDateSource(Protocol):
    """What :func:`refresh_calendar` needs of a source (:class:`AkshareSource` has it)."""

    def trade_dates(self) -> pd.DatetimeIndex:
        """The exchange's trading days."""
        ...


def refresh_calendar(
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    source: TradeDateSource | None = None,
    offline: bool | None = None,
) -> StoredCalendar:
    """Fetch Shanghai's trading days from Sina and store them in the cache.

    Parameters
    ----------
    cache_dir
        Cache folder (default ``$EVENTSTUDY_CACHE``, else the user cache folder).
    source
        Default: the source registered as ``"akshare"`` (an
        :class:`~eventstudy.market.akshare_source.AkshareSource`: timeouts, retries).
    offline
        ``True`` (default ``$EVENTSTUDY_OFFLINE``): refuse at once, without a socket.

    Returns
    -------
    StoredCalendar
        What the cache now holds: the fetched list, or the stored one when it
        reaches further (a :class:`~eventstudy.exceptions.EventStudyWarning` says so).

    Raises
    ------
    DataUnavailableError
        Offline.
    ProviderError
        Sina failed after the retries (timeouts, 5xx, an HTML page instead of the list).
    InputDataError
        The list fetched is not Shanghai's sessions (nothing is stored).

    Examples
    --------
    >>> refresh_calendar(offline=True)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.DataUnavailableError: offline: the trading calendar cannot be ...
    """
    stored = read_stored_calendar(cache_dir)
    if resolve_offline(offline):
        horizon = stored.last.date() if stored is not None else DEFAULT_CALENDAR_END
        raise DataUnavailableError(
            "offline: the trading calendar cannot be refreshed; the known sessions end on "
            f"{horizon} and weekdays are taken as sessions after that"
        )
    src = source if source is not None else _registered()
    fetched = pd.DatetimeIndex(src.trade_dates())
    if stored is not None and len(fetched) and stored.last > fetched[-1]:
        warnings.warn(
            f"Sina's calendar ends on {fetched[-1].date()}, the stored one (retrieved "
            f"{stored.retrieved_at.date()}) on {stored.last.date()}: the stored one is kept",
            EventStudyWarning,
            stacklevel=2,
        )
        return stored
    return store_calendar(fetched, source=CALENDAR_SOURCE, cache_dir=cache_dir)


#: A stored calendar younger than this is not fetched again by :func:`ensure_calendar`.
MAX_AGE = pd.Timedelta(days=1)
#: Cache folders whose calendar :func:`ensure_calendar` already tried to refresh (per process).
_TRIED: set[str] = set()


def ensure_calendar(
    until: pd.Timestamp | str,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    source: TradeDateSource | None = None,
    offline: bool | None = None,
    max_age: pd.Timedelta = MAX_AGE,
) -> bool:
    """Refresh the stored calendar if ``until`` lies past it - at most once per process.

    The hook for live requests: a request reaching past the last known session
    (e.g. in January, before anyone refreshed) refreshes the calendar when
    online, unless a stored one is younger than ``max_age`` (Sina would not
    know more) or this process already tried. A failure becomes one
    :class:`~eventstudy.exceptions.EventStudyWarning`; the weekdays past the
    horizon (and their warning) stay in use.

    Parameters
    ----------
    until
        The last date the caller needs sessions for.
    cache_dir, source, offline
        As for :func:`refresh_calendar` (offline: nothing is tried).
    max_age
        A stored calendar retrieved more recently is not fetched again.

    Returns
    -------
    bool
        Whether a new calendar was stored.

    Examples
    --------
    >>> ensure_calendar("2020-01-01", offline=False)  # known dates: nothing to do
    False
    """
    day = pd.Timestamp(until).normalize()
    if day <= default_calendar(cache_dir).last or resolve_offline(offline):
        return False
    key = str(calendar_store(cache_dir))
    stored = read_stored_calendar(cache_dir)
    age = None if stored is None else pd.Timestamp.now(tz="Asia/Shanghai") - stored.retrieved_at
    young = age is not None and age < max_age
    if key in _TRIED or young:
        return False
    _TRIED.add(key)
    try:
        fresh = refresh_calendar(cache_dir=cache_dir, source=source, offline=False)
    except (EventStudyError, OSError) as err:
        warnings.warn(
            f"the trading calendar could not be refreshed ({type(err).__name__}: {err}); "
            "weekdays are taken as sessions past the known horizon",
            EventStudyWarning,
            stacklevel=2,
        )
        return False
    return stored is None or fresh.last > stored.last


def _registered() -> TradeDateSource:
    from eventstudy.market.sources import get_source

    src = get_source("akshare")
    if not callable(getattr(src, "trade_dates", None)):
        raise ConfigError(
            f"the source registered as 'akshare' ({src!r}) has no trade_dates(); pass "
            "source=AkshareSource() to refresh_calendar"
        )
    return src  # type: ignore[return-value]
