"""yfinance adapter with ``download`` replaced by frames in yf.download's exact layout.

Layout read from yfinance 1.7.0 ``multi.py``: per-ticker frames concatenated with
``keys=tickers, names=['Ticker', 'Price']``, then (``group_by='column'``)
``swaplevel`` → columns ``(Price, Ticker)`` sorted by Price; index ``Date``.
These test the adapter's own logic; ``test_yfinance_http.py`` runs yfinance's
parsing on recorded Yahoo responses (curl_cffi stubbed).
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import DataUnavailableError, ProviderError
from eventstudy.market import get_prices, register_source
from eventstudy.market._net import RetryPolicy
from eventstudy.market.yfinance_source import YFinanceSource

T = pd.Timestamp


def yf_frame(ticker: str, auto_adjust: bool) -> pd.DataFrame:
    idx = pd.DatetimeIndex(["2022-01-07", "2022-01-10", "2022-01-11"], name="Date")
    per = pd.DataFrame(
        {"Open": [4697.7, 4655.3, 4669.1], "High": [4707.9, 4673.0, 4714.1],
         "Low": [4662.7, 4582.2, 4638.3], "Close": [4677.0, 4670.3, 4713.1],
         "Volume": [2.4e9, 2.6e9, 2.2e9]},
        index=idx,
    )  # fmt: skip
    if not auto_adjust:
        per.insert(3, "Adj Close", per["Close"] * 0.98)
    data = pd.concat({ticker: per}, axis=1, names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    return data.sort_index(level=0, axis=1)


class Recorder:
    def __init__(self, frames: list[pd.DataFrame | Exception]) -> None:
        self.frames = frames
        self.kwargs: list[dict] = []

    def __call__(self, **kwargs: object) -> pd.DataFrame:
        self.kwargs.append(kwargs)
        out = self.frames.pop(0)
        if isinstance(out, Exception):
            raise out
        return out


def src(rec: Recorder, slept: list[float] | None = None) -> YFinanceSource:
    return YFinanceSource(
        download=rec,
        policy=RetryPolicy(attempts=3, timeout=9.0),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(1),
    )


def test_multiindex_layout_and_arguments() -> None:
    frame = yf_frame("^GSPC", auto_adjust=True)
    assert frame.columns.names == ["Price", "Ticker"]
    rec = Recorder([frame])
    bars = src(rec).fetch("^GSPC", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars["close"].tolist() == [4677.0, 4670.3, 4713.1]
    assert "amount" not in bars.columns
    kw = rec.kwargs[0]
    assert kw["tickers"] == "^GSPC"
    assert kw["auto_adjust"] is True
    assert kw["end"] == "2022-01-12"  # Yahoo's end is exclusive
    assert kw["timeout"] == 9.0
    assert kw["progress"] is False


def test_unadjusted_uses_close_labelled_split_adjusted_and_chinese_tickers() -> None:
    rec = Recorder([yf_frame("600519.SS", auto_adjust=False)])
    bars = src(rec).fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="none")
    assert rec.kwargs[0]["tickers"] == "600519.SS"
    assert rec.kwargs[0]["auto_adjust"] is False
    assert bars["close"].tolist() == [4677.0, 4670.3, 4713.1]  # Close, not Adj Close
    assert bars.attrs["notes"] == ["yfinance 600519.SS auto_adjust=False (Close split-adjusted "
                                   "by Yahoo)"]  # fmt: skip
    assert src(rec).served_adjust("600519.SH", "none") == "split"
    assert src(rec).served_adjust("600519.SH", "qfq") == "qfq"
    with pytest.raises(DataUnavailableError, match="hfq"):
        src(Recorder([])).fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="hfq")


def test_tz_aware_index_is_normalised() -> None:
    frame = yf_frame("0700.HK", auto_adjust=True)
    frame.index = (frame.index + pd.Timedelta(hours=9, minutes=30)).tz_localize("Asia/Hong_Kong")
    bars = src(Recorder([frame])).fetch("00700.HK", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert list(bars.index) == [T("2022-01-07"), T("2022-01-10"), T("2022-01-11")]


def test_empty_frames_are_retried_then_provider_error() -> None:
    empty = yf_frame("NIO", True).iloc[:0]
    slept: list[float] = []
    rec = Recorder([empty, ConnectionError("reset"), empty])
    with pytest.raises(ProviderError) as info:
        src(rec, slept).fetch("NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 3
    assert info.value.source == "yfinance"
    assert len(slept) == 2


def test_nan_rows_and_get_prices_via_auto(cache_dir) -> None:  # type: ignore[no-untyped-def]
    frame = yf_frame("^GSPC", auto_adjust=True)
    frame.loc[T("2022-01-10"), ("Close", "^GSPC")] = np.nan
    register_source("yfinance", src(Recorder([frame])))
    pf = get_prices("^GSPC", "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.provenance.loc["^GSPC", "source"] == "yfinance"
    s = pf.data["^GSPC"]
    # a NaN close is no value: without a Chinese calendar to align to, the row is absent
    assert s.to_dict() == {T("2022-01-07"): 4677.0, T("2022-01-11"): 4713.1}
    register_source("yfinance", src(Recorder([yf_frame("NIO", True)])))
    with pytest.raises(DataUnavailableError, match="amount"):
        get_prices("NIO", "2022-01-07", "2022-01-11", field="amount", cache_dir=cache_dir)


class FailingYahoo(Recorder):
    """yf.download on a failure: logs the error on the 'yfinance' logger, returns no rows."""

    def __init__(self, message: str) -> None:
        super().__init__([])
        self.message = message

    def __call__(self, **kwargs: object) -> pd.DataFrame:
        import logging

        self.kwargs.append(kwargs)
        ticker = str(kwargs["tickers"])
        log = logging.getLogger("yfinance")
        log.error("\n1 Failed download:")
        log.error(f"['{ticker}']: " + self.message)
        return yf_frame(ticker, True).iloc[:0]


CONNECTION_ERROR = (
    "ConnectionError('Failed to perform, curl: (6) Could not resolve host: "
    "query2.finance.yahoo.com.')"
)


def test_yahoo_error_is_kept_as_the_cause() -> None:
    """Review finding 16: the real error yfinance logged is the cause, not 'no rows'."""
    with pytest.raises(ProviderError, match="possibly delisted") as info:
        src(FailingYahoo("YFPricesMissingError('possibly delisted; no price data found')")).fetch(
            "NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq"
        )
    assert "possibly delisted" in str(info.value.cause)
    with pytest.raises(ProviderError, match="Could not resolve host") as info:
        src(FailingYahoo(CONNECTION_ERROR)).fetch(
            "NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq"
        )
    assert isinstance(info.value.cause, OSError)


def test_connection_failure_marks_yfinance_down_for_the_call(cache_dir) -> None:  # type: ignore[no-untyped-def]
    yahoo = FailingYahoo(CONNECTION_ERROR)
    register_source("yfinance", src(yahoo))
    pf = get_prices(["NIO", "AAPL", "^GSPC"], "2022-01-07", "2022-01-11", cache_dir=cache_dir,
                    errors="collect")  # fmt: skip
    assert len(yahoo.kwargs) == 3  # NIO's attempts only; the others were not retried
    assert pf.failures["reason"].tolist() == ["provider_failed"] * 3
    assert "Could not resolve host" in pf.failures["message"].iloc[2]
