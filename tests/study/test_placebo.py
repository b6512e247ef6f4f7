"""result.placebo: the same study on random dates, seeded per replication."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtesting.placebo import draw_placebo_rows
from eventstudy.exceptions import ConfigError, EventStudyWarning
from eventstudy.study import placebo as placebo_mod
from eventstudy.study import run_event_study
from eventstudy.study.result import EventStudyResult
from tests.study.conftest import make_events, synthetic


@pytest.fixture(scope="module")
def wide():
    return synthetic(500, 6, 2)


@pytest.fixture(scope="module")
def res(wide):
    # e0, e2 share day 0; e1, e3 each on their own
    ev = make_events(wide, days=(300, 340, 300, 420))
    return run_event_study(ev, returns=wide, market="M", car_windows=[(-1, 1), (0, 0)])


def test_replication_i_draws_from_the_spawned_seed_and_is_the_study_on_those_dates(res, wide):
    pl = res.placebo(n=12, seed=2024)
    sessions = pd.DatetimeIndex(wide.index)
    real = np.array([300, 340, 420])  # distinct real day-0 positions, sorted
    pool = np.arange(300, 421)  # the real span; every session has returns here
    children = np.random.SeedSequence(2024).spawn(12)
    for i in (0, 5, 11):
        rows = draw_placebo_rows(pool, 3, np.random.default_rng(children[i]))
        np.testing.assert_array_equal(pl.days[i], sessions[rows].values)
        # the events of a real day 0 move together: e0, e2 (day 300) to rows[0]
        moved = make_events(wide, days=tuple(rows[[0, 1, 0, 2]]))
        direct = run_event_study(moved, returns=wide, market="M", car_windows=[(-1, 1), (0, 0)])
        np.testing.assert_allclose(pl.values.iloc[i].to_numpy(), direct.caar.to_numpy(), rtol=1e-12)
    assert pl.seed == 2024
    assert list(pl.real_days) == list(sessions[real])
    assert (pl.first_day, pl.last_day) == (sessions[300], sessions[420])
    assert pl.pool_sessions == 121
    assert pl.mean_events == 4.0


def test_pvalue_is_the_empirical_two_sided_share(res):
    pl = res.placebo(n=40, seed=1)
    for label in res.caar.index:
        v = pl.values[label].dropna().to_numpy()
        want = (1 + np.sum(np.abs(v) >= abs(res.caar[label]))) / (len(v) + 1)
        assert pl.pvalue[label] == pytest.approx(want)
    table = pl.table()
    assert table.columns.tolist() == [
        "caar", "placebo_mean", "placebo_sd", "q025", "q975", "pvalue", "runs",
    ]  # fmt: skip
    assert table["runs"].tolist() == [40, 40]
    text = pl.summary().as_text()
    assert "40 replications, seed 1" in text
    assert "2 distinct" not in text
    assert "3 distinct" in text


def test_reproducible_and_independent_of_the_chunks(res, monkeypatch):
    a = res.placebo(n=15, seed=7)
    b = res.placebo(n=15, seed=7)
    pd.testing.assert_frame_equal(a.values, b.values)
    monkeypatch.setattr(placebo_mod, "_CHUNK_EVENTS", 4 * 2)  # two replications per chunk
    c = res.placebo(n=15, seed=7)
    pd.testing.assert_frame_equal(a.values, c.values)
    # the first replications do not depend on how many there are
    d = res.placebo(n=5, seed=7)
    pd.testing.assert_frame_equal(a.values.iloc[:5], d.values)
    assert not a.values.equals(res.placebo(n=15, seed=8).values)


def test_seed_none_is_recorded(res):
    pl = res.placebo(n=3)
    again = res.placebo(n=3, seed=pl.seed)
    pd.testing.assert_frame_equal(pl.values, again.values)


def test_events_that_cannot_be_estimated_are_left_out(wide):
    short = wide.copy()
    short.iloc[:200, short.columns.get_loc("S1")] = np.nan  # S1 starts at session 200
    ev = make_events(short, days=(330, 460, 330, 470))
    res = run_event_study(ev, returns=short, market="M", min_estimation_obs=200)
    assert res.n_events == 4
    pl = res.placebo(n=30, seed=3)
    # S1 needs 200 estimation returns: only placebo days from session 410 on give them
    # (61 of the 141 sessions of the span)
    assert 3.0 < pl.mean_events < 4.0
    assert pl.values.notna().all().all()


def test_subsets_and_errors(res):
    sub = res.subset(np.array([True, False, True, False]))
    with pytest.raises(ConfigError, match="1 session"):  # one real day 0: the span is that day
        sub.placebo(n=5, seed=1)
    pl = sub.placebo(n=5, seed=1, window=10)
    assert len(pl.real_days) == 1
    assert pl.n_events == 2
    assert pl.pool_sessions == 21
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ConfigError, match="must be a number of replications"):
            res.placebo(n=bad)
    with pytest.raises(ConfigError, match="seed=-3"):
        res.placebo(n=2, seed=-3)
    bare = EventStudyResult(
        spec=res.spec, events_frame=res.events, pieces=res.pieces, dropped=res.dropped,
        provenance=res.provenance, n_input=4,
    )  # fmt: skip
    with pytest.raises(ConfigError, match="no return panel"):
        bare.placebo(n=2)


def test_the_placebo_re_runs_the_studys_measure(wide):
    """measure="volatility": the placebo CAAR is the mean window sum of U - 1 at the placebo
    dates (a study run there by hand), not the return study's CAAR."""
    ev = make_events(wide, days=(300, 340, 300, 420))
    kw = dict(returns=wide, market="M", car_windows=[(-1, 1), (0, 0)])
    vol = run_event_study(ev, measure="volatility", **kw)
    ret = run_event_study(ev, **kw)
    pv, pr = vol.placebo(n=6, seed=5), ret.placebo(n=6, seed=5)
    np.testing.assert_array_equal(pv.days, pr.days)  # same draws
    assert not np.allclose(pv.values.to_numpy(), pr.values.to_numpy())
    sessions = pd.DatetimeIndex(wide.index)
    rows = sessions.get_indexer(pd.DatetimeIndex(pv.days[2]))
    moved = make_events(wide, days=tuple(rows[[0, 1, 0, 2]]))
    direct = run_event_study(moved, measure="volatility", **kw)
    np.testing.assert_allclose(pv.values.iloc[2].to_numpy(), direct.caar.to_numpy(), rtol=1e-12)
    # by hand from the return study at those dates: U = SAR^2 (M - 4) / (M - 2) (market
    # model, K = 2), U - 1 summed over days -1..1 (columns 4..6 of the window (-5, 5))
    p = run_event_study(moved, **kw).pieces
    u = p.sar**2 * ((p.m - 4) / (p.m - 2))[:, None] - 1
    assert pv.values.iloc[2]["[-1,1]"] == pytest.approx(u[:, 4:7].sum(axis=1).mean(), rel=1e-12)
    assert pv.values.iloc[2]["[0,0]"] == pytest.approx(u[:, 5].mean(), rel=1e-12)
    assert "%" not in pv.summary().as_text().split("distribution:")[1]  # not a percentage


def test_window_widens_the_span_the_placebo_days_are_drawn_from(res, wide):
    pl = res.placebo(n=12, seed=2024, window=30)
    sessions = pd.DatetimeIndex(wide.index)
    assert (pl.first_day, pl.last_day) == (sessions[270], sessions[450])
    assert pl.pool_sessions == 181
    assert pl.window == 30
    children = np.random.SeedSequence(2024).spawn(12)
    rows = draw_placebo_rows(np.arange(270, 451), 3, np.random.default_rng(children[4]))
    np.testing.assert_array_equal(pl.days[4], sessions[rows].values)
    assert "widened by 30 sessions" in pl.summary().as_text()
    for bad in (-1, 2.5, True, "5"):
        with pytest.raises(ConfigError, match=r"window=.* must be a number of sessions >= 0"):
            res.placebo(n=2, window=bad)


def test_a_small_pool_warns_at_the_users_line_and_one_session_is_an_error(wide):
    # every event on one day 0: the pool is that one session, every replication the study
    one_day = run_event_study(make_events(wide, days=(300, 300, 300)), returns=wide, market="M")
    with pytest.raises(ConfigError, match=r"1 session \(.*\).* window="):
        one_day.placebo(n=5, seed=1)
    # two days 0 two sessions apart: a pool of 3 sessions
    two = run_event_study(make_events(wide, days=(300, 302, 300)), returns=wide, market="M")
    with pytest.warns(EventStudyWarning, match=r"3 sessions .* fewer than 20.* window=") as rec:
        pl = two.placebo(n=5, seed=1)
    assert rec[0].filename == __file__  # the user's line
    assert pl.pool_sessions == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wider = one_day.placebo(n=5, seed=1, window=10)  # 21 sessions: no warning
    assert wider.pool_sessions == 21 == placebo_mod.MIN_PLACEBO_SESSIONS + 1


def test_the_seed_is_validated_as_the_studys_seed(res):
    for bad in (2**53, 2**70, -3, 1.5, True):
        with pytest.raises(ConfigError, match=r"seed=.* integer in \[0, 2\*\*53\)"):
            res.placebo(n=2, seed=bad)
    assert res.placebo(n=2, seed=2**53 - 1).seed == 2**53 - 1
    assert 0 <= res.placebo(n=2).seed < 2**53  # a fresh seed is one that can be passed back
