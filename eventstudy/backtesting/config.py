"""Deprecated: the backtest TOML configuration is read by :mod:`eventstudy.config`.

``load_backtest_config(path)`` is ``eventstudy.config.load_config(path, kind="backtest")``,
``parse_backtest_config(raw)`` is ``eventstudy.config.parse_config(raw, kind="backtest")``
and ``BacktestConfig`` is ``eventstudy.config.BacktestConfig`` (typed tables: write
``cfg.strategy.hold`` instead of ``cfg.strategy["hold"]``). These names go in the
next release.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from eventstudy import config as _config

__all__ = ["load_backtest_config", "parse_backtest_config"]  # + BacktestConfig (deprecated)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"eventstudy.backtesting.config.{old} is deprecated; use eventstudy.config.{new}",
        DeprecationWarning,
        stacklevel=3,
    )


def load_backtest_config(path: str | Path) -> _config.BacktestConfig:
    """Deprecated: ``eventstudy.config.load_config(path, kind="backtest")``."""
    _deprecated("load_backtest_config", 'load_config(path, kind="backtest")')
    return _config.load_config(path, kind="backtest")


def parse_backtest_config(raw: Any, base_dir: str | Path = ".") -> _config.BacktestConfig:
    """Deprecated: ``eventstudy.config.parse_config(raw, kind="backtest", base_dir=...)``."""
    _deprecated("parse_backtest_config", 'parse_config(raw, kind="backtest")')
    return _config.parse_config(raw, kind="backtest", base_dir=base_dir)


def __getattr__(name: str) -> Any:
    if name == "BacktestConfig":
        _deprecated("BacktestConfig", "BacktestConfig")
        return _config.BacktestConfig
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
