"""The ``yfinance`` source: Yahoo Finance daily bars (global and Chinese tickers).

The only module that imports :mod:`yfinance` (on first use; ``>=0.2.58``, the
first version on ``curl_cffi``, which Yahoo does not rate-limit at once).
``yf.download`` returns columns as a ``(Price, Ticker)`` MultiIndex even for
one ticker (``Close, High, Low, Open, Volume`` and, without ``auto_adjust``,
``Adj Close``); the index is ``Date``.

What Yahoo returns, and how it is labelled (:data:`SERVED_ADJUST`, the
provenance ``adjust`` and the cache namespace):

=============== ===================== ============================================
``adjust``      yfinance call         served (label)
=============== ===================== ============================================
``"qfq"``       ``auto_adjust=True``  OHLC scaled by ``Adj Close / Close``: splits
                                      and dividends, latest price unchanged - a
                                      forward adjustment (``qfq``)
``"none"``      ``auto_adjust=False`` ``Close``: Yahoo's close is **adjusted for
                                      splits** (not dividends), so it is not the
                                      raw traded price: labelled ``split``
``"hfq"``       -                     refused (Yahoo has no backward adjustment)
=============== ===================== ============================================

Yahoo has no traded amount: ``field="amount"`` is unavailable.

Failures: ``yf.download`` does not raise; it logs the error of each ticker on
the ``yfinance`` logger (older versions also kept them in
``yfinance.shared._ERRORS``) and returns an empty frame, so the error logged
for the ticker during the call becomes the cause of the failure:

* a connection failure (no DNS, refused, timed out) is raised as
  :class:`YahooConnectionError` (an ``OSError``): retried, then Yahoo is down
  for the rest of the request (``get_prices`` does not try the other symbols);
* a rate limit (``YFRateLimitError``, HTTP 429) is :class:`YahooRateLimitError`:
  not retried - Yahoo is marked down for the request at once;
* anything else (an HTML error page, empty data, an unknown ticker) is retried
  and then reported as a ProviderError. yfinance keeps the responses of past
  ranges in an in-process cache (``YfData.cache_get``), which would hand a
  retry the same failed answer: it is cleared before each retry.

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

import contextlib
import logging
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError
from eventstudy.market._net import EmptyResponseError, RetryPolicy, call_with_retry
from eventstudy.symbols import to_yahoo

__all__ = [
    "SERVED_ADJUST",
    "YFinanceSource",
    "YahooConnectionError",
    "YahooRateLimitError",
    "from_download",
]

Download = Callable[..., pd.DataFrame | None]

_PRICE_MAP = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume"}

#: Error texts of yfinance/curl/requests that mean Yahoo was not reached.
_CONNECTION = re.compile(
    r"ConnectionError|ConnectTimeout|Timeout|timed out|Could not resolve|Failed to perform|"
    r"curl: \((?:5|6|7|28|35|52|56)\)|Connection (?:refused|reset|aborted)|Network is unreachable",
    re.IGNORECASE,
)


#: Error texts of yfinance that mean Yahoo rate-limited the client (HTTP 429).
_RATE_LIMIT = re.compile(r"YFRateLimitError|Too Many Requests|Rate limited", re.IGNORECASE)

#: What Yahoo returns for each ``adjust`` asked (the label of the provenance and the cache).
SERVED_ADJUST: Mapping[str, str] = MappingProxyType({"qfq": "qfq", "none": "split"})


class YahooConnectionError(ConnectionError):
    """yfinance could not reach Yahoo (it logged a connection error and returned no rows)."""


class YahooRateLimitError(YahooConnectionError):
    """Yahoo rate-limited the client (``YFRateLimitError``): down for the rest of the request."""


class _ErrorLog(logging.Handler):
    """Collects what yfinance logs at ERROR level during one download."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def yahoo_error(ticker: str, messages: list[str]) -> str | None:
    """The error yfinance reported for ``ticker``: its log lines of the call, else
    ``yfinance.shared._ERRORS`` (where 0.2.x keeps the errors of its last download).

    Examples
    --------
    >>> yahoo_error("NIO", ["1 Failed download:", "['NIO']: YFTzMissingError('no timezone')"])
    "['NIO']: YFTzMissingError('no timezone')"
    """
    hits = [m.strip() for m in messages if ticker.upper() in m.upper()]
    shared = sys.modules.get("yfinance.shared")
    old = getattr(shared, "_ERRORS", None)
    if not hits and isinstance(old, dict) and old.get(ticker.upper()):
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
    # Close either way: split-adjusted by Yahoo (auto_adjust=False) or, with auto_adjust=True,
    # already scaled by Adj Close / Close (splits and dividends); Adj Close is not used
    out = pd.DataFrame(index=pd.DatetimeIndex(df.index))
    for src, dst in _PRICE_MAP.items():
        if src in df.columns:
            out[dst] = pd.to_numeric(df[src], errors="coerce").to_numpy(dtype=np.float64)
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
        """:data:`SERVED_ADJUST`: ``qfq`` as asked, ``none`` served split-adjusted (``split``).

        ``hfq`` is refused at fetch time.

        Examples
        --------
        >>> YFinanceSource().served_adjust("NIO", "none")
        'split'
        """
        return SERVED_ADJUST.get(adjust, adjust)

    def _call(self, retry: bool, **kwargs: Any) -> pd.DataFrame | None:
        if self._download is not None:
            return self._download(**kwargs)
        import yfinance  # deferred: heavy, and only this module may import it

        if retry:  # yfinance would hand the retry its cached answer of the failed attempt
            from yfinance.data import YfData

            forget = getattr(getattr(YfData, "cache_get", None), "cache_clear", None)
            if callable(forget):
                forget()
        with _errors_logged(yfinance):
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

        attempts: list[int] = []

        def once() -> pd.DataFrame:
            handler = _ErrorLog()
            log = logging.getLogger("yfinance")
            log.addHandler(handler)
            try:
                frame = self._call(bool(attempts), **kwargs)
            finally:
                attempts.append(1)
                log.removeHandler(handler)
            try:
                return from_download(frame, ticker, adjust=adjust)
            except EmptyResponseError as err:
                failure = _failure(ticker, handler.messages)
                if failure is None:
                    raise
                raise failure from err

        bars = call_with_retry(
            once,
            policy=self.policy,
            symbol=symbol,
            source=self.name,
            sleep=self.sleep,
            rng=self.rng,
            permanent=(DataUnavailableError, YahooRateLimitError),
        )
        out = bars[(bars.index >= start) & (bars.index <= end)]  # index may be unsorted
        what = "splits and dividends" if adjust == "qfq" else "Close split-adjusted by Yahoo"
        out.attrs["notes"] = [f"yfinance {ticker} auto_adjust={adjust == 'qfq'} ({what})"]
        return out


@contextlib.contextmanager
def _errors_logged(yfinance: Any) -> Iterator[None]:
    """Let yfinance 1.x log the real error of a ticker (a timeout, a 5xx) during the call.

    With ``yf.config.debug.hide_exceptions`` on (its default) the history
    scraper swallows the exception and ``download`` logs only "possibly
    delisted; no price data found"; yfinance 0.2.x passes ``raise_errors=True``
    itself and has no such setting.
    """
    debug = getattr(getattr(yfinance, "config", None), "debug", None)
    before = getattr(debug, "hide_exceptions", None)
    if debug is None or before is None:
        yield
        return
    debug.hide_exceptions = False
    try:
        yield
    finally:
        debug.hide_exceptions = before


def _failure(ticker: str, messages: list[str]) -> Exception | None:
    """The error yfinance logged for ``ticker`` as this module's exception, or None."""
    cause = yahoo_error(ticker, messages)
    if cause is None:
        return None
    if _RATE_LIMIT.search(cause):
        return YahooRateLimitError(f"Yahoo rate-limited the requests for {ticker}: {cause}")
    if _CONNECTION.search(cause):
        return YahooConnectionError(f"yfinance could not reach Yahoo for {ticker}: {cause}")
    return EmptyResponseError(f"yfinance returned no rows for {ticker}: {cause}")
