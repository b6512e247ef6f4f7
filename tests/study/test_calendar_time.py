"""The calendar-time portfolio test: hand-worked cases, a brute-force loop, the battery row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.study import run_event_study
from eventstudy.study.calendar_time import TOO_FEW_DAYS, calendar_time_test
from tests.study.conftest import make_events


def test_hand_worked_day_portfolios():
    # estimation days k = 0..3, one event day (day 0). Events e1, e2 on session 10, e3 on 12.
    resid = np.array([[1.0, -1.0, 2.0, 0.0], [3.0, 1.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0]])
    ar = np.array([[0.5], [1.5], [-0.5]])
    r = calendar_time_test(ar, resid, np.array([10, 10, 12]), [(0, 0)], tau1=0)
    # session 10: portfolio {e1, e2}; its residual series is the mean [2, 0, 1, 0]:
    # mean 0.75, squared deviations 1.5625 + 0.5625 + 0.0625 + 0.5625 = 2.75, var 2.75/3;
    # its AR (0.5 + 1.5)/2 = 1.0
    sar_10 = 1.0 / np.sqrt(2.75 / 3)
    # session 12: {e3}, residuals [1, 2, 3, 4]: var 5/3; AR -0.5
    sar_12 = -0.5 / np.sqrt(5.0 / 3)
    t = (sar_10 + sar_12) / np.sqrt(2)  # mean of the T = 2 SARs times sqrt(T)
    assert r.t[0] == pytest.approx(t, rel=1e-12)
    assert r.p[0] == pytest.approx(2 * stats.t.sf(abs(t), 1), rel=1e-10)
    assert r.days.tolist() == [2.0]
    assert r.n.tolist() == [3.0]
    assert r.mean_size.tolist() == [1.5]


def test_hand_worked_window_portfolios():
    # estimation days k = 0..2, event days 0 and 1, window [0, 1]; A on session 10, B on 11.
    res_a, res_b = [1.0, 3.0, 2.0], [2.0, 0.0, 4.0]
    ar = np.array([[0.6, 0.2], [-0.4, 1.0]])
    r = calendar_time_test(ar, np.array([res_a, res_b]), np.array([10, 11]), [(0, 1)], tau1=0)
    # the sessions common to the estimation windows of all events that can be in
    # the portfolio of session t are [t + T0, t - 1 + T1]: two sessions. For A (day 0
    # at 10) the session t + T0 + o is its estimation day k = t - 10 + o.
    # t = 10: {A at day 0}: A's residuals k = 0, 1 -> [1, 3], sd sqrt(2); AR 0.6
    sar_10 = 0.6 / np.sqrt(2.0)
    # t = 11: {A at day 1, B at day 0}: A k = 1, 2 -> [3, 2], B k = 0, 1 -> [2, 0];
    # mean [2.5, 1.0], sd sqrt(2 * 0.75**2) = sqrt(1.125); AR (0.2 - 0.4)/2 = -0.1
    sar_11 = -0.1 / np.sqrt(1.125)
    # t = 12: {B at day 1}: B k = 1, 2 -> [0, 4], sd sqrt(8); AR 1.0
    sar_12 = 1.0 / np.sqrt(8.0)
    t = (sar_10 + sar_11 + sar_12) / np.sqrt(3)
    assert r.t[0] == pytest.approx(t, rel=1e-12)
    assert r.p[0] == pytest.approx(2 * stats.t.sf(abs(t), 2), rel=1e-10)
    assert (r.days[0], r.n[0], r.mean_size[0]) == (3.0, 2.0, pytest.approx(4 / 3))


def _brute_force(ar, resid, pos0, a, b, tau1):
    """The definition, one calendar day and one member at a time (T0 = 0: only gaps matter)."""
    n, l1 = resid.shape
    sars = []
    for t in sorted({p + r for p in pos0 for r in range(a, b + 1)}):
        members = [i for i in range(n) if a <= t - pos0[i] <= b]
        today = [ar[i, t - pos0[i] - tau1] for i in members]
        today = [v for v in today if np.isfinite(v)]
        if not today:
            continue
        series = []
        for u in range(t - a, t - b + l1):  # [t - a + T0, t - b + T1]
            vals = [resid[i, u - pos0[i]] for i in members]
            vals = [v for v in vals if np.isfinite(v)]
            if vals:
                series.append(np.mean(vals))
        if len(series) < 2 or not np.std(series, ddof=1) > 0:
            continue
        sars.append(np.mean(today) / np.std(series, ddof=1))
    return (np.sum(sars) / np.sqrt(len(sars)) if len(sars) >= 2 else np.nan), len(sars)


@pytest.mark.parametrize("seed", range(8))
def test_matches_a_brute_force_loop_with_missing_values(seed):
    rng = np.random.default_rng(seed)
    n, l1, tau1, l2 = int(rng.integers(2, 30)), int(rng.integers(8, 40)), -2, 5
    resid = rng.normal(0, 1, (n, l1))
    ar = rng.normal(0.1, 1, (n, l2))
    resid[rng.random((n, l1)) < 0.15] = np.nan
    ar[rng.random((n, l2)) < 0.15] = np.nan
    pos0 = rng.integers(50, 70, n)
    windows = [(-2, 2), (0, 0), (-1, 1), (0, 2), (-2, -2)]
    r = calendar_time_test(ar, resid, pos0, windows, tau1=tau1)
    for c, (a, b) in enumerate(windows):
        t, days = _brute_force(ar, resid, pos0, a, b, tau1)
        assert r.days[c] == days
        if days >= 2:
            assert r.t[c] == pytest.approx(t, rel=1e-10)
            assert r.p[c] == pytest.approx(2 * stats.t.sf(abs(t), days - 1), rel=1e-9)
        else:
            assert np.isnan(r.t[c])
            assert r.notes[c] == TOO_FEW_DAYS


def test_only_gaps_between_days_matter_and_order_does_not():
    rng = np.random.default_rng(3)
    resid, ar = rng.normal(0, 1, (12, 30)), rng.normal(0, 1, (12, 3))
    pos0 = rng.integers(0, 8, 12)
    base = calendar_time_test(ar, resid, pos0, [(-1, 1), (0, 0)], tau1=-1)
    moved = calendar_time_test(ar, resid, pos0 + 500, [(-1, 1), (0, 0)], tau1=-1)
    perm = rng.permutation(12)
    shuffled = calendar_time_test(ar[perm], resid[perm], pos0[perm], [(-1, 1), (0, 0)], tau1=-1)
    np.testing.assert_allclose(moved.t, base.t, rtol=1e-13)
    np.testing.assert_allclose(shuffled.t, base.t, rtol=1e-12)


def test_battery_row_with_one_event_per_day_is_the_standardised_ar(rets):
    # one event per day 0: the day-0 portfolio of each session is a single event, whose
    # residual sd (ddof 1, mean 0 for OLS residuals) is S_i sqrt((M-2)/(M-1))
    res = run_event_study(make_events(rets, days=(300, 320, 340, 360)), returns=rets, market="M")
    m = res.n_estimation.to_numpy(dtype=float)
    sd = res.sigma.to_numpy() * np.sqrt((m - 2) / (m - 1))
    t = np.sum(res.ar[0].to_numpy() / sd) / np.sqrt(4)
    row = res.test("calendar_time")
    assert row.statistic == pytest.approx(t, rel=1e-10)
    assert row.dist == "t(3)"
    assert row.extras["days"] == 4.0
    assert "4 portfolio days" in row.note
    win = res.test("calendar_time", window=(-1, 1))
    assert win.extras["days"] == 12.0
    assert win.n == 4
    assert set(res.tests.loc[res.tests.test == "calendar_time", "measure"]) == {"AR", "CAR"}


def test_shared_day_forms_one_portfolio(rets):
    res = run_event_study(make_events(rets, days=(300, 300, 300, 300)), returns=rets, market="M")
    row = res.test("calendar_time")
    assert row.extras["days"] == 1.0
    assert row.extras["mean_size"] == 4.0
    assert np.isnan(row.statistic)
    assert row.note == TOO_FEW_DAYS
    # the window [-5, 5]: eleven portfolio days of the same four events
    win = res.test("calendar_time", window=(-5, 5))
    assert win.extras["days"] == 11.0
    resid = res.pieces.resid
    sd = np.nanstd(np.nanmean(resid[:, 10:], axis=0), ddof=1)  # sessions common to all: day 0
    # the portfolio of day +5 (relative day 5) uses the members' estimation days 10..239
    ar5 = res.ar[5].mean()
    sars = []
    for j, d in enumerate(range(-5, 6)):
        common = np.nanmean(resid[:, j : j + 230], axis=0)
        sars.append(res.ar[d].mean() / np.nanstd(common, ddof=1))
    assert sars[-1] == pytest.approx(ar5 / sd)
    assert win.statistic == pytest.approx(np.sum(sars) / np.sqrt(11), rel=1e-10)


def test_no_events_is_undefined():
    r = calendar_time_test(np.empty((0, 3)), np.empty((0, 20)), np.empty(0, int), [(0, 0)], tau1=-1)
    assert np.isnan(r.t[0])
    assert r.n.tolist() == [0.0]


def test_in_a_result_table(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
    t = res.tests
    ct = t[t.test == "calendar_time"]
    assert len(ct) == 11 + len(res.car.columns)
    assert ct.pvalue.between(0, 1).all()
    assert isinstance(res.tests, pd.DataFrame)


def test_windows_of_one_length_share_the_portfolio_sd_bit_for_bit():
    """S_p,t depends on the window's length only: computed once per length, every window
    gets what it gets alone."""
    rng = np.random.default_rng(17)
    resid, ar = rng.normal(0, 1, (40, 30)), rng.normal(0.2, 1, (40, 7))
    resid[rng.random(resid.shape) < 0.1] = np.nan
    ar[rng.random(ar.shape) < 0.1] = np.nan
    pos0 = rng.integers(100, 112, 40)
    windows = [(-3, -1), (0, 0), (-1, 1), (1, 3), (2, 2), (-3, 3)]  # lengths 3, 1, 3, 3, 1, 7
    together = calendar_time_test(ar, resid, pos0, windows, tau1=-3)
    for c, w in enumerate(windows):
        alone = calendar_time_test(ar, resid, pos0, [w], tau1=-3)
        for name in ("t", "p", "n", "days", "mean_size"):
            np.testing.assert_array_equal(getattr(together, name)[c], getattr(alone, name)[0])
