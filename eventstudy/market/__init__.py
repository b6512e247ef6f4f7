"""Market data: sources, cache, calendars, board proxies and returns.

The public entry points are :func:`get_prices`, :func:`get_returns` and
:func:`board_proxy`; sources sit behind :class:`PriceSource` and
:func:`register_source`. akshare and yfinance are imported only when their
source is first used.
"""

from eventstudy.calendar import TradingCalendar, to_session, trading_sessions
from eventstudy.market.cache import PriceCache, resolve_cache_dir
from eventstudy.market.frame import PROVENANCE_COLUMNS, PriceFrame
from eventstudy.market.local import LocalSource
from eventstudy.market.prices import get_prices
from eventstudy.market.proxy import board_proxy
from eventstudy.market.returns import get_returns, trade_to_trade_returns
from eventstudy.market.sources import (
    PriceSource,
    available_sources,
    get_source,
    register_source,
)

__all__ = [
    "PROVENANCE_COLUMNS",
    "LocalSource",
    "PriceCache",
    "PriceFrame",
    "PriceSource",
    "TradingCalendar",
    "available_sources",
    "board_proxy",
    "get_prices",
    "get_returns",
    "get_source",
    "register_source",
    "resolve_cache_dir",
    "to_session",
    "trade_to_trade_returns",
    "trading_sessions",
]
