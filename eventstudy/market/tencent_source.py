"""The ``tencent`` source: Tencent daily klines of A-shares and indices, through akshare.

The second live source of the ``auto`` policy for ``stock`` and ``index``
symbols: it is tried when Eastmoney (the ``akshare`` source) is down or
blocking, before the cache-only and snapshot fallbacks
(:mod:`eventstudy.market.policy`).

================ ============================ =========================================
symbol kind      akshare function             symbol and dates passed
================ ============================ =========================================
stock (SH/SZ/BJ) ``stock_zh_a_hist_tx``       ``sh600519``, ``2022-01-07``..``2022-01-11``
                                              (``qfq`` / ``hfq`` / ``""``)
index (SH/SZ)    ``stock_zh_index_daily_tx``  ``sh000300``, ``20220107``..``20220111``
================ ============================ =========================================

Why Tencent and not Sina: Sina's daily history (``stock_zh_a_daily``,
``stock_zh_index_daily``) is an obfuscated JavaScript payload decoded by a
bundled JS engine, which cannot be recorded faithfully for tests; Tencent's
``newfqkline`` answers are plain JSON behind a ``var=`` prefix, so the tests
run akshare's own parsing on recorded answers.

Boundary translation:

* dates go to ``stock_zh_a_hist_tx`` as ``YYYY-MM-DD`` (with ``YYYYMMDD``
  akshare 1.19.5 requests every year up to today, one call per year);
* ``volume`` in shares: akshare converts Tencent's lots (手) to shares by a
  code-prefix rule that misses Shenzhen main-board stocks (``sz000xxx``), so
  the unit is checked against the money (:func:`volume_in_shares`:
  ``amount / volume`` is a price near the close in shares, 100 times it in
  lots; lots are multiplied by 100);
* indices: only ``open high low close`` (akshare labels Tencent's sixth index
  column ``amount``, but it is not money), unadjusted (``none``).

Vendors' forward-adjusted levels differ (a different dividend basis), so the
cache keeps them apart (the cache namespace is the source name, ``tencent``)
and ``auto`` never splices two vendors into one symbol's series.

Examples
--------
>>> import pandas as pd
>>> def fake(name, kwargs):
...     return pd.DataFrame({"date": [pd.Timestamp("2022-01-10").date()], "open": [1705.87],
...                          "close": [1739.49], "high": [1749.22], "low": [1696.62],
...                          "volume": [29627.0], "turnover": [0.24], "amount": [5.1e9]})
>>> src = TencentSource(fetcher=fake, limiter=None)
>>> bars = src.fetch("600519.SH", pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-10"),
...                  adjust="qfq")
>>> bars[["close", "volume"]].to_dict("records")
[{'close': 1739.49, 'volume': 2962700.0}]
"""

from __future__ import annotations

import contextlib
import inspect
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError
from eventstudy.market._net import (
    TENCENT_LIMITER,
    EmptyResponseError,
    HttpTimeout,
    RateLimiter,
    RetryPolicy,
    call_with_retry,
)
from eventstudy.market.akshare_source import scoped_requests
from eventstudy.symbols import Symbol, parse_symbol

__all__ = ["TencentSource", "volume_in_shares"]

Fetcher = Callable[[str, dict[str, Any]], pd.DataFrame]

#: Tencent's kline volumes of stocks are in lots (手) of 100 shares.
SHARES_PER_LOT = 100.0
#: ``amount / (volume * close)`` must be within this factor of 1 (shares) or 100 (lots).
UNIT_TOLERANCE = 3.0

_STOCK = "stock_zh_a_hist_tx"
_INDEX = "stock_zh_index_daily_tx"


@contextlib.contextmanager
def _no_progress_bars(func: Callable[..., Any]) -> Iterator[None]:
    """akshare's Tencent functions draw a tqdm bar per call (``get_tqdm()``): none inside
    our request (the module's ``get_tqdm`` answers a pass-through while ``func`` runs)."""
    space = getattr(func, "__globals__", {})
    original = space.get("get_tqdm")
    if original is None:
        yield
        return
    space["get_tqdm"] = lambda enable=True: original(enable=False)
    try:
        yield
    finally:
        space["get_tqdm"] = original


def _tencent_call(name: str, kwargs: dict[str, Any], timeout: HttpTimeout) -> pd.DataFrame:
    """Call ``akshare.<name>(**kwargs)`` with ``timeout`` on every HTTP request of it.

    akshare's own ``timeout`` parameter where the function has one (it covers
    the kline requests only); :func:`~eventstudy.market.akshare_source.scoped_requests`
    for the others (``get_tx_start_year``, the index klines).
    """
    import akshare  # deferred: heavy

    func = getattr(akshare, name)
    if "timeout" in inspect.signature(func).parameters and kwargs.get("timeout") is None:
        kwargs = {**kwargs, "timeout": timeout}
    with scoped_requests(timeout), _no_progress_bars(func):
        result = func(**kwargs)
    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"akshare.{name} returned {type(result).__name__}, not a DataFrame")
    return result


def volume_in_shares(bars: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """``bars`` with ``volume`` in shares, judged by ``amount / volume``; and a note.

    ``amount / (volume * close)`` is about 1 when ``volume`` is in shares and
    about 100 when it is in lots (the day's average traded price over its
    close); the median over traded days decides (lots: multiplied by 100).
    Adjusted prices move the ratio by the adjustment factor: when it is more
    than 3 times away from both 1 and 100 (a factor beyond 1/3..3, e.g. an old
    ``hfq`` history), the volume is kept as akshare gave it and the note says
    its unit is unverified. Without ``amount`` or traded days: unchanged.

    Examples
    --------
    >>> bars = pd.DataFrame({"close": [10.5], "volume": [500.0], "amount": [525_000.0]})
    >>> fixed, note = volume_in_shares(bars)
    >>> fixed["volume"].tolist(), note
    ([50000.0], 'volume converted from lots to shares')
    """
    if not {"close", "volume", "amount"} <= set(bars.columns):
        return bars, None
    vol = bars["volume"].to_numpy(dtype=np.float64)
    amt = bars["amount"].to_numpy(dtype=np.float64)
    close = bars["close"].to_numpy(dtype=np.float64)
    traded = (vol > 0) & (amt > 0) & (close > 0)
    if not traded.any():
        return bars, None
    ratio = float(np.median(amt[traded] / (vol[traded] * close[traded])))
    factor = SHARES_PER_LOT if ratio >= np.sqrt(SHARES_PER_LOT) else 1.0
    if abs(np.log10(ratio / factor)) > np.log10(UNIT_TOLERANCE):
        return bars, (
            f"volume unit unverified (amount / (volume * close) = {ratio:.3g}: the adjusted "
            "prices are far from the traded ones)"
        )
    if factor == 1.0:
        return bars, None
    out = bars.copy()
    out["volume"] = vol * factor
    return out, "volume converted from lots to shares"


class TencentSource:
    """Tencent prices of A-shares and indices through akshare, with timeouts and retries.

    Parameters
    ----------
    fetcher
        ``(akshare_function_name, kwargs) -> DataFrame``; default calls akshare
        with a timeout on every HTTP request.
    policy
        Retry/timeout policy.
    sleep, rng
        Injected into the retry loop (tests pass a no-op sleep).
    limiter
        Rate limiter shared by Tencent calls.

    Examples
    --------
    >>> src = TencentSource()
    >>> src.has("600519.SH"), src.has("000300.SH"), src.has("930050.CSI"), src.has("BK0896")
    (True, True, False, False)
    >>> src.served_adjust("600519.SH", "hfq"), src.served_adjust("000300.SH", "qfq")
    ('hfq', 'none')
    """

    name = "tencent"
    network = True

    def __init__(
        self,
        *,
        fetcher: Fetcher | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = TENCENT_LIMITER,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._fetcher = fetcher
        self.sleep = sleep
        self.rng = rng
        self.limiter = limiter

    def __repr__(self) -> str:
        return f"TencentSource(policy={self.policy})"

    def has(self, symbol: str) -> bool:
        """A-share stocks (SH, SZ, BJ) and exchange indices (SH, SZ); not funds or B shares.

        Funds and B shares (kind ``stock``, another :attr:`~eventstudy.symbols.Symbol.instrument`)
        are not tested against Tencent's answers: ``auto`` does not send them here.
        """
        sym = parse_symbol(symbol)
        if sym.kind == "stock":
            return sym.instrument == "stock" and sym.market in ("SH", "SZ", "BJ")
        return sym.kind == "index" and sym.market in ("SH", "SZ")

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """Stocks as asked; indices are unadjusted (``none``)."""
        return adjust if parse_symbol(symbol).kind == "stock" else "none"

    def _call(self, name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
        if self._fetcher is not None:
            return self._fetcher(name, kwargs)
        return _tencent_call(name, kwargs, self.policy.http_timeout())

    def _plan(
        self, sym: Symbol, start: pd.Timestamp, end: pd.Timestamp, adjust: Adjust
    ) -> tuple[str, dict[str, Any]]:
        if not self.has(sym.canonical):
            raise DataUnavailableError(
                f"{sym.canonical}: the tencent source serves A-share stocks (SH, SZ, BJ) and "
                "SH/SZ indices only; use source='akshare' or 'yfinance'"
            )
        code = f"{sym.market.lower()}{sym.code}"
        if sym.kind == "index":
            return _INDEX, {
                "symbol": code,
                "start_date": start.strftime("%Y%m%d"),
                "end_date": end.strftime("%Y%m%d"),
            }
        return _STOCK, {
            "symbol": code,
            "start_date": start.strftime("%Y-%m-%d"),  # YYYYMMDD: akshare asks every year
            "end_date": end.strftime("%Y-%m-%d"),
            "adjust": {"qfq": "qfq", "hfq": "hfq", "none": ""}[adjust],
        }

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol (see :class:`~eventstudy.market.sources.PriceSource`).

        Raises :class:`~eventstudy.exceptions.ProviderError` after the retries
        (an empty answer, an HTML page, a timeout or a 5xx are retried).
        """
        sym = parse_symbol(symbol)
        name, kwargs = self._plan(sym, pd.Timestamp(start), pd.Timestamp(end), adjust)
        notes: list[str] = [f"akshare.{name}"]

        def once() -> pd.DataFrame:
            raw = self._call(name, dict(kwargs))
            if raw is None or len(raw) == 0:
                raise EmptyResponseError(f"akshare.{name}({kwargs['symbol']!r}) returned no rows")
            return _translate(raw, index=sym.kind == "index")

        bars = call_with_retry(
            once,
            policy=self.policy,
            symbol=sym.canonical,
            source=self.name,
            sleep=self.sleep,
            rng=self.rng,
            permanent=(DataUnavailableError,),
            limiter=self.limiter,
        )
        if sym.kind == "stock":
            bars, note = volume_in_shares(bars)
            notes += [note] if note else []
        out = bars[(bars.index >= start) & (bars.index <= end)]
        out.attrs["notes"] = notes
        return out


def _translate(raw: pd.DataFrame, *, index: bool) -> pd.DataFrame:
    """akshare's Tencent frame → bars indexed by ``date`` (English fields, float64)."""
    if "date" not in raw.columns:
        raise ValueError(f"akshare Tencent frame without a date column: {list(raw.columns)}")
    fields = ("open", "high", "low", "close") if index else ("open", "high", "low", "close",
                                                            "volume", "amount")  # fmt: skip
    dates = pd.to_datetime(raw["date"].astype(str), errors="coerce")
    if dates.isna().any():
        raise ValueError(f"{int(dates.isna().sum())} Tencent kline row(s) with an unparseable date")
    out = pd.DataFrame(
        {f: pd.to_numeric(raw[f], errors="coerce").to_numpy(dtype=np.float64)
         for f in fields if f in raw.columns},
        index=pd.DatetimeIndex(dates.to_numpy(), name="date"),
    )  # fmt: skip
    return out.sort_index()
