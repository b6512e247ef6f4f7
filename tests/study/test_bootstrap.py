"""Wild bootstrap and LBT bootstrapped skewness-adjusted t: hand-rolled numpy, seeds, size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.exceptions import ConfigError
from eventstudy.study import bootstrap, run_event_study
from eventstudy.study.bootstrap import lbt_skew_t, wild_bootstrap
from tests.study.conftest import make_events, synthetic


def _t(x):
    x = x[np.isfinite(x)]
    return np.sqrt(len(x)) * x.mean() / x.std(ddof=1)


def _wild_by_hand(x, b, seed):
    """One replication at a time: x*_i = w_i (x_i - mean), the same w for every column."""
    rng = np.random.default_rng(seed)
    w = np.where(rng.random((b, x.shape[0])) < 0.5, -1.0, 1.0)
    out = []
    for c in range(x.shape[1]):
        col = x[:, c]
        ok = np.isfinite(col)
        t = _t(col)
        d = col[ok] - col[ok].mean()
        t_star = np.array([_t(w[r, ok] * d) for r in range(b)])
        out.append((t, np.mean(np.abs(t_star) >= abs(t))))
    return out


def _skew_t(v):
    n, m, s = len(v), v.mean(), v.std(ddof=1)
    g = np.sum((v - m) ** 3) / (n * s**3)
    return np.sqrt(n) * (m / s + g * (m / s) ** 2 / 3 + g / (6 * n))


def _lbt_by_hand(x, b, seed, level=0.95):
    rng = np.random.default_rng(seed)
    out = []
    for c in range(x.shape[1]):
        v = x[np.isfinite(x[:, c]), c]
        n, nb = len(v), len(v) // 4
        idx = np.minimum((rng.random((b, nb)) * n).astype(int), n - 1)
        t_star = []
        for r in range(b):
            s = v[idx[r]]
            sd = s.std(ddof=1)
            if sd == 0:  # one event drawn nb times: no t*, left out
                continue
            g = np.sum((s - s.mean()) ** 3) / (nb * sd**3)
            sb = (s.mean() - v.mean()) / sd
            t_star.append(np.sqrt(nb) * (sb + g * sb**2 / 3 + g / (6 * nb)))
        t_star = np.array(t_star)
        t = _skew_t(v)
        p = min(1.0, 2 * min(np.mean(t_star <= t), np.mean(t_star >= t)))
        alpha = 1 - level
        out.append((t, p, *np.quantile(t_star, [alpha / 2, 1 - alpha / 2])))
    return out


def test_wild_bootstrap_is_the_hand_rolled_procedure():
    rng = np.random.default_rng(11)
    x = rng.standard_t(4, (37, 4)) * 0.02 + np.array([0.0, 0.004, 0.01, -0.003])
    x[rng.random(x.shape) < 0.1] = np.nan
    t, p, n, _ = wild_bootstrap(x, replications=499, seed=2024)
    for c, (t_h, p_h) in enumerate(_wild_by_hand(x, 499, 2024)):
        assert t[c] == pytest.approx(t_h, rel=1e-12)
        assert p[c] == p_h
        assert n[c] == np.isfinite(x[:, c]).sum()


def test_wild_bootstrap_draws_do_not_depend_on_the_blocks(monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.normal(0.002, 0.01, (50, 3))
    whole = wild_bootstrap(x, replications=301, seed=9)
    monkeypatch.setattr(bootstrap, "_BLOCK_DRAWS", 7 * 50)  # blocks of 7 replications
    blocked = wild_bootstrap(x, replications=301, seed=9)
    np.testing.assert_array_equal(whole[1], blocked[1])


def test_lbt_is_the_hand_rolled_procedure():
    rng = np.random.default_rng(5)
    x = rng.lognormal(0, 0.8, (61, 2)) - np.exp(0.32) + np.array([0.0, 0.3])
    x[rng.random(x.shape) < 0.05] = np.nan
    r = lbt_skew_t(x, replications=400, seed=77)
    for c, (t_h, p_h, lo_h, hi_h) in enumerate(_lbt_by_hand(x, 400, 77)):
        assert r.t[c] == pytest.approx(t_h, rel=1e-10)
        assert r.p[c] == pytest.approx(p_h, abs=1e-15)
        assert r.crit_lo[c] == pytest.approx(lo_h, rel=1e-10)
        assert r.crit_hi[c] == pytest.approx(hi_h, rel=1e-10)
        assert r.n_resample[c] == np.isfinite(x[:, c]).sum() // 4
        assert r.valid[c] == 400


def test_lbt_needs_eight_events():
    r = lbt_skew_t(np.array([[0.1], [0.2], [-0.1], [0.3], [0.0], [0.05], [0.2]]), seed=1)
    assert np.isnan(r.t[0])
    assert np.isnan(r.p[0])
    assert r.notes[0] == bootstrap.LBT_TOO_FEW


def test_wild_bootstrap_p_is_uniform_under_the_null():
    """400 seeded samples of 30 heavy-tailed, heteroskedastic null CARs: p ~ U(0, 1)."""
    rng = np.random.default_rng(20240601)
    ps = []
    for k in range(400):
        scale = rng.uniform(0.5, 3.0, 30)
        x = (rng.standard_t(5, 30) * scale)[:, None]
        ps.append(wild_bootstrap(x, replications=199, seed=k)[1][0])
    ps = np.array(ps)
    assert 0.02 <= np.mean(ps <= 0.05) <= 0.09  # 5 % +- 2.5 simulation sd
    assert 0.06 <= np.mean(ps <= 0.10) <= 0.145
    assert stats.kstest(ps, "uniform").pvalue > 0.001


@pytest.fixture
def boot_result(rets):
    wide = synthetic(400, 12, 4)
    ev = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(12)],
            "symbol": [f"S{i}" for i in range(12)],
            "day0": wide.index[[300 + 3 * i for i in range(12)]],
        }
    )
    return run_event_study(
        ev, returns=wide, market="M", tests=["t_cross", "wild_bootstrap", "lbt_skew_t"], seed=42
    )


def test_the_result_rows_are_the_hand_rolled_bootstraps(boot_result):
    res = boot_result
    p = res.pieces
    hand = _wild_by_hand(np.hstack([p.sar, p.car]), 999, 42)
    rows = [r for r in res.test_results if r.test == "wild_bootstrap"]
    assert [r.measure for r in rows] == ["AR"] * 11 + ["CAR"] * len(res.windows)
    for r, (t_h, p_h) in zip(rows, hand, strict=True):
        assert r.statistic == pytest.approx(t_h, rel=1e-12)
        assert r.pvalue == p_h
        assert r.extras["seed"] == 42.0
        assert r.extras["replications"] == 999.0
        assert "seed=42" in r.note
    # the day rows are BMP's t (of SAR), the window rows t_cross's (of CAR)
    t_cross = res.test("t_cross", window=(-1, 1)).statistic
    assert res.test("wild_bootstrap", window=(-1, 1)).statistic == pytest.approx(t_cross)
    lbt = [r for r in res.test_results if r.test == "lbt_skew_t"]
    assert [r.measure for r in lbt] == ["BHAR"] * len(res.windows)
    # 12 events: N/4 = 3 per resample, 1,000 resamples by default
    for r, (t_h, p_h, lo, hi) in zip(lbt, _lbt_by_hand(p.bhar, 1000, 42), strict=True):
        assert r.statistic == pytest.approx(t_h, rel=1e-10)
        assert r.pvalue == pytest.approx(p_h, abs=1e-15)
        assert (r.extras["crit_lo"], r.extras["crit_hi"]) == (pytest.approx(lo), pytest.approx(hi))
        assert r.extras["n_resample"] == 3.0
        assert 900 < r.extras["valid"] < 1000  # 12 of 1728 draws repeat one event
        assert r.dist == "LBT bootstrap (B=1000)"


def test_seed_none_is_drawn_once_recorded_and_reproducible(rets):
    ev = make_events(rets)
    kw = dict(returns=rets, market="M", tests=["wild_bootstrap"], bootstrap=199)
    res = run_event_study(ev, **kw)
    seed = res.seed
    assert isinstance(seed, int)
    row = res.test("wild_bootstrap", window=(-1, 1))
    assert row.extras["seed"] == float(seed)
    again = run_event_study(ev, **kw, seed=seed)
    assert again.test("wild_bootstrap", window=(-1, 1)).pvalue == row.pvalue
    assert row.dist == "wild bootstrap (B=199)"
    # a subset keeps the seed
    assert res.subset(np.array([True, True, True, False])).seed == seed
    assert run_event_study(ev, returns=rets, market="M").seed is None


def test_spec_options_are_validated():
    from eventstudy.study import EventStudy

    with pytest.raises(ConfigError, match=r"bootstrap=10 must be None or an integer >= 99"):
        EventStudy(bootstrap=10)
    with pytest.raises(ConfigError, match=r"seed=-1 must be None"):
        EventStudy(seed=-1)
    with pytest.raises(ConfigError, match=r"seed=True"):
        EventStudy(seed=True)
    with pytest.raises(ConfigError, match=r"unknown test\(s\) \['boot'\]"):
        EventStudy(tests=["all", "boot"])
    spec = EventStudy(tests=["all", "wild_bootstrap"])
    assert spec.tests[-1] == "wild_bootstrap"
    assert "calendar_time" in spec.tests
    assert "lbt_skew_t" not in EventStudy().tests
