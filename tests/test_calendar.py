"""Trading calendar and the day-0 rule (METHODS.md "Day 0")."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.calendar import (
    DEFAULT_CALENDAR_END,
    TradingCalendar,
    calendar_store,
    default_calendar,
    read_stored_calendar,
    session_bounds,
    shanghai_sessions,
    store_calendar,
    to_session,
    trading_sessions,
    uses_china_calendar,
)
from eventstudy.exceptions import (
    CalendarHorizonWarning,
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
)


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    """Each test has its own (empty) cache folder: no stored calendar leaks in."""
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


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
    assert cal.first == pd.Timestamp("1991-01-02")  # XSHG before the bundled CSI 300 (2005)
    assert cal.last == pd.Timestamp(DEFAULT_CALENDAR_END)  # no stored calendar in this cache
    assert cal.weekdays_after
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
    with pytest.warns(CalendarHorizonWarning) as caught:
        start, end = session_bounds(["2022-01-07"], before=3, after=4, calendar=CAL)
    assert [("reaches 2022-01-13" in str(w.message), "starts on 2022-01-04" in str(w.message))
            for w in caught] == [(True, False), (False, True)]  # fmt: skip
    assert start == pd.Timestamp("2022-01-04")  # 06 from the calendar, then weekdays 05, 04
    assert end == pd.Timestamp("2022-01-13")  # 10, 11 from the calendar, then weekdays 12, 13
    with pytest.warns(CalendarHorizonWarning, match="past 2026-12-31"):
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


# ----------------------------------------------------------------------- past the horizon (#12)


def test_a_2027_publication_is_day_0_on_its_weekday_with_a_warning() -> None:
    """Issue 12: past XSHG's 2026-12-31 an article is not lost as NaT."""
    with pytest.warns(CalendarHorizonWarning, match="past 2026-12-31"):
        assert to_session("2027-01-05 10:00") == pd.Timestamp("2027-01-05")
    with pytest.warns(CalendarHorizonWarning):
        assert to_session("2027-01-05 15:30") == pd.Timestamp("2027-01-06")  # after the close
    with pytest.warns(CalendarHorizonWarning):
        assert to_session("2027-01-09 10:00") == pd.Timestamp("2027-01-11")  # Saturday
    with pytest.warns(CalendarHorizonWarning):
        # across the horizon: the next weekday, Fri 2027-01-01 (New Year: unknown there)
        assert to_session("2026-12-31 16:00") == pd.Timestamp("2027-01-01")
    with pytest.warns(CalendarHorizonWarning):
        assert to_session("2027-01-09 10:00", rule="previous") == pd.Timestamp("2027-01-08")
    with pytest.warns(CalendarHorizonWarning):
        assert to_session("2027-01-05 10:00", rule="strict") == pd.Timestamp("2027-01-05")
    assert to_session("2027-01-09 10:00", rule="strict") is pd.NaT  # a weekend stays no session


def test_no_warning_inside_the_known_calendar() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarHorizonWarning)
        assert to_session("2026-12-31 10:00") == pd.Timestamp("2026-12-31")
        assert session_bounds("2026-12-01", before=120, after=20)[1] == pd.Timestamp("2026-12-29")
        assert len(shanghai_sessions("2026-12-01", "2026-12-31")) == 23


def test_default_calendar_past_the_horizon_offsets_ranges_and_sessions() -> None:
    cal = default_calendar()
    with pytest.warns(CalendarHorizonWarning):
        assert cal.offset("2026-12-30", 3) == pd.Timestamp("2027-01-04")
    with pytest.warns(CalendarHorizonWarning):
        assert cal.offset("2027-01-11", -5) == pd.Timestamp("2027-01-04")
    assert cal.offset("2026-12-31", -1) == pd.Timestamp("2026-12-30")
    with pytest.warns(CalendarHorizonWarning, match="sessions up to 2027-01-08"):
        got = cal.range("2026-12-30", "2027-01-08")
    assert got.strftime("%m-%d").tolist() == ["12-30", "12-31", "01-01", "01-04", "01-05",
                                              "01-06", "01-07", "01-08"]  # fmt: skip
    assert cal.is_session("2027-01-05")
    assert not cal.is_session("2027-01-09")
    assert not cal.is_session("2026-10-01")  # a known holiday
    with pytest.warns(CalendarHorizonWarning):
        assert shanghai_sessions("2027-01-01", "2027-01-06").strftime("%d").tolist() == [
            "01", "04", "05", "06"]  # fmt: skip
    assert to_session("1990-06-01 10:00") is pd.NaT  # before the exchange opened


def test_windows_reaching_past_the_horizon_warn() -> None:
    """An estimation or event window past the horizon may be shifted by a holiday."""
    with pytest.warns(CalendarHorizonWarning, match=r"window of 20 session\(s\) after 2026-12-15"):
        start, end = session_bounds("2026-12-15", before=250, after=20)
    assert end == pd.Timestamp("2027-01-12")  # 12 known sessions, then 8 weekdays
    assert default_calendar().is_session(start)


def test_trading_sessions_past_the_horizon_is_open_ended() -> None:
    with pytest.warns(CalendarHorizonWarning, match="a calendar up to 2027-01-08 asked"):
        cal = trading_sessions("2026-12-28", "2027-01-08")
    assert cal.weekdays_after
    assert "weekdays after 2026-12-31" in cal.source
    assert len(cal) == 10  # 4 known sessions + 6 weekdays (New Year included: unknown)
    exact = trading_sessions("2026-12-01", "2026-12-31")
    assert not exact.weekdays_after
    assert exact.to_session("2027-01-05 10:00") is pd.NaT  # the range asked for ends there


def test_events_of_2027_keep_their_day_0() -> None:
    from eventstudy.events import EventSet

    raw = pd.DataFrame({"event_id": ["a"], "symbol": ["600519.SH"],
                        "published_at": ["2027-01-05 10:00"]})  # fmt: skip
    with pytest.warns(CalendarHorizonWarning):
        ev = EventSet.from_frame(raw)
    assert ev.frame["day0"].tolist() == [pd.Timestamp("2027-01-05")]
    assert ev.dropped.empty


# ----------------------------------------------------------------------- the stored calendar


def sessions_with_2027(holidays: tuple[str, ...] = ("2027-01-01",)) -> pd.DatetimeIndex:
    """XSHG's sessions of 2025-2026 and the weekdays of January 2027 but ``holidays``
    (a stand-in for a refreshed list: Sina publishes the next year in December)."""
    known = trading_sessions("2025-01-01", "2026-12-31").sessions
    jan = pd.bdate_range("2027-01-01", "2027-01-29")
    return known.append(jan.difference(pd.DatetimeIndex(holidays)))


def test_stored_calendar_extends_the_default_one(own_cache) -> None:  # type: ignore[no-untyped-def]
    before = default_calendar()
    stored = store_calendar(sessions_with_2027(), source="akshare.tool_trade_date_hist_sina",
                            retrieved_at="2026-12-20 18:00")  # fmt: skip
    assert stored.path == calendar_store() == own_cache / "calendar" / "XSHG.json"
    assert str(stored.retrieved_at) == "2026-12-20 18:00:00+08:00"
    cal = default_calendar()
    assert cal is not before  # rebuilt: the stored file changed
    assert cal.last == pd.Timestamp("2027-01-29")
    assert "akshare.tool_trade_date_hist_sina retrieved 2026-12-20" in cal.source
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarHorizonWarning)
        assert to_session("2027-01-05 10:00") == pd.Timestamp("2027-01-05")
        assert to_session("2027-01-01 10:00") == pd.Timestamp("2027-01-04")  # a known holiday
        assert session_bounds("2026-12-15", before=10, after=20)[1] == pd.Timestamp("2027-01-13")
    assert cal.first == pd.Timestamp("1991-01-02")  # XSHG still fills the years before
    assert default_calendar() is cal


def test_stored_calendar_round_trip_and_format(own_cache) -> None:  # type: ignore[no-untyped-def]
    days = sessions_with_2027()
    store_calendar(days, source="example", retrieved_at=pd.Timestamp("2026-12-20 10:00Z"))
    payload = json.loads(calendar_store().read_text(encoding="utf-8"))
    assert {k: payload[k] for k in ("version", "calendar", "source", "first", "last")} == {
        "version": 1, "calendar": "XSHG", "source": "example", "first": "2025-01-02",
        "last": "2027-01-29"}  # fmt: skip
    assert payload["retrieved_at"] == "2026-12-20T18:00:00+08:00"
    back = read_stored_calendar()
    assert back is not None
    assert back.sessions.equals(days.rename("session"))
    assert back.source == "example"
    assert list(own_cache.joinpath("calendar").iterdir()) == [calendar_store()]  # no temp file


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        (pd.bdate_range("2026-11-02", "2026-11-06"), "at least 20 sessions"),
        (pd.date_range("2026-11-01", "2026-12-31"), "weekend day"),
        (pd.bdate_range("2026-01-01", "2026-12-31"), "disagree with exchange_calendars"),
    ],
)
def test_store_refuses_what_cannot_be_shanghais_sessions(
    sessions: pd.DatetimeIndex, message: str
) -> None:
    with pytest.raises(InputDataError, match=message):
        store_calendar(sessions, source="bad")
    assert read_stored_calendar() is None


def test_unreadable_stored_calendar_is_ignored_with_a_warning(own_cache) -> None:  # type: ignore[no-untyped-def]
    path = calendar_store()
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "sessions": [', encoding="utf-8")
    with pytest.warns(EventStudyWarning, match="cannot be read"):
        assert read_stored_calendar() is None
    with pytest.warns(EventStudyWarning, match="cannot be read"):
        cal = default_calendar()
    assert cal.last == pd.Timestamp(DEFAULT_CALENDAR_END)
