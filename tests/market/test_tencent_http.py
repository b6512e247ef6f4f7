"""The tencent source and auto's failover to it, against HTTP answers stubbed with ``responses``.

Payloads follow the real shapes read from akshare 1.19.5's source
(``stock_feature/stock_hist_tx.py``, ``index/index_stock_zh.py``): Tencent answers
``<_var>={"code":0,"msg":"","data":{...}}`` (JSON behind a JavaScript variable);
``newfqkline`` rows of stocks are ``[date, open, close, high, low, volume (lots),
{dividend info or empty}, turnover %, amount (10k yuan), ""]``, of indices
``[date, open, close, high, low, volume]``; ``weekTrends`` gives the first trading
week in ``data[0][0]``. akshare's own parsing runs on them; only the transport is
fake. Eastmoney answers as in ``test_akshare_http.py``.
"""

from __future__ import annotations

import json
import random
import warnings

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")
from responses import matchers  # noqa: E402

from eventstudy.exceptions import OfflineFallbackWarning, ProviderError  # noqa: E402
from eventstudy.market import get_prices, register_source  # noqa: E402
from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareSource  # noqa: E402
from eventstudy.market.tencent_source import TencentSource  # noqa: E402

T = pd.Timestamp
KLINE = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
FQKLINE = "https://proxy.finance.qq.com/ifzqgtimg/appstock/app/newfqkline/get"
WEEK = "https://web.ifzq.gtimg.cn/other/klineweb/klineWeb/weekTrends"

# Tencent's forward-adjusted levels of 600519.SH differ from Eastmoney's (1739.49 on 2022-01-10
# in test_akshare_http.py): a different dividend basis - never to be spliced with them.
MOUTAI_TX = [
    ["2022-01-07", "1888.450", "1859.250", "1900.730", "1856.880", "29817.000", {}, "0.24",
     "583169.53", ""],
    ["2022-01-10", "1846.870", "1880.490", "1890.220", "1837.620", "29627.000", {}, "0.24",
     "579273.81", ""],
    ["2022-01-11", "1864.560", "1857.970", "1879.600", "1849.670", "22277.000", {}, "0.18",
     "433218.06", ""],
]  # fmt: skip
WULIANGYE_TX = [
    ["2022-01-07", "215.100", "211.800", "216.880", "210.520", "206455.000", {}, "0.53",
     "439880.12", ""],
    ["2022-01-10", "211.000", "219.000", "219.940", "210.000", "252304.000", {}, "0.65",
     "545097.60", ""],
    ["2022-01-11", "218.050", "216.300", "220.660", "214.300", "180126.000", {}, "0.46",
     "391502.91", ""],
]  # fmt: skip
# 000001.SZ (平安银行): a Shenzhen main-board stock, volume in lots like every other
PINGAN_TX = [
    ["2022-01-10", "17.290", "17.370", "17.460", "17.150", "1013409.000", {}, "0.52",
     "175590.77", ""],
]  # fmt: skip
CSI300_TX = [
    ["2022-01-07", "4825.330", "4818.910", "4850.050", "4797.570", "184395046.000"],
    ["2022-01-10", "4812.230", "4844.050", "4844.390", "4780.820", "156211696.000"],
    ["2022-01-11", "4838.090", "4789.160", "4848.320", "4780.730", "171934512.000"],
]


def js(var: str, payload: dict) -> str:
    return f"{var}={json.dumps(payload, ensure_ascii=False)}"


def week_body(var: str = "trend_qfq", first: str = "2001-08-31") -> str:
    return js(var, {"code": 0, "msg": "", "data": [[first, "35.550"], ["2001-09-07", "35.000"]]})


def kline_body(code: str, rows: list, *, key: str, var: str) -> str:
    quote = {code: {key: rows, "qt": {code: ["1", "name", code[2:]]}, "prec": "2051.23",
                    "version": "16"}}  # fmt: skip
    return js(var, {"code": 0, "msg": "", "data": quote})


def params(**kw: str):  # type: ignore[no-untyped-def]
    return matchers.query_param_matcher(kw, strict_match=False)


def add_stock(code: str, rows: list, adjust: str = "qfq", year: int = 2022) -> None:
    responses.add(responses.GET, WEEK, body=week_body(), match=[params(code=code)])
    param = f"{code},day,{year}-01-01,{year + 1}-12-31,640,{adjust}"
    responses.add(
        responses.GET, FQKLINE,
        body=kline_body(code, rows, key=f"{adjust}day" if adjust else "day",
                        var=f"kline_day{adjust}{year}"),
        match=[params(param=param)],
    )  # fmt: skip


def add_index(code: str, rows: list, year: int = 2022) -> None:
    param = f"{code},day,{year}-01-01,{year + 1}-12-31,640,qfq"
    body = kline_body(code, rows, key="day", var="kline_dayqfq")
    responses.add(responses.GET, FQKLINE, body=body, match=[params(param=param)])


def eastmoney_calls() -> list:
    return [c for c in responses.calls if c.request.url.startswith(KLINE)]


def tencent(slept: list[float] | None = None, attempts: int = 2) -> TencentSource:
    return TencentSource(
        policy=RetryPolicy(attempts=attempts, timeout=7.5),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(0),
        limiter=None,
    )


@pytest.fixture
def sources() -> None:
    """Both live sources with instant retries (2 attempts each)."""
    register_source(
        "akshare",
        AkshareSource(policy=RetryPolicy(attempts=2, timeout=7.5), sleep=lambda s: None,
                      limiter=None),
    )  # fmt: skip
    register_source("tencent", tencent())


# -- the source on its own ----------------------------------------------------------------


@responses.activate
def test_stock_parsed_translated_and_timed_out() -> None:
    add_stock("sh600519", MOUTAI_TX)
    bars = tencent().fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars.loc["2022-01-10", "close"] == 1880.49
    assert bars.loc["2022-01-10", "high"] == 1890.22
    assert bars.loc["2022-01-10", "volume"] == 29627 * 100  # lots -> shares
    assert bars.loc["2022-01-10", "amount"] == pytest.approx(579273.81 * 10_000)
    assert list(bars.columns) == ["open", "high", "low", "close", "volume", "amount"]
    assert bars.attrs["notes"] == ["akshare.stock_zh_a_hist_tx"]
    # akshare's timeout on the kline call, the scoped one on get_tx_start_year's weekTrends
    assert [c.request.req_kwargs["timeout"] for c in responses.calls] == [(5.0, 7.5), (5.0, 7.5)]


@responses.activate
@pytest.mark.parametrize(("adjust", "tx"), [("hfq", "hfq"), ("none", "")])
def test_other_adjustments_ask_tencent_for_them(adjust: str, tx: str) -> None:
    add_stock("sh600519", MOUTAI_TX, adjust=tx)
    src = tencent()
    bars = src.fetch("600519.SH", T("2022-01-10"), T("2022-01-10"), adjust=adjust)  # type: ignore[arg-type]
    assert bars["close"].tolist() == [1880.49]
    assert src.served_adjust("600519.SH", adjust) == adjust  # type: ignore[arg-type]


@responses.activate
def test_shenzhen_main_board_volume_is_converted_from_lots() -> None:
    # akshare's rule leaves sz000xxx volumes in lots (it takes them for index codes);
    # amount / volume tells the unit
    add_stock("sz000001", PINGAN_TX)
    bars = tencent().fetch("000001.SZ", T("2022-01-10"), T("2022-01-10"), adjust="qfq")
    assert bars.loc["2022-01-10", "volume"] == 1013409 * 100
    assert "volume converted from lots to shares" in bars.attrs["notes"]
    vwap = bars.loc["2022-01-10", "amount"] / bars.loc["2022-01-10", "volume"]
    assert bars.loc["2022-01-10", "low"] <= vwap <= bars.loc["2022-01-10", "high"]


@responses.activate
def test_index_through_tencent_is_unadjusted_prices_only() -> None:
    add_index("sh000300", CSI300_TX)
    src = tencent()
    bars = src.fetch("000300.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars["close"].tolist() == [4818.91, 4844.05, 4789.16]
    assert list(bars.columns) == ["open", "high", "low", "close"]  # the 6th column is no amount
    assert src.served_adjust("000300.SH", "qfq") == "none"
    assert responses.calls[0].request.req_kwargs["timeout"] == (
        5.0,
        7.5,
    )  # scoped: no akshare timeout


def test_what_tencent_has() -> None:
    src = TencentSource()
    assert [src.has(s) for s in ("600519.SH", "000001.SZ", "000300.SH", "399006.SZ")] == [True] * 4
    assert [src.has(s) for s in ("930050.CSI", "BK0896", "NIO", "00700.HK")] == [False] * 4


HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@responses.activate
@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        ("timeout", requests.exceptions.ReadTimeout),
        ("5xx", Exception),
        ("html", Exception),
        ("empty", Exception),
    ],
)
def test_faults_are_retried_then_a_provider_error(fault: str, cause: type) -> None:
    responses.add(responses.GET, WEEK, body=week_body())
    if fault == "timeout":
        responses.add(
            responses.GET, FQKLINE, body=requests.exceptions.ReadTimeout("read timed out")
        )
    elif fault == "5xx":
        responses.add(responses.GET, FQKLINE, status=502, body=HTML)
    elif fault == "html":
        responses.add(responses.GET, FQKLINE, status=200, body=HTML)
    else:  # Tencent knows the code but sends no rows
        empty = kline_body("sh600519", [], key="qfqday", var="kline_dayqfq2022")
        responses.add(responses.GET, FQKLINE, body=empty)
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        tencent(slept, attempts=3).fetch("600519.SH", T("2022-01-07"), T("2022-01-11"),
                                         adjust="qfq")  # fmt: skip
    assert info.value.attempts == 3
    assert info.value.source == "tencent"
    assert isinstance(info.value.cause, cause)
    assert len(slept) == 2
    assert len([c for c in responses.calls if c.request.url.startswith(FQKLINE)]) == 3


@responses.activate
def test_partial_range_is_served_as_far_as_it_goes() -> None:
    add_stock("sh600519", MOUTAI_TX[:2])  # Tencent has nothing for 2022-01-11 (yet)
    bars = tencent().fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars.index.tolist() == [T("2022-01-07"), T("2022-01-10")]


# -- auto's failover -----------------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize(
    "eastmoney",
    [
        {"body": requests.exceptions.ConnectionError("RemoteDisconnected")},
        {"status": 502, "body": HTML},
    ],
    ids=["connection", "5xx"],
)
def test_eastmoney_down_tencent_serves_every_symbol(sources, cache_dir, eastmoney) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, **eastmoney)
    add_stock("sh600519", MOUTAI_TX)
    add_stock("sz000858", WULIANGYE_TX)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineFallbackWarning)  # no fallback: a live source served
        pf = get_prices(["600519.SH", "000858.SZ"], "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.data.loc["2022-01-10", "600519.SH"] == 1880.49  # Tencent's level, not Eastmoney's
    assert pf.data.loc["2022-01-10", "000858.SZ"] == 219.0
    assert pf.provenance.loc["600519.SH", "source"] == "tencent"
    assert pf.provenance["source"].tolist() == ["tencent", "tencent"]
    assert pf.provenance.loc["600519.SH", "adjust"] == "qfq"
    assert len(eastmoney_calls()) == 2  # one symbol's two attempts; then down for the request
    # the cache keeps vendors apart: Tencent's bars under "tencent" only
    assert (cache_dir / "tencent").is_dir()
    assert not (cache_dir / "akshare").exists() or not any((cache_dir / "akshare").rglob("*.*"))


@responses.activate
def test_an_index_fails_over_through_tencent(sources, cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, body=requests.exceptions.ConnectionError("reset"))
    add_index("sh000300", CSI300_TX)
    pf = get_prices(["000300.SH"], "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.data["000300.SH"].tolist() == [4818.91, 4844.05, 4789.16]
    assert pf.provenance.loc["000300.SH", "source"] == "tencent"
    assert pf.provenance.loc["000300.SH", "adjust"] == "none"


@responses.activate
def test_both_down_the_snapshot_stands_in_with_one_warning(sources, cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, body=requests.exceptions.ConnectionError("blocked"))
    responses.add(responses.GET, WEEK, body=requests.exceptions.ConnectionError("unreachable"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pf = get_prices(["600519.SH"], "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    fallback = [w for w in caught if issubclass(w.category, OfflineFallbackWarning)]
    assert len(fallback) == 1, [str(w.message) for w in caught]
    assert len(caught) == 1
    assert "akshare failed" in str(fallback[0].message)
    assert "tencent failed" in str(fallback[0].message)
    assert pf.provenance.loc["600519.SH", "source"] == "bundled"
    assert pf.data.loc["2022-01-10", "600519.SH"] == pytest.approx(1739.49)  # the snapshot's


@responses.activate
def test_one_vendor_per_symbol_never_spliced(sources, cache_dir) -> None:  # type: ignore[no-untyped-def]
    from .test_akshare_http import MOUTAI, kline_payload

    # 1. Eastmoney up: its bars for 2022-01-07..10 in the cache
    responses.add(responses.GET, KLINE, json=kline_payload("600519", 1, MOUTAI[:2]))
    first = get_prices(["600519.SH"], "2022-01-07", "2022-01-10", cache_dir=cache_dir)
    assert first.provenance.loc["600519.SH", "source"] == "akshare"
    # 2. Eastmoney down; the request reaches 2022-01-11: Tencent serves the WHOLE range
    responses.replace(responses.GET, KLINE, body=requests.exceptions.ConnectionError("blocked"))
    add_stock("sh600519", MOUTAI_TX)
    pf = get_prices(["600519.SH"], "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.provenance.loc["600519.SH", "source"] == "tencent"
    assert pf.data["600519.SH"].tolist() == [1859.25, 1880.49, 1857.97]  # no Eastmoney value
    # 3. the Eastmoney cache is untouched, still serving its own range offline
    again = get_prices(["600519.SH"], "2022-01-07", "2022-01-10", cache_dir=cache_dir,
                       offline=True)  # fmt: skip
    assert again.provenance.loc["600519.SH", "source"] == "akshare"
    assert again.data["600519.SH"].tolist() == [1718.25, 1739.49]


def test_tencent_is_not_asked_for_funds_or_b_shares() -> None:
    from eventstudy.market.tencent_source import TencentSource

    src = TencentSource()
    assert src.has("600519.SH")
    assert src.has("000300.SH")
    assert not src.has("510300.SH")  # an ETF
    assert not src.has("900901.SH")  # a B share
