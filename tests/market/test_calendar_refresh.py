"""The trading calendar refreshed from Sina, stored in the cache, used offline (issue 12).

``tool_trade_date_hist_sina`` is stubbed at the HTTP level (``responses``) with
``klc_td_sh.txt`` in Sina's exact shape (``var datelist="...";var
KLC_TD_SH=datelist;``, written by :mod:`.sina_codec`), so akshare's own JS
decoder and pandas code run. Sina lists the next year once the exchange
publishes its holidays (December): the 2027 dates of these responses are a
stand-in (weekdays of January and February 2027 without New Year's Day and a
Spring Festival week), XSHG's sessions before.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest
import requests

responses = pytest.importorskip("responses")

from eventstudy.calendar import (  # noqa: E402
    DEFAULT_CALENDAR_END,
    calendar_store,
    default_calendar,
    read_stored_calendar,
    store_calendar,
    to_session,
    trading_sessions,
)
from eventstudy.exceptions import (  # noqa: E402
    CalendarHorizonWarning,
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
    ProviderError,
)
from eventstudy.market import refresh_calendar  # noqa: E402
from eventstudy.market._net import RetryPolicy  # noqa: E402
from eventstudy.market.akshare_source import AkshareSource  # noqa: E402

from .sina_codec import CALENDAR_URL, calendar_payload  # noqa: E402

T = pd.Timestamp
HOLIDAYS_2027 = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
                 "2027-02-12"]  # fmt: skip


def sina_days(until: str = "2027-02-26") -> list[dt.date]:
    """XSHG's sessions from 1991, akshare's own 1990-12 days, then the 2027 stand-in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarHorizonWarning)
        known = trading_sessions("1991-01-01", "2026-12-31", extend=True).sessions
    start = pd.bdate_range("1990-12-19", "1990-12-31")
    later = pd.bdate_range("2027-01-01", until).difference(pd.DatetimeIndex(HOLIDAYS_2027))
    days = start.append(known).append(later)
    # Sina's list lacks 1992-05-04 (akshare adds it back)
    return [d.date() for d in days if d != T("1992-05-04") and d <= T(until)]


def make_source(attempts: int = 3, slept: list[float] | None = None) -> AkshareSource:
    return AkshareSource(
        policy=RetryPolicy(attempts=attempts, timeout=7.5),
        sleep=(slept if slept is not None else []).append,
        rng=random.Random(0),
        limiter=None,
    )


@pytest.fixture
def cache(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(folder))
    return folder


@responses.activate
def test_one_online_call_stores_the_extended_calendar(cache, no_network) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days()))
    stored = refresh_calendar(source=make_source(), offline=False)
    assert responses.calls[0].request.req_kwargs["timeout"] == (5.0, 7.5)  # akshare passes none
    assert stored.path == calendar_store() == cache / "calendar" / "XSHG.json"
    assert stored.source == "akshare.tool_trade_date_hist_sina"
    assert stored.sessions[0] == T("1990-12-19")
    assert stored.last == T("2027-02-26")
    assert T("1992-05-04") in stored.sessions  # akshare's own patch ran
    assert (pd.Timestamp.now(tz="Asia/Shanghai") - stored.retrieved_at) < pd.Timedelta(minutes=5)
    # from now on, offline: the stored calendar knows 2027's holidays
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarHorizonWarning)
        cal = default_calendar()
        assert cal.last == T("2027-02-26")
        assert to_session("2026-12-31 16:00") == T("2027-01-04")  # not New Year's Day
        assert to_session("2027-02-06 10:00") == T("2027-02-15")  # after the closed week
        assert to_session("2027-01-05 10:00") == T("2027-01-05")
    assert cal.first == T("1990-12-19")
    with pytest.warns(CalendarHorizonWarning, match="past 2027-02-26"):
        assert to_session("2027-03-01 10:00") == T("2027-03-01")


@responses.activate
def test_a_new_process_offline_uses_the_stored_calendar(cache) -> None:  # type: ignore[no-untyped-def]
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days()))
    refresh_calendar(source=make_source(), offline=False)
    code = textwrap.dedent(
        """
        import socket, warnings
        def refuse(*a, **k):
            raise AssertionError("network use attempted")
        socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
        warnings.simplefilter("error")  # no CalendarHorizonWarning, no other warning
        import eventstudy as es
        print(es.to_session("2026-12-31 16:00").date(), es.to_session("2027-02-08 10:00").date())
        """
    )
    env = {**os.environ, "EVENTSTUDY_CACHE": str(cache), "EVENTSTUDY_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2027-01-04", "2027-02-15"]


def test_offline_refresh_is_refused_without_a_socket(cache, no_network, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataUnavailableError, match=f"end on {DEFAULT_CALENDAR_END}"):
        refresh_calendar(offline=True)
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="offline"):
        refresh_calendar()
    assert no_network == []
    assert read_stored_calendar() is None


HTML_ERROR = "<html><head><title>502 Bad Gateway</title></head><body>nginx/1.18</body></html>"


@responses.activate
@pytest.mark.parametrize(
    ("fault", "body", "status"),
    [
        ("timeout", requests.exceptions.ReadTimeout("read timed out"), 200),
        ("5xx", "Internal Server Error", 503),
        ("html", HTML_ERROR, 200),
        ("empty", 'var datelist="";var KLC_TD_SH=datelist;', 200),
    ],
)
def test_faults_end_in_provider_error_and_keep_the_old_calendar(  # type: ignore[no-untyped-def]
    cache, fault: str, body: object, status: int
) -> None:
    for _ in range(3):
        responses.add(responses.GET, CALENDAR_URL, body=body, status=status)  # type: ignore[arg-type]
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        refresh_calendar(source=make_source(slept=slept), offline=False)
    assert (info.value.source, info.value.attempts) == ("akshare", 3)
    assert len(responses.calls) == 3
    assert len(slept) == 2
    assert read_stored_calendar() is None
    assert default_calendar().last == T(DEFAULT_CALENDAR_END)


@responses.activate
def test_a_list_that_is_not_shanghais_sessions_is_not_stored(cache) -> None:  # type: ignore[no-untyped-def]
    every_weekday = [d.date() for d in pd.bdate_range("2025-01-01", "2027-02-26")]
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(every_weekday))
    with pytest.raises(InputDataError, match="disagree with exchange_calendars' XSHG"):
        refresh_calendar(source=make_source(), offline=False)
    assert read_stored_calendar() is None


@responses.activate
def test_a_shorter_list_never_replaces_a_longer_stored_one(cache) -> None:  # type: ignore[no-untyped-def]
    longer = store_calendar(sina_days(), source="akshare.tool_trade_date_hist_sina",
                            retrieved_at="2026-12-20 18:00")  # fmt: skip
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days("2026-12-31")))
    with pytest.warns(EventStudyWarning, match="the stored one is kept"):
        kept = refresh_calendar(source=make_source(), offline=False)
    assert kept.last == longer.last == T("2027-02-26")
    assert read_stored_calendar().retrieved_at == longer.retrieved_at  # type: ignore[union-attr]


@responses.activate
def test_a_partial_list_fills_only_its_years(cache) -> None:  # type: ignore[no-untyped-def]
    """A list that stops early (here mid-2024) is stored; XSHG still serves the dates after it."""
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days("2024-06-28")))
    stored = refresh_calendar(source=make_source(), offline=False)
    assert stored.last == T("2024-06-28")
    cal = default_calendar()
    assert cal.last == T(DEFAULT_CALENDAR_END)
    assert not cal.is_session("2026-10-01")  # XSHG's National Day after the stored list
    assert cal.first == T("1990-12-19")


# ----------------------------------------------------------------------- the command line


@responses.activate
def test_cli_shows_and_refreshes_the_calendar(cache, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.cli import EXIT_DATA_UNAVAILABLE, EXIT_OK, main
    from eventstudy.market import register_source

    assert main(["calendar", "--cache-dir", str(cache)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "sessions 1991-01-02..2026-12-31" in out
    assert "stored calendar: none" in out
    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days()))
    register_source("akshare", make_source())
    assert main(["calendar", "--refresh", "--cache-dir", str(cache)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "sessions 1990-12-19..2027-02-26" in out
    assert "akshare.tool_trade_date_hist_sina, retrieved" in out
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    assert main(["calendar", "--refresh"]) == EXIT_DATA_UNAVAILABLE
    assert "offline" in capsys.readouterr().err
    assert len(responses.calls) == 1


# ----------------------------------------------------------------------- the live-request hook


@pytest.fixture
def fresh_process(monkeypatch):  # type: ignore[no-untyped-def]
    from eventstudy.market import calendar_refresh

    monkeypatch.setattr(calendar_refresh, "_TRIED", set())


@responses.activate
@pytest.mark.usefixtures("cache", "fresh_process")
def test_ensure_calendar_refreshes_once_when_a_request_reaches_past_the_horizon() -> None:
    from eventstudy.market.calendar_refresh import ensure_calendar

    responses.add(responses.GET, CALENDAR_URL, body=calendar_payload(sina_days()))
    assert not ensure_calendar("2026-12-31", source=make_source(), offline=False)  # known
    assert not ensure_calendar("2027-01-10", source=make_source(), offline=True)
    assert len(responses.calls) == 0
    assert ensure_calendar("2027-01-10", source=make_source(), offline=False)
    assert default_calendar().last == T("2027-02-26")
    assert not ensure_calendar("2027-06-30", source=make_source(), offline=False)  # tried
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.usefixtures("cache", "fresh_process")
def test_ensure_calendar_failure_is_one_warning_and_not_retried_in_the_process() -> None:
    from eventstudy.market.calendar_refresh import ensure_calendar

    responses.add(responses.GET, CALENDAR_URL, body="Service Unavailable", status=503)
    with pytest.warns(EventStudyWarning, match="could not be refreshed"):
        assert not ensure_calendar("2027-01-10", source=make_source(attempts=1), offline=False)
    assert not ensure_calendar("2027-01-11", source=make_source(attempts=1), offline=False)
    assert len(responses.calls) == 1
    assert default_calendar().last == T(DEFAULT_CALENDAR_END)


@responses.activate
@pytest.mark.usefixtures("cache", "fresh_process")
def test_ensure_calendar_skips_a_young_stored_calendar() -> None:
    from eventstudy.market.calendar_refresh import ensure_calendar

    store_calendar(sina_days("2026-12-31"), source="akshare.tool_trade_date_hist_sina")
    assert not ensure_calendar("2027-01-10", source=make_source(), offline=False)
    assert len(responses.calls) == 0


def test_a_live_request_past_the_horizon_asks_for_the_calendar(monkeypatch, tmp_path):
    """load_panel calls the refresh hook with the request's end when online, never offline."""
    import eventstudy.market.calendar_refresh as refresh_module
    from eventstudy.market import load_panel

    calls = []
    monkeypatch.setattr(
        refresh_module, "ensure_calendar", lambda until, **kw: calls.append((until, kw)) or False
    )
    load_panel("600519.SH", "2022-01-04", "2022-01-10", source="bundled", offline=True,
               cache_dir=tmp_path)  # fmt: skip
    assert calls == []  # offline: nothing is tried
    load_panel("600519.SH", "2022-01-04", "2022-01-10", source="bundled", offline=False,
               cache_dir=tmp_path)  # fmt: skip
    assert len(calls) == 1
    until, kw = calls[0]
    assert str(until)[:10] == "2022-01-10"
    assert kw["offline"] is False
