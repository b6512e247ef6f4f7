"""A scripted network source for get_prices/cache tests (no network involved)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from eventstudy.exceptions import ProviderError


class FakeNetworkSource:
    """Serves synthetic bars (close = 100 + days since 2020-01-01 / 100, times ``factor``)
    and records each fetch.

    A value depends on its date only, so overlapping fetches agree; set ``factor``
    to rescale the whole history (an ex-dividend day of forward-adjusted prices).
    """

    network = True

    def __init__(
        self,
        name: str = "akshare",
        *,
        fail: Callable[[str], BaseException | None] | None = None,
        last_day: str = "2026-12-31",
    ) -> None:
        self.name = name
        self.calls: list[tuple[str, pd.Timestamp, pd.Timestamp]] = []
        self.fail = fail
        self.last_day = pd.Timestamp(last_day)
        self.factor = 1.0

    def has(self, symbol: str) -> bool:
        return True

    def served_adjust(self, symbol: str, adjust: str) -> str:
        return "none" if symbol.startswith(("000300", "BK")) else adjust

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: str
    ) -> pd.DataFrame:
        self.calls.append((symbol, start, end))
        if self.fail is not None:
            err = self.fail(symbol)
            if err is not None:
                raise ProviderError(f"{symbol} failed", symbol=symbol, source=self.name,
                                    attempts=3, cause=err)  # fmt: skip
        days = pd.bdate_range(start, min(end, self.last_day))
        age = (days - pd.Timestamp("2020-01-01")).days.to_numpy()
        close = (100.0 + age / 100.0) * self.factor
        return pd.DataFrame(
            {"open": close, "high": close, "low": close, "close": close,
             "volume": 1000.0, "amount": close * 1000.0},
            index=pd.DatetimeIndex(days, name="date"),
        )  # fmt: skip
