"""Primitive cross-sectional statistics: Wilcoxon, kp_rbar, t, generalized sign."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.study.statistics import (
    column_moments,
    generalized_sign,
    kp_rbar,
    t_cross,
    wilcoxon_columns,
    wilcoxon_signed_rank,
)


def test_wilcoxon_matches_scipy():
    rng = np.random.default_rng(2)
    for n in (5, 12, 40, 80, 300):
        x = rng.standard_normal(n) + 0.2
        w, p, k, note = wilcoxon_signed_rank(x)
        assert k == n
        ref = stats.wilcoxon(x, zero_method="wilcox", correction=False, method="auto")
        wminus = n * (n + 1) / 2 - w
        assert min(w, wminus) == pytest.approx(ref.statistic)
        assert p == pytest.approx(ref.pvalue, rel=1e-8), (n, note)
    x = np.round(rng.standard_normal(60), 1)  # ties and zeros -> normal approximation
    w, p, _k, note = wilcoxon_signed_rank(x)
    ref = stats.wilcoxon(x, zero_method="wilcox", correction=False, method="approx")
    assert p == pytest.approx(ref.pvalue, rel=1e-8)
    assert note == "normal approximation"


def test_kp_rbar_two_day0_groups_by_hand():
    # A, B on day-0 position 10, C, D on 40 (windows never overlap in calendar time):
    # corr(A, B) = 1, corr(C, D) = 3/10 (residuals demeaned: C = (2,1,-1,-2), D = (1,-1,2,-2)
    # -> C.D = 2 - 1 - 2 + 4 = 3, |C|^2 = |D|^2 = 10); cross-group pairs count 0.
    # rbar = (2 * 1 + 2 * 0.3) / (4 * 3) = 2.6 / 12, for days and for a 3-day window alike.
    e = np.array(
        [
            [1.0, -1.0, 2.0, -2.0],
            [2.0, -2.0, 4.0, -4.0],
            [2.0, 1.0, -1.0, -2.0],
            [1.0, -1.0, 2.0, -2.0],
        ]
    )
    rbar, rw, pairs = kp_rbar(e + 5.0, np.array([10, 10, 40, 40]), [1, 3])
    assert pairs == 4
    assert rbar == pytest.approx(2.6 / 12, rel=1e-12)
    np.testing.assert_allclose(rw, [2.6 / 12, 2.6 / 12], rtol=1e-12)
    # A on position 10, B one session later with residuals A lagged by one day: on the
    # three common calendar days both are (-1, 1, -1) -> rho = 3 / (2 * 2) * 4 / 3 = 1.
    # Days: no pair shares day 0 -> 0. A 3-day window: overlap 2 of 3 days ->
    # rbar = 2 * 1 * (2/3) / (2 * 1) = 2/3; a 1-day window: 0.
    a = np.array([1.0, -1.0, 1.0, -1.0])
    rbar, rw, pairs = kp_rbar(np.vstack([a, -a]), np.array([10, 11]), [3, 1, 2])
    assert (rbar, pairs) == (0.0, 0)
    np.testing.assert_allclose(rw, [2 / 3, 0.0, 1 / 2], atol=1e-12)


def test_kp_rbar_equals_brute_force():
    rng = np.random.default_rng(4)
    n, l1 = 40, 20
    common = rng.standard_normal(l1 + 10)
    pos0 = rng.choice([100, 100, 100, 101, 103, 105, 140], n)
    resid = np.empty((n, l1))
    for i in range(n):
        resid[i] = 0.5 * common[pos0[i] - 100 : pos0[i] - 100 + l1] if pos0[i] < 140 else 0
        resid[i] += rng.standard_normal(l1)
    resid[3, [2, 7]] = np.nan  # a missing day: that residual counts 0 in the co-moments
    lengths = [1, 3, 5, 11]
    rbar, rw, pairs = kp_rbar(resid, pos0, lengths)
    # brute force over all ordered pairs i != j: same day 0 -> correlation of the
    # standardised residuals; day 0 d apart -> co-moment over the common calendar days
    # rescaled by L1/(L1-d), weighted (L - d)/L for a window of L days; else 0
    ok = np.isfinite(resid)
    dev = np.where(ok, resid - np.nanmean(resid, axis=1, keepdims=True), 0.0)
    z = dev / np.linalg.norm(dev, axis=1, keepdims=True)
    tot_day, tot_w, cnt = 0.0, np.zeros(len(lengths)), 0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            d = pos0[j] - pos0[i]
            if d == 0:
                cnt += 1
                tot_day += float(z[i] @ z[j])
            if abs(d) >= l1:
                continue
            lo, hi = (i, j) if d >= 0 else (j, i)  # hi's day 0 is |d| sessions later
            rho = float(z[lo, abs(d) :] @ z[hi, : l1 - abs(d)]) * l1 / (l1 - abs(d))
            for k, big_l in enumerate(lengths):
                tot_w[k] += rho * max(0, big_l - abs(d)) / big_l
    assert pairs == cnt
    assert rbar == pytest.approx(tot_day / (n * (n - 1)), rel=1e-10)
    np.testing.assert_allclose(rw, tot_w / (n * (n - 1)), rtol=1e-10)
    assert rw[0] == pytest.approx(rbar, rel=1e-12)  # a one-day window is a day
    # one common day 0 and no missing value: the textbook KP rbar (mean off-diagonal corr)
    same = np.flatnonzero(pos0 == 100)
    same = same[same != 3]
    k = len(same)
    expected = (np.corrcoef(resid[same]).sum() - k) / (k * (k - 1))
    got = kp_rbar(resid[same], pos0[same], [11])
    assert got[0] == pytest.approx(expected, rel=1e-10)
    assert got[1][0] == pytest.approx(expected, rel=1e-10)


def test_wilcoxon_columns_equal_one_column_version():
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((80, 4)), 1)  # ties and zeros
    x[:30, 1] = rng.standard_normal(30)  # column 1: 30 untied values (exact p), rest NaN
    x[30:, 1] = np.nan
    x[:, 2] = 0.0  # no nonzero value
    x[5, 3], x[6, 3] = 0.7, -0.7  # a tie of opposite signs
    got = wilcoxon_columns(x)
    for j in range(x.shape[1]):
        ref = wilcoxon_signed_rank(x[:, j])
        np.testing.assert_allclose(got[j][:3], ref[:3], rtol=1e-12)
        assert got[j][3] == ref[3]


def test_identical_series_give_undefined_not_huge_statistics():
    """Two events on identical series differ only by rounding noise: t is NaN, not 1e15."""
    car = np.array([[-0.0292], [-0.0292 + 1e-17], [-0.0292 - 2e-17]])
    t, p, _, note = t_cross(car)
    assert np.isnan(t[0])
    assert np.isnan(p[0])
    assert "zero cross-sectional dispersion" in note[0]
    # a real, small dispersion is kept
    t2, _, _, note2 = t_cross(np.array([[-0.0292], [-0.0291], [-0.0293]]))
    assert np.isfinite(t2[0])
    assert note2 == [""]


def test_generalized_sign_by_hand():
    # 3 of 4 positive; expected shares of positive values 0.4, 0.4, 0.6, 0.6 -> p = 0.5;
    # the NaN event does not count (N = 4, p over the 4 present events)
    x = np.array([[0.1], [0.2], [-0.1], [0.3], [np.nan]])
    frac = np.array([0.4, 0.4, 0.6, 0.6, 0.9])
    z, p, n, p_hat = generalized_sign(x, frac)
    assert n.tolist() == [4.0]
    assert p_hat[0] == pytest.approx(0.5)
    assert z[0] == pytest.approx((3 - 4 * 0.5) / np.sqrt(4 * 0.25))
    assert p[0] == pytest.approx(2 * stats.norm.sf(z[0]))


def test_wilcoxon_columns_w_plus_is_exact_with_many_ties():
    """W+ with average ranks of tie groups (2 W+ an integer) equals rankdata's sum exactly."""
    from scipy import stats

    rng = np.random.default_rng(21)
    x = np.round(rng.standard_normal((3000, 3)), 2)  # many ties of |x|, of both signs
    x[::7, 0] = np.nan
    x[:, 2] = np.round(x[:, 2], 0)  # a few large tie groups, zeros dropped
    for j, (w_plus, _, n, _) in enumerate(wilcoxon_columns(x)):
        v = x[np.isfinite(x[:, j]) & (x[:, j] != 0), j]
        assert n == len(v)
        assert w_plus == stats.rankdata(np.abs(v))[v > 0].sum()


def _moments_in_one_pass(x):
    """column_moments as one whole-matrix pass (its former code), for the blocked version."""
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    x0 = np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x0.sum(axis=0) / n
        dev = np.where(ok, x - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (n - 1))
    scale = np.abs(x0).max(axis=0) if x0.size else np.zeros(x0.shape[1:])
    return n, mean, np.where(sd <= 1e-10 * scale, 0.0, sd)


@pytest.mark.parametrize("rows", [0, 1, 2, 4095, 4096, 4097, 3 * 4096 + 17])
def test_column_moments_by_blocks_equal_one_pass_bit_for_bit(rows):
    from eventstudy.study.statistics import COLUMN_BLOCK

    assert COLUMN_BLOCK == 4096  # the sizes above straddle its blocks
    rng = np.random.default_rng(rows)
    x = rng.standard_t(3, (rows, 5)) * 0.02 + 1e-3
    x[rng.random(x.shape) < 0.05] = np.nan
    if rows > 2:
        x[:, 1] = np.nan  # a column without values
        x[-1, 2] = np.inf  # not finite: left out
        x[:, 3] = -0.0292 + rng.normal(0, 1e-17, rows)  # rounding noise only: sd 0
    for got, ref in zip(column_moments(x), _moments_in_one_pass(x), strict=True):
        np.testing.assert_array_equal(got, ref)
