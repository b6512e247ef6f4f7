"""yfinance's own code on recorded Yahoo responses: curl_cffi's session stubbed at its boundary.

``curl_cffi.requests.Session.request`` (what yfinance's session calls for every
GET, in 0.2.58 and 1.x alike) is replaced by a router serving recorded answers
in Yahoo's exact shapes: the cookie page (``fc.yahoo.com``), the crumb
(``/v1/test/getcrumb``, plain text) and the chart API
(``/v8/finance/chart/<ticker>``: ``chart.result[0]`` with ``meta``,
``timestamp`` - the sessions' opening times in UTC seconds - and
``indicators.quote[0]`` / ``indicators.adjclose[0]``; errors as
``chart.error``). So yfinance's cookie/crumb logic, its parsing, its
adjustment (``auto_adjust``) and its error logging all run; no
``YF_DISABLE_CURL_CFFI`` switch is needed (it is absent before 1.x anyway).

The values are Yahoo's for ^GSPC (January 2022) and AAPL around its 4:1 split
of 2020-08-31, whose ``close`` Yahoo reports split-adjusted (124.81 on
2020-08-28 while the traded price was 499.23) and whose ``adjclose`` also
removes dividends.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

yfinance = pytest.importorskip("yfinance")
curl_requests = pytest.importorskip("curl_cffi.requests")

from eventstudy.exceptions import DataUnavailableError, ProviderError  # noqa: E402
from eventstudy.market import get_prices, register_source  # noqa: E402
from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.yfinance_source import (  # noqa: E402
    YahooConnectionError,
    YahooRateLimitError,
    YFinanceSource,
)

T = pd.Timestamp
NEW_YORK = {"timezone": "EST", "exchangeTimezoneName": "America/New_York", "gmtoffset": -18000}

# ^GSPC: (session opening time in UTC seconds, open, high, low, close, volume)
GSPC = [
    (1641565800, 4697.66, 4707.95, 4662.74, 4677.03, 2433120000),  # 2022-01-07
    (1641825000, 4655.34, 4673.02, 4582.24, 4670.29, 2668000000),  # 2022-01-10
    (1641911400, 4669.14, 4714.13, 4638.27, 4713.07, 2201450000),  # 2022-01-11
]
# AAPL, Yahoo's split-adjusted close and its adjclose (dividends removed too)
AAPL = [
    (1598535000, 127.14, 127.49, 123.83, 125.01, 155552400, 122.88),  # 2020-08-27
    (1598621400, 126.01, 126.44, 124.58, 124.81, 187630000, 122.68),  # 2020-08-28
    (1598880600, 127.58, 131.00, 126.00, 129.04, 225702700, 126.84),  # 2020-08-31
]


def chart(symbol: str, rows: list[tuple], *, currency: str = "USD") -> dict:
    """A /v8/finance/chart answer with ``rows`` (ts, o, h, l, c, v[, adjclose])."""
    meta = {"currency": currency, "symbol": symbol, "exchangeName": "NMS",
            "fullExchangeName": "NasdaqGS", "instrumentType": "EQUITY",
            "firstTradeDate": 345479400, "regularMarketTime": rows[-1][0] + 23400 if rows else 0,
            "hasPrePostMarketData": True, **NEW_YORK, "regularMarketPrice": 0.0,
            "chartPreviousClose": 0.0, "priceHint": 2,
            "currentTradingPeriod": {
                part: {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000}
                for part in ("pre", "regular", "post")},
            "dataGranularity": "1d", "range": "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd",
                            "max"]}  # fmt: skip
    if not rows:
        return {"chart": {"result": [{"meta": meta, "indicators": {"quote": [{}],
                                                                    "adjclose": [{}]}}],
                          "error": None}}  # fmt: skip
    quote = {"open": [r[1] for r in rows], "high": [r[2] for r in rows],
             "low": [r[3] for r in rows], "close": [r[4] for r in rows],
             "volume": [r[5] for r in rows]}  # fmt: skip
    adj = [r[6] if len(r) > 6 else r[4] for r in rows]
    return {"chart": {"result": [{"meta": meta, "timestamp": [r[0] for r in rows],
                                  "indicators": {"quote": [quote],
                                                 "adjclose": [{"adjclose": adj}]}}],
                      "error": None}}  # fmt: skip


NOT_FOUND = {"chart": {"result": None, "error": {
    "code": "Not Found", "description": "No data found, symbol may be delisted"}}}  # fmt: skip
HTML_DOWN = "<html><head><title>Yahoo</title></head><body>Will be right back...</body></html>"
TOO_MANY = "Too Many Requests"

Answer = tuple[int, str, str] | BaseException


class Yahoo:
    """The router behind curl_cffi's session: scripted chart answers, the rest canned."""

    def __init__(self) -> None:
        self.charts: dict[str, list[Callable[[dict], Answer]]] = {}
        self.calls: list[tuple[str, dict]] = []

    def serve(self, ticker: str, *answers: Callable[[dict], Answer]) -> None:
        """Answers for the history requests of ``ticker``, in order (the last one repeats)."""
        self.charts[ticker] = list(answers)

    def chart_calls(self, ticker: str | None = None) -> list[dict]:
        return [p for u, p in self.calls if "/v8/finance/chart/" in u and "period1" in p
                and (ticker is None or u.endswith("/" + ticker))]  # fmt: skip

    def __call__(self, session: Any, method: str, url: str, params: Any = None,
                 **kwargs: Any) -> Any:  # fmt: skip
        params = dict(params or {})
        self.calls.append((url, {**params, "timeout": kwargs.get("timeout")}))
        if "fc.yahoo.com" in url:
            return response(404, "<html>Not Found</html>", url, "text/html")
        if "getcrumb" in url:
            return response(200, "Xk2Jq9.abcD", url, "text/plain")
        m = re.search(r"/v8/finance/chart/([^/?]+)$", url)
        if m is None:
            # the consent pages of the "csrf" cookie strategy: outside the EU, no consent form
            assert re.match(r"https://(guce|consent)\.yahoo\.com/", url), (method, url)
            return response(200, "<html><body>Yahoo</body></html>", url, "text/html")
        ticker = m.group(1)
        answers = self.charts.get(ticker)
        if not answers:
            return response(404, json.dumps(NOT_FOUND), url, "application/json")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        got = answer(params)
        if isinstance(got, BaseException):
            raise got
        status, body, ctype = got
        return response(status, body, url, ctype)


def response(status: int, body: str, url: str, content_type: str) -> Any:
    r = curl_requests.Response()
    r.status_code = status
    r.ok = 200 <= status < 400
    r.reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
    r.url = url
    r.content = body.encode("utf-8")
    r.headers = curl_requests.Headers({"content-type": f"{content_type};charset=utf-8"})
    return r


def rows_between(rows: list[tuple], symbol: str) -> Callable[[dict], Answer]:
    """Yahoo's answer: the rows whose session opens within [period1, period2)."""

    def answer(params: dict) -> Answer:
        if "period1" not in params:  # the time-zone probe (range=1d): the last row
            return 200, json.dumps(chart(symbol, rows[-1:])), "application/json"
        lo, hi = int(params["period1"]), int(params["period2"])
        picked = [r for r in rows if lo <= r[0] < hi]
        return 200, json.dumps(chart(symbol, picked)), "application/json"

    return answer


def fixed(status: int, body: str, ctype: str = "text/html") -> Callable[[dict], Answer]:
    def answer(params: dict) -> Answer:
        if "period1" not in params:
            return 200, json.dumps(chart("X", GSPC[-1:])), "application/json"
        return status, body, ctype

    return answer


def raising(err: BaseException) -> Callable[[dict], Answer]:
    return lambda params: err


@pytest.fixture
def yahoo(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[Yahoo]:  # type: ignore[no-untyped-def]
    router = Yahoo()

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return router(self, method, url, *args, **kwargs)

    monkeypatch.setattr(curl_requests.Session, "request", request)
    yfinance.set_tz_cache_location(str(tmp_path / "py-yfinance"))  # no user cache involved
    from yfinance.data import YfData

    YfData.cache_get.cache_clear()
    yield router
    YfData.cache_get.cache_clear()


def source(slept: list[float] | None = None) -> YFinanceSource:
    return YFinanceSource(
        policy=RetryPolicy(attempts=3, timeout=9.0),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(1),
    )


# ----------------------------------------------------------------------- parsing and labels


def test_chart_json_parsed_by_yfinance_auto_adjusted(yahoo: Yahoo) -> None:
    yahoo.serve("AAPL", rows_between(AAPL, "AAPL"))
    bars = source().fetch("AAPL", T("2020-08-27"), T("2020-08-31"), adjust="qfq")
    assert list(bars.index) == [T("2020-08-27"), T("2020-08-28"), T("2020-08-31")]
    assert bars["close"].round(2).tolist() == [122.88, 122.68, 126.84]  # Yahoo's adjclose
    # yfinance scaled the other prices by adjclose / close
    assert bars.loc["2020-08-28", "open"] == pytest.approx(126.01 * 122.68 / 124.81)
    assert bars.loc["2020-08-28", "volume"] == 187630000
    assert "amount" not in bars.columns
    assert "splits and dividends" in bars.attrs["notes"][0]
    (params,) = yahoo.chart_calls("AAPL")
    assert params["interval"] == "1d"
    assert params["timeout"] == 9.0
    # Yahoo's end is exclusive: the request runs to the day after 2020-08-31 (New York)
    assert pd.Timestamp(int(params["period2"]), unit="s", tz="America/New_York").date() == (
        pd.Timestamp("2020-09-01").date())  # fmt: skip


def test_unadjusted_close_is_yahoos_split_adjusted_close_and_labelled_so(yahoo, cache_dir) -> None:  # type: ignore[no-untyped-def]
    yahoo.serve("AAPL", rows_between(AAPL, "AAPL"))
    bars = source().fetch("AAPL", T("2020-08-27"), T("2020-08-31"), adjust="none")
    # 124.81 on 2020-08-28, while AAPL traded at 499.23 before the 4:1 split: not raw
    assert bars["close"].tolist() == [125.01, 124.81, 129.04]
    assert "Close split-adjusted by Yahoo" in bars.attrs["notes"][0]
    assert source().served_adjust("AAPL", "none") == "split"
    register_source("yfinance", source())
    pf = get_prices("AAPL", "2020-08-27", "2020-08-31", adjust="none", cache_dir=cache_dir)
    assert pf.provenance.loc["AAPL", "adjust"] == "split"
    assert pf.provenance.loc["AAPL", "source"] == "yfinance"
    assert pf.data["AAPL"].tolist() == [125.01, 124.81, 129.04]
    with pytest.raises(DataUnavailableError, match="hfq"):
        source().fetch("AAPL", T("2020-08-27"), T("2020-08-31"), adjust="hfq")


def test_partial_range_is_what_yahoo_has_and_is_cached(yahoo, cache_dir) -> None:  # type: ignore[no-untyped-def]
    yahoo.serve("^GSPC", rows_between(GSPC, "^GSPC"))
    register_source("yfinance", source())
    pf = get_prices("^GSPC", "2022-01-03", "2022-01-11", cache_dir=cache_dir)
    s = pf.data["^GSPC"].dropna()
    assert s.to_dict() == {T("2022-01-07"): 4677.03, T("2022-01-10"): 4670.29,
                           T("2022-01-11"): 4713.07}  # fmt: skip
    assert len(yahoo.chart_calls("^GSPC")) == 1
    get_prices("^GSPC", "2022-01-03", "2022-01-11", cache_dir=cache_dir)
    assert len(yahoo.chart_calls("^GSPC")) == 1  # the whole range is covered in the cache


# ----------------------------------------------------------------------- fault injection


def test_rate_limit_marks_yahoo_down_for_the_request_once(yahoo, cache_dir) -> None:  # type: ignore[no-untyped-def]
    for ticker in ("NIO", "AAPL", "^GSPC"):
        yahoo.serve(ticker, fixed(429, TOO_MANY, "text/plain"))
    slept: list[float] = []
    register_source("yfinance", source(slept))
    pf = get_prices(["NIO", "AAPL", "^GSPC"], "2022-01-07", "2022-01-11", cache_dir=cache_dir,
                    errors="collect")  # fmt: skip
    tried = {u.rsplit("/", 1)[-1] for u, p in yahoo.calls if "/v8/finance/chart/" in u}
    assert len(tried) == 1  # one symbol asked Yahoo; the others were skipped, not retried
    assert slept == []  # and no retry of it either
    assert pf.failures["reason"].tolist() == ["provider_failed"] * 3
    assert all("rate" in m.lower() for m in pf.failures["message"])


def test_rate_limit_is_a_connection_level_failure_without_retry(yahoo) -> None:  # type: ignore[no-untyped-def]
    yahoo.serve("NIO", fixed(429, TOO_MANY, "text/plain"))
    with pytest.raises(ProviderError) as info:
        source().fetch("NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 1
    assert isinstance(info.value.cause, YahooRateLimitError)
    assert isinstance(info.value.cause, OSError)


def test_timeouts_are_retried_then_yahoo_is_down(yahoo) -> None:  # type: ignore[no-untyped-def]
    timeout = curl_requests.exceptions.Timeout(
        "Failed to perform, curl: (28) Operation timed out after 9001 milliseconds"
    )
    yahoo.serve("NIO", raising(timeout))
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        source(slept).fetch("NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 3
    assert len(slept) == 2
    assert isinstance(info.value.cause, YahooConnectionError)
    assert "timed out" in str(info.value.cause)


def test_5xx_then_success_is_retried_with_a_fresh_request(yahoo) -> None:  # type: ignore[no-untyped-def]
    yahoo.serve("^GSPC", fixed(500, "<html>500 Internal Server Error</html>"),
                fixed(500, "<html>500 Internal Server Error</html>"),
                rows_between(GSPC, "^GSPC"))  # fmt: skip
    slept: list[float] = []
    bars = source(slept).fetch("^GSPC", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars["close"].tolist() == [4677.03, 4670.29, 4713.07]
    assert len(slept) == 1  # one retry of ours (yfinance itself asks twice on a 5xx)
    assert len(yahoo.chart_calls("^GSPC")) == 3


@pytest.mark.parametrize(
    ("answer", "cause"),
    [
        (fixed(200, HTML_DOWN), "CURRENTLY DOWN"),
        (fixed(502, "<html><title>502 Bad Gateway</title></html>"), ""),
        (rows_between([], "NIO"), "no price data found"),
        (fixed(404, json.dumps(NOT_FOUND), "application/json"), ""),
    ],
    ids=["html-page", "html-5xx", "empty-data", "not-found"],
)
def test_html_pages_and_empty_data_end_in_provider_error(
    yahoo: Yahoo, answer: Callable[[dict], Answer], cause: str
) -> None:
    yahoo.serve("NIO", answer)
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        source(slept).fetch("NIO", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 3
    assert len(slept) == 2
    assert not isinstance(info.value.cause, OSError)  # Yahoo answered: not "down"
    assert cause.lower() in str(info.value).lower()
