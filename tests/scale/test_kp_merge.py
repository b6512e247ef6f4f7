"""Kolari-Pynnönen rbar merges exactly from per-partition sums by day-0 position."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.study.statistics import kp_groups, kp_rbar, kp_rbar_of, merge_kp_groups


@pytest.mark.parametrize("n_parts", [1, 2, 7])
def test_merged_groups_give_the_rbar_of_all_events(n_parts) -> None:
    rng = np.random.default_rng(n_parts)
    n, l1 = 400, 60
    common = rng.normal(size=(40, l1 + 20))  # shared shocks: correlated residuals
    pos0 = rng.integers(0, 40, n) + 100
    shift = pos0 - 100
    resid = np.stack([0.6 * common[s % 40, :l1] + rng.normal(size=l1) for s in shift])
    resid[rng.random(resid.shape) < 0.05] = np.nan  # missing days
    resid[3] = 1.0  # constant residuals: z = 0
    lengths = [1, 3, 11, 70]
    want = kp_rbar(resid, pos0, lengths)
    part_of = rng.integers(0, n_parts, n)  # any split into disjoint sets of events
    parts = [kp_groups(resid[part_of == k], pos0[part_of == k]) for k in range(n_parts)]
    got = kp_rbar_of(merge_kp_groups(parts), lengths)
    assert want[0] > 0.003  # 1/40 of the pairs share a day 0, correlated about 0.26
    assert got[2] == want[2]
    assert got[0] == pytest.approx(want[0], abs=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=0, atol=1e-12)


def test_merge_of_a_study_partitioned_by_security() -> None:
    from conftest import example_result

    res = example_result()
    p = res.pieces
    sym = res.events["symbol"].to_numpy()
    parts = [kp_groups(p.resid[sym == s], p.pos0[sym == s]) for s in np.unique(sym)]
    got = kp_rbar_of(merge_kp_groups(parts), [3, 11])
    want = kp_rbar(p.resid, p.pos0, [3, 11])
    assert got[2] == want[2] > 0
    np.testing.assert_allclose([got[0], *got[1]], [want[0], *want[1]], rtol=0, atol=1e-12)


def test_fewer_than_two_events() -> None:
    one = kp_groups(np.ones((1, 5)), np.array([3]))
    empty = kp_groups(np.ones((0, 5)), np.zeros(0, dtype=np.int64))
    rbar, rw, pairs = kp_rbar_of(merge_kp_groups([one, empty]), [2])
    assert (rbar, rw.tolist(), pairs) == (0.0, [0.0], 0)
