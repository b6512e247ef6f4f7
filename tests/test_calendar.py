"""Trading calendar and the day-0 rule (METHODS.md "Day 0")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.calendar import (
    DEFAULT_CALENDAR_END,
    TradingCalendar,
    default_calendar,
    session_bounds,
    shanghai_sessions,
    to_session,
    trading_sessions,
    uses_china_calendar,
)
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError

# Fri 2022-01-07, Mon 10, Tue 11; weekend 8-9
CAL = TradingCalendar(pd.to_datetime(["2022-01-06", "2022-01-07", "2022-01-10", "2022-01-11"]))


@pytest.mark.parametrize(
    ("published", "rule", "expected"),
    [
        ("2022-01-10 11:33:36+08:00", "next", "2022-01-10"),  # the seed post
        ("2022-01-10 14:59:59+08:00", "next", "2022-01-10"),
        ("2022-01-10 15:00:00+08:00", "next", "2022-01-11"),  # at the close → next
        ("2022-01-10 03:16:00+08:00", "next", "2022-01-10"),  # at night before the open
        ("2022-01-08 10:00:00+08:00", "next", "2022-01-10"),  # Saturday
        ("2022-01-07 16:00:00+08:00", "next", "2022-01-10"),  # Friday after close
        ("2022-01-10 03:33:36+00:00", "next", "2022-01-10"),  # UTC input, 11:33 local
        ("2022-01-10 07:30:00+00:00", "next", "2022-01-11"),  # 15:30 local
        ("2022-01-10 11:33", "next", "2022-01-10"),  # naive = Asia/Shanghai
        ("2022-01-08 10:00:00+08:00", "previous", "2022-01-07"),
        ("2022-01-10 16:00:00+08:00", "previous", "2022-01-10"),
        ("2022-01-10 11:00:00+08:00", "strict", "2022-01-10"),
        ("2022-01-10 16:00:00+08:00", "strict", None),
        ("2022-01-08 10:00:00+08:00", "strict", None),
        ("2022-01-11 16:00:00+08:00", "next", None),  # after the calendar's last session
        ("2021-12-01 10:00:00+08:00", "next", None),  # before its first
        ("not a date", "next", None),
    ],
)
def test_day0_rule(published: str, rule: str, expected: str | None) -> None:
    got = CAL.to_session(published, rule=rule)  # type: ignore[arg-type]
    if expected is None:
        assert got is pd.NaT
    else:
        assert got == pd.Timestamp(expected)


def test_cutoff_is_configurable() -> None:
    assert CAL.to_session("2022-01-10 11:40", cutoff="11:30") == pd.Timestamp("2022-01-11")
    assert CAL.to_session("2022-01-10 11:20", cutoff=dt.time(11, 30)) == pd.Timestamp("2022-01-10")
    with pytest.raises(ConfigError, match="cutoff='3pm'"):
        CAL.to_session("2022-01-10", cutoff="3pm")
    with pytest.raises(ConfigError, match="rule='later'"):
        CAL.to_session("2022-01-10", rule="later")  # type: ignore[arg-type]


def test_mixed_aware_and_naive_vectorised() -> None:
    got = CAL.to_sessions(["2022-01-10 11:00+08:00", "2022-01-08 10:00", None])
    assert got[0] == pd.Timestamp("2022-01-10")
    assert got[1] == pd.Timestamp("2022-01-10")
    assert got[2] is pd.NaT


def test_bundled_calendar_and_seed_day0() -> None:
    cal = trading_sessions("2022-01-01", "2022-12-31")
    assert cal.first == pd.Timestamp("2022-01-04")
    assert "000300.SH" in cal.source
    assert not cal.is_session("2022-01-31")  # Spring Festival holiday
    assert to_session("2022-01-10 11:33:36+08:00") == pd.Timestamp("2022-01-10")
    assert cal.offset("2022-01-10", -1) == pd.Timestamp("2022-01-07")


def test_calendar_extends_beyond_data_with_xshg() -> None:
    cal = trading_sessions("2026-07-01", "2026-12-31")
    assert "XSHG" in cal.source
    assert cal.last <= pd.Timestamp("2026-12-31")
    assert not cal.is_session("2026-10-01")  # National Day
    assert cal.is_session("2026-08-03")  # beyond the bundled CSI 300 history


def test_calendar_from_given_prices() -> None:
    px = pd.DataFrame(
        {"000300.SH": [1.0, None, 2.0]},
        index=pd.to_datetime(["2022-01-06", "2022-01-07", "2022-01-10"]),
    )
    cal = trading_sessions(prices=px, extend=False)
    assert list(cal.sessions.strftime("%d")) == ["06", "10"]
    with pytest.raises(DataUnavailableError, match="benchmark"):
        trading_sessions(prices=px.rename(columns={"000300.SH": "x"}))


def test_offset_outside_calendar_raises() -> None:
    with pytest.raises(DataUnavailableError, match="outside the calendar"):
        CAL.offset("2022-01-11", 1)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2022, 1, 5), max_value=dt.datetime(2022, 1, 11, 23, 59)),
)
def test_next_rule_properties(ts: dt.datetime) -> None:
    got = CAL.to_session(ts)
    day = pd.Timestamp(ts).normalize()
    if got is pd.NaT:
        assert day > CAL.last or (day == CAL.last and ts.hour >= 15) or day < CAL.first
        return
    assert CAL.is_session(got)
    assert got >= day  # never before publication
    # no session lies strictly between publication day and day 0 (except the day itself after close)
    between = CAL.range(day + pd.Timedelta(days=1), got - pd.Timedelta(days=1))
    assert len(between) == 0
    prev = CAL.to_session(ts, rule="previous")
    assert prev <= got


# ----------------------------------------------------------------------- session bounds


def test_default_calendar_is_public_and_built_once() -> None:
    cal = default_calendar()
    assert cal is default_calendar()
    assert cal.first == pd.Timestamp("2005-01-04")
    assert cal.last <= pd.Timestamp(DEFAULT_CALENDAR_END)
    assert to_session("2022-01-10 15:30") == cal.to_session("2022-01-10 15:30")


def test_session_bounds_count_sessions_exactly() -> None:
    cal = default_calendar()
    day0s = pd.Series(pd.to_datetime(["2022-03-01", "2022-01-10", None]))
    start, end = session_bounds(day0s, before=250, after=20)
    # exactly 250 sessions before the earliest day 0 and 20 after the latest
    assert len(cal.range(start, "2022-01-10")) == 251
    assert len(cal.range("2022-03-01", end)) == 21
    assert cal.is_session(start)
    assert cal.is_session(end)
    # across the Spring Festival closure (2022-01-31 .. 02-04)
    assert session_bounds("2022-01-28", before=0, after=1) == (
        pd.Timestamp("2022-01-28"),
        pd.Timestamp("2022-02-07"),
    )


def test_session_bounds_on_non_sessions_and_given_calendar() -> None:
    # a Saturday day 0: counted from the next session back, and from the previous one on
    assert session_bounds("2022-01-08", before=1, after=1, calendar=CAL) == (
        pd.Timestamp("2022-01-07"),
        pd.Timestamp("2022-01-10"),
    )
    assert session_bounds("2022-01-10", before=0, after=0, calendar=CAL) == (
        pd.Timestamp("2022-01-10"),
        pd.Timestamp("2022-01-10"),
    )


def test_session_bounds_beyond_the_calendar_count_weekdays() -> None:
    # CAL holds 2022-01-06 .. 2022-01-11: before and after it every weekday counts
    start, end = session_bounds(["2022-01-07"], before=3, after=4, calendar=CAL)
    assert start == pd.Timestamp("2022-01-04")  # 06 from the calendar, then weekdays 05, 04
    assert end == pd.Timestamp("2022-01-13")  # 10, 11 from the calendar, then weekdays 12, 13
    far = session_bounds("2040-06-04", before=5, after=5)  # a Monday past the XSHG table
    assert far == (pd.Timestamp("2040-05-28"), pd.Timestamp("2040-06-11"))


def test_session_bounds_bad_input() -> None:
    with pytest.raises(ConfigError, match="before=-1"):
        session_bounds("2022-01-10", before=-1, after=0)
    with pytest.raises(InputDataError, match="no date"):
        session_bounds([None, "not a date"], before=1, after=1)


def test_shanghai_sessions_and_china_calendar() -> None:
    assert shanghai_sessions("2022-01-29", "2022-02-06").empty  # Spring Festival
    assert list(shanghai_sessions("2022-01-07", "2022-01-10").strftime("%d")) == ["07", "10"]
    assert uses_china_calendar("000001.SZ")
    assert uses_china_calendar("930050.CSI")
    assert not uses_china_calendar("00700.HK")
    assert not uses_china_calendar("not a symbol")


def test_old_module_path_is_a_deprecated_alias() -> None:
    import importlib
    import sys

    sys.modules.pop("eventstudy.market.calendar", None)
    with pytest.warns(DeprecationWarning, match="eventstudy.calendar"):
        old = importlib.import_module("eventstudy.market.calendar")
    assert old.TradingCalendar is TradingCalendar
    assert old.default_calendar is default_calendar
