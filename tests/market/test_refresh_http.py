"""The live reference refresh against the exchanges and Eastmoney stubbed at the HTTP level.

Answers follow the shapes read from akshare 1.19.5's source (``stock/stock_info.py``,
``stock/stock_board_concept_em.py``, ``stock/stock_board_industry_em.py``,
``utils/func.py``) and public descriptions of the endpoints:

- SSE ``query.sse.com.cn/sseQuery/commonQuery.do``: JSON with ``result`` (and ``pageHelp``) rows
  keyed ``A_STOCK_CODE``, ``SEC_NAME_CN``, ``LIST_DATE`` (``YYYYMMDD``), ...;
- SZSE ``ShowReport?SHOWTYPE=xlsx``: an Excel file, 22 columns for ``CATALOGID=1110``
  (``板块, 公司全称, ..., A股代码, A股简称, A股上市日期, ...``) and the rename table of
  ``CATALOGID=SSGSGMXX`` (``变更日期, 证券代码, 证券简称, 变更前简称, 变更后简称``);
- BSE ``nqxxCnzq.do`` (POST): ``null([{"content": [...], "totalPages": 1, ...}])``; akshare
  names the 48 keys of a row by position;
- Eastmoney ``clist/get``: ``{"rc": 0, "data": {"total": n, "diff": [...]}}``, ``data: null``
  when a board has no member.

akshare's own parsing runs on them; only the transport is fake.
"""

from __future__ import annotations

import io
import json
import random
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")
from responses import matchers  # noqa: E402

from eventstudy.exceptions import DataUnavailableError  # noqa: E402
from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareReference  # noqa: E402
from eventstudy.market.refresh import refresh_reference  # noqa: E402
from eventstudy.reference.store import ReferenceStore, current_master  # noqa: E402

from .test_akshare_http import (  # noqa: E402
    CONCEPT_LIST_KEYS,
    INDUSTRY_LIST_KEYS,
    clist_row,
    list_row,
)

SSE = "https://query.sse.com.cn/sseQuery/commonQuery.do"
SZSE = "https://www.szse.cn/api/report/ShowReport"
BSE = "https://www.bse.cn/nqxxController/nqxxCnzq.do"
CONCEPT_LIST = "https://79.push2.eastmoney.com/api/qt/clist/get"
INDUSTRY_LIST = "https://17.push2.eastmoney.com/api/qt/clist/get"
CONS = "https://29.push2.eastmoney.com/api/qt/clist/get"
DAY1 = pd.Timestamp("2026-08-03 16:00", tz="Asia/Shanghai")
DAY2 = pd.Timestamp("2026-09-01 16:00", tz="Asia/Shanghai")


def q(**params: str) -> list:
    """Match requests carrying these query parameters (others may be there too)."""
    return [matchers.query_param_matcher(params, strict_match=False)]


def source(slept: list[float] | None = None, **kw: object) -> AkshareReference:
    return AkshareReference(
        policy=RetryPolicy(attempts=3, timeout=7.5),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(0),
        limiter=None,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def _instant_akshare_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """akshare's own retry loop and page delay call time.sleep: no waiting in tests."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


# ------------------------------------------------------------------ recorded answers


def sse_row(code: str, name: str, list_date: str, full: str) -> dict:
    return {
        "A_STOCK_CODE": code, "AREA_NAME_DESC": "贵州", "B_STOCK_CODE": "-",
        "COMPANY_ABBR": name, "COMPANY_ABBR_EN": "", "COMPANY_CODE": code,
        "CSRC_CODE": "C", "CSRC_CODE_DESC": "制造业", "DELIST_DATE": "-", "FULL_NAME": full,
        "LIST_BOARD": "1", "LIST_DATE": list_date, "NUM": "1", "SEC_NAME_CN": name,
        "SEC_NAME_FULL": name, "STATE_CODE_A_DESC": "上市", "STOCK_TYPE": "1",
    }  # fmt: skip


def sse_body(rows: list[dict]) -> dict:
    return {
        "actionErrors": [], "actionMessages": [], "isPagination": "true", "locale": "zh_CN",
        "pageHelp": {"beginPage": 1, "cacheSize": 1, "data": rows, "endPage": 1,
                     "pageCount": 1, "pageNo": 1, "pageSize": 10000, "total": len(rows)},
        "result": rows, "securityCode": "", "type": "inParams",
    }  # fmt: skip


SZ_HEADER = ["板块", "公司全称", "英文名称", "注册地址", "A股代码", "A股简称", "A股上市日期",
             "A股总股本", "A股流通股本", "B股代码", "B股 简 称", "B股上市日期", "B股总股本",
             "B股流通股本", "地区", "省份", "城市", "所属行业", "公司网址", "目前尚未盈利",
             "具有表决权差异安排", "具有协议控制架构"]  # fmt: skip
# (code, short name as SZSE writes it, list date); more than 10 rows: akshare's main path
SZ_ROWS = [
    ("000001", "平安银行", "1991-04-03"), ("000002", "万  科Ａ", "1991-01-29"),
    ("000858", "五 粮 液", "1998-04-27"), ("000063", "中兴通讯", "1997-11-18"),
    ("000333", "美的集团", "2013-09-18"), ("000651", "格力电器", "1996-11-18"),
    ("002594", "比亚迪", "2011-06-30"), ("300750", "宁德时代", "2018-06-11"),
    ("300059", "东方财富", "2010-03-19"), ("002415", "海康威视", "2010-05-28"),
    ("000725", "京东方Ａ", "2001-01-12"), ("001280", "中国铀业", "2025-09-03"),
]  # fmt: skip


def xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def sz_list(rows: list[tuple[str, str, str]]) -> bytes:
    records = []
    for code, name, day in rows:
        record = dict.fromkeys(SZ_HEADER, "-")
        record.update({"板块": "主板", "公司全称": f"{name}股份有限公司", "A股代码": code,
                       "A股简称": name, "A股上市日期": day, "A股总股本": "1,000,000",
                       "A股流通股本": "900,000", "所属行业": "C 制造业"})  # fmt: skip
        records.append(record)
    return xlsx(pd.DataFrame(records, columns=SZ_HEADER))


def sz_renames(rows: list[tuple[str, str, str, str]]) -> bytes:
    frame = pd.DataFrame(rows, columns=["变更日期", "证券代码", "变更前简称", "变更后简称"])
    frame.insert(2, "证券简称", frame["变更后简称"])
    return xlsx(frame)


# akshare labels the 48 keys of a BSE row by position: 上市日期 is key 0, 证券代码 key 38,
# 证券简称 key 40 (the other names do not matter to its parsing)
BSE_KEYS = [f"xxk{i:02d}" for i in range(48)]
BSE_KEYS[0], BSE_KEYS[11], BSE_KEYS[17], BSE_KEYS[29] = "fxssrq", "xxfxsgb", "xxhyzl", "xxssdq"
BSE_KEYS[35], BSE_KEYS[36], BSE_KEYS[38], BSE_KEYS[40] = "xxzbqs", "xxzgb", "xxzqdm", "xxzqjc"


def bse_body(rows: list[tuple[str, str, str]]) -> str:
    content = []
    for code, name, day in rows:
        row: dict = dict.fromkeys(BSE_KEYS, "")
        row.update({"fxssrq": day, "xxzqdm": code, "xxzqjc": name, "xxzgb": 91680000,
                    "xxhyzl": "汽车制造业", "xxssdq": "安徽省"})  # fmt: skip
        content.append(row)
    block = {"content": content, "totalElements": len(content), "totalPages": 1,
             "firstPage": True, "lastPage": True, "number": 0, "size": 20}  # fmt: skip
    return "null(" + json.dumps([block], ensure_ascii=False) + ")"


def add_names(
    *,
    main: list[dict] | None = None,
    star_status: int = 200,
    renames: list[tuple[str, str, str, str]] | None = None,
) -> None:
    main = main if main is not None else [
        sse_row("600519", "贵州茅台", "20010827", "贵州茅台酒股份有限公司"),
        sse_row("601127", "赛力斯", "20160615", "赛力斯集团股份有限公司"),
    ]  # fmt: skip
    responses.add(responses.GET, SSE, json=sse_body(main), match=q(STOCK_TYPE="1"))
    star = [sse_row("688981", "中芯国际", "20200716", "中芯国际集成电路制造有限公司")]
    responses.add(
        responses.GET, SSE, json=sse_body(star), status=star_status, match=q(STOCK_TYPE="8")
    )
    responses.add(
        responses.GET, SZSE, body=sz_list(SZ_ROWS), match=q(CATALOGID="1110", TABKEY="tab1")
    )
    renames = renames if renames is not None else [
        ("2022-03-01", "000002", "万科A", "万  科Ａ"),
        ("2021-05-10", "000725", "京东方A", "京东方Ａ"),
        ("2020-01-01", "999999", "不存在", "无此股"),  # not an A-share code: left out
    ]  # fmt: skip
    responses.add(
        responses.GET, SZSE, body=sz_renames(renames), match=q(CATALOGID="SSGSGMXX", TABKEY="tab2")
    )
    listed = [("920799", "艾融软件", "20191227"), ("920001", "新北交", "20260701")]
    responses.add(responses.POST, BSE, body=bse_body(listed))


def add_board_lists(concept: list[tuple[str, str]], industry: list[tuple[str, str]]) -> None:
    for url, fs, keys, boards in (
        (CONCEPT_LIST, "m:90 t:3 f:!50", CONCEPT_LIST_KEYS, concept),
        (INDUSTRY_LIST, "m:90 t:2 f:!50", INDUSTRY_LIST_KEYS, industry),
    ):
        diff = [list_row(keys, code, name, 1.0) for code, name in boards]
        body = {"rc": 0, "data": {"total": len(diff), "diff": diff}}
        responses.add(responses.GET, url, json=body, match=q(fs=fs))


def add_members(board: str, members: list[tuple[str, int, str]] | None) -> None:
    data = None
    if members is not None:
        diff = [clist_row(code, market, name) for code, market, name in members]
        data = {"total": len(diff), "diff": diff}
    responses.add(responses.GET, CONS, json={"rc": 0, "data": data}, match=q(fs=f"b:{board} f:!50"))


# ------------------------------------------------------------------ names


@responses.activate
def test_names_refresh_writes_dated_stock_and_rename_snapshots(tmp_path: Path) -> None:
    add_names()
    report = refresh_reference("names", cache_dir=tmp_path, source=source(), now=DAY1)
    assert report.ok, report.summary()
    assert report.as_of == "2026-08-03"
    store = ReferenceStore(tmp_path)
    listing = store.listing()
    assert listing[["table", "as_of", "what", "status"]].values.tolist() == [
        ["names", "2026-08-03", "renames", "ok"],
        ["stocks", "2026-08-03", "names", "ok"],
    ]
    stocks = dict(store.tables())["stocks"].set_index("code")
    assert stocks.loc["600519.SH", ["name", "list_date", "source"]].tolist() == [
        "贵州茅台", "2001-08-27", "akshare_sse"]  # fmt: skip
    assert stocks.loc["688981.SH", "segment"] == "star"
    assert stocks.loc["920799.BJ", ["exchange", "segment", "list_date"]].tolist() == [
        "BJ", "bse", "2019-12-27"]  # fmt: skip
    assert stocks.loc["000002.SZ", "name"] == "万  科Ａ"  # as SZSE writes it
    assert stocks.loc["000002.SZ", "list_date_source"] == "akshare_szse"
    assert report.rows == {"stocks": len(stocks), "names": 4}
    # every request had a timeout (ours where akshare gives none)
    assert all(c.request.req_kwargs.get("timeout") for c in responses.calls)
    master = current_master(tmp_path)
    assert master.lookup("新北交").code.iloc[0] == "920001.BJ"  # listed after the bundle
    assert master.security("920001.BJ").list_date == "2026-07-01"
    assert "京东方A" in master.security("000725.SZ").former_names
    assert master.lookup("中国铀业").code.iloc[0] == "001280.SZ"


@responses.activate
def test_a_rename_becomes_the_current_name_and_the_old_one_a_former_name(tmp_path: Path) -> None:
    add_names(main=[sse_row("600519", "茅台集团", "20010827", "贵州茅台酒股份有限公司")])
    refresh_reference("names", cache_dir=tmp_path, source=source(), now=DAY1)
    master = current_master(tmp_path)
    moutai = master.security("600519.SH")
    assert moutai.name == "茅台集团"
    assert "贵州茅台" in moutai.former_names
    assert moutai.as_of == "2026-08-03"
    assert master.lookup("贵州茅台").code.iloc[0] == "600519.SH"


@responses.activate
@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "provider_failed"),
        ("500", "provider_failed"),
        ("empty", "provider_failed"),
    ],
)
def test_a_failing_exchange_is_reported_and_the_others_are_written(
    tmp_path: Path, fault: object, reason: str
) -> None:
    slept: list[float] = []
    if fault == "500":
        for _ in range(3):
            responses.add(
                responses.GET,
                SSE,
                body="<html>Server Error</html>",
                status=500,
                match=q(STOCK_TYPE="1"),
            )
        add_names(main=[])  # never reached: the 500s above match first
    elif fault == "empty":
        add_names(main=[])
    else:
        for _ in range(3):
            responses.add(
                responses.GET,
                SSE,
                body=fault,  # type: ignore[arg-type]
                match=q(STOCK_TYPE="1"),
            )
        add_names()
    report = refresh_reference("names", cache_dir=tmp_path, source=source(slept), now=DAY1)
    assert not report.ok
    failed = report.failures.to_dict("records")
    assert [(f["what"], f["item"], f["reason"]) for f in failed] == [
        ("names", "sh_main code list", reason)]  # fmt: skip
    assert "after 3 attempt(s)" in failed[0]["message"]
    assert len(slept) == 2  # bounded: three attempts, two backoffs
    stocks = dict(ReferenceStore(tmp_path).tables())["stocks"]
    assert "688981.SH" in set(stocks["code"])
    assert "600519.SH" not in set(stocks["code"])  # nothing invented for the failed list
    assert current_master(tmp_path).security("600519.SH").name == "贵州茅台"  # bundled stays


@responses.activate
def test_star_market_5xx_then_success_is_retried(tmp_path: Path) -> None:
    responses.add(responses.GET, SSE, body="busy", status=503, match=q(STOCK_TYPE="8"))
    add_names()
    slept: list[float] = []
    report = refresh_reference("names", cache_dir=tmp_path, source=source(slept), now=DAY1)
    assert report.ok, report.summary()
    assert len(slept) == 1
    stocks = dict(ReferenceStore(tmp_path).tables())["stocks"]
    assert "688981.SH" in set(stocks["code"])


# ------------------------------------------------------------------ boards


@responses.activate
def test_board_lists_second_refresh_in_one_process_is_not_akshares_cached_list(
    tmp_path: Path,
) -> None:
    """akshare lru-caches the concept list: a refresh must ask again, not re-stamp old rows."""
    import akshare

    add_board_lists([("BK0896", "白酒"), ("BK0500", "HS300_")], [("BK0477", "酿酒行业")])
    first = refresh_reference("boards", cache_dir=tmp_path, source=source(), now=DAY1)
    assert first.ok
    assert first.rows == {"boards": 3}
    responses.reset()
    add_board_lists([("BK0896", "白酒"), ("BK1999", "新概念")], [("BK0477", "酿酒行业")])
    # the hazard is real: akshare alone still answers yesterday's list
    stale = akshare.stock_board_concept_name_em()
    assert "BK1999" not in set(stale["板块代码"])
    second = refresh_reference("boards", cache_dir=tmp_path, source=source(), now=DAY2)
    assert second.ok
    assert second.rows == {"boards": 3}
    tables = dict(ReferenceStore(tmp_path).tables())
    boards = tables["boards"]
    day2 = boards[boards["as_of"] == "2026-09-01"]
    assert sorted(day2["code"]) == ["BK0477", "BK0896", "BK1999"]
    master = current_master(tmp_path)
    assert master.lookup("新概念", kinds=["board"]).code.iloc[0] == "BK1999"
    assert master.security("BK1999").board_type == "concept"
    # a style board of the bundled table keeps its type when a refreshed list carries it
    assert master.security("BK0500").board_type == master.table("boards").query(
        "code == 'BK0500' and source != 'akshare_em_boards'").board_type.iloc[-1]  # fmt: skip
    assert len(ReferenceStore(tmp_path).listing()) == 2


@responses.activate
def test_empty_board_list_is_a_failure_and_nothing_is_written(tmp_path: Path) -> None:
    for url in (CONCEPT_LIST, INDUSTRY_LIST):
        responses.add(responses.GET, url, json={"rc": 0, "data": {"total": 0, "diff": []}})
    report = refresh_reference("boards", cache_dir=tmp_path, source=source(), now=DAY1)
    assert sorted(report.failures["item"]) == ["concept board list", "industry board list"]
    assert ReferenceStore(tmp_path).listing().empty


# ------------------------------------------------------------------ members


@responses.activate
def test_membership_accumulates_point_in_time(tmp_path: Path) -> None:
    add_members("BK0896", [("600519", 1, "贵州茅台"), ("000858", 0, "五粮液")])
    add_members("BK0475", None)  # data: null - no member at Eastmoney
    report = refresh_reference(
        "members", boards=["BK0896", "BK0475"], cache_dir=tmp_path, source=source(), now=DAY1
    )
    assert report.ok, report.summary()
    assert report.empty == ["BK0475"]
    assert len([c for c in responses.calls if "BK0475" in c.request.url]) == 1  # not retried
    responses.reset()
    add_members("BK0896", [("600519", 1, "贵州茅台"), ("000568", 0, "泸州老窖")])
    refresh_reference("members", boards="白酒", cache_dir=tmp_path, source=source(), now=DAY2)
    master = current_master(tmp_path)
    aug = master.members("BK0896", as_of="2026-08-20")
    assert aug.symbol.tolist() == ["000858.SZ", "600519.SH"]
    assert str(aug.snapshot.iloc[0].date()) == "2026-08-03"
    assert not aug.look_ahead.any()
    sep = master.members("BK0896", as_of="2026-09-02")
    assert sep.symbol.tolist() == ["000568.SZ", "600519.SH"]
    assert "BK0896" in master.boards_of("000858.SZ", as_of="2026-08-10").board.tolist()
    listing = ReferenceStore(tmp_path).listing()
    assert listing["note"].tolist() == ["BK0896", "BK0896"]


@responses.activate
def test_members_5xx_is_retried_then_reported(tmp_path: Path) -> None:
    for _ in range(9):  # akshare retries 3 times inside each of our 3 attempts
        responses.add(responses.GET, CONS, status=502, body="bad gateway")
    slept: list[float] = []
    report = refresh_reference(
        "members", boards=["BK0896"], cache_dir=tmp_path, source=source(slept), now=DAY1
    )
    assert report.failures[["item", "reason"]].values.tolist() == [["BK0896", "provider_failed"]]
    assert len(slept) == 2
    assert len(responses.calls) == 9  # bounded
    assert ReferenceStore(tmp_path).listing().empty


@responses.activate
def test_deadline_stops_before_any_call(tmp_path: Path) -> None:
    late = source(deadline=100.0, clock=lambda: 200.0)
    report = refresh_reference(
        "members", boards=["BK0896", "BK0475"], cache_dir=tmp_path, source=late, now=DAY1
    )
    assert report.failures[["item", "reason"]].values.tolist() == [
        ["BK0896", "deadline"], ["BK0475", "deadline"]]  # fmt: skip
    assert len(responses.calls) == 0


def test_offline_refuses_and_never_uses_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str]
) -> None:
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="offline"):
        refresh_reference(cache_dir=tmp_path)
    assert no_network == []
    assert current_master(tmp_path).lookup("茅台").code.iloc[0] == "600519.SH"
