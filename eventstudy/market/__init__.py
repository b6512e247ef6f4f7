"""Market data: sources, the fallback policy, the cache, board proxies and returns.

The public entry points are :func:`load_panel` (every price field of several
symbols, one provider call per symbol), :func:`get_prices` (one field),
:func:`get_returns` and :func:`board_proxy`; sources sit behind
:class:`PriceSource` and :func:`register_source`, and ``"auto"`` is the
registered :class:`FallbackPolicy` (order in :mod:`eventstudy.market.policy`).
akshare and yfinance are imported only when their source is first used.

Layers inside the package (each imports only those above it): ``frame``,
``cache``, ``proxy`` (computes a proxy from given prices), ``returns``,
``request`` → ``loaders`` (cached / direct sources, board proxies from
members) → ``policy`` (``auto``) → ``sources`` (registry) → ``panel`` →
``prices`` (the public functions).
"""

from eventstudy.calendar import TradingCalendar, to_session, trading_sessions
from eventstudy.market.cache import PriceCache, resolve_cache_dir
from eventstudy.market.calendar_refresh import refresh_calendar
from eventstudy.market.frame import PROVENANCE_COLUMNS, PriceFrame
from eventstudy.market.local import LocalSource
from eventstudy.market.panel import MarketPanel
from eventstudy.market.policy import DEFAULT_ROUTES, FallbackPolicy
from eventstudy.market.prices import board_proxy, get_prices, get_returns, load_panel
from eventstudy.market.returns import returns_of, trade_to_trade_returns
from eventstudy.market.sources import (
    PriceSource,
    available_sources,
    get_source,
    register_source,
)

__all__ = [
    "DEFAULT_ROUTES",
    "PROVENANCE_COLUMNS",
    "FallbackPolicy",
    "LocalSource",
    "MarketPanel",
    "PriceCache",
    "PriceFrame",
    "PriceSource",
    "TradingCalendar",
    "available_sources",
    "board_proxy",
    "get_prices",
    "get_returns",
    "get_source",
    "load_panel",
    "refresh_calendar",
    "register_source",
    "resolve_cache_dir",
    "returns_of",
    "to_session",
    "trade_to_trade_returns",
    "trading_sessions",
]
