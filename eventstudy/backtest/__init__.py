"""News-signal backtests: would trading on the news have made money, and is that luck?

:func:`backtest` turns events into trades (entry at the day-0 close or the next
open, a fixed holding period, A-share suspension and price-limit rules), runs
them as a calendar-time portfolio against a benchmark, and tests the result
against the same strategy on random placebo dates. The rules are documented in
:func:`backtest`; the result is a read-only :class:`BacktestResult`.

``eventstudy.backtest`` names both this subpackage and the function: whichever
the import order leaves on the ``eventstudy`` namespace, ``eventstudy.backtest(...)``
runs :func:`backtest` (the module is callable).
"""

import sys
import types
from typing import Any

from eventstudy.backtest.core import SKIP_REASONS, Direction, Entry, backtest
from eventstudy.backtest.result import BacktestResult, PlaceboTest

__all__ = ["SKIP_REASONS", "BacktestResult", "Direction", "Entry", "PlaceboTest", "backtest"]


class _CallableModule(types.ModuleType):
    """``import eventstudy.backtest`` binds this module on ``eventstudy``; calling it backtests."""

    def __call__(self, *args: Any, **kwargs: Any) -> BacktestResult:
        return backtest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
