"""akshare's news endpoints, with a deadline: the transport of :mod:`eventstudy.news.feeds`.

This module and :mod:`eventstudy.market.akshare_source` are the only ones that
import :mod:`akshare` (on first use). The feeds (names: :data:`~eventstudy._typing.NewsFeed`):

============ =============================== ============================ ==============
feed         akshare function                endpoint (akshare 1.19.5)    items per call
============ =============================== ============================ ==============
``em_stock`` ``stock_news_em(symbol)``       search-api-web.eastmoney.com 10 (search hits
             (curl_cffi, JSONP)              ``/search/jsonp``            for the code)
``em_724``   ``stock_info_global_em()``      np-weblist.eastmoney.com     200
                                             ``/comm/web/getFastNewsList``
``cls``      ``stock_info_global_cls("全部")`` www.cls.cn                   20
                                             ``/v1/roll/get_roll_list``
``cls_key``  ``stock_info_global_cls("重点")`` the same answer, A/B level   0-20
``sina_724`` ``stock_info_global_sina()``    zhibo.sina.com.cn            20
                                             ``/api/zhibo/feed``
============ =============================== ============================ ==============

Deadline
--------
akshare passes no timeout (``stock_news_em`` leaves curl_cffi at its default,
the others none at all), and ``stock_info_global_cls`` retries 10 times with
sleeps doubling from 1 s (8.5 minutes on a 5xx). Here, while the akshare
function runs, every HTTP request *of the calling thread* (``requests`` and
``curl_cffi`` sessions; other threads pass through untouched) goes through a
checkpoint that

* gives it ``timeout = min(timeout, time left before the deadline)`` and refuses
  to start it once the deadline has passed;
* turns any answer that is not data - a transport error (timeout, refused or
  reset connection), HTTP status >= 400, an empty body, an HTML page (blocked,
  a captcha, an error page), a body that is not JSON, an empty JSON value -
  into :class:`FeedAnswerError`, which is none of the exceptions akshare's own
  retry loop catches: that loop ends at once and never sleeps.

The retries are this module's (:func:`call_feed`): at most ``attempts``, with
backoff, never past the deadline. A 4xx other than 429 and an answer akshare
cannot parse are not retried.

Empty answers: when akshare fails on an answer whose item list is empty
(``fastNewsList: []``, ``roll_data: []``, ``cmsArticleWebOld: []``) or returns no
rows, :func:`call_feed` returns an empty frame with ``empty=True``.

Testing: pass ``fetcher=`` (``(function_name, kwargs) -> DataFrame`` in akshare's
layout), or stub the HTTP layer (``responses`` for ``requests``; curl_cffi's
``Session.request`` for ``stock_news_em``) so akshare's own parsing runs.

Examples
--------
>>> import pandas as pd
>>> def fake(name, kwargs):
...     return pd.DataFrame({"时间": ["2024-06-03 10:15:32"], "内容": ["【标题】正文"]})
>>> answer = call_feed("sina_724", fetcher=fake)
>>> answer.function, len(answer.frame), answer.empty
('stock_info_global_sina', 1, False)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, get_args

import pandas as pd

from eventstudy._typing import NewsFeed
from eventstudy.exceptions import ProviderError
from eventstudy.market._net import EASTMONEY_LIMITER, RateLimiter

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "FEED_CALLS",
    "FeedAnswer",
    "FeedAnswerError",
    "FeedCall",
    "call_feed",
    "guarded_http",
]

#: Seconds for one HTTP request (connect and read), at most the time left.
DEFAULT_TIMEOUT: Final = 15.0
#: Seconds for the whole call, retries and their pauses included.
DEFAULT_DEADLINE: Final = 60.0
#: Attempts of one call (each may make one HTTP request).
DEFAULT_ATTEMPTS: Final = 3
#: First pause between attempts (doubled each time), seconds.
BASE_DELAY: Final = 1.0

Fetcher = Callable[[str, dict[str, Any]], pd.DataFrame]
Timestamps = tuple[pd.Timestamp, pd.Timestamp]
_TZ: Final = "Asia/Shanghai"


@dataclass(frozen=True)
class FeedCall:
    """How one feed is fetched: the akshare function and where its answer holds the items.

    Parameters
    ----------
    function
        Name of the akshare function.
    kwargs
        Its fixed keyword arguments (``em_stock`` adds ``symbol``).
    items
        Path of the item list in the endpoint's JSON answer.
    time_key
        Key of an item's publication time (``ctime`` of CLS is epoch seconds).
    jsonp
        The answer is JSONP (``callback({...})``), not JSON.
    eastmoney
        Rate-limited with the other Eastmoney calls (``EASTMONEY_LIMITER``).
    """

    function: str
    items: tuple[str, ...]
    time_key: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    jsonp: bool = False
    eastmoney: bool = False


#: The akshare call of each feed.
FEED_CALLS: Final[dict[NewsFeed, FeedCall]] = {
    "em_stock": FeedCall(
        "stock_news_em", ("result", "cmsArticleWebOld"), "date", jsonp=True, eastmoney=True
    ),
    "em_724": FeedCall(
        "stock_info_global_em", ("data", "fastNewsList"), "showTime", eastmoney=True
    ),
    "cls": FeedCall("stock_info_global_cls", ("data", "roll_data"), "ctime", {"symbol": "全部"}),
    "cls_key": FeedCall(
        "stock_info_global_cls", ("data", "roll_data"), "ctime", {"symbol": "重点"}
    ),
    "sina_724": FeedCall(
        "stock_info_global_sina", ("result", "data", "feed", "list"), "create_time"
    ),
}
assert set(FEED_CALLS) == set(get_args(NewsFeed)), "FEED_CALLS must cover NewsFeed"


class FeedAnswerError(Exception):
    """An answer of a news endpoint that is not data (or no answer before the deadline).

    Deliberately not a ``requests``/``curl_cffi`` exception: akshare's own retry
    loop does not catch it.

    Parameters
    ----------
    message
        What the endpoint did.
    retry
        Whether another attempt may succeed (``False`` for 4xx, unreadable
        answers and the deadline).
    """

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class FeedAnswer:
    """What one feed call returned.

    Attributes
    ----------
    feed, function
        The feed and its akshare function.
    frame
        akshare's frame (its Chinese columns); empty when the endpoint had no items.
    empty
        The endpoint answered with an empty item list.
    window
        Oldest and newest publication time (Asia/Shanghai) of *all* items of
        the answer, read from the JSON (for ``cls_key`` this spans the 20
        telegraphs of which the frame keeps the A/B-level ones); ``None`` when
        unknown (an injected fetcher, an empty answer).
    attempts
        Attempts made.
    """

    feed: NewsFeed
    function: str
    frame: pd.DataFrame
    empty: bool
    window: Timestamps | None
    attempts: int


# ----------------------------------------------------------------------------- checkpoint


@dataclass
class _Scope:
    deadline: float
    timeout: float
    clock: Callable[[], float]
    jsonp: bool
    payloads: list[Any] = field(default_factory=list)


class _Local(threading.local):
    def __init__(self) -> None:
        self.scope: _Scope | None = None


_LOCAL = _Local()
_LOCK = threading.Lock()


def _url_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The URL of ``Session.request(self, method, url, ...)`` (positional or keyword)."""
    return str(kwargs.get("url", args[2] if len(args) > 2 else "?"))


def _check(scope: _Scope, response: Any, url: str) -> None:
    """Raise :class:`FeedAnswerError` unless ``response`` holds data; keep its payload."""
    status = int(getattr(response, "status_code", 200))
    host = url.split("?")[0]
    if status >= 400:
        raise FeedAnswerError(f"HTTP {status} from {host}", retry=status >= 500 or status == 429)
    body = bytes(getattr(response, "content", b"") or b"").strip()
    if not body:
        raise FeedAnswerError(f"an empty answer from {host} (HTTP {status})")
    if body[:1] == b"<":
        raise FeedAnswerError(
            f"an HTML page instead of data from {host} (blocked, a captcha or an error page): "
            f"{body[:80].decode(errors='replace')!r}"
        )
    text = body.decode("utf-8", errors="replace")
    if scope.jsonp and "(" in text:
        text = text[text.find("(") + 1 : text.rfind(")")]
    try:
        payload = json.loads(text)
    except ValueError:
        raise FeedAnswerError(f"an answer from {host} that is not JSON: {text[:80]!r}") from None
    if not payload:
        raise FeedAnswerError(f"an empty JSON answer from {host}: {text[:80]!r}")
    scope.payloads.append(payload)


def _transport_error(err: BaseException, url: str, timeout: float) -> FeedAnswerError:
    name = type(err).__name__
    if "timeout" in name.lower() or "timed out" in str(err).lower():
        return FeedAnswerError(
            f"no answer from {url.split('?')[0]} within {timeout:.3g} s ({name})"
        )
    return FeedAnswerError(f"{name} from {url.split('?')[0]}: {err}")


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Session.request`` through this thread's checkpoint, if it has one."""

    def request(*args: Any, **kwargs: Any) -> Any:
        scope = _LOCAL.scope
        if scope is None:  # not inside guarded_http on this thread: untouched
            return original(*args, **kwargs)
        url = _url_of(args, kwargs)
        left = scope.deadline - scope.clock()
        if left <= 0:
            raise FeedAnswerError(f"the deadline passed before requesting {url.split('?')[0]}")
        given = kwargs.get("timeout")
        timeout = min(scope.timeout, left)
        kwargs["timeout"] = timeout if not isinstance(given, int | float) else min(given, timeout)
        try:
            response = original(*args, **kwargs)
        except FeedAnswerError:
            raise
        except Exception as err:  # requests / curl_cffi transport errors
            raise _transport_error(err, url, kwargs["timeout"]) from err
        _check(scope, response, url)
        return response

    request._eventstudy_feed_guard = True  # type: ignore[attr-defined]
    return request


class _Patch:
    """``owner.request`` wrapped by :func:`_guarded` while some thread is inside a checkpoint."""

    def __init__(self, owner: Any) -> None:
        self.owner = owner
        self.users = 0
        self.original: Any = None
        self.wrapper: Any = None

    def enter(self) -> None:
        with _LOCK:
            self.users += 1
            current = self.owner.request
            if self.users == 1 and current is not self.wrapper:
                self.original, self.wrapper = current, _guarded(current)
                self.owner.request = self.wrapper

    def exit(self) -> None:
        with _LOCK:
            self.users -= 1
            if self.users == 0 and self.owner.request is self.wrapper:
                # (if someone patched over it meanwhile, the wrapper stays in their chain,
                # passing every call of other threads through unchanged)
                self.owner.request = self.original


_PATCHES: dict[str, _Patch] = {}


def _patches() -> list[_Patch]:
    """The patches of ``requests.Session`` and (if installed) ``curl_cffi.requests.Session``."""
    with _LOCK:
        if not _PATCHES:
            import requests

            _PATCHES["requests"] = _Patch(requests.Session)
            try:
                from curl_cffi import requests as curl_requests
            except ImportError:  # akshare versions before curl_cffi: requests only
                pass
            else:
                _PATCHES["curl_cffi"] = _Patch(curl_requests.Session)
        return list(_PATCHES.values())


@contextlib.contextmanager
def guarded_http(
    *,
    deadline: float,
    timeout: float = DEFAULT_TIMEOUT,
    jsonp: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[list[Any]]:
    """Run this thread's HTTP requests through the checkpoint until the block ends.

    Parameters
    ----------
    deadline
        ``clock()`` value after which no request starts.
    timeout
        Seconds per request (at most the time left).
    jsonp
        Answers are JSONP (the callback is stripped before the JSON check).
    clock
        Monotonic clock (injectable).

    Yields
    ------
    list
        The JSON payloads of the answers that passed, in order.

    Examples
    --------
    >>> with guarded_http(deadline=time.monotonic() + 5) as payloads:
    ...     pass  # akshare.stock_info_global_em() here
    >>> payloads
    []
    """
    patches = _patches()
    outer = _LOCAL.scope
    scope = _Scope(deadline=deadline, timeout=timeout, clock=clock, jsonp=jsonp)
    for p in patches:
        p.enter()
    _LOCAL.scope = scope
    try:
        yield scope.payloads
    finally:
        _LOCAL.scope = outer
        for p in patches:
            p.exit()


# ----------------------------------------------------------------------------- calls


def _items(payload: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


def _window(items: Any, time_key: str) -> Timestamps | None:
    """Oldest and newest publication time of the answer's items (Asia/Shanghai)."""
    if not isinstance(items, list):
        return None
    raw = [item.get(time_key) for item in items if isinstance(item, dict)]
    if time_key == "ctime":
        stamps = pd.to_datetime(pd.Series(raw, dtype=object), unit="s", utc=True, errors="coerce")
        stamps = stamps.dt.tz_convert(_TZ)
    else:
        stamps = pd.to_datetime(pd.Series(raw, dtype=object), errors="coerce").dt.tz_localize(_TZ)
    stamps = stamps.dropna()
    if stamps.empty:
        return None
    return pd.Timestamp(stamps.min()), pd.Timestamp(stamps.max())


def _akshare_once(
    call: FeedCall, kwargs: dict[str, Any], *, timeout: float, deadline: float, clock: Any
) -> tuple[pd.DataFrame, bool, Timestamps | None]:
    """One akshare call through the checkpoint: (frame, empty, window)."""
    import akshare  # deferred: heavy, and only the adapters may import it

    func = getattr(akshare, call.function)
    with guarded_http(deadline=deadline, timeout=timeout, jsonp=call.jsonp, clock=clock) as seen:
        try:
            frame = func(**kwargs)
        except FeedAnswerError:
            raise
        except Exception as err:  # akshare tripped over the answer
            items = _items(seen[-1], call.items) if seen else None
            if isinstance(items, list) and not items:
                return pd.DataFrame(), True, None
            answer = json.dumps(seen[-1], ensure_ascii=False)[:120] if seen else "(none)"
            raise FeedAnswerError(
                f"akshare.{call.function} could not read the answer ({type(err).__name__}: "
                f"{err}); the endpoint may have changed - update akshare. Answer: {answer}",
                retry=False,
            ) from err
    if not isinstance(frame, pd.DataFrame):
        raise FeedAnswerError(
            f"akshare.{call.function} returned {type(frame).__name__}, not a DataFrame",
            retry=False,
        )
    items = _items(seen[-1], call.items) if seen else None
    empty = isinstance(items, list) and not items
    return frame, empty, _window(items, call.time_key)


def _once(
    call: FeedCall,
    kwargs: dict[str, Any],
    *,
    timeout: float,
    deadline: float,
    clock: Callable[[], float],
    fetcher: Fetcher | None,
) -> tuple[pd.DataFrame, bool, Timestamps | None]:
    if fetcher is None:
        return _akshare_once(call, kwargs, timeout=timeout, deadline=deadline, clock=clock)
    try:
        frame = fetcher(call.function, dict(kwargs))
    except FeedAnswerError:
        raise
    except Exception as err:  # an injected fetcher's failure counts as a transport error
        raise FeedAnswerError(f"{type(err).__name__}: {err}") from err
    return frame, len(frame) == 0, None


def call_feed(
    feed: NewsFeed,
    symbol: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    attempts: int = DEFAULT_ATTEMPTS,
    fetcher: Fetcher | None = None,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    limiter: RateLimiter | None = EASTMONEY_LIMITER,
) -> FeedAnswer:
    """Fetch one feed's akshare frame, within ``deadline`` seconds.

    Parameters
    ----------
    feed
        One of :data:`~eventstudy._typing.NewsFeed`.
    symbol
        ``em_stock`` only: the bare stock code passed to ``stock_news_em`` (``600519``).
    timeout, deadline, attempts
        Seconds per HTTP request; seconds for the whole call; attempts.
    fetcher
        ``(function_name, kwargs) -> DataFrame`` instead of akshare (tests, examples).
    sleep, clock
        Injected pause and monotonic clock (tests).
    limiter
        Waited on before each Eastmoney attempt.

    Returns
    -------
    FeedAnswer

    Raises
    ------
    ProviderError
        After the last attempt, at the deadline, or at once for an answer that
        another attempt cannot fix (4xx other than 429, an answer akshare
        cannot read); the message names the feed, the function, the attempts,
        the seconds spent and the last failure.

    Examples
    --------
    >>> def down(name, kwargs):
    ...     raise ConnectionError("reset by peer")
    >>> try:
    ...     call_feed("cls", fetcher=down, attempts=2, sleep=lambda s: None)
    ... except ProviderError as err:
    ...     print(err.attempts, err)
    2 cls (akshare.stock_info_global_cls) failed after 2 attempt(s) in 0.0 s: ConnectionError:
    reset by peer
    """
    call = FEED_CALLS[feed]
    kwargs = dict(call.kwargs)
    if feed == "em_stock":
        kwargs["symbol"] = symbol
    start = clock()
    end = start + deadline
    last: FeedAnswerError | None = None
    attempt, why = 0, ""
    for attempt in range(1, max(1, int(attempts)) + 1):
        if limiter is not None and call.eastmoney:
            limiter.wait()
        try:
            frame, empty, window = _once(
                call, kwargs, timeout=timeout, deadline=end, clock=clock, fetcher=fetcher
            )
        except FeedAnswerError as err:
            last = err
            pause = min(BASE_DELAY * 2 ** (attempt - 1), 8.0)
            if not err.retry or attempt >= attempts:
                break
            if end - clock() <= pause:
                why = f"; stopped at the {deadline:g} s deadline"
                break
            sleep(pause)
            continue
        return FeedAnswer(feed, call.function, frame, empty, window, attempt)
    assert last is not None
    raise ProviderError(
        f"{feed} (akshare.{call.function}) failed after {attempt} attempt(s) in "
        f"{clock() - start:.1f} s: {last}{why}",
        symbol=symbol,
        source=f"akshare.{call.function}",
        attempts=attempt,
        cause=last,
    ) from last
