"""The news archive: every fetch of a feed appended to a Parquet file in the cache.

The 7x24 feeds return only their latest items (``cls`` and ``sina_724`` 20,
``em_724`` 200), so a history of them exists only if it is collected: poll
each feed (``eventstudy feed fetch cls``, e.g. from cron) and the archive keeps
every item once.

* One file per feed: ``<cache>/news/<feed>.parquet`` (the cache folder of
  :func:`eventstudy.market.resolve_cache_dir`: ``cache_dir``, else
  ``$EVENTSTUDY_CACHE``, else the user cache folder). ``eventstudy cache clear``
  does not touch it.
* Columns (:data:`ARCHIVE_COLUMNS`): ``article_id``, ``feed``, ``query`` (the
  stock searched, ``em_stock`` only), ``title``, ``published_at`` (Asia/Shanghai),
  ``publisher``, ``url``, ``text``, ``fetched_at`` - a news table that
  :func:`~eventstudy.news.load_news` reads as it is (``feed`` becomes
  ``articles.category``), and :func:`load_news_archive` reads for several feeds.
* De-duplicated by ``article_id`` (per ``query`` for ``em_stock``: one article
  found for two stocks is kept for each); the first fetched version is kept.
* Coverage: each fetch covers the span from the oldest to the newest item the
  endpoint returned; overlapping spans are merged. When a fetch's oldest item
  is newer than the archive's newest, the time between them was not seen: a
  *gap* (polling was too sparse, or the feed was down). Gaps are stored with
  the coverage in the file's metadata (key ``eventstudy_news``) and listed by
  :func:`archive_status` / ``eventstudy feed ls``.
* Writes are atomic (a temporary file, then ``os.replace``) under a lock file
  (``fcntl`` where available), so concurrent polls of one feed do not lose rows.

Examples
--------
>>> import datetime as dt, tempfile
>>> import pandas as pd
>>> from eventstudy.news.feeds import fetch_feed
>>> def cls_frame(minutes):  # CLS telegraph frames as akshare returns them
...     return pd.DataFrame({"标题": [f"快讯{m}" for m in minutes], "内容": ["..."] * len(minutes),
...                          "发布日期": [dt.date(2024, 6, 3)] * len(minutes),
...                          "发布时间": [dt.time(9, m) for m in minutes]})
>>> cache = tempfile.mkdtemp()
>>> first = append_fetch(fetch_feed("cls", fetcher=lambda n, k: cls_frame([0, 5, 10])),
...                      cache_dir=cache)
>>> second = append_fetch(fetch_feed("cls", fetcher=lambda n, k: cls_frame([10, 15])),
...                       cache_dir=cache)
>>> third = append_fetch(fetch_feed("cls", fetcher=lambda n, k: cls_frame([40, 45])),
...                      cache_dir=cache)
>>> first.n_new, second.n_new, third.n_new, third.gap
(3, 1, 2, (Timestamp('2024-06-03 09:15:00+0800', tz='Asia/Shanghai'),
           Timestamp('2024-06-03 09:40:00+0800', tz='Asia/Shanghai')))
>>> status = archive_status(cache_dir=cache)
>>> status[["feed", "articles", "fetches", "gaps"]].values.tolist()
[['cls', 6, 3, '2024-06-03 09:15..09:40']]
>>> len(load_news_archive("cls", cache_dir=cache).articles)
6
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, get_args

import pandas as pd

from eventstudy._typing import DateLike, ErrorPolicy, NewsFeed
from eventstudy.exceptions import CacheError, ConfigError, DataUnavailableError
from eventstudy.news.news import News, load_news
from eventstudy.paths import write_parquet_atomic

if TYPE_CHECKING:
    from eventstudy.news.feeds import FeedFetch
    from eventstudy.news.tagger import Tagger

__all__ = [
    "ARCHIVE_COLUMNS",
    "ArchiveUpdate",
    "append_fetch",
    "archive_path",
    "archive_status",
    "load_news_archive",
]

#: Columns of an archive file, in order.
ARCHIVE_COLUMNS: Final = [
    "article_id",
    "feed",
    "query",
    "title",
    "published_at",
    "publisher",
    "url",
    "text",
    "fetched_at",
]
#: Columns of :func:`archive_status`.
STATUS_COLUMNS: Final = [
    "feed",
    "query",
    "articles",
    "first",
    "last",
    "fetches",
    "last_fetch",
    "gaps",
    "n_gaps",
    "path",
]
_META_KEY: Final = b"eventstudy_news"
_VERSION: Final = 1
_TZ: Final = "Asia/Shanghai"
_FOLDER: Final = "news"

Span = tuple[pd.Timestamp, pd.Timestamp]


def archive_path(feed: NewsFeed, *, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The archive file of ``feed``: ``<cache>/news/<feed>.parquet``.

    Examples
    --------
    >>> archive_path("cls", cache_dir="/tmp/c").as_posix()
    '/tmp/c/news/cls.parquet'
    """
    if feed not in get_args(NewsFeed):
        raise ConfigError(f"unknown news feed {feed!r}; choose one of {get_args(NewsFeed)}")
    from eventstudy.market.cache import resolve_cache_dir

    return resolve_cache_dir(cache_dir) / _FOLDER / f"{feed}.parquet"


@dataclass(frozen=True)
class ArchiveUpdate:
    """What appending one fetch did.

    Attributes
    ----------
    feed, query
        The feed and the stock searched (``em_stock``), else ``""``.
    path
        The archive file.
    n_fetched, n_new, n_total
        Items of the fetch, of them new to the archive, and the archive's items
        (all queries) afterwards.
    window
        The fetch's coverage (oldest, newest item), None for an empty answer.
    gap
        ``(archive's newest, fetch's oldest)`` when the fetch starts after
        everything archived before (items in between may be lost), else None.
    """

    feed: NewsFeed
    query: str
    path: Path
    n_fetched: int
    n_new: int
    n_total: int
    window: Span | None
    gap: Span | None

    def __str__(self) -> str:
        what = f"{self.feed}{f' {self.query}' if self.query else ''}"
        line = f"{what}: {self.n_fetched} items, {self.n_new} new, {self.n_total} archived"
        if self.window is not None:
            line += f" (fetched {_span_text(self.window)})"
        if self.gap is not None:
            line += f"; GAP {_span_text(self.gap)} not covered: poll more often"
        return line


def _span_text(span: Span) -> str:
    a, b = span
    right = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%Y-%m-%d %H:%M")
    return f"{a.strftime('%Y-%m-%d %H:%M')}..{right}"


# ----------------------------------------------------------------------------- file


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in ARCHIVE_COLUMNS})
    for c in ("published_at", "fetched_at"):
        frame[c] = pd.Series([], dtype=f"datetime64[ns, {_TZ}]")
    return frame


def _read(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An archive file's rows and manifest (empty ones when there is no file)."""
    if not path.exists():
        return _empty_frame(), {"version": _VERSION, "keys": {}}
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(_META_KEY)
        if raw is None:
            raise ValueError("no eventstudy_news manifest in the file's metadata")
        manifest = json.loads(raw)
        frame = table.to_pandas()
        missing = [c for c in ARCHIVE_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"columns {missing} missing")
    except (OSError, ValueError) as err:
        raise CacheError(
            f"the news archive {path} cannot be read ({err}); move it aside (it cannot be "
            "refetched: the feeds only return their latest items) or restore a backup"
        ) from err
    return frame[ARCHIVE_COLUMNS], manifest


def _write(path: Path, frame: pd.DataFrame, manifest: dict[str, Any]) -> None:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame[ARCHIVE_COLUMNS], preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = json.dumps(manifest, ensure_ascii=False).encode()
    table = table.replace_schema_metadata(meta)
    write_parquet_atomic(path, table, what="news archive")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold ``<path>.lock`` (``fcntl.flock``; no lock where ``fcntl`` does not exist)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path.with_suffix(path.suffix + ".lock"), "a+b")  # noqa: SIM115 - held below
    except OSError as err:
        raise CacheError(
            f"cannot open the news archive folder {path.parent}: {err}; set cache_dir= or "
            "EVENTSTUDY_CACHE to a writable folder"
        ) from err
    try:
        try:
            import fcntl
        except ImportError:  # Windows: atomic writes only
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


# ----------------------------------------------------------------------------- coverage


def _spans(raw: Iterable[Iterable[str]]) -> list[Span]:
    return [(pd.Timestamp(a).tz_convert(_TZ), pd.Timestamp(b).tz_convert(_TZ)) for a, b in raw]


def _merge(spans: list[Span], new: Span) -> list[Span]:
    """Add ``new`` to disjoint sorted spans; overlapping or touching spans are merged."""
    out: list[Span] = []
    for a, b in sorted([*spans, new]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _holes(spans: list[Span]) -> list[Span]:
    return [(spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]


def _record(manifest: dict[str, Any], key: str, fetch: FeedFetch) -> Span | None:
    """Update the manifest's entry of ``key`` with a fetch; returns the new gap, if any."""
    entry = manifest["keys"].setdefault(key, {"coverage": [], "gaps": [], "fetches": 0})
    entry["fetches"] += 1
    entry["last_fetch"] = fetch.fetched_at.isoformat()
    if fetch.window is None:
        return None
    spans = _spans(entry["coverage"])
    newest = max((b for _, b in spans), default=None)
    gap = (newest, fetch.window[0]) if newest is not None and fetch.window[0] > newest else None
    spans = _merge(spans, fetch.window)
    entry["coverage"] = [[a.isoformat(), b.isoformat()] for a, b in spans]
    entry["gaps"] = [[a.isoformat(), b.isoformat()] for a, b in _holes(spans)]
    return gap


# ----------------------------------------------------------------------------- public


def append_fetch(
    fetch: FeedFetch, *, cache_dir: str | os.PathLike[str] | None = None
) -> ArchiveUpdate:
    """Append one fetch to its feed's archive (de-duplicated) and record its coverage.

    Parameters
    ----------
    fetch
        What :func:`eventstudy.news.feeds.fetch_feed` returned.
    cache_dir
        Cache folder (else ``$EVENTSTUDY_CACHE``, else the user cache folder).

    Returns
    -------
    ArchiveUpdate
        Counts, the fetch's window and the gap before it, if any.

    Raises
    ------
    CacheError
        If the archive cannot be read or written.

    Examples
    --------
    See the module docstring.
    """
    path = archive_path(fetch.feed, cache_dir=cache_dir)
    query = fetch.symbol or ""
    a = fetch.news.articles
    rows = pd.DataFrame(
        {
            "article_id": a["article_id"].astype(object),
            "feed": fetch.feed,
            "query": fetch.symbol,
            "title": a["title"].astype(object),
            "published_at": a["published_at"],
            "publisher": a["publisher"].astype(object),
            "url": a["url"].astype(object),
            "text": a["text"].astype(object),
            "fetched_at": fetch.fetched_at,
        },
        columns=ARCHIVE_COLUMNS,
    )
    rows = rows.astype({"fetched_at": f"datetime64[ns, {_TZ}]"}).astype(
        {"published_at": f"datetime64[ns, {_TZ}]"}
    )
    with _locked(path):
        frame, manifest = _read(path)
        seen = set(zip(frame["article_id"], frame["query"].fillna(""), strict=True))
        fresh = rows[[(i, query) not in seen for i in rows["article_id"]]]
        gap = _record(manifest, query, fetch)
        parts = [f for f in (frame, fresh) if len(f)]
        out = pd.concat(parts, ignore_index=True) if parts else _empty_frame()
        out = out.sort_values(["published_at", "article_id"], kind="stable", ignore_index=True)
        manifest["version"], manifest["feed"] = _VERSION, fetch.feed
        _write(path, out, manifest)
    return ArchiveUpdate(
        fetch.feed, query, path, len(rows), len(fresh), len(out), fetch.window, gap
    )


def _feeds(feeds: NewsFeed | Iterable[NewsFeed] | None) -> list[NewsFeed]:
    allowed: tuple[NewsFeed, ...] = get_args(NewsFeed)
    if feeds is None:
        return list(allowed)
    chosen = [feeds] if isinstance(feeds, str) else list(feeds)
    bad = [f for f in chosen if f not in allowed]
    if bad:
        raise ConfigError(f"unknown news feed(s) {bad}; choose among {', '.join(allowed)}")
    return chosen


def archive_status(*, cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One row per archived feed (and searched stock): counts, time span, fetches, gaps.

    Columns: ``feed``, ``query`` (the stock of ``em_stock``, else ``""``),
    ``articles``, ``first`` and ``last`` (publication times), ``fetches``,
    ``last_fetch``, ``gaps`` (text: the spans not covered between fetches),
    ``n_gaps`` and ``path``.

    Examples
    --------
    >>> import tempfile
    >>> archive_status(cache_dir=tempfile.mkdtemp()).empty
    True
    """
    rows: list[list[Any]] = []
    for feed in get_args(NewsFeed):
        path = archive_path(feed, cache_dir=cache_dir)
        if not path.exists():
            continue
        frame, manifest = _read(path)
        for key, entry in sorted(manifest.get("keys", {}).items()):
            mine = frame[frame["query"].fillna("") == key]
            holes = _spans(entry.get("gaps", []))
            rows.append(
                [
                    feed,
                    key,
                    len(mine),
                    mine["published_at"].min() if len(mine) else pd.NaT,
                    mine["published_at"].max() if len(mine) else pd.NaT,
                    int(entry.get("fetches", 0)),
                    pd.Timestamp(entry["last_fetch"]) if entry.get("last_fetch") else pd.NaT,
                    ", ".join(_span_text(h) for h in holes),
                    len(holes),
                    str(path),
                ]
            )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def load_news_archive(
    feeds: NewsFeed | Iterable[NewsFeed] | None = None,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    errors: ErrorPolicy = "collect",
    tagger: Tagger | None = None,
) -> News:
    """Read archived feed items back as :class:`News`.

    Parameters
    ----------
    feeds
        A feed, several, or None for every archived feed.
    start, end
        Only items published in ``[start, end]`` (naive values are Beijing
        time; a date as ``end`` includes that whole day).
    cache_dir
        Cache folder (else ``$EVENTSTUDY_CACHE``, else the user cache folder).
    errors, tagger
        As :func:`~eventstudy.news.load_news`.

    Returns
    -------
    News
        ``articles.category`` is the feed.

    Raises
    ------
    DataUnavailableError
        If none of the feeds has an archive.
    CacheError
        If an archive file cannot be read.

    Examples
    --------
    See the module docstring; ``load_news(archive_path("cls"))`` reads one
    feed's file too.
    """
    chosen = _feeds(feeds)
    frames = []
    for feed in chosen:
        path = archive_path(feed, cache_dir=cache_dir)
        if path.exists():
            frames.append(_read(path)[0])
    if not frames:
        where = archive_path(chosen[0], cache_dir=cache_dir).parent
        command = f"eventstudy feed fetch {chosen[0]}"
        if chosen[0] == "em_stock":
            command += " --symbol 600519"
        raise DataUnavailableError(
            f"no news archive of {', '.join(chosen)} in {where}; fetch into it first "
            f"(e.g. {command})"
        )
    frame = pd.concat(frames, ignore_index=True)
    times = frame["published_at"]
    if start is not None:
        frame = frame[times >= _bound(start, end=False)]
    if end is not None:
        frame = frame[frame["published_at"] <= _bound(end, end=True)]
    return load_news(frame.reset_index(drop=True), errors=errors, tagger=tagger)


def _bound(value: DateLike, *, end: bool) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    is_day = ts == ts.normalize() and not (isinstance(value, str) and ":" in value)
    ts = ts.tz_localize(_TZ) if ts.tzinfo is None else ts.tz_convert(_TZ)
    return ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1) if end and is_day else ts
