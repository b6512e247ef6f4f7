"""Public API: shapes, dropped reasons, errors, inputs, cross-checks with scipy."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study import TESTS, EventStudy, EventStudyResult, run_event_study
from eventstudy.study.inference import kp_rbar, wilcoxon_signed_rank
from tests.study.conftest import synthetic


@pytest.fixture
def rets() -> pd.DataFrame:
    return synthetic(400, 6, 1)


def _ev(rets, days=(300, 310, 300, 320), syms=("S0", "S1", "S2", "S3"), **attrs):
    n = len(days)
    data = {
        "event_id": [f"e{i}" for i in range(n)],
        "symbol": list(syms)[:n],
        "day0": rets.index[list(days)],
        "publisher": ["p1", "p2", "p1", "p2"][:n],
        "score": np.linspace(0.1, 0.9, n),
    }
    data.update(attrs)
    return pd.DataFrame(data)


def test_shapes_and_labels(rets):
    res = run_event_study(_ev(rets), returns=rets, market="M")
    assert isinstance(res, EventStudyResult)
    assert res.ar.index.name == "event_id"
    assert res.ar.columns.name == "rel_day"
    assert res.ar.columns.tolist() == list(range(-5, 6))
    assert res.windows == [(-1, 1), (0, 0), (0, 1), (0, 5), (-5, 5)]
    assert res.car.columns.tolist() == ["[-1,1]", "[0,0]", "[0,1]", "[0,5]", "[-5,5]"]
    assert res.bhar.shape == res.car.shape
    assert res.aar.index.tolist() == list(range(-5, 6))
    assert res.caar.index.tolist() == res.car.columns.tolist()
    assert res.abhar.index.tolist() == res.car.columns.tolist()
    path = res.caar_path
    assert path.columns.tolist() == ["caar", "se", "lower", "upper", "n"]
    assert path.attrs["level"] == 0.95
    assert "cross-sectional" in path.attrs["variance"]
    np.testing.assert_allclose(path["caar"].iloc[-1], res.caar["[-5,5]"])
    assert (path["lower"] <= path["caar"]).all()
    assert res.params.columns.tolist() == ["alpha", "beta"]
    assert {"publisher", "score", "n_estimation", "zero_return_share"} <= set(res.events.columns)
    t = res.tests
    assert t.columns.tolist() == [
        "test",
        "measure",
        "scope",
        "rel_day",
        "window",
        "statistic",
        "pvalue",
        "n",
        "note",
    ]
    assert str(t.rel_day.dtype) == "Int64"
    assert set(t.test) == set(TESTS)
    assert set(t[t.measure == "BHAR"].test) >= {"skew_t", "t_cross"}
    for name in TESTS:
        sub = t[(t.test == name) & (t.measure == "CAR")]
        assert sorted(sub.window) == sorted(res.car.columns), name
    days = t[(t.test == "patell") & (t.scope == "day")]
    assert days.rel_day.tolist() == list(range(-5, 6))
    assert days.window.isna().all()
    assert res.model == "market"
    assert res.market == "M"


def test_to_frame_is_consistent(rets):
    res = run_event_study(_ev(rets), returns=rets, market="M")
    long = res.to_frame()
    ar = long[long.measure == "AR"].pivot(index="event_id", columns="rel_day", values="value")
    np.testing.assert_allclose(ar.loc[res.ar.index].to_numpy(), res.ar.to_numpy())
    car = long[long.measure == "CAR"].pivot(index="event_id", columns="window", values="value")
    np.testing.assert_allclose(
        car.loc[res.car.index, res.car.columns].to_numpy(), res.car.to_numpy()
    )


def test_dropped_reasons_and_accounting(rets):
    r = rets.copy()
    r.loc[r.index[330], "S4"] = np.nan  # no return on day 0
    r.loc[r.index[:290], "S5"] = np.nan  # too little history
    r["FLAT"] = 0.0
    ev = pd.DataFrame(
        {
            "event_id": list("abcdefg"),
            "symbol": ["S0", "S4", "S5", "FLAT", "S1", "S2", "600519.SH"],
            "day0": [r.index[300], r.index[330], r.index[300], r.index[300], r.index[-2],
                     r.index[0] - pd.Timedelta(days=30), r.index[300]],
        }
    )  # fmt: skip
    ev.loc[7] = ["h", "S0", pd.Timestamp("2021-01-02")]  # a Saturday
    ev.loc[8] = ["i", "NOT A SYMBOL", r.index[300]]
    res = run_event_study(ev, returns=r, market="M")
    reasons = dict(zip(res.dropped.event_id, res.dropped.reason, strict=True))
    assert reasons == {
        "b": "no_price_day0",
        "c": "insufficient_estimation",
        "d": "constant_returns",
        "e": "outside_data",
        "f": "outside_data",
        "g": "unknown_symbol",
        "h": "not_a_session",
        "i": "unknown_symbol",
    }
    assert res.events.event_id.tolist() == ["a"]
    assert len(res.events) + len(res.dropped) == len(ev)
    assert res.dropped.columns.tolist() == ["event_id", "symbol", "reason", "message"]
    assert "min_estimation_obs" in res.dropped.set_index("event_id").at["c", "message"]


def test_missing_returns_reduce_m(rets):
    r = rets.copy()
    r.loc[r.index[100:110], "S0"] = np.nan
    res = run_event_study(_ev(r, days=(300,), syms=("S0",)), returns=r, market="M")
    assert res.n_estimation.iloc[0] == 230
    # all-NaN event day: AR NaN, tests still run
    r.loc[r.index[301], "S0"] = np.nan
    res = run_event_study(_ev(r, days=(300,), syms=("S0",)), returns=r, market="M")
    assert np.isnan(res.ar.loc["e0", 1])
    t = res.tests
    assert t[(t.test == "patell") & (t.rel_day == 1)].n.iloc[0] == 0
    assert np.isfinite(res.car.loc["e0", "[0,1]"])  # one present day


def test_bad_inputs(rets):
    ev = _ev(rets)
    bad = rets.copy()
    bad.iloc[5, 0] = np.inf
    with pytest.raises(InputDataError, match="infinite"):
        run_event_study(ev, returns=bad, market="M")
    with pytest.raises(InputDataError, match="duplicated event_id"):
        run_event_study(pd.concat([ev, ev]), returns=rets, market="M")
    with pytest.raises(InputDataError, match="market column"):
        run_event_study(ev, returns=rets, market="000300.SH")
    with pytest.raises(ConfigError, match="mkt_rf"):
        run_event_study(ev, returns=rets, market="M", model="ff3")
    f = pd.DataFrame({"mkt_rf": rets.M, "smb": 0.0}, index=rets.index)
    with pytest.raises(ConfigError, match=r"\['hml'\]"):
        run_event_study(ev, returns=rets, market="M", model="ff3", factors=f)
    f["hml"] = rets.S5
    with pytest.raises(InputDataError, match="factors have no"):
        run_event_study(ev, returns=rets, market="M", model="ff3", factors=f.iloc[100:])
    with pytest.raises(ConfigError):
        EventStudy(event_window=(1, 3))
    with pytest.raises(ConfigError):
        EventStudy(car_windows=[(-6, 0)])
    with pytest.raises(ConfigError):
        EventStudy(tests=["nope"])
    with pytest.raises(ConfigError):
        EventStudy(min_estimation_obs=3)


def test_prices_input_and_calendar(rets):
    prices = (1 + rets).cumprod() * 10  # cumprod skips the missing returns: they stay missing
    a = run_event_study(_ev(rets), prices=prices, market="M")
    b = run_event_study(_ev(rets), returns=prices.pct_change(fill_method=None), market="M")
    pd.testing.assert_frame_equal(a.ar, b.ar)
    # an explicit calendar counts its sessions; dropping a date moves relative days
    cal = rets.index.delete(295)
    c = run_event_study(_ev(rets), returns=rets, market="M", calendar=cal)
    assert not np.allclose(c.ar.loc["e0"].to_numpy(), b.ar.loc["e0"].to_numpy())


def test_by_regress_summary_and_plot(rets, monkeypatch):
    res = run_event_study(_ev(rets), returns=rets, market="M")
    groups = res.by("publisher")
    assert sorted(groups) == ["p1", "p2"]
    assert groups["p1"].ar.index.tolist() == ["e0", "e2"]
    np.testing.assert_allclose(groups["p1"].ar.to_numpy(), res.ar.loc[["e0", "e2"]].to_numpy())
    with pytest.raises(ConfigError):
        res.by("nope")
    fit = res.regress("car ~ score", cov="HC1")
    assert fit.cov_type == "HC1"
    assert int(fit.nobs) == 4
    fit = res.regress("car_m5_5 ~ score", cov="cluster")
    assert fit.cov_type == "cluster"
    text = res.summary()
    assert "CAAR" in text
    assert str(res) == text
    assert repr(res) == text
    assert "<table" in res._repr_html_()
    fake = types.ModuleType("eventstudy.plotting")
    fake.plot_caar = lambda result, **kw: ("caar", result, kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "eventstudy.plotting", fake)
    assert res.plot("caar", title="x") == ("caar", res, {"title": "x"})
    with pytest.raises(ConfigError):
        res.plot("pie")


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


def test_kp_adjustments_use_all_pairs(rets):
    # e0, e2 share day 0 (300); e1 is 10 sessions later (1 common day with an 11-day
    # window), e3 20 sessions later (none): rbar averages over all 4 * 3 ordered pairs
    res = run_event_study(_ev(rets), returns=rets, market="M")
    e = res.pieces.resid
    rho02 = np.corrcoef(e[0], e[2])[0, 1]
    assert res.rbar == pytest.approx(2 * rho02 / 12, rel=1e-10)
    assert res.rbar_windows["[-1,1]"] == pytest.approx(res.rbar, rel=1e-12)
    assert res.rbar_windows["[-5,5]"] != pytest.approx(res.rbar, rel=1e-6)
    t = res.tests.set_index(["test", "measure", "rel_day", "window"])["statistic"]
    bmp = t.loc[("bmp", "AR", 0, None)]
    r = res.rbar
    assert t.loc[("kp_bmp", "AR", 0, None)] == pytest.approx(
        bmp * np.sqrt((1 - r) / (1 + 3 * r)), rel=1e-10
    )
    rw = res.rbar_windows["[-5,5]"]
    assert t.loc[("patell_adj", "CAR", pd.NA, "[-5,5]")] == pytest.approx(
        t.loc[("patell", "CAR", pd.NA, "[-5,5]")] / np.sqrt(1 + 3 * rw), rel=1e-10
    )
    # no two events share a day 0 nor an event window: no adjustment at all
    far = run_event_study(_ev(rets, days=(300, 320, 340, 360)), returns=rets, market="M")
    assert far.rbar == 0.0
    assert (far.rbar_windows == 0.0).all()
    ft = far.tests.set_index(["test", "measure", "rel_day", "window"])["statistic"]
    assert ft.loc[("kp_bmp", "AR", 0, None)] == pytest.approx(ft.loc[("bmp", "AR", 0, None)])


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


def test_size_of_tests_on_null_synthetic_data():
    """A coarse sanity check: with iid normal returns no test rejects wildly often."""
    rets = synthetic(600, 40, 9)
    rng = np.random.default_rng(0)
    ev = pd.DataFrame(
        {"event_id": range(40), "symbol": [f"S{i}" for i in range(40)],
         "day0": rets.index[rng.integers(300, 590, 40)]}
    )  # fmt: skip
    res = run_event_study(ev, returns=rets, market="M")
    t = res.tests
    day0 = t[(t.rel_day == 0) | (t.window == "[-5,5]")]
    assert (day0.pvalue.dropna() > 1e-4).all()


def test_wilcoxon_columns_equal_one_column_version():
    from eventstudy.study.inference import _wilcoxon_columns

    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((80, 4)), 1)  # ties and zeros
    x[:30, 1] = rng.standard_normal(30)  # column 1: 30 untied values (exact p), rest NaN
    x[30:, 1] = np.nan
    x[:, 2] = 0.0  # no nonzero value
    x[5, 3], x[6, 3] = 0.7, -0.7  # a tie of opposite signs
    got = _wilcoxon_columns(x)
    for j in range(x.shape[1]):
        ref = wilcoxon_signed_rank(x[:, j])
        np.testing.assert_allclose(got[j][:3], ref[:3], rtol=1e-12)
        assert got[j][3] == ref[3]


def test_identical_series_give_undefined_not_huge_statistics():
    """Two events on identical series differ only by rounding noise: t is NaN, not 1e15."""
    from eventstudy.study.inference import t_cross

    car = np.array([[-0.0292], [-0.0292 + 1e-17], [-0.0292 - 2e-17]])
    t, p, _, note = t_cross(car)
    assert np.isnan(t[0])
    assert np.isnan(p[0])
    assert "zero cross-sectional dispersion" in note[0]
    # a real, small dispersion is kept
    t2, _, _, note2 = t_cross(np.array([[-0.0292], [-0.0291], [-0.0293]]))
    assert np.isfinite(t2[0])
    assert note2 == [""]
