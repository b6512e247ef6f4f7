"""Routing by instrument: each reaches its akshare endpoint with the right market id (issue 12).

Recorded responses in the endpoints' exact shapes, stubbed at the HTTP level
(``responses``) so akshare's own parsing runs:

* Eastmoney klines (``push2his.eastmoney.com/api/qt/stock/kline/get``, read from
  akshare 1.19.5 ``fund/fund_etf_em.py`` and ``stock_feature/stock_hist_em.py``):
  ``data.klines`` as comma-joined f51..f61 strings, ``data: null`` for codes
  Eastmoney does not know; the market id is the ``secid`` prefix;
* Sina B-share klines (``stock/stock_zh_b_sina.py``): ``hisdata_klc2/klc_kl.js``
  in Sina's compressed format (written by :mod:`.sina_codec`, decoded by
  akshare's own JS decoder in ``py_mini_racer``), the share-capital JSONP
  (``/*<script>...</script>*/`` guard, ``var KKE_ShareAmount_<sym>=([...]);``)
  and the forward-adjustment factors ``qfq.js`` (``var <sym>qfq={"data":[{"d", "f"}]}``).
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")
from responses import matchers  # noqa: E402

from eventstudy.exceptions import ProviderError  # noqa: E402
from eventstudy.market import get_prices, register_source  # noqa: E402
from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareSource  # noqa: E402

from .sina_codec import Bar, kline_payload  # noqa: E402

T = pd.Timestamp
KLINE = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
CLIST = "https://29.push2.eastmoney.com/api/qt/clist/get"
SINA = "https://finance.sina.com.cn/realstock/company"
SHARES = "https://stock.finance.sina.com.cn/stock/api/jsonp.php"

# f51 date, f52 open, f53 close, f54 high, f55 low, f56 volume (lots), f57 amount, f58 amplitude,
# f59 pct change, f60 change, f61 turnover: 510300.SH (华泰柏瑞沪深300ETF), January 2022
CSI300_ETF = [
    "2022-01-07,4.985,4.974,5.001,4.955,6391281,3180104588.000,0.92,-0.36,-0.018,3.07",
    "2022-01-10,4.967,4.975,4.985,4.934,5315712,2636493360.000,1.03,0.02,0.001,2.55",
    "2022-01-11,4.977,5.032,5.035,4.951,8234301,4128861208.000,1.69,1.15,0.057,3.95",
]
CHINEXT_ETF = "2022-01-10,3.401,3.377,3.410,3.351,4588810,1552316072.000,1.73,-0.82,-0.028,2.11"
BJ_STOCK = "2022-01-10,12.10,12.35,12.50,12.00,8810,10874502.00,4.13,2.07,0.25,1.35"


def kline(code: str, market: int, klines: list[str] | None, rc: int = 0) -> dict:
    data = None
    if klines is not None:
        data = {"code": code, "market": market, "name": "x", "decimal": 3,
                "dktotal": len(klines), "preKPrice": 1.0, "klines": klines}  # fmt: skip
    return {"rc": rc, "rt": 17, "svr": 181669437, "lt": 1, "full": 0, "dlmkts": "", "data": data}


def secid(value: str, **extra: str) -> list:
    return [matchers.query_param_matcher({"secid": value, **extra}, strict_match=False)]


def make_source(slept: list[float] | None = None, attempts: int = 3) -> AkshareSource:
    return AkshareSource(
        policy=RetryPolicy(attempts=attempts, timeout=7.5),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(0),
        limiter=None,
    )


# ------------------------------------------------------------------------- ETFs and funds


@responses.activate
def test_shanghai_etf_goes_to_fund_etf_hist_em_with_market_1() -> None:
    responses.add(responses.GET, KLINE, json=kline("510300", 1, CSI300_ETF),
                  match=secid("1.510300", fqt="1", beg="20220107", end="20220111"))  # fmt: skip
    bars = make_source().fetch("510300.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars["close"].tolist() == [4.974, 4.975, 5.032]
    assert bars.loc["2022-01-10", "volume"] == 5315712 * 100  # lots -> shares
    assert bars.loc["2022-01-10", "amount"] == 2636493360.0
    assert bars.attrs["notes"] == ["akshare.fund_etf_hist_em"]
    assert len(responses.calls) == 1


@responses.activate
def test_shenzhen_etf_goes_to_fund_etf_hist_em_with_market_0() -> None:
    responses.add(responses.GET, KLINE, json=kline("159915", 0, [CHINEXT_ETF]),
                  match=secid("0.159915", fqt="0"))  # fmt: skip
    day = T("2022-01-10")
    bars = make_source().fetch("159915.SZ", day, day, adjust="none")
    assert bars.loc[day, "close"] == 3.377
    assert bars.attrs["notes"] == ["akshare.fund_etf_hist_em"]


@responses.activate
def test_etf_through_get_prices_is_labelled_and_cached(cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, json=kline("510300", 1, CSI300_ETF),
                  match=secid("1.510300"))  # fmt: skip
    register_source("akshare", make_source())
    pf = get_prices("510300", "2022-01-07", "2022-01-11", cache_dir=cache_dir)  # a bare code
    assert pf.data["510300.SH"].tolist() == [4.974, 4.975, 5.032]
    assert pf.provenance.loc["510300.SH", "source"] == "akshare"
    assert "akshare.fund_etf_hist_em" in pf.provenance.loc["510300.SH", "note"]
    again = get_prices("510300.SH", "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert again.data["510300.SH"].tolist() == [4.974, 4.975, 5.032]
    assert len(responses.calls) == 1  # the second request is served by the cache


# ------------------------------------------------------------------------- Beijing, indices


@responses.activate
def test_beijing_stock_goes_to_stock_zh_a_hist_with_market_0() -> None:
    responses.add(responses.GET, KLINE, json=kline("920001", 0, [BJ_STOCK]),
                  match=secid("0.920001", fqt="1"))  # fmt: skip
    day = T("2022-01-10")
    bars = make_source().fetch("920001", day, day, adjust="qfq")  # bare: Beijing, not Shanghai
    assert bars.loc[day, "close"] == 12.35
    assert bars.attrs["notes"] == ["akshare.stock_zh_a_hist"]


@responses.activate
@pytest.mark.parametrize(
    ("symbol", "expected_secid"),
    [("399001.SZ", "0.399001"), ("899050.BJ", "0.899050"), ("930050.CSI", "2.930050"),
     ("000300.SH", "1.000300")],
)  # fmt: skip
def test_indices_by_exchange(symbol: str, expected_secid: str) -> None:
    # stock_zh_index_daily_em asks for f51..f58 only: 8 fields per kline
    row = "2022-01-10,14900.10,14952.60,14960.00,14801.20,35421553,517654321098.00,1.06"
    code = expected_secid.split(".")[1]
    responses.add(responses.GET, KLINE, json=kline(code, int(expected_secid[0]), [row]),
                  match=secid(expected_secid, klt="101", fqt="0"))  # fmt: skip
    day = T("2022-01-10")
    bars = make_source().fetch(symbol, day, day, adjust="qfq")
    assert bars.loc[day, "close"] == 14952.60
    assert bars.attrs["notes"] == ["akshare.stock_zh_index_daily_em"]


# ------------------------------------------------------------------------- B shares (Sina)

B_BARS = [
    Bar(dt.date(2022, 1, 7), 0.70, 0.71, 0.69, 0.70, 1_234_500, 864_000),
    Bar(dt.date(2022, 1, 10), 0.70, 0.72, 0.70, 0.72, 2_345_600, 1_671_234),
    Bar(dt.date(2022, 1, 11), 0.72, 0.73, 0.71, 0.71, 1_876_100, 1_341_200),
    Bar(dt.date(2022, 1, 13), 0.72, 0.74, 0.72, 0.73, 3_001_000, 2_190_730),  # 12th: no trade
]
SHARE_CAPITAL = (
    "/*<script>location.href='//sina.com';</script>*/\n"
    'var KKE_ShareAmount_sh900901=([{"date":"2021-06-30","amount":18350.9},'
    '{"date":"2016-12-31","amount":18350.9}]);'
)
# forward-adjustment factors, newest first; a factor applies from its date on
QFQ = 'var sh900901qfq={"total":2,"data":[{"d":"2022-01-11","f":"1.0000000000"},' \
      '{"d":"1900-01-01","f":"1.0500000000"}]}\n/* 2022-01-14 */'  # fmt: skip


def add_b_share(prefixed: str = "sh900901", bars: list[Bar] = B_BARS) -> None:
    responses.add(responses.GET, f"{SINA}/{prefixed}/hisdata_klc2/klc_kl.js",
                  body=kline_payload(prefixed, bars, prevclose=0.70))  # fmt: skip
    responses.add(
        responses.GET,
        f"{SHARES}/var%20KKE_ShareAmount_{prefixed}=/StockService.getAmountBySymbol",
        body=SHARE_CAPITAL.replace("sh900901", prefixed),
        match=[matchers.query_param_matcher({"_": "20", "symbol": prefixed})],
    )


@responses.activate
def test_shanghai_b_share_goes_to_sina_unadjusted() -> None:
    add_b_share()
    bars = make_source().fetch("900901.SH", T("2022-01-07"), T("2022-01-13"), adjust="none")
    assert list(bars.index) == [T("2022-01-07"), T("2022-01-10"), T("2022-01-11"), T("2022-01-13")]
    assert bars["close"].tolist() == [0.70, 0.72, 0.71, 0.73]
    assert bars.loc["2022-01-10", "volume"] == 2_345_600  # Sina reports shares, not lots
    assert "amount" not in bars.columns  # stock_zh_b_daily has no traded amount
    assert bars.attrs["notes"] == ["akshare.stock_zh_b_daily"]
    assert [c.request.url.split("?")[0].rsplit("/", 1)[-1] for c in responses.calls] == [
        "klc_kl.js", "StockService.getAmountBySymbol"]  # fmt: skip


@responses.activate
def test_b_share_forward_adjusted_by_sinas_factors() -> None:
    add_b_share("sz200002")
    qfq = QFQ.replace("sh900901", "sz200002")
    responses.add(responses.GET, f"{SINA}/sz200002/qfq.js", body=qfq)
    bars = make_source().fetch("200002.SZ", T("2022-01-07"), T("2022-01-13"), adjust="qfq")
    assert bars["close"].tolist() == [round(0.70 / 1.05, 2), round(0.72 / 1.05, 2), 0.71, 0.73]
    assert make_source().served_adjust("200002.SZ", "qfq") == "qfq"


@responses.activate
def test_b_share_through_get_prices(cache_dir) -> None:  # type: ignore[no-untyped-def]
    add_b_share()
    responses.add(responses.GET, f"{SINA}/sh900901/qfq.js", body=QFQ)
    register_source("akshare", make_source())
    pf = get_prices("900901", "2022-01-10", "2022-01-13", cache_dir=cache_dir)
    s = pf.data["900901.SH"]
    assert s.loc[[T("2022-01-11"), T("2022-01-13")]].tolist() == [0.71, 0.73]
    assert pd.isna(s.loc["2022-01-12"])  # a session without a B-share trade
    assert s.loc["2022-01-10"] == round(0.72 / 1.05, 2)  # before the factor's date
    assert "akshare.stock_zh_b_daily" in pf.provenance.loc["900901.SH", "note"]


# ------------------------------------------------------------------------- fault injection

HTML_ERROR = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@responses.activate
@pytest.mark.parametrize(
    ("fault", "body", "status"),
    [
        ("timeout", requests.exceptions.ReadTimeout("read timed out"), 200),
        ("5xx", "Internal Server Error", 500),
        ("html", HTML_ERROR, 502),
        ("html page with 200", HTML_ERROR, 200),
    ],
)
def test_etf_faults_end_in_provider_error_after_retries(
    fault: str, body: object, status: int
) -> None:
    for _ in range(3):
        responses.add(responses.GET, KLINE, body=body, status=status)  # type: ignore[arg-type]
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        make_source(slept).fetch("510300.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert (info.value.symbol, info.value.attempts) == ("510300.SH", 3)
    assert len(responses.calls) == 3
    assert len(slept) == 2


@responses.activate
def test_etf_5xx_then_success() -> None:
    responses.add(responses.GET, KLINE, status=503, body="Service Unavailable")
    responses.add(responses.GET, KLINE, json=kline("510300", 1, CSI300_ETF))
    bars = make_source().fetch("510300.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert len(bars) == 3
    assert len(responses.calls) == 2


@responses.activate
def test_unknown_etf_code_is_refused_once() -> None:
    responses.add(responses.GET, KLINE, json=kline("519999", 1, None, rc=102))
    with pytest.raises(ProviderError, match="unknown") as info:
        make_source().fetch("519999.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 1
    assert len(responses.calls) == 1


@responses.activate
def test_etf_without_trading_in_the_range_is_empty(cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, json=kline("510300", 1, []))
    register_source("akshare", make_source())
    pf = get_prices("510300.SH", "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.data["510300.SH"].isna().all()
    assert pf.failures.empty
    assert len(responses.calls) == 1


@responses.activate
def test_etf_partial_range_then_only_the_rest_is_fetched(cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, json=kline("510300", 1, CSI300_ETF[:2]),
                  match=secid("1.510300", beg="20220107", end="20220110"))  # fmt: skip
    responses.add(responses.GET, KLINE, json=kline("510300", 1, CSI300_ETF[1:]),
                  match=secid("1.510300", beg="20220110", end="20220111"))  # fmt: skip
    register_source("akshare", make_source())
    get_prices("510300.SH", "2022-01-07", "2022-01-10", cache_dir=cache_dir)
    pf = get_prices("510300.SH", "2022-01-07", "2022-01-11", cache_dir=cache_dir)
    assert pf.data["510300.SH"].tolist() == [4.974, 4.975, 5.032]
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize(
    ("fault", "body", "status"),
    [
        ("timeout", requests.exceptions.ConnectTimeout("connect timed out"), 200),
        ("5xx", "Internal Server Error", 500),
        ("html", HTML_ERROR, 200),
        ("empty", 'var KLC_KL_sh900901="";', 200),
    ],
)
def test_b_share_faults_end_in_provider_error(fault: str, body: object, status: int) -> None:
    url = f"{SINA}/sh900901/hisdata_klc2/klc_kl.js"
    for _ in range(3):
        responses.add(responses.GET, url, body=body, status=status)  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as info:
        make_source().fetch("900901.SH", T("2022-01-07"), T("2022-01-13"), adjust="none")
    assert (info.value.symbol, info.value.attempts) == ("900901.SH", 3)
    assert len([c for c in responses.calls if "klc_kl" in c.request.url]) == 3


@responses.activate
def test_b_share_partial_range_is_what_sina_has(cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Sina returns the whole history; a range beyond it gives the part it has."""
    add_b_share(bars=B_BARS[:2])
    register_source("akshare", make_source())
    pf = get_prices("900901.SH", "2022-01-07", "2022-01-11", adjust="none", cache_dir=cache_dir)
    s = pf.data["900901.SH"]
    assert s.loc["2022-01-07":"2022-01-10"].tolist() == [0.70, 0.72]
    assert pd.isna(s.loc["2022-01-11"])


# ------------------------------------------------------------------------- board members


def clist_row(code: str, name: str) -> dict:
    keys = [*range(1, 19), *range(20, 26), 45, 62, 115, 128, 136, 140, 141, 152]
    row: dict = {f"f{k}": 1.0 for k in keys}
    row.update({"f12": code, "f13": 0 if code[0] != "6" else 1, "f14": name})
    return row


@responses.activate
def test_board_members_classified_by_the_corrected_rules() -> None:
    """akshare drops f13 (the market): codes are placed by rule, 920xxx on Beijing."""
    diff = [clist_row("920001", "纬达光电"), clist_row("830799", "艾融软件"),
            clist_row("430047", "诺思兰德"), clist_row("600519", "贵州茅台"),
            clist_row("000001", "平安银行"), clist_row("300750", "宁德时代")]  # fmt: skip
    responses.add(responses.GET, CLIST, json={"rc": 0, "data": {"total": len(diff), "diff": diff}},
                  match=[matchers.query_param_matcher({"fs": "b:BK0896 f:!50"},
                                                      strict_match=False)])  # fmt: skip
    cons = make_source().board_constituents("BK0896")
    assert dict(zip(cons["name"], cons["symbol"], strict=True)) == {
        "纬达光电": "920001.BJ", "艾融软件": "830799.BJ", "诺思兰德": "430047.BJ",
        "贵州茅台": "600519.SH", "平安银行": "000001.SZ", "宁德时代": "300750.SZ"}  # fmt: skip
