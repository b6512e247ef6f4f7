"""Point-in-time lists (ST, suspensions, delistings) refreshed through akshare, stubbed at HTTP.

Answers follow the shapes read from akshare 1.19.5's source, so akshare's own parsing runs:

- ``stock_zh_a_st_em`` (``stock/stock_zh_a_special.py``): Eastmoney ``40.push2 .../clist/get``
  with ``fs=m:0 f:4,m:1 f:4``, ``{"rc": 0, "data": {"total": n, "diff": [...]}}``; akshare
  names the columns by position (``f12`` code, ``f14`` name), so a row carries the keys
  Eastmoney returns for the requested fields, in field order (``data: null`` when empty);
- ``stock_tfp_em(date)`` (``stock_feature/stock_tfp_em.py``): Eastmoney
  ``datacenter-web .../api/data/v1/get`` (``reportName=RPT_CUSTOM_SUSPEND_DATA_INTERFACE``,
  ``filter=(MARKET="全部")(DATETIME='YYYY-MM-DD')``), ``{"result": {"pages": 1, "data": [...]}}``
  with 12 keys per row named by position; ``result: null`` for a day without data;
- ``stock_info_sh_delist`` (``stock/stock_info.py``): SSE ``query.sse.com.cn/commonQuery.do``,
  ``{"result": [{"COMPANY_CODE", "COMPANY_ABBR", "LIST_DATE", "DELIST_DATE", ...}]}``;
- ``stock_info_sz_delist``: SZSE ``ShowReport?SHOWTYPE=xlsx&CATALOGID=1793_ssgs&TABKEY=tab2``,
  an Excel file ``证券代码, 证券简称, 上市日期, 终止上市日期``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pandas as pd
import pytest

responses = pytest.importorskip("responses")
from responses import matchers  # noqa: E402

from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareReference  # noqa: E402
from eventstudy.market.refresh import refresh_reference  # noqa: E402
from eventstudy.reference.store import LIST_COLUMNS, ReferenceStore  # noqa: E402

from .test_refresh_http import xlsx  # noqa: E402

ST_URL = "https://40.push2.eastmoney.com/api/qt/clist/get"
TFP_URL = "https://datacenter-web.eastmoney.com/api/data/v1/get"
SSE_DELIST = "https://query.sse.com.cn/commonQuery.do"
SZSE = "https://www.szse.cn/api/report/ShowReport"
DAY1 = pd.Timestamp("2026-08-03 16:00", tz="Asia/Shanghai")
DAY2 = pd.Timestamp("2026-08-04 16:00", tz="Asia/Shanghai")
# the fields stock_zh_a_st_em asks for, as Eastmoney returns them (f140/f141 come with f128)
ST_KEYS = [*range(2, 19), *range(20, 26), 62, 115, 128, 136, 140, 141, 152]
TFP_KEYS = ["SECURITY_CODE", "SECURITY_NAME_ABBR", "SUSPEND_START_TIME", "SUSPEND_END_TIME",
            "SUSPEND_EXPIRE", "SUSPEND_REASON", "TRADE_MARKET", "SUSPEND_START_DATE",
            "PREDICT_RESUME_DATE", "TRADE_MARKET_CODE", "SECUCODE", "SUSPEND_END_DATE"]  # fmt: skip


def q(**params: str) -> list:
    return [matchers.query_param_matcher(params, strict_match=False)]


def source() -> AkshareReference:
    return AkshareReference(
        policy=RetryPolicy(attempts=2, timeout=7.5), sleep=[].append, rng=random.Random(0),
        limiter=None,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _instant_akshare_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


def st_body(rows: list[tuple[str, int, str]]) -> dict:
    diff = []
    for code, market, name in rows:
        row: dict = {f"f{k}": 1.5 for k in ST_KEYS}
        row.update({"f12": code, "f13": market, "f14": name, "f128": "-", "f140": "-"})
        diff.append(row)
    return {"rc": 0, "rt": 6, "svr": 1, "lt": 1, "full": 1, "dlmkts": "",
            "data": {"total": len(diff), "diff": diff} if diff else None}  # fmt: skip


def tfp_body(rows: list[tuple[str, str, str, str | None, str]]) -> dict:
    data = []
    for code, name, start, end, reason in rows:
        values = [code, name, f"{start} 09:30:00", None if end is None else f"{end} 15:00:00",
                  "连续停牌" if end is None else "停牌1天", reason, "深交所主板" if code[0] == "0"
                  else "上交所主板", f"{start} 00:00:00", None, "069001002001",
                  f"{code}.{'SZ' if code[0] in '03' else 'SH'}", None]  # fmt: skip
        data.append(dict(zip(TFP_KEYS, values, strict=True)))
    if not data:
        return {"version": None, "result": None, "success": False, "message": "返回数据为空",
                "code": 9201}  # fmt: skip
    return {"version": "x", "result": {"pages": 1, "data": data, "count": len(data)},
            "success": True, "message": "ok", "code": 0}  # fmt: skip


def sse_delist_body(rows: list[tuple[str, str, str, str]]) -> dict:
    result = [{"COMPANY_CODE": c, "COMPANY_ABBR": n, "LIST_DATE": ld, "DELIST_DATE": dd,
               "FULL_NAME": f"{n}股份有限公司", "STOCK_TYPE": "1", "NUM": str(i + 1)}
              for i, (c, n, ld, dd) in enumerate(rows)]  # fmt: skip
    return {"actionErrors": [], "isPagination": "true", "result": result,
            "pageHelp": {"data": result, "total": len(result)}}  # fmt: skip


def sz_delist(rows: list[tuple[str, str, str, str]]) -> bytes:
    return xlsx(pd.DataFrame(rows, columns=["证券代码", "证券简称", "上市日期", "终止上市日期"]))


def add_all(*, st_status: int = 200, tfp_day: str = "2026-08-03") -> None:
    st = [("600200", 1, "*ST江苏"), ("000004", 0, "ST国华"), ("300313", 0, "*ST天山")]
    responses.add(responses.GET, ST_URL, json=st_body(st), status=st_status,
                  match=q(fs="m:0 f:4,m:1 f:4"))  # fmt: skip
    stops = [("000004", "国华网安", "2026-07-30", None, "刊登重要公告"),
             ("600519", "贵州茅台", "2026-08-03", "2026-08-03", "股东大会")]  # fmt: skip
    responses.add(responses.GET, TFP_URL, json=tfp_body(stops),
                  match=q(filter=f"(MARKET=\"全部\")(DATETIME='{tfp_day}')"))  # fmt: skip
    sh = [("600001", "邯郸钢铁", "19980122", "20091229"), ("600002", "齐鲁石化", "19980408",
                                                            "20060424")]  # fmt: skip
    responses.add(responses.GET, SSE_DELIST, json=sse_delist_body(sh), match=q(STOCK_TYPE="1,2,8"))
    sz = [(3, "PT金田A", "1991-07-03", "2002-06-14"), ("000013", "*ST石化A", "1992-05-06",
                                                       "2004-09-20")]  # fmt: skip
    responses.add(responses.GET, SZSE, body=sz_delist(sz),  # type: ignore[arg-type]
                  match=q(CATALOGID="1793_ssgs", TABKEY="tab2"))  # fmt: skip


@responses.activate
def test_lists_are_written_as_dated_snapshots_with_canonical_symbols(tmp_path: Path) -> None:
    add_all()
    report = refresh_reference(["st", "suspensions", "delisted"], cache_dir=tmp_path,
                               source=source(), now=DAY1)  # fmt: skip
    assert report.ok, report.summary()
    assert report.rows == {"st": 3, "suspensions": 2, "delisted": 4}
    store = ReferenceStore(tmp_path)
    st = store.list_history("st")
    assert st.columns.tolist() == LIST_COLUMNS["st"]
    assert sorted(st["symbol"]) == ["000004.SZ", "300313.SZ", "600200.SH"]
    assert set(st["as_of"]) == {"2026-08-03"}
    assert set(st["source"]) == {"akshare_em_st"}
    stops = store.list_history("suspensions").set_index("symbol")
    assert stops.loc["000004.SZ", ["start", "end", "reason"]].tolist() == [
        "2026-07-30", "", "刊登重要公告"
    ]  # fmt: skip
    assert stops.loc["600519.SH", "end"] == "2026-08-03"
    gone = store.list_history("delisted").set_index("symbol")
    assert gone.loc["000003.SZ", ["name", "list_date", "delist_date"]].tolist() == [
        "PT金田A", "1991-07-03", "2002-06-14"
    ]  # fmt: skip
    assert gone.loc["600001.SH", "delist_date"] == "2009-12-29"
    assert gone.loc["600001.SH", "source"] == "akshare_sse_delist"


@responses.activate
def test_the_store_keeps_each_days_st_snapshot(tmp_path: Path) -> None:
    add_all()
    refresh_reference("st", cache_dir=tmp_path, source=source(), now=DAY1)
    responses.replace(responses.GET, ST_URL, json=st_body([("600200", 1, "*ST江苏")]),
                      match=q(fs="m:0 f:4,m:1 f:4"))  # fmt: skip
    refresh_reference("st", cache_dir=tmp_path, source=source(), now=DAY2)
    store = ReferenceStore(tmp_path)
    st = store.list_history("st")
    assert st.groupby("as_of")["symbol"].apply(sorted).to_dict() == {
        "2026-08-03": ["000004.SZ", "300313.SZ", "600200.SH"],
        "2026-08-04": ["600200.SH"],
    }
    listing = store.listing()
    assert listing.loc[listing["table"] == "st", "as_of"].tolist() == ["2026-08-03", "2026-08-04"]


@responses.activate
def test_suspensions_of_past_days_are_one_snapshot_each(tmp_path: Path) -> None:
    add_all(tfp_day="2026-07-31")
    responses.add(responses.GET, TFP_URL,
                  json=tfp_body([("000004", "国华网安", "2026-07-30", None, "刊登重要公告")]),
                  match=q(filter="(MARKET=\"全部\")(DATETIME='2026-07-30')"))  # fmt: skip
    report = refresh_reference("suspensions", cache_dir=tmp_path, source=source(), now=DAY1,
                               suspension_dates=["2026-07-30", "2026-07-31"])  # fmt: skip
    assert report.ok, report.summary()
    stops = ReferenceStore(tmp_path).list_history("suspensions")
    assert stops.groupby("as_of")["symbol"].apply(sorted).to_dict() == {
        "2026-07-30": ["000004.SZ"],
        "2026-07-31": ["000004.SZ", "600519.SH"],
    }


@responses.activate
def test_st_5xx_is_retried_then_reported_and_the_other_lists_are_written(tmp_path: Path) -> None:
    add_all(st_status=503)
    report = refresh_reference(["st", "suspensions"], cache_dir=tmp_path, source=source(),
                               now=DAY1)  # fmt: skip
    assert report.failures[["what", "reason"]].values.tolist() == [["st", "provider_failed"]]
    assert report.rows == {"suspensions": 2}
    assert ReferenceStore(tmp_path).list_history("st").empty
    st_calls = [c for c in responses.calls if c.request.url.startswith(ST_URL)]
    assert len(st_calls) > 2  # akshare's own retries inside each of our 2 attempts


@responses.activate
@pytest.mark.parametrize("what", ["st", "suspensions", "delisted"])
def test_an_empty_answer_is_a_failure_and_nothing_is_written(what: str, tmp_path: Path) -> None:
    responses.add(responses.GET, ST_URL, json=st_body([]))
    responses.add(responses.GET, TFP_URL, json=tfp_body([]))
    responses.add(responses.GET, SSE_DELIST, json=sse_delist_body([]))
    responses.add(responses.GET, SZSE, body=sz_delist([]))
    report = refresh_reference(what, cache_dir=tmp_path, source=source(), now=DAY1)  # type: ignore[arg-type]
    assert not report.ok
    assert set(report.failures["what"]) == {what}
    assert report.snapshots == []
    assert ReferenceStore(tmp_path).listing().empty


@responses.activate
@pytest.mark.parametrize(
    ("url", "kw"), [(SSE_DELIST, {"json": {"error": "x"}}), (SZSE, {"status": 500})]
)
def test_one_delisting_list_failing_keeps_the_other(url: str, kw: dict, tmp_path: Path) -> None:
    add_all()
    responses.replace(responses.GET, url, **kw)
    report = refresh_reference("delisted", cache_dir=tmp_path, source=source(), now=DAY1)
    assert len(report.failures) == 1
    assert report.rows["delisted"] == 2
