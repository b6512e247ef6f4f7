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
    read_stored_calendar,
    store_calendar,
)
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.market.request import resolve_offline

__all__ = ["CALENDAR_SOURCE", "TradeDateSource", "refresh_calendar"]

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


def _registered() -> TradeDateSource:
    from eventstudy.market.sources import get_source

    src = get_source("akshare")
    if not callable(getattr(src, "trade_dates", None)):
        raise ConfigError(
            f"the source registered as 'akshare' ({src!r}) has no trade_dates(); pass "
            "source=AkshareSource() to refresh_calendar"
        )
    return src  # type: ignore[return-value]
