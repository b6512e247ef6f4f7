"""Publication times are rejected with ``bad_date``, never invented (issue 13, item 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.news import load_news
from eventstudy.news.frontmatter import PostProblem, parse_published

POST = "---\ntitle: 白酒板块走强\ndate: {date}\n---\n<p>白酒板块午后拉升。</p>\n"


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("now", "relative time"),
        ("today", "relative time"),
        ("Today 10:00", "relative time"),
        ("[2022-01-10, 2022-01-11]", "is a list"),
        ("1/2/3", "ambiguous"),
        ("1/2/2022", "ambiguous"),
        ("10-01-2022 09:30", "ambiguous"),
        ("01.02.2022", "ambiguous"),
        ("2022-01-10 2022-01-11", "more than one date"),
        ("Jan 10", "four-digit year"),
        ("2200-12-31 23:00:00 -0500", "outside 1900..2200"),  # 2201-01-01 in Beijing
        ("1900-01-01 00:30:00 +0900", "outside 1900..2200"),  # 1899-12-31 in Beijing
        ("9999-12-31 23:59:59 -1200", "outside 1900..2200"),
    ],
)
def test_invented_dates_are_skipped_as_bad_date(tmp_path: Path, date: str, why: str) -> None:
    (tmp_path / "post.md").write_text(POST.format(date=date), encoding="utf-8")
    news = load_news(tmp_path)
    assert news.articles.empty
    assert news.skipped["reason"].tolist() == ["bad_date"]
    message = news.skipped["message"].iloc[0]
    assert why in message
    value = date.strip("[]").split(",")[0]
    assert value in message  # the message names the value


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2022-01-10 11:33:36 +0800", "2022-01-10 11:33:36"),
        ("2022-01-10 11:33:36", "2022-01-10 11:33:36"),
        ("2022-01-10", "2022-01-10 00:00:00"),
        ("2022-05-28T19:54:18Z", "2022-05-29 03:54:18"),
        ("2022-01-10T11:33:36.123+08:00", "2022-01-10 11:33:36.123000"),
        ("2022-01-10 11:33:36.5", "2022-01-10 11:33:36.500000"),
        ("2022-01-10 11:33", "2022-01-10 11:33:00"),
        ("2022/01/10 11:33:36", "2022-01-10 11:33:36"),
        ("2022/1/2", "2022-01-02 00:00:00"),
        ("2022.01.10", "2022-01-10 00:00:00"),
        ("2022-1-5 9:30", "2022-01-05 09:30:00"),
        ("20220110", "2022-01-10 00:00:00"),
        ("20220110 09:30:00", "2022-01-10 09:30:00"),
        ("Mon, 10 Jan 2022 11:33:36 +0800", "2022-01-10 11:33:36"),
        ("10 Jan 2022 11:33", "2022-01-10 11:33:00"),
        ("2022-01-10 11:33:36 UTC", "2022-01-10 19:33:36"),
        ("2200-12-31 15:00:00 +0000", "2200-12-31 23:00:00"),
        ("1900-01-01 12:00:00", "1900-01-01 12:00:00"),
    ],
)
def test_real_formats_still_parse(date: str, expected: str) -> None:
    got = parse_published(date)
    assert got.tzinfo is not None
    assert got.replace(tzinfo=None).isoformat(sep=" ") == expected


def test_range_is_checked_in_beijing_time_for_datetimes() -> None:
    late = dt.datetime(2200, 12, 31, 20, tzinfo=dt.UTC)  # 2201-01-01 04:00 Beijing
    with pytest.raises(PostProblem, match=r"outside 1900\.\.2200"):
        parse_published(late)
    with pytest.raises(PostProblem, match=r"outside 1900\.\.2200"):
        parse_published(pd.Timestamp("1899-12-31 23:00"))


def test_table_rows_with_invented_dates_are_skipped() -> None:
    rows = pd.DataFrame(
        {
            "title": ["白酒一", "白酒二", "白酒三", "白酒四"],
            "published_at": ["now", "1/2/3", "2022-01-10 10:00", "today"],
        }
    )
    news = load_news(rows)
    assert news.articles["title"].tolist() == ["白酒三"]
    skipped = news.skipped.set_index("origin")
    assert skipped["reason"].to_dict() == {
        "row 0": "bad_date",
        "row 1": "bad_date",
        "row 3": "bad_date",
    }
    assert "'1/2/3'" in skipped.loc["row 1", "message"]
