"""Live news feeds: :func:`fetch_news` fetches one feed through akshare into :class:`News`.

============ ============================= ========= ================== ======================
feed         what                          items per ids                poll (suggested)
                                           call
============ ============================= ========= ================== ======================
``em_stock`` Eastmoney news search for one 10        the article link   daily per stock (more
             stock (``stock_news_em``)                                  often around events)
``em_724``   Eastmoney 7x24 flashes        200       the article link   hourly
             (``stock_info_global_em``)
``cls``      CLS telegraph 财联社电报, all   20        hash of source,    every 10 min in the
             (``stock_info_global_cls``)             time and title     day, 30 min at night
``cls_key``  the same, level A/B (重点)     0-20      as ``cls``         as ``cls`` (the same
                                                                        20 telegraphs)
``sina_724`` Sina 7x24 (``stock_info_     20        hash of source,    every 5 min in the
             global_sina``; no titles)               time and 【title】  day, 30 min at night
                                                     (else the text)
============ ============================= ========= ================== ======================

The 7x24 feeds return only their latest items: what is not fetched before it
scrolls out is gone. Poll them (``eventstudy feed fetch``) into the archive
(:mod:`eventstudy.news.archive`). The polling intervals above are starting
points (the feeds' rates vary with the news: dozens of items an hour in
trading hours, few at night); the archive's gap report (``eventstudy feed
ls``) says whether they suffice. ``em_stock`` returns Eastmoney's 10 best
search hits for the code (not a time-ordered feed).

Each akshare frame is passed through :func:`feed_frame` and :func:`~eventstudy.news.load_news`:
the loader's column mapping joins CLS's 发布日期 and time-of-day 发布时间
(Asia/Shanghai), reads Eastmoney's 摘要 as the body and takes ids from the
article links (``finance.eastmoney.com/a/<id>.html``); :func:`feed_frame` adds
what the frames lack: the feed (``articles.category``), the provider as
publisher, a title from a leading 【headline】 when the title is empty, and for
the feeds without links an id hashed from the source, the time and the title
(the text when there is no title), identical for ``cls`` and ``cls_key``.

Every call has a deadline (akshare's own retry loops and missing timeouts are
bounded by :mod:`eventstudy.market.akshare_news`). Offline (``offline=True`` or
``EVENTSTUDY_OFFLINE=1``) :func:`fetch_news` raises
:class:`~eventstudy.exceptions.DataUnavailableError` without touching the network.

Examples
--------
A frame in the shape of ``stock_info_global_cls`` (an injected ``fetcher``
stands in for akshare):

>>> import datetime as dt
>>> import pandas as pd
>>> cls = pd.DataFrame({"标题": [""], "内容": ["【贵州茅台提价】财联社6月3日电，贵州茅台公告..."],
...                     "发布日期": [dt.date(2024, 6, 3)], "发布时间": [dt.time(9, 31, 5)]})
>>> news = fetch_news("cls", fetcher=lambda name, kwargs: cls)
>>> news.articles[["title", "published_at", "publisher", "category"]].values.tolist()
[['贵州茅台提价', Timestamp('2024-06-03 09:31:05+0800', tz='Asia/Shanghai'), '财联社', 'cls']]
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, get_args

import pandas as pd

from eventstudy._typing import ErrorPolicy, NewsFeed
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.news.frontmatter import PostProblem
from eventstudy.news.loader import canonical_columns, join_day_time
from eventstudy.news.news import News, load_news

if TYPE_CHECKING:
    from collections.abc import Callable

    from eventstudy.news.tagger import Tagger

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "FEEDS",
    "FeedFetch",
    "FeedInfo",
    "feed_frame",
    "fetch_feed",
    "fetch_news",
]

#: Seconds for one HTTP request (at most the time left before the deadline).
DEFAULT_TIMEOUT: Final = 15.0
#: Seconds for a whole fetch, retries and their pauses included.
DEFAULT_DEADLINE: Final = 60.0
#: Attempts of one fetch.
DEFAULT_ATTEMPTS: Final = 3


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is (the table in the module docstring).

    Attributes
    ----------
    provider
        Publisher of the items when the frame names none; also the namespace
        of the hashed ids (``cls`` and ``cls_key`` share it).
    page
        The feed's web page.
    per_call
        Items one call returns at most.
    poll_minutes
        Suggested polling interval in the day (see the module docstring).
    needs_symbol
        The feed is a search for one stock (``symbol=`` required).
    """

    provider: str
    page: str
    per_call: int
    poll_minutes: int
    needs_symbol: bool = False


#: The feeds, by name.
FEEDS: Final[dict[NewsFeed, FeedInfo]] = {
    "em_stock": FeedInfo("东方财富", "https://so.eastmoney.com/news/s", 10, 24 * 60, True),
    "em_724": FeedInfo("东方财富", "https://kuaixun.eastmoney.com/7_24.html", 200, 60),
    "cls": FeedInfo("财联社", "https://www.cls.cn/telegraph", 20, 10),
    "cls_key": FeedInfo("财联社", "https://www.cls.cn/telegraph", 20, 10),
    "sina_724": FeedInfo("新浪财经", "https://finance.sina.com.cn/7x24", 20, 5),
}
assert set(FEEDS) == set(get_args(NewsFeed)), "FEEDS must cover NewsFeed"

#: Namespace of hashed ids (one per provider's telegraph, shared by cls and cls_key).
_ID_PREFIX: Final[dict[NewsFeed, str]] = {
    "em_stock": "em",
    "em_724": "em",
    "cls": "cls",
    "cls_key": "cls",
    "sina_724": "sina",
}
_HEADLINE = re.compile(r"^\s*【([^【】\n]{1,80})】")


def check_feed(source: str, symbol: str | None) -> tuple[NewsFeed, str | None]:
    """Validate a feed name and its symbol; returns the feed and the bare stock code.

    Raises
    ------
    ConfigError
        An unknown feed, ``em_stock`` without a symbol, another feed with one,
        or a symbol that is not an A-share stock.

    Examples
    --------
    >>> check_feed("em_stock", "sh600519"), check_feed("em_stock", "000001")
    (('em_stock', '600519'), ('em_stock', '000001'))
    >>> check_feed("cls", None)
    ('cls', None)
    """
    feeds: tuple[str, ...] = get_args(NewsFeed)
    if source not in feeds:
        raise ConfigError(f"unknown news feed {source!r}; choose one of {', '.join(feeds)}")
    feed: NewsFeed = source  # type: ignore[assignment]  # checked against the Literal above
    if not FEEDS[feed].needs_symbol:
        if symbol is not None:
            raise ConfigError(f"the {feed} feed takes no symbol (got {symbol!r}); only em_stock")
        return feed, None
    if not symbol:
        raise ConfigError(f"the {feed} feed searches one stock: pass symbol='600519' (or similar)")
    from eventstudy.symbols import from_akshare, normalize, parse_symbol

    text = str(symbol).strip()
    # a bare code names a stock here (000001 is 平安银行, not the index): the feed is stock news
    sym = (
        from_akshare(text, kind="stock")
        if text.isdigit() and len(text) == 6
        else parse_symbol(normalize(text))
    )
    if sym.kind != "stock" or sym.market not in ("SH", "SZ", "BJ"):
        raise ConfigError(
            f"symbol={symbol!r} is {sym.canonical} ({sym.kind}); {feed} searches the news of "
            "an A-share stock (600519, 000858.SZ, ...)"
        )
    return feed, sym.code


def _hash_id(prefix: str, published: Any, title: str) -> str:
    text = f"{prefix}\n{published.isoformat()}\n{title}"
    return f"{prefix}-{hashlib.sha1(text.encode(errors='replace')).hexdigest()[:16]}"


def _row_time(row: pd.Series, cols: dict[str, str]) -> Any:
    """The row's publication time (aware), or None when the loader will skip the row."""
    from eventstudy.news.frontmatter import parse_published

    value = row[cols["published_at"]]
    try:
        if pd.isna(value):
            value = None
    except (TypeError, ValueError):  # arrays and other non-scalars: the loader decides
        pass
    if "published_day" in cols:
        value = join_day_time(row[cols["published_day"]], value)
    try:
        return parse_published(value)
    except PostProblem:
        return None


def _text_of(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=frame.index, dtype=object)
    values = [_plain(v) for v in frame[column]]
    return pd.Series(values, index=frame.index, dtype=object)


def _plain(value: Any) -> str:
    """A cell as text ("" for a missing one)."""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # arrays: their text
        pass
    return str(value)


def feed_frame(raw: pd.DataFrame, feed: NewsFeed) -> pd.DataFrame:
    """An akshare feed frame with what :func:`~eventstudy.news.load_news` needs added.

    Adds ``feed`` (loaded as ``articles.category``), ``publisher`` (the
    provider, when the frame names none), fills empty titles from a leading
    【headline】 of the text, and for rows without an article link an
    ``article_id`` hashed from the provider, the publication time and the
    title (the text when the title is empty). Every other column is kept.

    Parameters
    ----------
    raw
        A frame as the feed's akshare function returns it.
    feed
        Its feed name.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputDataError
        If ``raw`` has no publication-time column, or neither a title nor a text column.

    Examples
    --------
    >>> raw = pd.DataFrame({"时间": ["2024-06-03 10:15:32"], "内容": ["【央行开展逆回购】今日..."]})
    >>> out = feed_frame(raw, "sina_724")
    >>> out[["title", "feed", "publisher", "article_id"]].values.tolist()
    [['央行开展逆回购', 'sina_724', '新浪财经', 'sina-0051bd8a6b88dc81']]
    """
    out = raw.copy()
    cols = canonical_columns(out)
    text = _text_of(out, cols.get("text"))
    title = _text_of(out, cols.get("title"))
    headline = text.str.extract(_HEADLINE, expand=False).fillna("")
    title = title.where(title.str.strip() != "", headline)
    title_col = cols.get("title", "title")
    out[title_col] = title
    out["feed"] = feed
    if "publisher" not in cols:
        out["publisher"] = FEEDS[feed].provider
    if "article_id" not in cols:
        linked = _text_of(out, cols.get("url")).str.contains(r"^https?://", regex=True)
        cols = canonical_columns(out)
        ids: list[str | None] = []
        for i, (_, row) in enumerate(out.iterrows()):
            when = None if linked.iloc[i] else _row_time(row, cols)
            key = title.iloc[i].strip() or text.iloc[i].strip()
            ids.append(None if when is None else _hash_id(_ID_PREFIX[feed], when, key))
        out["article_id"] = pd.Series(ids, index=out.index, dtype=object)
    return out


@dataclass(frozen=True)
class FeedFetch:
    """One fetch of a feed: the loaded news and what the archive records about it.

    Attributes
    ----------
    feed
        The feed.
    symbol
        The stock searched (``em_stock``, canonical, e.g. ``600519.SH``), else None.
    news
        The items, loaded and tagged.
    fetched_at
        When the answer arrived (Asia/Shanghai).
    window
        Oldest and newest publication time of everything the endpoint returned
        (for ``cls_key`` all 20 telegraphs, not only the kept ones); ``None``
        when the answer was empty. It is the coverage the archive records.
    empty
        The endpoint answered with no items.
    """

    feed: NewsFeed
    symbol: str | None
    news: News
    fetched_at: pd.Timestamp
    window: tuple[pd.Timestamp, pd.Timestamp] | None
    empty: bool


def fetch_feed(
    source: NewsFeed,
    *,
    symbol: str | None = None,
    offline: bool | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    attempts: int = DEFAULT_ATTEMPTS,
    errors: ErrorPolicy = "collect",
    tagger: Tagger | None = None,
    fetcher: Callable[[str, dict[str, Any]], pd.DataFrame] | None = None,
) -> FeedFetch:
    """Fetch one feed: :func:`fetch_news` with the fetch's time, coverage window and symbol.

    Parameters and errors are those of :func:`fetch_news`; the archive
    (:func:`eventstudy.news.archive.append_fetch`) records what this returns.

    Returns
    -------
    FeedFetch

    Examples
    --------
    >>> raw = pd.DataFrame({"标题": ["t"], "摘要": ["body"], "发布时间": ["2024-06-03 10:15:32"],
    ...                     "链接": ["https://finance.eastmoney.com/a/202406033095712345.html"]})
    >>> got = fetch_feed("em_724", fetcher=lambda name, kwargs: raw)
    >>> got.feed, got.window[0], got.news.articles["article_id"].tolist()
    ('em_724', Timestamp('2024-06-03 10:15:32+0800', tz='Asia/Shanghai'), ['202406033095712345'])
    """
    feed, code = check_feed(source, symbol)
    from eventstudy.market.request import resolve_offline

    if resolve_offline(offline):
        raise DataUnavailableError(
            f"cannot fetch the {feed} news feed offline (offline=True or EVENTSTUDY_OFFLINE=1): "
            f"it is live only ({FEEDS[feed].page}); go online, or read what was archived "
            f"with load_news_archive({feed!r})"
        )
    from eventstudy.market.akshare_news import call_feed

    answer = call_feed(
        feed, code, timeout=timeout, deadline=deadline, attempts=attempts, fetcher=fetcher
    )
    fetched_at = pd.Timestamp.now(tz="Asia/Shanghai")
    if answer.empty:
        warnings.warn(
            f"the {feed} feed answered with no items ({answer.function}"
            f"{f'({code!r})' if code else '()'})",
            EventStudyWarning,
            stacklevel=3,
        )
    frame = feed_frame(answer.frame, feed) if len(answer.frame) else pd.DataFrame()
    news = _load(frame, errors=errors, tagger=tagger)
    window = answer.window
    if window is None and len(news.articles):
        times = news.articles["published_at"]
        window = (pd.Timestamp(times.min()), pd.Timestamp(times.max()))
    canonical = None
    if code is not None:
        from eventstudy.symbols import from_akshare

        canonical = from_akshare(code, kind="stock").canonical
    return FeedFetch(feed, canonical, news, fetched_at, window, answer.empty)


def _load(frame: pd.DataFrame, *, errors: ErrorPolicy, tagger: Tagger | None) -> News:
    if frame.empty and not len(frame.columns):  # an empty answer: no columns to map
        frame = pd.DataFrame({"title": [], "published_at": []})
    return load_news(frame, errors=errors, tagger=tagger)


def fetch_news(
    source: NewsFeed,
    *,
    symbol: str | None = None,
    offline: bool | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    attempts: int = DEFAULT_ATTEMPTS,
    errors: ErrorPolicy = "collect",
    tagger: Tagger | None = None,
    fetcher: Callable[[str, dict[str, Any]], pd.DataFrame] | None = None,
) -> News:
    """Fetch the latest items of a live news feed (akshare) as :class:`News`.

    Parameters
    ----------
    source
        ``"em_stock"`` (Eastmoney news search for ``symbol``: its 10 best
        hits), ``"em_724"`` (Eastmoney 7x24, 200 items), ``"cls"`` (CLS
        telegraph, 20 items), ``"cls_key"`` (its level A/B items among those
        20) or ``"sina_724"`` (Sina 7x24, 20 items); see the module docstring.
    symbol
        ``em_stock`` only: an A-share stock (``600519``, ``600519.SH``,
        ``sh600519``); its code becomes a ``query`` mention of every item.
    offline
        Never use the network: raise :class:`~eventstudy.exceptions.DataUnavailableError`.
        ``None`` reads ``$EVENTSTUDY_OFFLINE``.
    timeout
        Seconds per HTTP request.
    deadline
        Seconds for the whole fetch, retries and pauses included.
    attempts
        Attempts (a 4xx other than 429, or an answer akshare cannot read, is not retried).
    errors, tagger
        As :func:`~eventstudy.news.load_news` (items that cannot be read are in
        ``News.skipped`` with ``"collect"``).
    fetcher
        ``(akshare_function_name, kwargs) -> DataFrame`` used instead of akshare
        (tests and examples; the frame must have the function's columns).

    Returns
    -------
    News
        ``articles.category`` is the feed; an empty answer gives an empty
        ``News`` and an :class:`~eventstudy.exceptions.EventStudyWarning`.

    Raises
    ------
    ConfigError
        An unknown feed, or a missing/unexpected/non-stock ``symbol``.
    DataUnavailableError
        Offline.
    ProviderError
        The feed failed after its attempts or at the deadline (timeouts, 5xx,
        an HTML page instead of data, an answer akshare cannot read).

    Examples
    --------
    A frame in the shape of ``stock_news_em`` (an injected ``fetcher`` stands in
    for akshare; without it the call goes to Eastmoney):

    >>> rows = pd.DataFrame({"关键词": ["600519"], "新闻标题": ["贵州茅台拍出天价"],
    ...     "新闻内容": ["一瓶贵州茅台酒拍出高价。"], "发布时间": ["2024-06-03 10:20:00"],
    ...     "文章来源": ["证券时报网"],
    ...     "新闻链接": ["http://finance.eastmoney.com/a/202406033095799999.html"]})
    >>> news = fetch_news("em_stock", symbol="600519", fetcher=lambda name, kwargs: rows)
    >>> news.articles[["article_id", "publisher", "category"]].values.tolist()
    [['202406033095799999', '证券时报网', 'em_stock']]
    >>> news.tags()[["symbol", "how"]].values.tolist()
    [['600519.SH', 'query']]
    """
    return fetch_feed(
        source,
        symbol=symbol,
        offline=offline,
        timeout=timeout,
        deadline=deadline,
        attempts=attempts,
        errors=errors,
        tagger=tagger,
        fetcher=fetcher,
    ).news
