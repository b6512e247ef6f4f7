"""Out-of-range values are typed errors naming the key (issue 13, item 12): windows far beyond
any calendar, scores outside [0, 1], repeated columns in a news table or a returns frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventSet, EventStudy, load_news
from eventstudy.config import parse_config
from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study.windows import MAX_RELATIVE_DAY, check_window


@pytest.mark.parametrize("value", [2, 1.5, float("nan"), float("inf"), -0.1])
def test_min_score_outside_zero_one_names_the_key(value: float) -> None:
    with pytest.raises(ConfigError, match=r"events\.min_score: must be a number between 0 and 1"):
        parse_config({"news": {"path": "bundled"}, "events": {"min_score": value}})


@pytest.mark.parametrize(
    ("key", "window"),
    [
        ("event_window", [-5, 100_000_000]),
        ("event_window", [-100_000_000, 100_000_000]),
        ("estimation_window", [-100_000_000, -11]),
    ],
)
def test_windows_beyond_any_calendar_name_the_key(key: str, window: list[int]) -> None:
    with pytest.raises(ConfigError, match=rf"study\.{key}: .*beyond ±{MAX_RELATIVE_DAY}"):
        parse_config({"news": {"path": "bundled"}, "study": {key: window}})


def test_window_bound_in_the_api_too() -> None:
    with pytest.raises(ConfigError, match="event_window"):
        EventStudy(event_window=(-5, 10**8))
    assert check_window((-MAX_RELATIVE_DAY, MAX_RELATIVE_DAY), "w") == (-10_000, 10_000)


@pytest.mark.parametrize("key", ["hold", "max_exit_delay"])
def test_backtest_sessions_beyond_any_calendar_name_the_key(key: str) -> None:
    with pytest.raises(ConfigError, match=rf"strategy\.{key}: must be at most 10000"):
        parse_config({"events": {"csv": "e.csv"}, "strategy": {key: 10**8}}, kind="backtest")


@pytest.mark.parametrize(
    "columns", [["title", "published_at", "title"], ["title", "date", " Title"]]
)
def test_news_frame_with_repeated_columns(columns: list[str]) -> None:
    frame = pd.DataFrame([["白酒", "2022-01-10", "啤酒"]], columns=columns)
    with pytest.raises(
        InputDataError, match=r"repeated column names \[\['title', '.*[Tt]itle'\]\]"
    ):
        load_news(frame)


def test_news_frame_with_repeated_unused_columns_loads() -> None:
    frame = pd.DataFrame(
        [["白酒", "2022-01-10", "x", "y"]], columns=["title", "published_at", "note", "Note"]
    )
    assert len(load_news(frame).articles) == 1


@pytest.mark.parametrize("kind", ["returns", "prices"])
def test_returns_frame_with_repeated_columns(kind: str) -> None:
    days = pd.bdate_range("2021-01-01", periods=300)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.normal(0, 0.01, (300, 3)), index=days, columns=["600519.SH", "000300.SH", "600519.SH"]
    )
    data = frame if kind == "returns" else (1 + frame).cumprod()
    events = EventSet.from_frame(
        pd.DataFrame(
            {"event_id": ["e1"], "symbol": ["600519.SH"], "published_at": ["2022-02-01 10:00"]}
        )
    )
    with pytest.raises(InputDataError, match=rf"{kind} have duplicated columns \['600519.SH'\]"):
        EventStudy(market="000300.SH").fit(events, **{kind: data})
