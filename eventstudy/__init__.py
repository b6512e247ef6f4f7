"""eventstudy: how Chinese stock, index and board prices react to news.

The public API is re-exported here; heavy dependencies (akshare, yfinance,
plotly) load on first use, so ``import eventstudy`` stays fast.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from eventstudy import datasets, symbols
from eventstudy.events import EventSet
from eventstudy.exceptions import (
    AmbiguousSymbolError,
    ConfigError,
    DataUnavailableError,
    EventStudyError,
    InputDataError,
    NewsParseError,
    ProviderError,
    SymbolError,
    UnknownSymbolError,
)
from eventstudy.market.calendar import TradingCalendar, to_session, trading_sessions
from eventstudy.symbols import normalize, parse_symbol

try:
    __version__ = version("eventstudy-cn")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

# Public names that live in modules with heavy imports: loaded on first access.
_LAZY: dict[str, str] = {
    "load_news": "eventstudy.news",
    "News": "eventstudy.news",
    "Tagger": "eventstudy.news",
    "get_prices": "eventstudy.market",
    "get_returns": "eventstudy.market",
    "PriceFrame": "eventstudy.market",
    "board_proxy": "eventstudy.market",
    "register_source": "eventstudy.market",
    "run_event_study": "eventstudy.study",
    "EventStudy": "eventstudy.study",
    "EventStudyResult": "eventstudy.study",
    "briefing": "eventstudy.briefing",
    "backtest": "eventstudy.backtest",
    "BacktestResult": "eventstudy.backtest",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmbiguousSymbolError",
    "ConfigError",
    "DataUnavailableError",
    "EventSet",
    "EventStudyError",
    "InputDataError",
    "NewsParseError",
    "ProviderError",
    "SymbolError",
    "TradingCalendar",
    "UnknownSymbolError",
    "__version__",
    "datasets",
    "normalize",
    "parse_symbol",
    "symbols",
    "to_session",
    "trading_sessions",
]
