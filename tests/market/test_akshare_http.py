"""akshare adapter against Eastmoney stubbed at the HTTP level (``responses``).

Payloads follow the real shapes read from akshare 1.19.5's source
(``stock_feature/stock_hist_em.py``, ``stock/stock_board_concept_em.py``,
``stock/stock_board_industry_em.py``, ``index/index_stock_zh.py``,
``utils/func.py``): kline ``data.klines`` as comma-joined f51..f61 strings,
``data: null`` for unknown codes, clist ``data.diff`` lists of dicts. akshare's
own parsing runs on them; only the transport is fake.
"""

from __future__ import annotations

import itertools
import json
import random
import time

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")
from responses import matchers  # noqa: E402

from eventstudy.exceptions import ProviderError  # noqa: E402
from eventstudy.market import get_prices, register_source  # noqa: E402
from eventstudy.market._net import RateLimiter, RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareSource, scoped_requests  # noqa: E402

T = pd.Timestamp
KLINE = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
CONCEPT = "https://91.push2his.eastmoney.com/api/qt/stock/kline/get"
INDUSTRY = "http://7.push2his.eastmoney.com/api/qt/stock/kline/get"
CLIST = "https://29.push2.eastmoney.com/api/qt/clist/get"

# f51 date, f52 open, f53 close, f54 high, f55 low, f56 volume (lots), f57 amount,
# f58 amplitude, f59 pct change, f60 change, f61 turnover (600519.SH, qfq, real values)
MOUTAI = [
    "2022-01-07,1747.45,1718.25,1759.73,1715.88,29817,5831695311.00,2.50,-1.66,-29.05,0.24",
    "2022-01-10,1705.87,1739.49,1749.22,1696.62,29627,5792738145.00,3.08,1.24,21.24,0.24",
    "2022-01-11,1723.56,1716.97,1738.60,1708.67,22277,4332180604.00,1.72,-1.29,-22.52,0.18",
]


def kline_payload(code: str, market: int, klines: list[str] | None, rc: int = 0) -> dict:
    data = None
    if klines is not None:
        data = {"code": code, "market": market, "name": "x", "decimal": 2,
                "dktotal": len(klines), "preKPrice": 1.0, "klines": klines}  # fmt: skip
    return {"rc": rc, "rt": 17, "svr": 181669437, "lt": 1, "full": 0, "dlmkts": "", "data": data}


def make_source(slept: list[float] | None = None, attempts: int = 3) -> AkshareSource:
    return AkshareSource(
        policy=RetryPolicy(attempts=attempts, timeout=7.5),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(0),
        limiter=None,
    )


@responses.activate
def test_stock_kline_parsed_translated_and_timed_out() -> None:
    responses.add(
        responses.GET, KLINE, json=kline_payload("600519", 1, MOUTAI),
        match=[matchers.query_param_matcher(
            {"secid": "1.600519", "fqt": "1", "klt": "101", "beg": "20220107", "end": "20220111"},
            strict_match=False)],
    )  # fmt: skip
    bars = make_source().fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert bars.loc["2022-01-10", "close"] == 1739.49
    assert bars.loc["2022-01-10", "volume"] == 29627 * 100  # lots -> shares
    assert bars.loc["2022-01-10", "amount"] == 5792738145.0
    assert list(bars.columns) == ["open", "high", "low", "close", "volume", "amount"]
    assert responses.calls[0].request.req_kwargs["timeout"] == (5.0, 7.5)  # (connect, read)


@responses.activate
def test_index_and_boards_use_their_functions_and_a_timeout() -> None:
    # stock_zh_index_daily_em asks for f51..f58 only: 8 fields per kline
    csi300 = "2022-01-10,4812.23,4844.05,4844.39,4780.82,156211696,305033816783.50,1.32"
    liquor = "2022-01-10,2001.1,2010.5,2020.0,1990.0,1234567,9876543210.0,1.5,0.4,8.0,0.6"
    banks = "2022-01-10,1.0,2.0,2.0,1.0,10,20.0,1.0,1.0,1.0,1.0"

    def params(**kw: str) -> list:
        return [matchers.query_param_matcher(kw, strict_match=False)]

    responses.add(responses.GET, KLINE, json=kline_payload("000300", 1, [csi300]),
                  match=params(secid="1.000300", beg="20220110"))  # fmt: skip
    responses.add(responses.GET, CONCEPT, json=kline_payload("BK0896", 90, [liquor]),
                  match=params(secid="90.BK0896"))  # fmt: skip
    responses.add(responses.GET, INDUSTRY, json=kline_payload("BK0477", 90, [banks]),
                  match=params(secid="90.BK0477", klt="101"))  # fmt: skip
    src = make_source()
    day = T("2022-01-10")
    assert src.fetch("000300.SH", day, day, adjust="qfq").loc[day, "close"] == 4844.05
    board = src.fetch("BK0896", day, day, adjust="qfq")
    assert board.loc[day, "close"] == 2010.5
    assert board.loc[day, "volume"] == 123456700
    assert src.served_adjust("BK0896", "qfq") == "none"
    from eventstudy.datasets import board_table

    assert board_table().set_index("code").loc["BK0477", "board_type"] == "industry"
    assert src.fetch("BK0477", day, day, adjust="qfq").loc[day, "close"] == 2.0
    assert all(c.request.req_kwargs["timeout"] == (5.0, 7.5) for c in responses.calls)


@responses.activate
def test_500_then_success_is_retried_with_backoff() -> None:
    responses.add(responses.GET, KLINE, status=500, body="Internal Server Error")
    responses.add(responses.GET, KLINE, json=kline_payload("600519", 1, MOUTAI))
    slept: list[float] = []
    bars = make_source(slept).fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert len(bars) == 3
    assert len(responses.calls) == 2
    assert len(slept) == 1
    assert 0.5 <= slept[0] <= 0.5 * 1.25


@responses.activate
@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("timeout", requests.exceptions.ReadTimeout("read timed out")),
        ("connection", requests.exceptions.ConnectionError("reset by peer")),
        ("malformed", "{'rc': 0, data: [truncated"),
    ],
)
def test_persistent_faults_end_in_provider_error(kind: str, body: object) -> None:
    for _ in range(3):
        responses.add(responses.GET, KLINE, body=body)  # type: ignore[arg-type]
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        make_source(slept).fetch("600519.SH", T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    err = info.value
    assert (err.symbol, err.source, err.attempts) == ("600519.SH", "akshare", 3)
    assert err.cause is not None
    assert "600519.SH" in str(err)
    assert "3 attempt" in str(err)
    assert len(responses.calls) == 3
    assert len(slept) == 2
    assert 0.5 <= slept[0] <= 0.625
    assert 1.0 <= slept[1] <= 1.25


@responses.activate
def test_unknown_concept_board_is_not_retried() -> None:
    responses.add(responses.GET, CONCEPT, json={"rc": 102, "data": None, "dsc": "no such code"})
    with pytest.raises(ProviderError, match="refused") as info:
        make_source().fetch("BK0896", T("2022-01-10"), T("2022-01-10"), adjust="qfq")
    assert info.value.attempts == 1


@responses.activate
def test_messy_rows_are_cleaned_by_get_prices(cache_dir) -> None:  # type: ignore[no-untyped-def]
    rows = [
        MOUTAI[2],  # unsorted
        MOUTAI[0],
        MOUTAI[1].replace("1739.49", "0.00"),  # zero price
        MOUTAI[1],  # duplicate date: the later row wins
        "2022-01-12,1716.0,-,1720.0,1700.0,20000,1.0,1,1,1,1",  # missing close ('-')
    ]
    responses.add(responses.GET, KLINE, json=kline_payload("600519", 1, rows))
    register_source("akshare", make_source())
    pf = get_prices("600519.SH", "2022-01-07", "2022-01-12", source="akshare", cache_dir=cache_dir)
    s = pf.data["600519.SH"]
    assert s.loc["2022-01-07":"2022-01-11"].tolist() == [1718.25, 1739.49, 1716.97]
    assert pd.isna(s.loc["2022-01-12"])
    note = pf.provenance.loc["600519.SH", "note"]
    assert "sorted rows by date" in note
    assert "duplicate" in note


@responses.activate
def test_partial_range_then_only_the_rest_is_fetched(cache_dir) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, KLINE, json=kline_payload("600519", 1, MOUTAI[:2]),
                  match=[matchers.query_param_matcher({"beg": "20220107", "end": "20220110"},
                                                      strict_match=False)])  # fmt: skip
    # the second fetch overlaps the last cached session (adjustment-basis check)
    responses.add(responses.GET, KLINE, json=kline_payload("600519", 1, MOUTAI[1:]),
                  match=[matchers.query_param_matcher({"beg": "20220110", "end": "20220111"},
                                                      strict_match=False)])  # fmt: skip
    register_source("akshare", make_source())
    get_prices("600519.SH", "2022-01-07", "2022-01-10", source="akshare", cache_dir=cache_dir)
    pf = get_prices("600519.SH", "2022-01-07", "2022-01-11", source="akshare", cache_dir=cache_dir)
    assert pf.data["600519.SH"].tolist() == [1718.25, 1739.49, 1716.97]
    assert len(responses.calls) == 2


def test_rate_limiter_spaces_calls() -> None:
    clock = [100.0]
    slept: list[float] = []

    def sleep(x: float) -> None:
        slept.append(x)
        clock[0] += x

    limiter = RateLimiter(0.35, clock=lambda: clock[0], sleep=sleep)
    calls: list[float] = []
    src = AkshareSource(
        fetcher=lambda name, kw: (calls.append(clock[0]), pd.DataFrame(
            {"日期": ["2022-01-10"], "收盘": [1.0]}))[1],
        limiter=limiter, sleep=sleep,
    )  # fmt: skip
    for _ in range(3):
        src.fetch("600519.SH", T("2022-01-10"), T("2022-01-10"), adjust="qfq")
    assert [round(b - a, 6) for a, b in itertools.pairwise(calls)] == [0.35, 0.35]


def clist_row(code: str, market: int, name: str) -> dict:
    keys = [*range(1, 19), *range(20, 26), 45, 62, 115, 128, 136, 140, 141, 152]
    row: dict = {f"f{k}": 1.0 for k in keys}
    row.update({"f12": code, "f13": market, "f14": name})
    return row


@responses.activate
def test_board_constituents_from_clist() -> None:
    diff = [clist_row("600519", 1, "贵州茅台"), clist_row("000858", 0, "五粮液")]
    responses.add(responses.GET, CLIST, json={"rc": 0, "data": {"total": 2, "diff": diff}},
                  match=[matchers.query_param_matcher({"fs": "b:BK0896 f:!50"},
                                                      strict_match=False)])  # fmt: skip
    cons = make_source().board_constituents("BK0896")
    assert sorted(cons["symbol"]) == ["000858.SZ", "600519.SH"]
    assert set(cons["board_code"]) == {"BK0896"}


@responses.activate
def test_board_constituents_keep_ambiguous_codes() -> None:
    """Review finding 5: 000001 (Ping An Bank) is a stock here, not a lost symbol."""
    diff = [clist_row("000001", 0, "平安银行"), clist_row("600036", 1, "招商银行")]
    responses.add(responses.GET, CLIST, json={"rc": 0, "data": {"total": 2, "diff": diff}},
                  match=[matchers.query_param_matcher({"fs": "b:BK0475 f:!50"},
                                                      strict_match=False)])  # fmt: skip
    cons = make_source().board_constituents("BK0475")
    assert cons.set_index("name").loc["平安银行", "symbol"] == "000001.SZ"
    assert cons["symbol"].notna().all()


# keys Eastmoney returns for the board-name lists, in its (numeric) order; akshare names the
# columns by position (stock_board_concept_name_em: 26 keys, stock_board_industry_name_em: 41)
CONCEPT_LIST_KEYS = [2, 3, 4, 8, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 24, 25, 33, 62, 104,
                     105, 107, 124, 128, 136, 140, 141]  # fmt: skip
INDUSTRY_LIST_KEYS = [*range(1, 19), *range(20, 27), 33, 62, 104, 105, 107, 115, 124, 128, 136,
                      140, 141, 152, 207, 208, 209, 222]  # fmt: skip


def list_row(keys: list[int], code: str, name: str, change: float) -> dict:
    row: dict = {f"f{k}": 1.0 for k in keys}
    row.update({"f12": code, "f14": name, "f3": change, "f128": "贵州茅台"})
    return row


@responses.activate
@pytest.mark.parametrize(
    ("kind", "url", "fs", "keys"),
    [
        ("concept", "https://79.push2.eastmoney.com/api/qt/clist/get", "m:90 t:3 f:!50",
         CONCEPT_LIST_KEYS),
        ("industry", "https://17.push2.eastmoney.com/api/qt/clist/get", "m:90 t:2 f:!50",
         INDUSTRY_LIST_KEYS),
    ],
)  # fmt: skip
def test_board_list_from_clist(kind: str, url: str, fs: str, keys: list[int]) -> None:
    import akshare.stock.stock_board_concept_em as concept_mod

    getattr(concept_mod, "__stock_board_concept_name_em").cache_clear()  # akshare caches it
    diff = [list_row(keys, "BK0896", "白酒", 1.5), list_row(keys, "BK0475", "银行", -0.5)]
    responses.add(responses.GET, url, json={"rc": 0, "data": {"total": 2, "diff": diff}},
                  match=[matchers.query_param_matcher({"fs": fs, "pn": "1"},
                                                      strict_match=False)])  # fmt: skip
    table = make_source().board_list(kind)
    assert table.columns.tolist() == ["code", "name", "board_type", "as_of"]
    assert sorted(zip(table["code"], table["name"], strict=True)) == [
        ("BK0475", "银行"), ("BK0896", "白酒")]  # fmt: skip
    assert set(table["board_type"]) == {kind}
    assert all(c.request.req_kwargs["timeout"] is not None for c in responses.calls)


@responses.activate
def test_suspended_for_the_whole_range_is_empty_not_a_failure(cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Review finding 6: Eastmoney knows the code (data with code) but has no klines."""
    responses.add(responses.GET, KLINE, json=kline_payload("000002", 0, []))
    register_source("akshare", make_source())
    pf = get_prices(["000002.SZ"], "2016-03-01", "2016-03-10", source="akshare",
                    cache_dir=cache_dir)  # fmt: skip
    assert len(responses.calls) == 1  # not retried
    assert len(pf.data) == 8  # the Shanghai sessions of the range
    assert pf.data["000002.SZ"].isna().all()
    assert pf.failures.empty
    # the range is recorded as covered: asking again does not touch the network
    again = get_prices("000002.SZ", "2016-03-01", "2016-03-10", source="akshare",
                       cache_dir=cache_dir)  # fmt: skip
    assert len(responses.calls) == 1
    assert again.data["000002.SZ"].isna().all()


@responses.activate
@pytest.mark.parametrize(
    ("symbol", "url", "payload"),
    [
        ("600519.SH", KLINE, kline_payload("600519", 1, None, rc=102)),
        ("600519.SH", KLINE, kline_payload("600519", 1, [], rc=102)),
        ("000300.SH", KLINE, kline_payload("000300", 1, None, rc=102)),
        ("BK0477", INDUSTRY, {"rc": 102, "data": None}),
    ],
)
def test_unknown_code_is_refused_once(symbol: str, url: str, payload: dict) -> None:
    """data: null / rc != 0 is the unknown-code answer: not transient, not retried."""
    for _ in range(3):
        responses.add(responses.GET, url, json=payload)
    slept: list[float] = []
    with pytest.raises(ProviderError, match="unknown") as info:
        make_source(slept).fetch(symbol, T("2022-01-07"), T("2022-01-11"), adjust="qfq")
    assert info.value.attempts == 1
    assert len(responses.calls) == 1
    assert slept == []


# ------------------------------------------------- the transport is scoped to the calling thread


class _SlowServer:
    """A local HTTP server answering every GET after ``delay`` seconds with a kline-like JSON."""

    def __init__(self, delay: float) -> None:
        import http.server
        import threading

        self.got = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.got.set()
                time.sleep(delay)
                body = json.dumps({"rc": 102, "data": None}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # keep the test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        # the path looks like an Eastmoney kline request: it would be collected if the
        # akshare scope leaked into other threads
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/qt/stock/kline/get"

    def __enter__(self) -> _SlowServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@responses.activate
def test_akshare_call_leaves_a_concurrent_plain_request_alone() -> None:
    """Issue 10: the akshare timeout is not injected into another thread's requests."""
    import threading

    csi300 = "2022-01-10,4812.23,4844.05,4844.39,4780.82,156211696,305033816783.50,1.32"
    original = requests.sessions.Session.request
    with _SlowServer(delay=1.0) as server:
        responses.add_passthru(server.url)
        plain: dict[str, object] = {}

        def kline(request: object) -> tuple[int, dict[str, str], str]:
            # inside the akshare call: let the other thread start its plain request now
            started.set()
            assert server.got.wait(10), "the plain request never reached the server"
            return 200, {}, json.dumps(kline_payload("000300", 1, [csi300]))

        def plain_call() -> None:
            assert started.wait(10)
            t0 = time.monotonic()
            try:
                plain["status"] = requests.get(server.url).status_code  # no timeout of its own
            except requests.exceptions.RequestException as err:
                plain["error"] = err
            plain["seconds"] = time.monotonic() - t0

        started = threading.Event()
        responses.add_callback(responses.GET, KLINE, callback=kline)
        other = threading.Thread(target=plain_call)
        other.start()
        src = AkshareSource(policy=RetryPolicy(attempts=1, timeout=0.3), limiter=None)
        bars = src.fetch("000300.SH", T("2022-01-10"), T("2022-01-10"), adjust="qfq")
        other.join(10)
    assert bars.loc[T("2022-01-10"), "close"] == 4844.05
    # the akshare request (stock_zh_index_daily_em has no timeout parameter) got 0.3 s ...
    assert [c.request.req_kwargs["timeout"] for c in responses.calls] == [(0.3, 0.3)]
    # ... the plain one none: it waited the server's full second and succeeded
    assert "error" not in plain, plain.get("error")
    assert plain["status"] == 200
    assert float(plain["seconds"]) >= 1.0  # type: ignore[arg-type]
    assert requests.sessions.Session.request is original  # nothing left behind


def test_scoped_requests_collects_and_times_out_the_calling_thread_only() -> None:
    import threading

    original = requests.sessions.Session.request
    with _SlowServer(delay=0.6) as server:
        outside: dict[str, object] = {}
        inside = threading.Event()

        def plain_call() -> None:
            assert inside.wait(10)
            outside["status"] = requests.get(server.url).status_code

        other = threading.Thread(target=plain_call)
        other.start()
        with scoped_requests(0.2) as seen:
            inside.set()
            other.join(10)  # the other thread's kline-like request completes inside the scope
            assert outside == {"status": 200}
            assert seen == []  # ... and was not collected
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.get(server.url)  # this thread's own request gets the 0.2 s timeout
            assert requests.sessions.Session.request is not original
        assert requests.sessions.Session.request is original
        with scoped_requests(5.0) as seen:
            assert requests.get(server.url).json() == {"rc": 102, "data": None}
        assert len(seen) == 1  # this thread's kline response, for the unknown-code verdict
        assert requests.sessions.Session.request is original
