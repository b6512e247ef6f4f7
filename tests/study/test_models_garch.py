"""GARCH market models against ``arch`` fitted directly, and the variance forecasts by hand."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from arch import arch_model

from eventstudy.study import core, garch, run_event_study

SYMBOLS = ["600519.SH", "000858.SZ", "000002.SZ", "300750.SZ", "601318.SH"]
DAYS = ["2016-03-01", "2019-06-03", "2022-01-10", "2023-08-01", "2021-02-18"]
VOL = {"garch": ("GARCH", 0), "gjr": ("GARCH", 1), "egarch": ("EGARCH", 1)}
T0, T1, TAU1, TAU2 = -250, -11, -5, 5


def _fit_one_thread(am):
    """``arch``'s fit with BLAS on one thread, as the package fits (module doc of ``garch``)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return am.fit(disp="off", show_warning=False)


def _events() -> pd.DataFrame:
    return pd.DataFrame({"event_id": [f"e{i}" for i in range(5)], "symbol": SYMBOLS, "day0": DAYS})


def _one_step(kind: str, fit) -> float:
    """The variance equation applied to the fit's last day (percent squared), by hand."""
    p, e = fit.params, fit.resid[-1]
    s2 = fit.conditional_volatility[-1] ** 2
    if kind == "egarch":
        z = e / np.sqrt(s2)
        return float(np.exp(p["omega"] + p["alpha[1]"] * (abs(z) - np.sqrt(2 / np.pi))
                            + p["gamma[1]"] * z + p["beta[1]"] * np.log(s2)))  # fmt: skip
    gamma = p["gamma[1]"] * (e < 0) if kind == "gjr" else 0.0
    return float(p["omega"] + (p["alpha[1]"] + gamma) * e**2 + p["beta[1]"] * s2)


def _forecast_by_hand(kind: str, fit, horizon: int) -> np.ndarray:
    """Variance forecasts (percent squared) continuing the fit's own conditional variances.

    GARCH/GJR: ``s2_{h+1} = omega + (alpha1 [+ gamma1 / 2] + beta1) s2_h``; EGARCH: the mean
    of 10,000 simulated paths of the log-variance equation from the 1-step value, standard
    normal shocks from ``default_rng(0)`` (the draws of ``arch``'s simulation forecast).
    """
    p = fit.params
    out = np.empty(horizon)
    out[0] = _one_step(kind, fit)
    if kind != "egarch":
        persistence = p["alpha[1]"] + p["beta[1]"] + (p["gamma[1]"] / 2 if kind == "gjr" else 0)
        for h in range(1, horizon):
            out[h] = p["omega"] + persistence * out[h - 1]
        return out
    z = np.random.default_rng(0).standard_normal((10_000, horizon))
    ln = np.empty((10_000, horizon))
    ln[:, 0] = np.log(out[0])
    for h in range(1, horizon):
        zz = z[:, h - 1]
        ln[:, h] = (p["omega"] + p["alpha[1]"] * (np.abs(zz) - np.sqrt(2 / np.pi))
                    + p["gamma[1]"] * zz + p["beta[1]"] * ln[:, h - 1])  # fmt: skip
    return np.exp(ln).mean(axis=0)


def _arch_reference(rets: pd.DataFrame, sym: str, day0: str, kind: str):
    """AR, variance forecasts and parameters of one event, from arch fitted here.

    The forecasts continue the fit's conditional variances by hand (:func:`_forecast_by_hand`).

    None when arch's optimiser does not converge (EGARCH on 300750.SZ does not with
    scipy < 1.16's SLSQP; it does with the newer one).
    """
    sessions = rets.index[rets["000300.SH"].notna()]
    p0 = sessions.get_loc(pd.Timestamp(day0))
    est = sessions[p0 + T0 : p0 + T1 + 1]
    evt = sessions[p0 + TAU1 : p0 + TAU2 + 1]
    y, x = rets.loc[est, sym], rets.loc[est, "000300.SH"]
    ok = y.notna() & x.notna()
    assert ok.iloc[-1]  # the last estimation day is observed: h = t - T1
    vol, o = VOL[kind]
    am = arch_model(100 * y[ok].to_numpy(), x=100 * x[ok].to_numpy()[:, None], mean="LS",
                    vol=vol, p=1, o=o, q=1, dist="normal", rescale=False)  # fmt: skip
    fit = _fit_one_thread(am)
    if fit.convergence_flag != 0:
        return None
    horizon = TAU2 - T1
    h = np.arange(TAU1, TAU2 + 1) - T1
    var = _forecast_by_hand(kind, fit, horizon)[h - 1] / 100**2
    const, beta = fit.params.iloc[0] / 100, fit.params.iloc[1]
    ar = rets.loc[evt, sym].to_numpy() - const - beta * rets.loc[evt, "000300.SH"].to_numpy()
    return ar, var, fit


@pytest.fixture(scope="module")
def prices(sample_close: pd.DataFrame) -> pd.DataFrame:
    return sample_close[[*SYMBOLS, "000300.SH"]]


@pytest.mark.parametrize("kind", ["garch", "gjr", "egarch"])
def test_ar_and_sigma_equal_arch_fitted_directly(prices, kind):
    res = run_event_study(_events(), prices=prices, model=kind)
    assert len(res.events) >= 4, res.dropped
    rets = prices.pct_change(fill_method=None)
    for eid, sym, day in zip(_events().event_id, SYMBOLS, DAYS, strict=True):
        ref = _arch_reference(rets, sym, day, kind)
        if ref is None:  # not converged here: dropped there, with its reason
            assert res.dropped.set_index("event_id").at[eid, "reason"] == "garch_no_convergence"
            continue
        ar, var, fit = ref
        i = res.events.index[res.events.event_id == eid][0]
        np.testing.assert_allclose(res.ar.loc[eid].to_numpy(), ar, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.pieces.var_ar[i], var, rtol=1e-9)
        # parameters in the package's units (decimal returns)
        p = res.params.loc[eid]
        assert p["alpha"] == pytest.approx(fit.params["Const"] / 100, rel=1e-9)
        assert p["beta"] == pytest.approx(fit.params["x0"], rel=1e-9)
        assert p["beta1"] == pytest.approx(fit.params["beta[1]"], rel=1e-9)
        if kind != "egarch":
            assert p["omega"] == pytest.approx(fit.params["omega"] / 100**2, rel=1e-9)
        # standardised abnormal returns and CAR variance use the forecasts
        np.testing.assert_allclose(res.pieces.sar[i], ar / np.sqrt(var), rtol=1e-9)
        j = res.windows.index((-1, 1))
        assert res.pieces.var_car[i, j] == pytest.approx(var[4:7].sum(), rel=1e-9)
        assert res.pieces.scar[i, j] == pytest.approx(ar[4:7].sum() / np.sqrt(var[4:7].sum()))
        resid = fit.resid / 100
        assert res.sigma.loc[eid] == pytest.approx(np.sqrt((resid**2).sum() / (len(resid) - 2)))


def test_garch_forecasts_follow_the_recursion_in_decimal_units(prices):
    """GARCH(1,1): s2_{h+1} = omega + (alpha1 + beta1) s2_h; GJR: + gamma1 / 2 (normal z)."""
    for kind in ("garch", "gjr"):
        res = run_event_study(_events(), prices=prices, model=kind)
        for i, eid in enumerate(res.events.event_id):
            p = res.params.loc[eid]
            persistence = p["alpha1"] + p["beta1"] + (p["gamma1"] / 2 if kind == "gjr" else 0)
            v = res.pieces.var_ar[i]
            np.testing.assert_allclose(v[1:], p["omega"] + persistence * v[:-1], rtol=1e-9)


def test_egarch_omega_in_decimal_units(prices):
    """One-step EGARCH forecast rebuilt from the package's parameters (log variance, decimal)."""
    rets = prices.pct_change(fill_method=None)
    sessions = rets.index
    p0 = sessions.get_loc(pd.Timestamp(DAYS[0]))
    est = sessions[p0 + T0 : p0 + T1 + 1]
    y = rets.loc[est, SYMBOLS[0]].to_numpy()[None, :]
    x = rets.loc[est, "000300.SH"].to_numpy()[None, :]
    out = garch.fit_garch_events("egarch", y, x, horizons=np.array([1]))
    omega, alpha1, gamma1, beta1 = out.params[0, 2:]
    ref = _arch_reference(rets, SYMBOLS[0], DAYS[0], "egarch")
    assert ref is not None
    _, _, fit = ref
    s_t = fit.conditional_volatility[-1] / 100  # decimal
    z_t = fit.resid[-1] / fit.conditional_volatility[-1]
    log_var = (
        omega + alpha1 * (abs(z_t) - np.sqrt(2 / np.pi)) + gamma1 * z_t + beta1 * np.log(s_t**2)
    )
    assert np.log(out.var_evt[0, 0]) == pytest.approx(log_var, rel=1e-9)


def test_missing_estimation_days_are_left_out_and_the_horizon_counts_from_the_last_one():
    rng = np.random.default_rng(3)
    m = rng.normal(0, 0.01, 200)
    r = 0.0003 + 0.9 * m + rng.normal(0, 0.012, 200)
    r[[20, 21, 77]] = np.nan
    r[-2:] = np.nan  # the last two estimation days are missing: forecasts start 2 later
    out = garch.fit_garch_events("garch", r[None], m[None], horizons=np.array([3, 4, 5]))
    ok = np.isfinite(r)
    am = arch_model(100 * r[ok], x=100 * m[ok][:, None], mean="LS", p=1, q=1, rescale=False)
    fit = _fit_one_thread(am)
    fc = fit.forecast(horizon=7, reindex=False, x=np.zeros((1, 1, 7))).variance.to_numpy()[-1]
    np.testing.assert_allclose(out.var_evt[0], fc[[4, 5, 6]] / 100**2, rtol=1e-9)
    assert np.isnan(out.resid[0, ~ok]).all()
    np.testing.assert_allclose(out.resid[0, ok], fit.resid / 100, rtol=1e-9, atol=1e-14)


def test_non_convergence_drops_the_event_with_a_reason(prices, monkeypatch):
    monkeypatch.setattr(garch, "FIT_OPTIONS", {"maxiter": 1})
    res = run_event_study(_events(), prices=prices, model="garch")
    assert len(res.events) == 0
    assert res.dropped["reason"].tolist() == ["garch_no_convergence"] * 5
    assert "did not converge" in res.dropped["message"].iloc[0]
    assert res.n_input == 5


def test_standardised_tests_use_the_conditional_variances(prices):
    res = run_event_study(_events(), prices=prices, model="garch")
    p = res.pieces
    pv = (p.m - 2) / (p.m - 4)
    z0 = p.sar[:, 5].sum() / np.sqrt(pv.sum())  # Patell on day 0 with the GARCH sigma
    assert res.test("patell").statistic == pytest.approx(z0, rel=1e-12)
    t_bmp = np.sqrt(5) * p.sar[:, 5].mean() / p.sar[:, 5].std(ddof=1)
    assert res.test("bmp").statistic == pytest.approx(t_bmp, rel=1e-12)


def test_summary_states_the_garch_conventions(prices):
    res = run_event_study(_events()[:2], prices=prices, model="gjr")
    text = res.summary().as_text()
    assert "percent" in text
    assert "h-step-ahead conditional-variance forecast" in text
    assert "Glosten, Jagannathan and Runkle (1993)" in text


def test_blocks_on_threads_give_the_same_fits(prices, monkeypatch):
    serial = run_event_study(_events(), prices=prices, model="gjr")
    monkeypatch.setattr(core, "BLOCK", 2)
    monkeypatch.setattr(core, "THREADS", 3)
    threaded = run_event_study(_events(), prices=prices, model="gjr")
    pd.testing.assert_frame_equal(threaded.params, serial.params, check_exact=True)
    np.testing.assert_array_equal(threaded.pieces.var_ar, serial.pieces.var_ar)


@pytest.mark.parametrize("kind", ["garch", "gjr", "egarch"])
def test_one_step_forecast_continues_the_fits_own_variance_path(sample_close, kind):
    """600519.SH, day 0 2022-05-30, estimation (-80, -11): arch's ``forecast`` restarts the
    recursion from a backcast of the final residuals (the fit used the OLS residuals'); the
    fitted EGARCH (alpha1 = -0.47, BLAS on one thread as the package fits) is not invertible,
    so arch's 1-step forecast is 1.9e-27 %^2 where the fit's own path gives 2.7 %^2. Ours
    continues the fit's path, as arch fitted here computes it. (Day 0 was 2022-06-01 until
    the fits ran on one BLAS thread: that EGARCH fit does not converge there.)
    """
    rets = sample_close.pct_change(fill_method=None)
    sessions = rets.index[rets["000300.SH"].notna()]
    p0 = sessions.get_loc(pd.Timestamp("2022-05-30"))
    est = sessions[p0 - 80 : p0 - 10]
    y = rets.loc[est, "600519.SH"].to_numpy()
    x = rets.loc[est, "000300.SH"].to_numpy()
    vol, o = VOL[kind]
    am = arch_model(100 * y, x=100 * x[:, None], mean="LS", vol=vol, p=1, o=o, q=1,
                    dist="normal", rescale=False)  # fmt: skip
    fit = _fit_one_thread(am)
    assert fit.convergence_flag == 0
    out = garch.fit_garch_events(kind, y[None], x[None], horizons=np.array([1, 2, 3]))
    assert out.var_evt[0, 0] * 100**2 == pytest.approx(_one_step(kind, fit), rel=1e-9)
    if kind == "egarch":  # the case: arch's own forecast is far off its fit's path
        arch_fc = fit.forecast(horizon=1, reindex=False, x=np.zeros((1, 1, 1)))
        assert arch_fc.variance.to_numpy()[-1, 0] < 1e-6 * _one_step(kind, fit)


def test_implausible_variance_forecasts_drop_the_event_with_a_reason(prices, monkeypatch):
    """A forecast outside VARIANCE_RATIO_BOUNDS x S_i^2 on some event day drops the event."""
    full = run_event_study(_events(), prices=prices, model="garch")
    ratio = full.pieces.var_ar / (full.sigma.to_numpy() ** 2)[:, None]
    low = np.sort(ratio.min(axis=1))
    lo = float(low[len(low) // 2 - 1] + low[len(low) // 2]) / 2  # half the events fall below
    expect = set(full.events.event_id[ratio.min(axis=1) < lo])
    assert 0 < len(expect) < len(full.events)
    monkeypatch.setattr(garch, "VARIANCE_RATIO_BOUNDS", (lo, 1e4))
    res = run_event_study(_events(), prices=prices, model="garch")
    dropped = res.dropped.set_index("event_id")
    assert expect <= set(dropped.index)
    assert (dropped.loc[sorted(expect), "reason"] == "garch_no_convergence").all()
    assert "implausible" in dropped.loc[sorted(expect)[0], "message"]
    assert set(res.events.event_id) == set(full.events.event_id) - expect
    assert res.n_input == full.n_input


def test_plausible_variance_bounds_the_ratio_to_the_residual_variance():
    e = np.random.default_rng(0).normal(0, 0.01, 100)
    s2 = (e**2).sum() / 98
    lo, hi = garch.VARIANCE_RATIO_BOUNDS
    assert garch.plausible_variance(np.array([lo, hi]) * s2 * [1.001, 0.999], e)
    assert not garch.plausible_variance(np.array([s2, lo * s2 * 0.999]), e)
    assert not garch.plausible_variance(np.array([hi * s2 * 1.001]), e)
    assert not garch.plausible_variance(np.array([np.nan]), e)
    assert not garch.plausible_variance(np.array([np.inf]), e)


_THREADS_SCRIPT = """
import json, sys
import pandas as pd
from eventstudy.datasets import sample_prices
from eventstudy.study import run_event_study
px = sample_prices().pivot(index="date", columns="symbol", values="close")
events = pd.DataFrame(json.loads(sys.argv[1]))
out = {}
for kind in ("garch", "egarch"):
    res = run_event_study(events, prices=px[[*events["symbol"].unique(), "000300.SH"]], model=kind)
    out[kind] = {
        "events": res.events.event_id.tolist(),
        "params": res.params.to_numpy().tolist(),
        "var_ar": res.pieces.var_ar.tolist(),
        "statistic": res.tests.statistic.tolist(),
        "pvalue": res.tests.pvalue.tolist(),
    }
print(json.dumps(out))
"""


def _fits_in_a_subprocess(threads: str | None) -> dict:
    """The GARCH and EGARCH studies of :func:`_events` in a fresh Python, BLAS threads set."""
    import json
    import subprocess
    import sys

    env = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    }
    if threads is not None:
        env |= {"OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
    events = _events().to_dict(orient="list")
    done = subprocess.run(
        [sys.executable, "-c", _THREADS_SCRIPT, json.dumps(events)],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_fits_do_not_depend_on_the_blas_thread_count():
    """One BLAS thread against the default (all cores): SciPy's SLSQP called SciPy's
    OpenBLAS, whose last bits changed with its thread count (1e-7 in the parameters)."""
    default, single = _fits_in_a_subprocess(None), _fits_in_a_subprocess("1")
    for kind in ("garch", "egarch"):
        a, b = default[kind], single[kind]
        assert a["events"] == b["events"]
        for name in ("params", "var_ar", "statistic", "pvalue"):
            np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-15, err_msg=name)


def test_a_blas_limit_held_by_another_thread_is_reported():
    """threadpoolctl >= 3.8 lets one thread at a time set OpenBLAS's (process-wide) limit;
    when another holds it, the fits cannot run on one thread and say so."""
    import threading

    threadpoolctl = pytest.importorskip("threadpoolctl")
    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    if not hasattr(openblas, "clear_controlling_thread"):
        pytest.skip("threadpoolctl < 3.8 sets the limit from any thread")
    blas = threadpoolctl.threadpool_info()
    if not any(b["internal_api"] == "openblas" and b.get("threading_layer") == "pthreads"
               for b in blas) or (os.cpu_count() or 1) < 2:  # fmt: skip
        pytest.skip("needs a pthreads OpenBLAS on 2+ cores")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        limits = threadpoolctl.threadpool_limits(limits=2, user_api="blas")
        held.set()
        release.wait(60)
        limits.restore_original_limits()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(60)
    try:
        rng = np.random.default_rng(0)
        m = rng.normal(0, 0.01, (1, 120))
        r = 1.2 * m + rng.normal(0, 0.005, (1, 120))
        with pytest.warns(RuntimeWarning, match="could not limit BLAS to one thread"):
            garch.fit_garch_events("garch", r, m, horizons=np.arange(1, 4))
    finally:
        release.set()
        holder.join()
    with warnings.catch_warnings():  # released: the limit applies again
        warnings.simplefilter("error", RuntimeWarning)
        garch.fit_garch_events("garch", r, m, horizons=np.arange(1, 4))
