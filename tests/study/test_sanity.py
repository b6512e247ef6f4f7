"""The returns sanity rule (eventstudy.study.sanity): impossible and suspect returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.study import run_event_study
from eventstudy.study.sanity import (
    IMPLAUSIBLE_RETURN,
    LISTING_SESSIONS,
    return_bounds,
    suspect_returns,
)

DATES = pd.bdate_range("2021-01-04", periods=200)


def _panel(symbols: list[str], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mkt = rng.normal(0, 0.01, len(DATES))
    data = {"000300.SH": mkt}
    for s in symbols:
        data[s] = mkt + rng.normal(0, 0.01, len(DATES))
    return pd.DataFrame(data, index=DATES)


def _study(rets: pd.DataFrame, day0: dict[str, int]) -> pd.DataFrame:
    ev = pd.DataFrame(
        {
            "event_id": list(day0),
            "symbol": list(day0),
            "day0": [DATES[i] for i in day0.values()],
        }
    )
    res = run_event_study(
        ev, returns=rets, market="000300.SH", estimation_window=(-100, -11),
        event_window=(-5, 5), min_estimation_obs=60,
    )  # fmt: skip
    return res.dropped.set_index("event_id")


@pytest.mark.parametrize("value", [1e300, 1e12, -5.0, -1.0])
def test_impossible_or_huge_returns_drop_the_event_with_their_own_reason(value: float) -> None:
    rets = _panel(["600519.SH", "000858.SZ"])
    rets.iloc[150, 1] = value  # 600519.SH, inside the estimation window of its event
    dropped = _study(rets, {"600519.SH": 180, "000858.SZ": 180})
    assert dropped.index.tolist() == ["600519.SH"]
    assert dropped.loc["600519.SH", "reason"] == IMPLAUSIBLE_RETURN
    assert str(DATES[150].date()) in dropped.loc["600519.SH", "message"]


def test_a_suspect_return_outside_the_windows_drops_nothing() -> None:
    rets = _panel(["600519.SH"])
    rets.iloc[20, 1] = -5.0  # before the estimation window [-100, -11] of day 0 = 180
    assert _study(rets, {"600519.SH": 180}).empty


def test_board_limits_with_a_wide_margin() -> None:
    # +35 %: beyond 2 x 10 % on the main board, within 2 x 20 % on ChiNext after its reform
    rets = _panel(["600519.SH", "300750.SZ"])
    rets.iloc[170, 1:] = 0.35
    dropped = _study(rets, {"600519.SH": 180, "300750.SZ": 180})
    assert dropped.index.tolist() == ["600519.SH"]
    assert "+35.00%" not in dropped.loc["600519.SH", "message"]
    assert "35.00%" in dropped.loc["600519.SH", "message"]
    assert "-20% .. +20%" in dropped.loc["600519.SH", "message"]
    # a limit-up day (+10 %) is never suspect
    rets = _panel(["600519.SH"])
    rets.iloc[170, 1] = 0.1
    assert _study(rets, {"600519.SH": 180}).empty


def test_bounds_by_board_listing_and_span() -> None:
    days = pd.bdate_range("2020-08-10", periods=12)  # ChiNext reform on 2020-08-24 (row 10)
    values = np.zeros((12, 4))
    values[8, 3] = np.nan
    syms = ["600519.SH", "300750.SZ", "920001.BJ", "688981.SH"]
    low, high = return_bounds(values, syms, days)
    seasoned = LISTING_SESSIONS  # row 5 is the sixth return
    assert high[seasoned].round(4).tolist() == [0.2, 0.2, 0.6, 0.4]  # ChiNext 10 % before
    assert low[seasoned].round(4).tolist() == [-0.2, -0.2, -0.6, -0.4]
    assert high[seasoned - 1, 1] == 9.0  # first five returns: no limit
    assert high[10, 1] == pytest.approx(0.4)  # ChiNext 20 % from 2020-08-24
    # after a missing return the next spans two sessions
    assert high[9, 3] == pytest.approx(1.4**2 - 1)
    # indices, boards and foreign stocks have no limit: only the universal bounds
    low, high = return_bounds(np.zeros((8, 3)), ["000300.SH", "BK0896", "00700.HK"], days[:8])
    assert (high == 9.0).all()
    assert (low == -1.0).all()
    flags = suspect_returns(np.array([[-1.0, 9.5, 8.0]]), ["000300.SH"] * 3, days[:1])
    assert flags.tolist() == [[True, True, False]]


def test_first_sessions_after_listing_are_exempt() -> None:
    rets = _panel(["600519.SH"])
    rets.iloc[:60, 1] = np.nan  # listed on session 60
    rets.iloc[60, 1] = 0.44  # IPO-week returns have no limit
    rets.iloc[60 + LISTING_SESSIONS, 1] = 0.44  # the sixth return has one
    dropped = _study(rets, {"600519.SH": 150})
    assert dropped.loc["600519.SH", "reason"] == IMPLAUSIBLE_RETURN
    assert str(DATES[60 + LISTING_SESSIONS].date()) in dropped.loc["600519.SH", "message"]
    rets.iloc[60 + LISTING_SESSIONS, 1] = 0.01
    assert _study(rets, {"600519.SH": 150}).empty


def test_a_bad_market_return_drops_the_events_that_use_it() -> None:
    rets = _panel(["600519.SH", "000858.SZ"])
    rets.iloc[60, 0] = 50.0
    dropped = _study(rets, {"600519.SH": 180, "000858.SZ": 110})
    assert dropped.index.tolist() == ["000858.SZ"]  # day 180's windows start on session 80
    assert dropped.loc["000858.SZ", "message"].startswith("the market 000300.SH has a return")


def _messy_returns(seed: int) -> tuple[np.ndarray, list[str], pd.DatetimeIndex]:
    """Returns around every bound: heavy tails, gaps (k > 1), late listings, -100 %."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2020-07-01", periods=160)  # spans the ChiNext reform
    syms = ["600519.SH", "300750.SZ", "688981.SH", "830799.BJ", "000300.SH", "BK0896", "M",
            "00700.HK", "000001.SZ", "301001.SZ"]  # fmt: skip
    v = rng.standard_t(1.5, (len(days), len(syms))) * 0.08
    v[rng.random(v.shape) < 0.15] = np.nan  # gaps: returns spanning missing sessions
    v[:40, 8] = np.nan  # a late listing: its first returns are exempt
    v[rng.random(v.shape) < 0.01] = -1.0
    v[rng.random(v.shape) < 0.01] = 0.2  # exactly at the main-board bound
    return v, syms, days


@pytest.mark.parametrize("seed", range(6))
def test_suspect_returns_equals_the_bounds_on_every_cell(seed: int) -> None:
    v, syms, days = _messy_returns(seed)
    low, high = return_bounds(v, syms, days)
    with np.errstate(invalid="ignore"):
        ref = np.isfinite(v) & ((v <= -1.0) | (v < low) | (v > high))
    got = suspect_returns(v, syms, days)
    assert ref.sum() > 20  # the data do hit the bounds
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("seed", range(4))
def test_screen_returns_equals_a_loop_over_events(seed: int) -> None:
    from eventstudy.study.sanity import screen_returns

    v, syms, days = _messy_returns(seed)
    v[:, 6] = np.abs(v[:, 6]) * 0.01  # the market "M": mostly clean, two bad days
    v[[30, 120], 6] = [12.0, -1.5]
    low, high = return_bounds(v, syms, days)
    with np.errstate(invalid="ignore"):
        bad = np.isfinite(v) & ((v <= -1.0) | (v < low) | (v > high))
    rng = np.random.default_rng(seed)
    n = 300
    pos0 = rng.integers(0, len(days), n)
    col = rng.integers(0, len(syms), n)
    pos0[::17], col[::17] = -1, -1  # already dropped
    span = (-20, 5)
    got = screen_returns(v, syms, days, "M", pos0, col, span)
    want = set()
    for i in range(n):
        if pos0[i] < 0:
            continue
        rows = slice(max(pos0[i] + span[0], 0), pos0[i] + span[1] + 1)
        if bad[rows, col[i]].any() or bad[rows, 6].any():
            want.add(i)
    assert set(got) == want
    assert len(want) > 10
    for i, msg in got.items():
        rows = slice(max(pos0[i] + span[0], 0), pos0[i] + span[1] + 1)
        own = bad[rows, col[i]].any()
        assert msg.startswith(syms[col[i]] if own else "the market M"), msg


@pytest.mark.parametrize("seed", range(3))
def test_screen_messages_give_the_bounds_of_the_series_alone(seed: int) -> None:
    # the bounds of the flagged series are computed together; each message must show
    # those of its series computed alone (the first flagged session of the window)
    from eventstudy.study.sanity import screen_returns

    v, syms, days = _messy_returns(seed)
    v[:, 6] = np.abs(v[:, 6]) * 0.01
    v[[30, 120], 6] = [12.0, 0.5]
    rng = np.random.default_rng(seed)
    n = 200
    pos0 = rng.integers(0, len(days), n)
    col = rng.integers(0, len(syms), n)
    span = (-20, 5)
    got = screen_returns(v, syms, days, "M", pos0, col, span)
    assert len(got) > 10
    for i, msg in got.items():
        rows = np.arange(max(pos0[i] + span[0], 0), min(pos0[i] + span[1] + 1, len(days)))
        for j in (col[i], 6):
            low, high = return_bounds(v[:, [j]], [syms[j]], days)
            with np.errstate(invalid="ignore"):
                bad = np.isfinite(v[rows, j]) & (
                    (v[rows, j] <= -1) | (v[rows, j] < low[rows, 0]) | (v[rows, j] > high[rows, 0])
                )
            if bad.any():
                t = rows[np.flatnonzero(bad)[0]]
                break
        who = syms[j] if j == col[i] else "the market M"
        assert msg.startswith(f"{who} has a return of {v[t, j]:.2%} on {days[t].date()}")
        if v[t, j] > -1:
            assert f"range {low[t, 0]:+.0%} .. {high[t, 0]:+.0%})" in msg
