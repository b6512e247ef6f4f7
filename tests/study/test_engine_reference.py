"""The fast paths of the engine against straightforward per-event references.

The blocked, sorted-order computations (rank sums of Corrado and GRANK, the
dropped-event table) must equal a plain loop over events to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.study import core, statistics
from eventstudy.study.core import event_pieces
from eventstudy.study.models import fit_model
from eventstudy.study.spec import EventStudy

WINDOWS = [(-5, 5), (-1, 1), (0, 0), (0, 1), (3, 5)]


def _pieces(n: int, seed: int) -> core.EventPieces:
    """Pieces of ``n`` market-model events with missing days (some windows empty)."""
    rng = np.random.default_rng(seed)
    l1, l2 = 60, 11
    m = rng.normal(0, 0.01, (n, l1 + l2))
    r = 0.9 * m + rng.standard_t(4, (n, l1 + l2)) * 0.01
    r[rng.random(r.shape) < 0.05] = np.nan
    r[:2, l1 + 8 :] = np.nan  # window (3, 5) empty for 2 events: SCAR NaN there
    r[2:4, l1 + 5] = 0.0  # exact zeros
    fit = fit_model("market", r[:, :l1], m[:, :l1, None], r[:, l1:], m[:, l1:, None])
    return event_pieces(fit, r[:, l1:], windows=WINDOWS, tau1=-5, k=2)


def _reference_rank_sums(p: core.EventPieces) -> dict[str, np.ndarray]:
    """Corrado and GRANK sums by a loop over events with ``scipy.stats.rankdata``."""
    n, l1 = p.resid.shape
    t = l1 + p.ar.shape[1]
    both = np.concatenate([p.resid, p.ar], axis=1)
    use = np.isfinite(p.scar)
    sd = np.array([np.std(p.scar[use[:, c], c], ddof=1) for c in range(len(WINDOWS))])
    thr = p.scar / sd * np.sqrt(p.sigma2)[:, None]
    w = 1.0 / (p.m + 2.0)
    out = {
        "tot_u": np.zeros(t),
        "n_t": np.zeros(t),
        "b_s": np.zeros((len(WINDOWS), l1)),
        "n_s": np.zeros((len(WINDOWS), l1)),
        "gt_w": np.zeros((len(WINDOWS), l1)),
        "u0_sum": np.zeros(len(WINDOWS)),
        "n_use": use.sum(axis=0).astype(float),
    }
    for i in range(n):
        ok = np.isfinite(both[i])
        rank = stats.rankdata(both[i, ok], method="ordinal")
        u = rank.astype(np.float32) / np.float32(ok.sum() + 1) - np.float32(0.5)
        out["tot_u"][ok] += u
        out["n_t"][ok] += 1
        e = p.resid[i]
        valid = np.isfinite(e)
        rk = np.zeros(l1)
        rk[valid] = stats.rankdata(e[valid], method="ordinal")
        for c in range(len(WINDOWS)):
            if not use[i, c]:
                continue
            gt = e > thr[i, c]  # NaN compares False
            out["b_s"][c] += w[i] * rk
            out["n_s"][c] += valid
            out["gt_w"][c] += w[i] * gt
            out["u0_sum"][c] += (1.0 + p.m[i] - gt.sum()) * w[i] - 0.5
    return out


@pytest.mark.parametrize("n", [5, 2500])  # one block, and three blocks of 1,024
def test_rank_sums_equal_a_per_event_reference(n):
    p = _pieces(n, seed=n)
    sums = statistics.rank_sums(p, p.scar)
    ref = _reference_rank_sums(p)
    assert sums.grank is not None
    np.testing.assert_allclose(sums.tot_u, ref["tot_u"], rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(sums.n_t, ref["n_t"])
    for name in ("b_s", "n_s", "gt_w"):
        np.testing.assert_allclose(getattr(sums.grank, name), ref[name], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sums.grank.u0_sum, ref["u0_sum"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(sums.grank.n_use, ref["n_use"])
    # without GRANK the Corrado sums are the same
    again = statistics.rank_sums(p, None)
    np.testing.assert_array_equal(again.tot_u, sums.tot_u)
    assert again.grank is None


def test_sort_rows_reuses_work_arrays_of_any_size():
    rng = np.random.default_rng(3)
    for n, l1 in [(40, 30), (3, 200), (40, 30)]:  # shrink, grow, shrink again
        x = rng.standard_normal((n, l1 + 4))
        x[rng.random(x.shape) < 0.1] = np.nan
        s = core.sort_rows(x[:, :l1], x[:, l1:])
        for i in range(n):
            ok = np.isfinite(x[i])
            expected = np.r_[np.flatnonzero(ok)[np.argsort(x[i, ok], kind="stable")],
                             np.flatnonzero(~ok)]  # fmt: skip
            np.testing.assert_array_equal(s.col[i], expected)
        np.testing.assert_array_equal(s.t_i, np.isfinite(x).sum(axis=1))


def test_sort_rows_ties_minus_zero_with_zero_by_position():
    s = core.sort_rows(np.array([[0.0, -0.0, -1.0]]), np.array([[-0.0, 0.5]]))
    assert s.col.tolist() == [[2, 0, 1, 3, 4]]  # -1, then the zeros in column order


def test_u_sorted_is_corrados_u_in_float32_arithmetic():
    rng = np.random.default_rng(4)
    for n, l1 in [(50, 30), (7, 240), (50, 30)]:  # the table of each width
        x = rng.standard_normal((n, l1 + 11))
        x[rng.random(x.shape) < rng.random((n, 1))] = np.nan  # T_i from 0 to all
        s = core.sort_rows(x[:, :l1], x[:, l1:])
        q = np.arange(1, l1 + 12, dtype=np.float32)
        t1 = (s.t_i[:, None] + 1).astype(np.float32)
        want = np.where(q <= s.t_i[:, None], q / t1 - np.float32(0.5), 0).astype(np.float64)
        np.testing.assert_array_equal(s.u_sorted(), want)


def test_dropped_table_names_each_event_and_reason():
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2021-01-04", periods=300)
    mkt = rng.normal(0, 0.01, 300)
    a = mkt + rng.normal(0, 0.01, 300)
    a[280] = np.nan  # no return on day 0 for e2
    rets = pd.DataFrame({"M": mkt, "A": a, "C": np.zeros(300), "B": a}, index=dates)
    rets.iloc[:200, 3] = np.nan  # B: too few estimation returns at day 260
    ev = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5"],
            "symbol": ["A", "A", "C", "B", "X"],
            "day0": [dates[270], dates[280], dates[270], dates[260], dates[270]],
        }
    )
    res = EventStudy(market="M").fit(ev, returns=rets)
    d = res.dropped.set_index("event_id")
    assert res.n_events == 1
    assert d.loc["e2", "reason"] == "no_price_day0"
    assert d.loc["e2", "message"] == f"A has no return on day 0 ({dates[280].date()})"
    assert d.loc["e3", "reason"] == "constant_returns"
    assert d.loc["e4", "reason"] == "insufficient_estimation"
    assert d.loc["e4", "message"].startswith("50 estimation observations in (-250, -11)")
    assert d.loc["e5", "reason"] == "unknown_symbol"
    assert d.loc[["e2", "e3", "e4", "e5"], "symbol"].tolist() == ["A", "C", "B", "X"]


def test_scratch_keeps_only_block_sized_arrays():
    small = core.scratch("test", (4, 4), np.float64)
    assert np.shares_memory(small, core.scratch("test", (2, 8), np.float64))
    n = core.SCRATCH_MAX_BYTES // 8 + 1  # one float64 too many
    big = core.scratch("test", (n,), np.float64)
    assert not np.shares_memory(big, core.scratch("test", (n,), np.float64))
    assert np.shares_memory(small, core.scratch("test", (4, 4), np.float64))


def test_wilcoxon_columns_on_threads_equal_scipy():
    rng = np.random.default_rng(8)
    x = rng.standard_t(3, (statistics._PARALLEL_ROWS + 5, 3))
    x[rng.random(x.shape) < 0.01] = np.nan
    x[:50, 1] = 0.0  # zeros are dropped
    x[50:90, 2] = 0.25  # ties
    got = statistics.wilcoxon_columns(x)
    for j in range(3):
        v = x[np.isfinite(x[:, j]), j]
        ref = stats.wilcoxon(v, zero_method="wilcox", correction=False, method="approx")
        w_plus, p, n, note = got[j]
        assert n == int((v != 0).sum())
        assert note == "normal approximation"
        assert w_plus == pytest.approx(stats.rankdata(np.abs(v[v != 0]))[v[v != 0] > 0].sum())
        assert p == pytest.approx(ref.pvalue, rel=1e-9)


def test_skew_t_equals_the_formula_with_pow():
    rng = np.random.default_rng(9)
    x = rng.lognormal(0, 0.5, (500, 2)) - 1.0  # skewed
    x[:5, 1] = np.nan
    t, p, n, _ = statistics.skew_t(x)
    for j in range(2):
        v = x[np.isfinite(x[:, j]), j]
        k, mean, sd = len(v), v.mean(), v.std(ddof=1)
        g = float(np.sum((v - mean) ** 3)) / (k * sd**3)
        s = mean / sd
        ref = np.sqrt(k) * (s + g * s * s / 3.0 + g / (6.0 * k))
        assert n[j] == k
        assert t[j] == pytest.approx(ref, rel=1e-12)
        assert p[j] == pytest.approx(2 * stats.t.sf(abs(ref), k - 1), rel=1e-9)
