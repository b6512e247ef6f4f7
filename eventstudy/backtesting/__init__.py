"""News-signal backtests: would trading on the news have made money, and is that luck?

:func:`backtest` turns events into trades (entry at the day-0 close or the next
open, a fixed holding period, A-share suspension and price-limit rules), runs
them as a calendar-time portfolio against a benchmark, and tests the result
against the same strategy on random placebo dates. The rules are documented in
:func:`backtest`; the result is a read-only :class:`BacktestResult`.

The function is re-exported as ``eventstudy.backtest``; this subpackage is named
``backtesting`` so that the module never shadows the function.
"""

from eventstudy.backtesting.core import SKIP_REASONS, Direction, Entry, backtest
from eventstudy.backtesting.result import BacktestResult, PlaceboTest

__all__ = ["SKIP_REASONS", "BacktestResult", "Direction", "Entry", "PlaceboTest", "backtest"]
