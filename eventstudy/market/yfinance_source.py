"""The ``yfinance`` source: Yahoo Finance daily bars (global and Chinese tickers).

The only module that imports :mod:`yfinance` (on first use). ``yf.download``
returns columns as a ``(Price, Ticker)`` MultiIndex even for one ticker
(``Close, High, Low, Open, Volume`` and, without ``auto_adjust``, ``Adj
Close``); the index is ``Date``. ``adjust="qfq"`` maps to ``auto_adjust=True``
(Yahoo adjusts the past for splits and dividends, the latest price unchanged:
a forward adjustment), ``adjust="none"`` to raw ``Close``; ``hfq`` is not
offered by Yahoo. Yahoo has no traded amount: ``field="amount"`` is unavailable.
Yahoo errors do not raise (``yf.download`` logs them on the ``yfinance``
logger and returns an empty frame; older versions also kept them in
``yfinance.shared._ERRORS``): the error logged for the ticker during the call
becomes the cause of the failure. An empty frame is retried and then reported
as a ProviderError; a connection failure (no DNS, refused, timed out) is raised
as :class:`YahooConnectionError` (an ``OSError``), so ``get_prices`` does not
try Yahoo again for the other symbols of the request.

Examples
--------
>>> import pandas as pd
>>> cols = pd.MultiIndex.from_product([["Close", "High", "Low", "Open", "Volume"], ["^GSPC"]],
...                                   names=["Price", "Ticker"])
>>> frame = pd.DataFrame([[4670.3, 4700.0, 4650.0, 4690.0, 2.0e9]], columns=cols,
...                      index=pd.DatetimeIndex(["2022-01-10"], name="Date"))
>>> src = YFinanceSource(download=lambda **kw: frame)
>>> src.fetch("^GSPC", pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-10"),
...           adjust="qfq")["close"].tolist()
[4670.3]
"""

from __future__ import annotations

import logging
import random
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError
from eventstudy.market._net import EmptyResponseError, RetryPolicy, call_with_retry
from eventstudy.symbols import to_yahoo

__all__ = ["YFinanceSource", "YahooConnectionError", "from_download"]

Download = Callable[..., pd.DataFrame | None]

_PRICE_MAP = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume"}

#: Error texts of yfinance/curl/requests that mean Yahoo was not reached.
_CONNECTION = re.compile(
    r"ConnectionError|ConnectTimeout|Timeout|timed out|Could not resolve|Failed to perform|"
    r"curl: \((?:5|6|7|28|35|52|56)\)|Connection (?:refused|reset|aborted)|Network is unreachable",
    re.IGNORECASE,
)


class YahooConnectionError(ConnectionError):
    """yfinance could not reach Yahoo (it logged a connection error and returned no rows)."""


class _ErrorLog(logging.Handler):
    """Collects what yfinance logs at ERROR level during one download."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def yahoo_error(ticker: str, messages: list[str]) -> str | None:
    """The error yfinance reported for ``ticker`` (its log lines, or ``shared._ERRORS``).

    Examples
    --------
    >>> yahoo_error("NIO", ["1 Failed download:", "['NIO']: YFTzMissingError('no timezone')"])
    "['NIO']: YFTzMissingError('no timezone')"
    """
    hits = [m.strip() for m in messages if ticker.upper() in m.upper()]
    shared = sys.modules.get("yfinance.shared")
    old = getattr(shared, "_ERRORS", None)
    if isinstance(old, dict) and old.get(ticker.upper()):
        hits.append(str(old[ticker.upper()]))
    return "; ".join(dict.fromkeys(hits)) or None


def from_download(frame: pd.DataFrame | None, ticker: str, *, adjust: Adjust) -> pd.DataFrame:
    """``yf.download`` output for one ticker → bars.

    Accepts the ``(Price, Ticker)`` MultiIndex layout, the ``(Ticker, Price)``
    layout of ``group_by="ticker"``, and flat columns (``multi_level_index=False``).
    """
    if frame is None or len(frame) == 0:
        raise EmptyResponseError(f"yfinance returned no rows for {ticker}")
    df = frame
    if isinstance(df.columns, pd.MultiIndex):
        names = list(df.columns.names)
        level = names.index("Ticker") if "Ticker" in names else 1
        tickers = df.columns.get_level_values(level)
        if ticker not in set(tickers):
            raise EmptyResponseError(
                f"yfinance frame has no column for {ticker}: {sorted(set(tickers))}"
            )
        picked = df.xs(ticker, axis=1, level=level)
        df = picked if isinstance(picked, pd.DataFrame) else picked.to_frame()
    close_col = "Close"
    if adjust == "none" and "Adj Close" in df.columns:
        close_col = "Close"  # raw close; Adj Close is Yahoo's back-adjusted series
    out = pd.DataFrame(index=pd.DatetimeIndex(df.index))
    for src, dst in _PRICE_MAP.items():
        col = close_col if src == "Close" else src
        if col in df.columns:
            out[dst] = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
    idx = pd.DatetimeIndex(out.index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    out.index = idx.normalize()
    out.index.name = "date"
    if "close" not in out.columns or out["close"].notna().sum() == 0:
        raise EmptyResponseError(f"yfinance returned no closes for {ticker}")
    return out


class YFinanceSource:
    """Yahoo Finance prices through ``yf.download``, with timeouts and retries.

    Parameters
    ----------
    download
        Replacement for ``yfinance.download`` (tests pass a stub returning the
        exact layout); called with keyword arguments.
    policy, sleep, rng
        Retry policy and its injectable sleep / random generator.

    Examples
    --------
    A stub ``download`` that fails the way yfinance does (logs, returns no rows):

    >>> import logging
    >>> def offline(**kw):
    ...     logging.getLogger("yfinance").error("['NIO']: ConnectionError('Could not resolve')")
    ...     return None
    >>> src = YFinanceSource(download=offline, sleep=lambda s: None)
    >>> try:
    ...     src.fetch("NIO", pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-10"), adjust="qfq")
    ... except Exception as err:
    ...     print(type(err).__name__, err.attempts, type(err.cause).__name__)
    ProviderError 3 YahooConnectionError
    """

    name = "yfinance"
    network = True

    def __init__(
        self,
        *,
        download: Download | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._download = download
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng

    def has(self, symbol: str) -> bool:
        """Whether Yahoo carries the symbol's kind (not Eastmoney boards or CSI indices)."""
        try:
            to_yahoo(symbol)
        except ValueError:
            return False
        return True

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """As asked (``hfq`` is refused at fetch time)."""
        return adjust

    def _call(self, **kwargs: Any) -> pd.DataFrame | None:
        if self._download is not None:
            return self._download(**kwargs)
        import yfinance  # deferred: heavy, and only this module may import it

        result: pd.DataFrame | None = yfinance.download(**kwargs)
        return result

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol (see :class:`~eventstudy.market.sources.PriceSource`)."""
        if adjust == "hfq":
            raise DataUnavailableError(
                f"{symbol}: Yahoo offers no backward adjustment (hfq); use adjust='qfq' or 'none'"
            )
        ticker = to_yahoo(symbol)
        kwargs = {
            "tickers": ticker,
            "start": start.strftime("%Y-%m-%d"),
            "end": (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),  # Yahoo's end is exclusive
            "auto_adjust": adjust == "qfq",
            "actions": False,
            "progress": False,
            "threads": False,
            "multi_level_index": True,
            "timeout": self.policy.timeout,
        }

        def once() -> pd.DataFrame:
            handler = _ErrorLog()
            log = logging.getLogger("yfinance")
            log.addHandler(handler)
            try:
                frame = self._call(**kwargs)
            finally:
                log.removeHandler(handler)
            try:
                return from_download(frame, ticker, adjust=adjust)
            except EmptyResponseError as err:
                cause = yahoo_error(ticker, handler.messages)
                if cause is None:
                    raise
                if _CONNECTION.search(cause):
                    raise YahooConnectionError(
                        f"yfinance could not reach Yahoo for {ticker}: {cause}"
                    ) from err
                raise EmptyResponseError(
                    f"yfinance returned no rows for {ticker}: {cause}"
                ) from err

        bars = call_with_retry(
            once,
            policy=self.policy,
            symbol=symbol,
            source=self.name,
            sleep=self.sleep,
            rng=self.rng,
            permanent=(DataUnavailableError,),
        )
        out = bars[(bars.index >= start) & (bars.index <= end)]  # index may be unsorted
        out.attrs["notes"] = [f"yfinance {ticker} auto_adjust={adjust == 'qfq'}"]
        return out
