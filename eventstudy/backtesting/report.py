"""Deprecated: the backtest's files moved out of :mod:`eventstudy.backtesting`.

What ``eventstudy backtest CONFIG.toml`` does is now
:func:`eventstudy.pipeline.run_backtest_config` (events from news or a CSV →
:func:`~eventstudy.backtesting.backtest` → the run's files), and the files are written
by :func:`eventstudy.report.write_backtest` (see :mod:`eventstudy.report.backtest`).
The names here are deprecated aliases, kept for one release.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.backtesting.result import BacktestResult
    from eventstudy.config import BacktestConfig
    from eventstudy.events import EventSet
    from eventstudy.report.backtest import BacktestFiles

__all__ = ["events_from_config", "run_backtest_config"]

_MOVED_TO_REPORT = ("BacktestFiles", "write_backtest", "NEWS_SKIPPED_FILE")


def events_from_config(
    cfg: BacktestConfig, *, progress: bool = False
) -> tuple[EventSet, list[str], pd.DataFrame | None]:
    """Deprecated: :func:`eventstudy.pipeline.events_from_config`."""
    warnings.warn(
        "eventstudy.backtesting.report.events_from_config is deprecated; use "
        "eventstudy.pipeline.events_from_config",
        DeprecationWarning,
        stacklevel=2,
    )
    from eventstudy.pipeline import events_from_config as events

    return events(cfg, progress=progress)


def run_backtest_config(
    cfg: BacktestConfig, out: str | Path | None = None, *, progress: bool = False
) -> tuple[BacktestResult, BacktestFiles]:
    """Deprecated: :func:`eventstudy.pipeline.run_backtest_config` (``.result``, ``.files``)."""
    warnings.warn(
        "eventstudy.backtesting.report.run_backtest_config is deprecated; use "
        "eventstudy.pipeline.run_backtest_config, which returns a BacktestRun "
        "(its .result and .files are what this returned)",
        DeprecationWarning,
        stacklevel=2,
    )
    from eventstudy.pipeline import run_backtest_config as run

    done = run(cfg, out, progress=progress)
    return done.result, done.files


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_REPORT:
        warnings.warn(
            f"eventstudy.backtesting.report.{name} is deprecated; use eventstudy.report.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        from eventstudy.report import backtest as page

        return getattr(page, name)
    raise AttributeError(f"module 'eventstudy.backtesting.report' has no attribute {name!r}")
