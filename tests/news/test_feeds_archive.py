"""The news archive: append with de-duplication, coverage and gaps, reading back, safety.

Fetches go through :func:`fetch_feed` with an injected fetcher returning frames in
akshare's layout (the HTTP path is tested in ``test_feeds.py``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from eventstudy.exceptions import CacheError, ConfigError, DataUnavailableError
from eventstudy.market import PriceCache
from eventstudy.news import load_news
from eventstudy.news.archive import (
    ARCHIVE_COLUMNS,
    append_fetch,
    archive_path,
    archive_status,
    load_news_archive,
)
from eventstudy.news.feeds import FeedFetch, fetch_feed

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    monkeypatch.delenv("EVENTSTUDY_CACHE", raising=False)


def at(hhmm: str, day: int = 3) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(2024, 6, day, *map(int, hhmm.split(":")), tzinfo=SH))


def cls_frame(times: list[str], day: int = 3) -> pd.DataFrame:
    """A frame as ``stock_info_global_cls`` returns it (date and time of day apart)."""
    stamps = [at(t, day) for t in times]
    return pd.DataFrame(
        {
            "标题": [f"快讯 {t}" for t in times],
            "内容": [f"内容 {t}" for t in times],
            "发布日期": [s.date() for s in stamps],
            "发布时间": [s.time() for s in stamps],
        }
    )


def cls_fetch(times: list[str], day: int = 3) -> FeedFetch:
    frame = cls_frame(times, day)
    return fetch_feed("cls", fetcher=lambda name, kwargs: frame)


def em_stock_fetch(symbol: str, codes: list[str]) -> FeedFetch:
    frame = pd.DataFrame(
        {
            "关键词": symbol,
            "新闻标题": [f"新闻{c[-4:]}" for c in codes],
            "新闻内容": ["正文"] * len(codes),
            "发布时间": ["2024-06-03 10:20:00"] * len(codes),
            "文章来源": "证券时报网",
            "新闻链接": [f"http://finance.eastmoney.com/a/{c}.html" for c in codes],
        }
    )
    return fetch_feed("em_stock", symbol=symbol, fetcher=lambda name, kwargs: frame)


def test_appending_overlapping_fetches_keeps_each_item_once(tmp_path: Path) -> None:
    first = append_fetch(cls_fetch(["09:00", "09:05", "09:10"]), cache_dir=tmp_path)
    second = append_fetch(cls_fetch(["09:05", "09:10", "09:15"]), cache_dir=tmp_path)
    assert (first.n_fetched, first.n_new, first.n_total) == (3, 3, 3)
    assert (second.n_fetched, second.n_new, second.n_total) == (3, 1, 4)
    assert first.gap is None
    assert second.gap is None
    stored = pd.read_parquet(archive_path("cls", cache_dir=tmp_path))
    assert list(stored.columns) == ARCHIVE_COLUMNS
    assert stored["article_id"].is_unique
    assert stored["published_at"].tolist() == [at(t) for t in ("09:00", "09:05", "09:10", "09:15")]
    assert str(stored["published_at"].dtype) == "datetime64[ns, Asia/Shanghai]"
    # the first fetched version is kept: fetched_at of 09:05 is the first fetch's
    first_seen = stored.set_index("title").loc["快讯 09:05", "fetched_at"]
    assert first_seen < stored.set_index("title").loc["快讯 09:15", "fetched_at"]


def test_a_fetch_after_the_archives_newest_item_records_and_shows_a_gap(tmp_path: Path) -> None:
    append_fetch(cls_fetch(["09:00", "09:10"]), cache_dir=tmp_path)
    later = append_fetch(cls_fetch(["09:40", "09:50"]), cache_dir=tmp_path)
    assert later.gap == (at("09:10"), at("09:40"))
    assert "GAP 2024-06-03 09:10..09:40 not covered" in str(later)
    # an overlapping fetch (09:50 again) adds no gap; the old one stays recorded
    again = append_fetch(cls_fetch(["09:50", "10:00"]), cache_dir=tmp_path)
    assert again.gap is None
    row = archive_status(cache_dir=tmp_path).iloc[0]
    assert (row["feed"], row["articles"], row["fetches"], row["n_gaps"]) == ("cls", 5, 3, 1)
    assert row["gaps"] == "2024-06-03 09:10..09:40"
    assert (row["first"], row["last"]) == (at("09:00"), at("10:00"))


def test_a_fetch_filling_a_gap_closes_it(tmp_path: Path) -> None:
    append_fetch(cls_fetch(["09:00", "09:10"]), cache_dir=tmp_path)
    append_fetch(cls_fetch(["09:40", "09:50"]), cache_dir=tmp_path)
    append_fetch(cls_fetch(["09:10", "09:25", "09:40"]), cache_dir=tmp_path)
    assert archive_status(cache_dir=tmp_path)["n_gaps"].tolist() == [0]


def test_coverage_is_the_answers_window_not_only_the_kept_items(tmp_path: Path) -> None:
    """cls_key keeps some of the 20 telegraphs; the window spans all 20: no false gap."""
    append_fetch(cls_fetch(["09:00", "09:10"]), cache_dir=tmp_path)
    got = cls_fetch(["09:45"])  # only one key telegraph kept ...
    answer = FeedFetch(got.feed, None, got.news, got.fetched_at, (at("09:05"), at("09:45")), False)
    update = append_fetch(answer, cache_dir=tmp_path)  # ... of an answer reaching back to 09:05
    assert update.gap is None
    assert archive_status(cache_dir=tmp_path)["n_gaps"].tolist() == [0]


def test_em_stock_is_archived_per_stock(tmp_path: Path) -> None:
    shared = "202406033095799999"
    append_fetch(em_stock_fetch("600519", [shared, "202406033095700001"]), cache_dir=tmp_path)
    update = append_fetch(em_stock_fetch("000858", [shared]), cache_dir=tmp_path)
    assert update.query == "000858.SZ"
    assert update.n_new == 1
    status = archive_status(cache_dir=tmp_path).set_index("query")
    assert status["articles"].to_dict() == {"000858.SZ": 1, "600519.SH": 2}
    news = load_news_archive("em_stock", cache_dir=tmp_path)
    q = news.mentions.query("how == 'query'")
    assert set(q["symbol"]) >= {"600519.SH"}


def test_load_news_reads_an_archive_file_and_load_news_archive_filters(tmp_path: Path) -> None:
    append_fetch(cls_fetch(["09:00", "09:10"], day=3), cache_dir=tmp_path)
    append_fetch(cls_fetch(["09:00"], day=4), cache_dir=tmp_path)
    direct = load_news(archive_path("cls", cache_dir=tmp_path))
    assert len(direct.articles) == 3
    assert direct.skipped.empty
    assert set(direct.articles["category"]) == {"cls"}
    assert set(direct.articles["publisher"]) == {"财联社"}
    day3 = load_news_archive(["cls"], start="2024-06-03", end="2024-06-03", cache_dir=tmp_path)
    assert sorted(day3.articles["published_at"]) == [at("09:00"), at("09:10")]
    late = load_news_archive(start="2024-06-03 09:05", cache_dir=tmp_path)
    assert sorted(late.articles["published_at"]) == [at("09:10"), at("09:00", day=4)]
    assert sorted(direct.articles["article_id"]) == sorted(
        load_news_archive(cache_dir=tmp_path).articles["article_id"]
    )


def test_reading_a_missing_archive_or_feed(tmp_path: Path) -> None:
    with pytest.raises(
        DataUnavailableError, match=r"no news archive of cls.*eventstudy feed fetch"
    ):
        load_news_archive("cls", cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown news feed"):
        load_news_archive("reuters", cache_dir=tmp_path)  # type: ignore[arg-type]
    assert archive_status(cache_dir=tmp_path).empty


def test_an_empty_answer_counts_as_a_fetch_without_coverage(tmp_path: Path) -> None:
    append_fetch(cls_fetch(["09:00"]), cache_dir=tmp_path)
    with pytest.warns(UserWarning, match="no items"):
        empty = fetch_feed("cls", fetcher=lambda name, kwargs: cls_frame([]))
    update = append_fetch(empty, cache_dir=tmp_path)
    assert (update.n_fetched, update.n_new, update.gap) == (0, 0, None)
    row = archive_status(cache_dir=tmp_path).iloc[0]
    assert (row["articles"], row["fetches"], row["n_gaps"]) == (1, 2, 0)


def test_a_corrupt_archive_is_reported_and_left_in_place(tmp_path: Path) -> None:
    path = archive_path("cls", cache_dir=tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(CacheError, match=r"cannot be read.*move it aside"):
        append_fetch(cls_fetch(["09:00"]), cache_dir=tmp_path)
    assert path.read_bytes() == b"PAR1 not really parquet"


def test_a_failed_write_keeps_the_previous_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_fetch(cls_fetch(["09:00"]), cache_dir=tmp_path)
    path = archive_path("cls", cache_dir=tmp_path)
    before = path.read_bytes()
    import pyarrow.parquet as pq

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(CacheError, match="cannot write the news archive"):
        append_fetch(cls_fetch(["09:05"]), cache_dir=tmp_path)
    assert path.read_bytes() == before
    assert not [p for p in os.listdir(path.parent) if p.startswith(".tmp-")]


def test_the_archive_lives_in_the_cache_folder_and_survives_cache_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    append_fetch(cls_fetch(["09:00"]))
    path = tmp_path / "news" / "cls.parquet"
    assert path.is_file()
    PriceCache(tmp_path).clear()
    assert path.is_file()
    assert len(load_news_archive("cls").articles) == 1
