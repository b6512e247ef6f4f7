"""Live news feeds through the real code paths, stubbed at the HTTP boundary.

Payloads follow the endpoints' real shapes, read from akshare 1.19.5's source
(``stock_feature/stock_info.py``: ``stock_info_global_em``, ``_cls``, ``_sina``;
``news/news_stock.py``: ``stock_news_em``) and the fields those endpoints send
(akshare keeps only some of them). ``requests`` endpoints are stubbed with
``responses``; ``stock_news_em`` uses curl_cffi, whose ``Session.request`` is
replaced by one returning a real ``curl_cffi.requests.Response``. akshare's own
parsing runs on every answer; only the transport is fake.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")
curl_requests = pytest.importorskip("curl_cffi.requests")
from responses import matchers  # noqa: E402

import eventstudy as es  # noqa: E402
from eventstudy.exceptions import (  # noqa: E402
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    ProviderError,
)
from eventstudy.market import akshare_news  # noqa: E402
from eventstudy.market._net import EASTMONEY_LIMITER  # noqa: E402
from eventstudy.market.akshare_news import (  # noqa: E402
    FeedAnswerError,
    call_feed,
    guarded_http,
)
from eventstudy.news import load_news  # noqa: E402
from eventstudy.news.feeds import FEEDS, fetch_feed, fetch_news  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
EM_724 = "https://np-weblist.eastmoney.com/comm/web/getFastNewsList"
CLS = "https://www.cls.cn/v1/roll/get_roll_list"
SINA = "https://zhibo.sina.com.cn/api/zhibo/feed"
EM_SEARCH = "https://search-api-web.eastmoney.com/search/jsonp"
#: the JSONP callback akshare 1.19.5 sends (and strips again)
CALLBACK = "jQuery35101792940631092459_1764599530165"


# ----------------------------------------------------------------------------- payloads


def em_724_item(code: str, title: str, summary: str, show_time: str) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "summary": summary,
        "showTime": show_time,
        "realSort": f"17{code[-14:]}",
        "titleColor": 0,
        "stockList": ["1.600519"],
        "image": [],
        "pinglun_Num": 0,
        "share": 0,
    }


def em_724_payload(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "req_trace": "1710315450384",
        "code": "1",
        "message": "success",
        "data": {"fastNewsList": items, "sortEnd": "1717380153099999", "total": len(items)},
    }


EM_724_ITEMS = [
    em_724_item(
        "202406033095712345",
        "贵州茅台：拟回购股份",
        "【贵州茅台：拟回购股份】贵州茅台公告，拟以自有资金回购股份。",
        "2024-06-03 10:02:33",
    ),
    em_724_item(
        "202406033095700001",
        "央行开展逆回购操作",
        "央行今日开展20亿元7天期逆回购操作。",
        "2024-06-03 09:31:05",
    ),
]


def cls_item(ident: int, ctime: int, title: str, content: str, level: str) -> dict[str, Any]:
    return {
        "id": ident,
        "ctime": ctime,
        "modified_time": ctime + 30,
        "title": title,
        "brief": content[:60],
        "content": content,
        "level": level,
        "type": -1,
        "reading_num": 12034,
        "comment_num": 0,
        "share_num": 3,
        "recommend": 0,
        "confirmed": 1,
        "jpush": 0,
        "is_top": 0,
        "in_roll": 1,
        "status": 1,
        "author": "财联社",
        "category": "",
        "images": [],
        "audio_url": [],
        "shareurl": f"https://api3.cls.cn/share/article/{ident}?os=web&sv=8.4.6"
        "&app=CailianpressWeb",
        "subjects": [{"subject_id": 1103, "subject_name": "A股公告速递"}],
        "stock_list": [{"StockID": "sh600519", "name": "贵州茅台", "RiseRange": 1.2}],
        "sort_score": ctime,
    }


# 2024-06-03 09:31:05 / 09:45:00 / 10:02:33 in Beijing
CLS_ITEMS = [
    cls_item(
        1700003,
        1717380153,
        "",
        "【贵州茅台拟回购股份】财联社6月3日电，贵州茅台公告，拟以自有资金回购股份。",
        "A",
    ),
    cls_item(1700002, 1717379100, "沪指午前震荡", "沪指午前震荡，白酒板块走强。", "C"),
    cls_item(
        1700001,
        1717378265,
        "央行开展逆回购操作",
        "财联社6月3日电，央行今日开展20亿元7天期逆回购操作。",
        "B",
    ),
]


def cls_payload(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errno": 0, "msg": "", "data": {"roll_data": items, "update_num": 0}}


def sina_item(ident: int, text: str, create_time: str) -> dict[str, Any]:
    return {
        "id": ident,
        "zhibo_id": 152,
        "type": 0,
        "rich_text": text,
        "multimedia": "",
        "commentid": f"live:finance-152-{ident}:0",
        "compere_id": 0,
        "creator": "sina",
        "mender": "sina",
        "create_time": create_time,
        "update_time": create_time,
        "is_need_check": "0",
        "is_delete": 0,
        "tag": [{"id": "10", "name": "A股"}],
        "ext": json.dumps({"stocks": [], "needPushWB": False}),
        "old_live_cid": "0",
        "tab": "",
        "like_nums": 0,
        "docurl": f"https://finance.sina.com.cn/7x24/2024-06-03/doc-inaxyz{ident}.shtml",
        "rich_text_nick_to_url": [],
    }


SINA_ITEMS = [
    sina_item(
        3711002, "【贵州茅台拟回购股份】贵州茅台公告，拟以自有资金回购股份。", "2024-06-03 10:02:40"
    ),
    sina_item(3711001, "央行今日开展20亿元7天期逆回购操作。", "2024-06-03 09:31:10"),
]


def sina_payload(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "result": {
            "status": {"code": 0, "msg": "OK"},
            "timestamp": "Mon Jun 03 10:05:11 +0800 2024",
            "data": {
                "feed": {
                    "list": items,
                    "html": "",
                    "max_id": 3711002,
                    "min_id": 3711001,
                    "page_info": {
                        "totalPage": 1,
                        "pageSize": 20,
                        "page": 1,
                        "totalNum": len(items),
                    },
                }
            },
        }
    }


def em_search_item(code: str, title: str, content: str, date: str, media: str) -> dict[str, Any]:
    return {
        "date": date,
        "mediaName": media,
        "code": code,
        "title": title,
        "content": content,
        "image": "",
        "url": f"http://finance.eastmoney.com/a/{code}.html",
    }


EM_SEARCH_ITEMS = [
    em_search_item(
        "202406033095799999",
        "<em>贵州茅台</em>拍出天价",
        "一瓶<em>贵州茅台</em>酒\u3000拍出高价。\r\n竞拍者众多。",
        "2024-06-03 10:20:00",
        "证券时报网",
    ),
    em_search_item(
        "202406023094411111",
        "白酒板块走强 <em>贵州茅台</em>涨2%",
        "白酒板块走强。",
        "2024-06-02 14:05:00",
        "东方财富网",
    ),
]


def em_search_body(items: list[dict[str, Any]]) -> bytes:
    payload = {
        "code": 0,
        "msg": "成功",
        "result": {"cmsArticleWebOld": items},
        "searchId": "a1b2c3",
        "hitsTotal": len(items),
        "bizCode": "",
        "bizMsg": "",
    }
    return f"{CALLBACK}({json.dumps(payload, ensure_ascii=False)})".encode()


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _online_and_quick(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(EASTMONEY_LIMITER, "min_interval", 0.0)


class CurlStub:
    """curl_cffi's ``Session.request`` returning recorded answers (real ``Response`` objects)."""

    def __init__(self, *answers: tuple[int, bytes] | BaseException) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, session: Any, method: str, url: str, **kwargs: Any) -> Any:
        self.calls.append({"method": method, "url": url, **kwargs})
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        response = curl_requests.Response()
        response.status_code, response.content, response.url = answer[0], answer[1], url
        response.ok = answer[0] < 400
        return response


def stub_curl(monkeypatch: pytest.MonkeyPatch, *answers: Any) -> CurlStub:
    stub = CurlStub(*answers)
    monkeypatch.setattr(curl_requests.Session, "request", stub)
    return stub


def shanghai(text: str) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.fromisoformat(text).replace(tzinfo=SH))


# ----------------------------------------------------------------------------- feeds


@responses.activate
def test_cls_telegraph_has_shanghai_times_bodies_headlines_and_hashed_ids() -> None:
    responses.add(
        responses.GET,
        CLS,
        json=cls_payload(CLS_ITEMS),
        match=[
            matchers.query_param_matcher(
                {
                    "app": "CailianpressWeb",
                    "os": "web",
                    "rn": "20",
                    "sv": "8.4.6",
                    "refresh_type": "1",
                },
                strict_match=False,
            )
        ],
    )
    news = es.fetch_news("cls")
    a = news.articles.set_index("title")
    assert len(a) == 3
    assert news.skipped.empty
    for item in CLS_ITEMS:  # the epoch seconds of the answer, in Beijing time
        when = pd.Timestamp(dt.datetime.fromtimestamp(item["ctime"], tz=SH))
        title = item["title"] or item["content"][1 : item["content"].index("】")]
        assert a.loc[title, "published_at"] == when
        assert a.loc[title, "text"] == item["content"]
    assert str(a["published_at"].dtype) == "datetime64[ns, Asia/Shanghai]"
    assert a.loc["贵州茅台拟回购股份", "published_at"] == shanghai("2024-06-03 10:02:33")
    assert set(a["publisher"]) == {"财联社"}
    assert set(a["category"]) == {"cls"}
    assert a["article_id"].str.fullmatch(r"cls-[0-9a-f]{16}").all()
    assert a["article_id"].is_unique
    assert responses.calls[0].request.req_kwargs["timeout"] == 15.0
    tags = news.tags(min_score=0.6)
    assert "600519.SH" in set(tags["symbol"])  # the headline names 贵州茅台


@responses.activate
def test_cls_key_keeps_level_a_b_with_the_same_ids_and_the_whole_answer_as_window() -> None:
    responses.add(responses.GET, CLS, json=cls_payload(CLS_ITEMS))
    every = fetch_feed("cls")
    key = fetch_feed("cls_key")
    assert len(key.news.articles) == 2  # levels A and B; the C telegraph is not kept
    ids = every.news.articles.set_index("title")["article_id"]
    for title, ident in key.news.articles.set_index("title")["article_id"].items():
        assert ids[title] == ident
    # coverage: all three telegraphs of the answer, not only the kept ones
    assert (
        key.window
        == every.window
        == (
            shanghai("2024-06-03 09:31:05"),
            shanghai("2024-06-03 10:02:33"),
        )
    )


@responses.activate
def test_em_724_has_summary_bodies_link_ids_and_shanghai_times() -> None:
    responses.add(
        responses.GET,
        EM_724,
        json=em_724_payload(EM_724_ITEMS),
        match=[
            matchers.query_param_matcher(
                {"client": "web", "biz": "web_724", "fastColumn": "102", "pageSize": "200"},
                strict_match=False,
            )
        ],
    )
    news = fetch_news("em_724")
    a = news.articles.set_index("article_id")
    assert sorted(a.index) == sorted(i["code"] for i in EM_724_ITEMS)
    for item in EM_724_ITEMS:
        row = a.loc[item["code"]]
        assert row["text"] == item["summary"]  # 摘要 is the body
        assert row["title"] == item["title"]
        assert row["published_at"] == shanghai(item["showTime"])
        assert row["url"] == f"https://finance.eastmoney.com/a/{item['code']}.html"
        assert row["category"] == "em_724"
    assert responses.calls[0].request.req_kwargs["timeout"] == 15.0


def test_em_stock_through_curl_cffi_with_query_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = stub_curl(monkeypatch, (200, em_search_body(EM_SEARCH_ITEMS)))
    got = fetch_feed("em_stock", symbol="600519.SH")
    (call,) = stub.calls
    assert call["url"] == EM_SEARCH
    assert call["timeout"] == 15.0
    inner = json.loads(call["params"]["param"])
    assert inner["keyword"] == "600519"
    assert inner["param"]["cmsArticleWebOld"]["pageSize"] == 10
    assert got.symbol == "600519.SH"
    a = got.news.articles.set_index("article_id")
    assert sorted(a.index) == sorted(i["code"] for i in EM_SEARCH_ITEMS)
    first = a.loc["202406033095799999"]
    assert first["title"] == "贵州茅台拍出天价"  # akshare removed the <em> marks
    assert first["text"] == "一瓶贵州茅台酒拍出高价。 竞拍者众多。"
    assert first["publisher"] == "证券时报网"
    assert first["published_at"] == shanghai("2024-06-03 10:20:00")
    q = got.news.mentions.query("how == 'query'")
    assert set(q["symbol"]) == {"600519.SH"}
    assert len(q) == 2
    assert got.window == (shanghai("2024-06-02 14:05:00"), shanghai("2024-06-03 10:20:00"))


@responses.activate
def test_sina_724_has_headline_titles_and_hashed_ids() -> None:
    responses.add(
        responses.GET,
        SINA,
        json=sina_payload(SINA_ITEMS),
        match=[
            matchers.query_param_matcher(
                {"zhibo_id": "152", "page": "1", "page_size": "20"}, strict_match=False
            )
        ],
    )
    news = fetch_news("sina_724")
    a = news.articles.sort_values("published_at").reset_index(drop=True)
    assert a["text"].tolist() == [SINA_ITEMS[1]["rich_text"], SINA_ITEMS[0]["rich_text"]]
    assert a["title"].tolist() == ["", "贵州茅台拟回购股份"]
    assert a["published_at"].tolist() == [
        shanghai("2024-06-03 09:31:10"),
        shanghai("2024-06-03 10:02:40"),
    ]
    assert a["article_id"].str.fullmatch(r"sina-[0-9a-f]{16}").all()
    assert set(a["publisher"]) == {"新浪财经"}


@responses.activate
def test_the_same_answer_gives_the_same_ids() -> None:
    responses.add(responses.GET, SINA, json=sina_payload(SINA_ITEMS))
    first = fetch_news("sina_724").articles["article_id"].tolist()
    second = fetch_news("sina_724").articles["article_id"].tolist()
    assert first == second


def test_raw_feed_frames_load_with_the_loader_mapping(tmp_path: Any) -> None:
    """The frames akshare returns load directly (no cls bad_date, em_724 bodies)."""
    cls = pd.DataFrame(
        {
            "标题": ["央行开展逆回购操作"],
            "内容": ["央行今日开展逆回购。"],
            "发布日期": [dt.date(2024, 6, 3)],
            "发布时间": [dt.time(9, 31, 5)],
        }
    )
    news = load_news(cls)
    assert news.skipped.empty
    assert news.articles["published_at"].tolist() == [shanghai("2024-06-03 09:31:05")]
    path = tmp_path / "cls.csv"  # saved and read back: both columns are text
    cls.to_csv(path, index=False)
    assert load_news(path).articles["published_at"].tolist() == [shanghai("2024-06-03 09:31:05")]
    em = pd.DataFrame(
        {
            "标题": ["t"],
            "摘要": ["正文"],
            "发布时间": ["2024-06-03 10:15:32"],
            "链接": ["https://finance.eastmoney.com/a/202406033095712345.html"],
        }
    )
    a = load_news(em).articles
    assert a["text"].tolist() == ["正文"]
    assert a["article_id"].tolist() == ["202406033095712345"]


# ----------------------------------------------------------------------------- faults


def _fault(feed: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install one fault for ``feed``; returns something with the number of calls made."""
    bodies = {
        "html": (
            200,
            b"<!DOCTYPE html><html><body>\xe8\xae\xbf\xe9\x97\xae\xe5\x8f\x97\xe9\x99\x90"
            b"</body></html>",
        ),
        "5xx": (503, b"<html><body>503 Service Temporarily Unavailable</body></html>"),
    }
    full = {
        "em_724": json.dumps(em_724_payload(EM_724_ITEMS), ensure_ascii=False).encode(),
        "cls": json.dumps(cls_payload(CLS_ITEMS), ensure_ascii=False).encode(),
        "sina_724": json.dumps(sina_payload(SINA_ITEMS), ensure_ascii=False).encode(),
        "em_stock": em_search_body(EM_SEARCH_ITEMS),
    }
    bodies["partial"] = (200, full[feed][: len(full[feed]) // 2])  # the connection dropped
    empty = {
        "em_724": json.dumps(em_724_payload([])).encode(),
        "cls": json.dumps(cls_payload([])).encode(),
        "sina_724": json.dumps(sina_payload([])).encode(),
        "em_stock": em_search_body([]),
    }
    if feed == "em_stock":
        timeout = curl_requests.exceptions.ReadTimeout(
            "Failed to perform, curl: (28) Operation timed out after 15000 milliseconds with "
            "0 bytes received.",
            28,
        )
        answer = {"timeout": timeout, "empty": (200, empty[feed])}.get(kind) or bodies[kind]
        return stub_curl(monkeypatch, answer)
    url = {"em_724": EM_724, "cls": CLS, "sina_724": SINA}[feed]
    if kind == "timeout":
        responses.add(responses.GET, url, body=requests.exceptions.ReadTimeout("read timed out"))
    elif kind == "empty":
        responses.add(responses.GET, url, body=empty[feed], content_type="application/json")
    else:
        status, body = bodies[kind]
        responses.add(responses.GET, url, status=status, body=body, content_type="text/html")
    return responses


def _n_calls(stub: Any) -> int:
    return len(stub.calls)


FEED_ARGS = {"em_stock": {"symbol": "600519"}, "em_724": {}, "cls": {}, "sina_724": {}}


@pytest.mark.parametrize("feed", list(FEED_ARGS))
@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("timeout", "no answer from"),
        ("5xx", "HTTP 503"),
        ("html", "an HTML page instead of data"),
        ("partial", "that is not JSON"),
    ],
)
@responses.activate
def test_failures_are_provider_errors_naming_feed_and_cause(
    feed: str, kind: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = _fault(feed, kind, monkeypatch)
    t0 = time.monotonic()
    with pytest.raises(ProviderError, match=says) as info:
        fetch_news(feed, attempts=1, **FEED_ARGS[feed])  # type: ignore[arg-type]
    assert time.monotonic() - t0 < 5  # akshare's own retry loop (cls: 8.5 min) did not run
    assert _n_calls(stub) == 1
    assert str(info.value).startswith(f"{feed} (akshare.")
    assert info.value.attempts == 1


@pytest.mark.parametrize("feed", list(FEED_ARGS))
@responses.activate
def test_empty_answers_give_empty_news_and_a_warning(
    feed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fault(feed, "empty", monkeypatch)
    with pytest.warns(EventStudyWarning, match=f"the {feed} feed answered with no items"):
        got = fetch_feed(feed, attempts=1, **FEED_ARGS[feed])  # type: ignore[arg-type]
    assert got.empty
    assert got.window is None
    assert len(got.news.articles) == 0
    assert got.news.n_inputs == 0


@responses.activate
def test_5xx_is_retried_by_this_package_not_by_akshare(monkeypatch: pytest.MonkeyPatch) -> None:
    slept_by_akshare: list[float] = []
    monkeypatch.setattr(time, "sleep", slept_by_akshare.append)  # akshare.request sleeps so
    responses.add(responses.GET, CLS, status=502, body="Bad Gateway")
    responses.add(responses.GET, CLS, status=502, body="Bad Gateway")
    responses.add(responses.GET, CLS, json=cls_payload(CLS_ITEMS))
    ours: list[float] = []
    answer = call_feed("cls", attempts=3, sleep=ours.append)
    assert len(answer.frame) == 3
    assert answer.attempts == 3
    assert ours == [1.0, 2.0]
    assert slept_by_akshare == []
    assert len(responses.calls) == 3


@responses.activate
def test_the_deadline_bounds_retries_and_request_timeouts() -> None:
    now = [0.0]
    responses.add(responses.GET, CLS, status=503, body="<html>503</html>")

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(ProviderError, match="stopped at the 5 s deadline") as info:
        call_feed("cls", attempts=10, deadline=5.0, timeout=15.0, sleep=sleep, clock=lambda: now[0])
    # pauses 1 + 2 = 3 s; the next pause (4 s) would pass the deadline: 3 attempts, not 10
    assert info.value.attempts == 3
    assert len(responses.calls) == 3
    timeouts = [c.request.req_kwargs["timeout"] for c in responses.calls]
    assert timeouts == [5.0, 4.0, 2.0]  # min(15 s, time left)


@responses.activate
def test_no_request_starts_after_the_deadline() -> None:
    ticks = iter([0.0, 100.0])  # the start, then every later reading: far past the deadline
    with pytest.raises(ProviderError, match="deadline passed before requesting"):
        call_feed("em_724", deadline=10.0, clock=lambda: next(ticks, 100.0), limiter=None)
    assert len(responses.calls) == 0


@responses.activate
def test_4xx_and_unreadable_answers_are_not_retried() -> None:
    responses.add(responses.GET, EM_724, status=403, body="Forbidden")
    with pytest.raises(ProviderError, match="HTTP 403") as info:
        call_feed("em_724", attempts=3, sleep=lambda s: None, limiter=None)
    assert info.value.attempts == 1
    responses.add(responses.GET, CLS, json={"errno": 1, "msg": "sign error", "data": None})
    with pytest.raises(ProviderError, match=r"could not read the answer.*sign error") as info:
        call_feed("cls", attempts=3, sleep=lambda s: None)
    assert info.value.attempts == 1


@responses.activate
def test_other_threads_requests_are_untouched_and_patches_removed() -> None:
    url = "https://example.com/status"
    responses.add(responses.GET, url, status=503, body="<html>busy</html>")
    before = (requests.Session.request, curl_requests.Session.request)
    seen: dict[str, Any] = {}

    def other_thread() -> None:
        seen["status"] = requests.get(url, timeout=1).status_code

    with guarded_http(deadline=time.monotonic() + 5):
        assert requests.Session.request is not before[0]  # this thread's checkpoint is in place
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        with pytest.raises(FeedAnswerError, match="HTTP 503"):  # this thread: checked
            requests.get(url)
    assert seen["status"] == 503  # the other thread's answer passed through unchecked
    assert (requests.Session.request, curl_requests.Session.request) == before
    assert requests.get(url).status_code == 503  # and this thread's too, after the block


# ----------------------------------------------------------------------------- offline, input


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise AssertionError(f"network use attempted: {args!r}")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
    return attempts


@pytest.mark.parametrize("feed", list(FEED_ARGS))
def test_offline_is_the_packages_error_without_a_socket(
    feed: str, no_network: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DataUnavailableError, match=f"cannot fetch the {feed} news feed offline"):
        fetch_news(feed, offline=True, **FEED_ARGS[feed])  # type: ignore[arg-type]
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="EVENTSTUDY_OFFLINE"):
        fetch_news(feed, **FEED_ARGS[feed])  # type: ignore[arg-type]
    assert no_network == []


@pytest.mark.parametrize(
    ("source", "symbol", "says"),
    [
        ("reuters", None, "unknown news feed 'reuters'; choose one of em_stock, em_724"),
        ("em_stock", None, "searches one stock"),
        ("cls", "600519", "takes no symbol"),
        ("em_stock", "BK0896", "is BK0896 \\(board\\)"),
    ],
)
def test_bad_feed_or_symbol_is_a_config_error(source: str, symbol: str | None, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        fetch_news(source, symbol=symbol)  # type: ignore[arg-type]


def test_every_feed_is_described() -> None:
    from typing import get_args

    from eventstudy._typing import NewsFeed

    assert list(FEEDS) == list(get_args(NewsFeed)) == list(akshare_news.FEED_CALLS)
    assert FEEDS["em_stock"].per_call == 10
    assert FEEDS["em_724"].per_call == 200


def test_a_bare_code_is_the_stock_for_stock_news() -> None:
    seen: list[dict[str, Any]] = []

    def fetcher(name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
        seen.append({"name": name, **kwargs})
        return pd.DataFrame(
            {
                "关键词": [kwargs["symbol"]],
                "新闻标题": ["平安银行发布年报"],
                "新闻内容": ["平安银行发布年报。"],
                "发布时间": ["2024-06-03 10:20:00"],
                "文章来源": ["证券时报网"],
                "新闻链接": ["http://finance.eastmoney.com/a/202406033095700002.html"],
            }
        )

    got = fetch_feed("em_stock", symbol="000001", fetcher=fetcher)  # not the index 000001.SH
    assert seen == [{"name": "stock_news_em", "symbol": "000001"}]
    assert got.symbol == "000001.SZ"
    assert got.news.mentions.query("how == 'query'")["symbol"].tolist() == ["000001.SZ"]
