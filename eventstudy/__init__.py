"""eventstudy: how Chinese stock, index and board prices react to news.

The public API is re-exported here and loaded on first access (PEP 562), so
``import eventstudy`` is fast and imports neither pandas nor akshare, yfinance
or plotly until they are needed.

Examples
--------
>>> import eventstudy as es
>>> es.normalize("sh600519")
'600519.SH'
>>> es.datasets.board_table().set_index("code").loc["BK0896", "name"]
'白酒'
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

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
from eventstudy.symbols import normalize, parse_symbol

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers
    from eventstudy import datasets as datasets
    from eventstudy import symbols as symbols
    from eventstudy.backtesting import BacktestResult as BacktestResult
    from eventstudy.backtesting import backtest as backtest
    from eventstudy.calendar import TradingCalendar as TradingCalendar
    from eventstudy.calendar import to_session as to_session
    from eventstudy.calendar import trading_sessions as trading_sessions
    from eventstudy.events import EventSet as EventSet
    from eventstudy.market import PriceFrame as PriceFrame
    from eventstudy.market import board_proxy as board_proxy
    from eventstudy.market import get_prices as get_prices
    from eventstudy.market import get_returns as get_returns
    from eventstudy.market import register_source as register_source
    from eventstudy.news import News as News
    from eventstudy.news import Tagger as Tagger
    from eventstudy.news import load_news as load_news
    from eventstudy.news.archive import load_news_archive as load_news_archive
    from eventstudy.news.feeds import fetch_news as fetch_news
    from eventstudy.report import briefing as briefing
    from eventstudy.study import EventStudy as EventStudy
    from eventstudy.study import EventStudyResult as EventStudyResult
    from eventstudy.study import run_event_study as run_event_study

try:
    __version__ = version("eventstudy-cn")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

# name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "datasets": ("eventstudy.datasets", None),
    "symbols": ("eventstudy.symbols", None),
    "EventSet": ("eventstudy.events", "EventSet"),
    "TradingCalendar": ("eventstudy.calendar", "TradingCalendar"),
    "to_session": ("eventstudy.calendar", "to_session"),
    "trading_sessions": ("eventstudy.calendar", "trading_sessions"),
    "load_news": ("eventstudy.news", "load_news"),
    "News": ("eventstudy.news", "News"),
    "Tagger": ("eventstudy.news", "Tagger"),
    "fetch_news": ("eventstudy.news.feeds", "fetch_news"),
    "load_news_archive": ("eventstudy.news.archive", "load_news_archive"),
    "get_prices": ("eventstudy.market", "get_prices"),
    "get_returns": ("eventstudy.market", "get_returns"),
    "PriceFrame": ("eventstudy.market", "PriceFrame"),
    "board_proxy": ("eventstudy.market", "board_proxy"),
    "register_source": ("eventstudy.market", "register_source"),
    "run_event_study": ("eventstudy.study", "run_event_study"),
    "EventStudy": ("eventstudy.study", "EventStudy"),
    "EventStudyResult": ("eventstudy.study", "EventStudyResult"),
    "briefing": ("eventstudy.report", "briefing"),
    "backtest": ("eventstudy.backtesting", "backtest"),
    "BacktestResult": ("eventstudy.backtesting", "BacktestResult"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmbiguousSymbolError",
    "BacktestResult",
    "ConfigError",
    "DataUnavailableError",
    "EventSet",
    "EventStudy",
    "EventStudyError",
    "EventStudyResult",
    "InputDataError",
    "News",
    "NewsParseError",
    "PriceFrame",
    "ProviderError",
    "SymbolError",
    "Tagger",
    "TradingCalendar",
    "UnknownSymbolError",
    "__version__",
    "backtest",
    "board_proxy",
    "briefing",
    "datasets",
    "fetch_news",
    "get_prices",
    "get_returns",
    "load_news",
    "load_news_archive",
    "normalize",
    "parse_symbol",
    "register_source",
    "run_event_study",
    "symbols",
    "to_session",
    "trading_sessions",
]
