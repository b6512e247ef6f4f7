"""The ``bundled`` source: the real-data snapshot shipped with the package.

46 large A-share stocks (forward-adjusted, qfq, as recorded in 2026-06) and five
Chinese indices (unadjusted) - see ``data/README.md``. Boards are not in the
snapshot: ``get_prices`` serves a board through :func:`eventstudy.market.board_proxy`.

Examples
--------
>>> import pandas as pd
>>> src = BundledSource()
>>> day = pd.Timestamp("2022-01-10")
>>> bars = src.fetch("600519.SH", day, day, adjust="qfq")
>>> float(bars.loc["2022-01-10", "close"])
1739.49
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError
from eventstudy.market._clean import FIELDS

__all__ = ["BundledSource"]


@lru_cache(maxsize=1)
def _by_symbol() -> dict[str, tuple[pd.DataFrame, str]]:
    from eventstudy.datasets import sample_prices

    frame = sample_prices()  # a copy, made once (this function is cached)
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    for sym, g in frame.groupby("symbol", sort=True):
        bars = pd.DataFrame(
            {f: g[f].to_numpy(dtype=np.float64) for f in FIELDS},
            index=pd.DatetimeIndex(g["date"]).astype("datetime64[ns]").rename("date"),
        ).sort_index()
        out[str(sym)] = (bars, str(g["adjust"].iloc[0]))
    return out


class BundledSource:
    """Prices from the bundled snapshot (no network, no cache).

    Stocks are held forward-adjusted only: asking for ``adjust="hfq"`` or
    ``"none"`` raises :class:`~eventstudy.exceptions.DataUnavailableError`
    rather than mislabelling qfq prices. Indices carry no adjustment and are
    served for any ``adjust``.
    """

    name = "bundled"
    network = False

    def symbols(self) -> list[str]:
        """Symbols in the snapshot."""
        return list(_by_symbol())

    def has(self, symbol: str) -> bool:
        """Whether the snapshot holds ``symbol``."""
        return symbol in _by_symbol()

    def last_date(self, symbol: str) -> pd.Timestamp:
        """The last session of ``symbol`` in the snapshot."""
        return pd.Timestamp(_by_symbol()[symbol][0].index[-1])

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """``qfq`` for stocks, ``none`` for indices."""
        if symbol not in _by_symbol():
            return adjust
        return _by_symbol()[symbol][1]

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol from the snapshot (see :class:`PriceSource`)."""
        table = _by_symbol()
        if symbol not in table:
            raise DataUnavailableError(
                f"{symbol} is not in the bundled snapshot ({len(table)} symbols, see "
                "eventstudy.datasets.sample_symbols()); use source='akshare' or 'yfinance' "
                "with a network, or source='local' with your own files"
            )
        bars, held = table[symbol]
        if held != "none" and adjust != held:
            raise DataUnavailableError(
                f"{symbol}: the bundled snapshot holds {held} prices only, not adjust={adjust!r}; "
                f"use adjust={held!r} or a network source"
            )
        return bars.loc[start:end].copy()
