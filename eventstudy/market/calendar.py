"""Deprecated: the trading calendar moved to :mod:`eventstudy.calendar`.

Importing this module warns once (:class:`DeprecationWarning`) and re-exports
the public names of :mod:`eventstudy.calendar`; it will be removed in the next
release. Import from ``eventstudy.calendar`` (or ``eventstudy``) instead.
"""

from __future__ import annotations

import warnings

from eventstudy.calendar import (
    TZ,
    TradingCalendar,
    default_calendar,
    parse_cutoff,
    session_bounds,
    to_local,
    to_session,
    trading_sessions,
)

__all__ = [
    "TZ",
    "TradingCalendar",
    "default_calendar",
    "parse_cutoff",
    "session_bounds",
    "to_local",
    "to_session",
    "trading_sessions",
]

warnings.warn(
    "eventstudy.market.calendar is deprecated and will be removed in the next release; "
    "import from eventstudy.calendar instead",
    DeprecationWarning,
    stacklevel=2,
)
