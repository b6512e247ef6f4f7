"""The sums over the estimation residuals merge exactly, and the battery reads only them.

Every kind of sum (residual day sums, Kolari-Pynnönen groups, Corrado and GRANK rank
sums, calendar-time groups) of disjoint parts of the events, added, equals the sum of
all the events; the battery run on merged sums equals the local battery to 1e-10.
"""

from __future__ import annotations

from dataclasses import replace
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from eventstudy._typing import TestNeed
from eventstudy.exceptions import ConfigError
from eventstudy.study import core
from eventstudy.study.core import event_pieces
from eventstudy.study.inference import TESTS, run_battery
from eventstudy.study.measures import volatility_pieces
from eventstudy.study.models import fit_model
from eventstudy.study.statistics import GrankSums, grank, grank_sd, kp_rbar_of, rank_sums
from eventstudy.study.sums import (
    SUM_NEEDS,
    EstimationSums,
    estimation_sums,
    without_residuals,
)

WINDOWS = [(-5, 5), (-1, 1), (0, 0), (0, 1), (3, 5)]
TAU1 = -5
ALL = frozenset(get_args(TestNeed))


def _pieces(n: int, seed: int) -> core.EventPieces:
    """``n`` market-model events with missing days, on 12 day-0 dates with common shocks."""
    rng = np.random.default_rng(seed)
    l1, l2 = 60, 11
    dates = rng.integers(0, 12, n)
    common = rng.normal(0, 0.01, (12, l1 + l2))
    m = rng.normal(0, 0.01, (n, l1 + l2))
    r = 0.9 * m + common[dates] + rng.standard_t(4, (n, l1 + l2)) * 0.01
    r[rng.random(r.shape) < 0.05] = np.nan
    r[:2, l1 + 8 :] = np.nan  # window (3, 5) empty for 2 events
    fit = fit_model("market", r[:, :l1], m[:, :l1, None], r[:, l1:], m[:, l1:, None])
    p = event_pieces(fit, r[:, l1:], windows=WINDOWS, tau1=TAU1, k=2)
    return replace(p, pos0=(500 + 3 * dates).astype(np.int64))


def _split(n: int, n_parts: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A random split of ``range(n)`` into ``n_parts`` sets, the last one empty."""
    part_of = rng.integers(0, n_parts, n)
    return [np.flatnonzero(part_of == k) for k in range(n_parts)] + [np.zeros(0, np.int64)]


def _merged(p: core.EventPieces, idx: list[np.ndarray]) -> EstimationSums:
    sd = grank_sd(p.scar)  # the partitions rank with the sd of all the events
    return EstimationSums.merge([estimation_sums(p.take(i), ALL, grank_sd=sd) for i in idx])


def _close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_parts", [1, 2, 5])
def test_every_sum_merges_over_random_splits(seed, n_parts) -> None:
    p = _pieces(300, seed)
    whole = estimation_sums(p, ALL)
    merged = _merged(p, _split(p.n, n_parts, np.random.default_rng(seed)))
    assert (merged.n, merged.l1, merged.needs) == (300, 60, ALL)
    # Brown-Warner: residual sums and counts per estimation day
    _close(merged.day_total, whole.day_total)
    np.testing.assert_array_equal(merged.day_count, whole.day_count)
    # Kolari-Pynnönen: the groups, and the rbar they give
    np.testing.assert_array_equal(merged.kp.pos, whole.kp.pos)
    np.testing.assert_array_equal(merged.kp.size, whole.kp.size)
    _close(merged.kp.z, whole.kp.z)
    want = kp_rbar_of(whole.kp, [1, 3, 11])
    got = kp_rbar_of(merged.kp, [1, 3, 11])
    assert want[0] > 0.01  # the common shocks correlate events of the same day 0
    assert got[2] == want[2]
    _close(np.r_[got[0], got[1]], np.r_[want[0], want[1]])
    # Corrado and GRANK
    _close(merged.ranks.tot_u, whole.ranks.tot_u)
    np.testing.assert_array_equal(merged.ranks.n_t, whole.ranks.n_t)
    for name in ("n_use", "sd", "u0_sum", "gt_w", "b_s", "n_s"):
        _close(getattr(merged.ranks.grank, name), getattr(whole.ranks.grank, name))
    # calendar time: sums by day-0 position
    np.testing.assert_array_equal(merged.calendar.pos, whole.calendar.pos)
    for name in ("res_sum", "res_cnt", "ar_sum", "ar_cnt"):
        _close(getattr(merged.calendar, name), getattr(whole.calendar, name))


@pytest.mark.parametrize("volatility", [False, True])
def test_battery_on_merged_sums_is_the_local_battery(volatility) -> None:
    p = _pieces(400, 11)
    if volatility:
        p = volatility_pieces(p, WINDOWS, TAU1)
    local = run_battery(p, windows=WINDOWS, tau1=TAU1).table()
    merged = _merged(p, _split(p.n, 3, np.random.default_rng(2)))
    # the battery reads the sums only: the pieces need no residuals
    remote = run_battery(without_residuals(p), windows=WINDOWS, tau1=TAU1, sums=merged).table()
    assert set(local["test"]) == set(TESTS)
    pd.testing.assert_frame_equal(local, remote, check_exact=False, rtol=0.0, atol=1e-10)
    assert local["statistic"].notna().sum() > 100


def test_a_part_without_events_contributes_empty_sums() -> None:
    p = _pieces(50, 3)
    empty = estimation_sums(p.take(np.zeros(0, np.int64)), ALL, grank_sd=grank_sd(p.scar))
    assert empty.n == 0
    assert len(empty.kp.pos) == len(empty.calendar.pos) == 0
    assert not empty.day_count.any()
    assert not empty.ranks.n_t.any()
    assert not empty.ranks.grank.n_use.any()
    whole = estimation_sums(p, ALL)
    merged = EstimationSums.merge([empty, whole, empty])
    for name in ("day_total", "day_count"):
        np.testing.assert_array_equal(getattr(merged, name), getattr(whole, name))
    np.testing.assert_array_equal(merged.calendar.res_sum, whole.calendar.res_sum)
    np.testing.assert_array_equal(merged.ranks.grank.b_s, whole.ranks.grank.b_s)


def test_only_the_needed_sums_are_computed() -> None:
    p = _pieces(30, 4)
    s = estimation_sums(p, ["corrado_ranks"])
    assert s.ranks is not None
    assert s.ranks.grank is None
    assert (s.kp, s.calendar, s.day_total) == (None, None, None)
    assert SUM_NEEDS == ALL


def test_pieces_without_residuals_cannot_give_sums() -> None:
    p = without_residuals(_pieces(10, 5))
    assert p.resid.shape == (10, 0)
    with pytest.raises(ConfigError, match="carry no estimation residuals"):
        estimation_sums(p, ["rbar"])
    assert estimation_sums(p, []).n == 10  # no need, nothing to compute


def test_sums_that_lack_a_need_are_refused() -> None:
    p = _pieces(10, 6)
    with pytest.raises(ConfigError, match="serve \\['rbar'\\], not 'grank_ranks'"):
        run_battery(p, windows=WINDOWS, tau1=TAU1, tests=["grank"],
                    sums=estimation_sums(p, ["rbar"]))  # fmt: skip
    with pytest.raises(ConfigError, match="unknown need"):
        estimation_sums(p, ["ranks"])


def test_merges_of_unlike_parts_are_refused() -> None:
    p = _pieces(20, 7)
    with pytest.raises(ValueError, match="different L1 or needs"):
        EstimationSums.merge([estimation_sums(p, ["rbar"]), estimation_sums(p, [])])
    a = rank_sums(p.take(np.arange(10)), p.scar[:10]).grank  # each its own sd
    b = rank_sums(p.take(np.arange(10, 20)), p.scar[10:]).grank
    with pytest.raises(ValueError, match="different sd"):
        GrankSums.merge([a, b])
    with pytest.raises(ValueError, match="at least one part"):
        EstimationSums.merge([])


def test_grank_of_pieces_and_sums_is_deprecated() -> None:
    p = _pieces(40, 8)
    sums = rank_sums(p, p.scar).grank
    with pytest.warns(DeprecationWarning, match=r"call grank\(sums\)"):
        old = grank(p, sums)
    new = grank(sums)
    np.testing.assert_array_equal(old[0], new[0])
    assert np.isfinite(new[0]).sum() == len(WINDOWS)


# ------------------------------------------- the one pass in day-0 order, the worker thread
def _many(n: int, seed: int) -> core.EventPieces:
    """``_pieces`` spread over 40 day-0 dates: more events than a block of the day-0 pass."""
    p = _pieces(n, seed)
    pos0 = np.random.default_rng(seed + 1).integers(0, 40, n)
    return replace(p, pos0=(700 + pos0).astype(np.int64))


def test_day0_sums_equal_kp_and_calendar_groups_bit_for_bit():
    from eventstudy.study.calendar_time import calendar_groups
    from eventstudy.study.statistics import KP_BLOCK, kp_groups
    from eventstudy.study.sums import day0_sums

    p = _many(2 * KP_BLOCK + 300, 11)  # three blocks; missing days; rows without residuals
    resid = p.resid.copy()
    resid[5] = np.nan
    resid[6] = 0.01  # no variation: z = 0
    before = resid.copy()
    kp, cal = day0_sums(resid, p.ar, p.pos0)
    np.testing.assert_array_equal(resid, before)  # the inputs are left as they were
    kp_ref, cal_ref = kp_groups(resid, p.pos0), calendar_groups(p.ar, resid, p.pos0)
    np.testing.assert_array_equal(kp.pos, kp_ref.pos)
    np.testing.assert_array_equal(kp.size, kp_ref.size)
    np.testing.assert_array_equal(kp.z, kp_ref.z)
    assert kp.own == kp_ref.own
    for name in ("pos", "res_sum", "res_cnt", "ar_sum", "ar_cnt"):
        np.testing.assert_array_equal(getattr(cal, name), getattr(cal_ref, name))


def test_residual_day_sums_from_the_calendar_groups_equal_column_sums():
    from eventstudy.study.statistics import column_sums

    p = _many(3000, 12)
    both = estimation_sums(p, ["residual_day_sums", "calendar_groups"])
    alone = estimation_sums(p, ["residual_day_sums"])
    total, count = column_sums(p.resid)
    np.testing.assert_array_equal(both.day_count, count)
    np.testing.assert_array_equal(alone.day_count, count)
    np.testing.assert_allclose(both.day_total, total, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(alone.day_total, total)


def test_the_battery_is_the_same_on_one_and_two_threads(monkeypatch):
    p = _many(2500, 13)
    tables = []
    for threads in (1, 2):
        monkeypatch.setattr(core, "THREADS", threads)
        b = run_battery(p, windows=WINDOWS, tau1=TAU1, tests=TESTS)
        tables.append(b.table())
        assert b.rbar != 0.0  # the sums were computed (on the worker with 2 threads)
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_an_error_of_the_sums_worker_reaches_the_caller(monkeypatch):
    from eventstudy.study import inference

    def boom(*args, **kwargs):
        raise MemoryError("no room for the rank pass")

    p = _pieces(40, 14)
    monkeypatch.setattr(inference, "estimation_sums", boom)
    for threads in (1, 2):
        monkeypatch.setattr(core, "THREADS", threads)
        with pytest.raises(MemoryError, match="no room"):
            run_battery(p, windows=WINDOWS, tau1=TAU1, tests=["t_cross", "corrado"])
        # a selection without needs never starts the worker
        b = run_battery(p, windows=WINDOWS, tau1=TAU1, tests=["t_cross", "sign"])
        assert len(b.results) > 0


def test_the_day0_sums_are_read_while_the_rank_pass_still_runs(monkeypatch):
    """Two tasks on the worker: the KP and calendar sums first, then the rank pass; a test
    reading the first does not wait for the second, and the sums of both are those of one
    call."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from eventstudy.study import inference
    from eventstudy.study.sums import RANK_NEEDS

    p = _many(500, 15)
    needs = frozenset({"rbar", "calendar_groups", "corrado_ranks", "grank_ranks"})
    release, calls = Event(), []

    def gated(pieces, part):
        calls.append(frozenset(part))
        if part & RANK_NEEDS:
            assert release.wait(10), "the rank pass was never released"
        return estimation_sums(pieces, part)

    monkeypatch.setattr(inference, "estimation_sums", gated)
    x = inference.BatteryInputs(p, windows=WINDOWS, tau1=TAU1, needs=needs)
    with ThreadPoolExecutor(1) as pool:
        x.start_sums(pool)
        rbar = x.rbar  # served by the first task while the rank pass waits
        assert not x._pending["corrado_ranks"].done()
        release.set()
        whole = x.sums
    assert calls == [needs - RANK_NEEDS, needs & RANK_NEEDS]
    one = estimation_sums(p, needs)
    assert whole.needs == needs
    ref = kp_rbar_of(one.kp, x.wlen.astype(np.int64))
    assert (rbar[0], rbar[2]) == (ref[0], ref[2])
    np.testing.assert_array_equal(rbar[1], ref[1])
    np.testing.assert_array_equal(whole.ranks.grank.gt_w, one.ranks.grank.gt_w)
    np.testing.assert_array_equal(whole.ranks.tot_u, one.ranks.tot_u)
    np.testing.assert_array_equal(whole.calendar.res_sum, one.calendar.res_sum)
