"""Thin-trading betas (Scholes-Williams, Dimson) against statsmodels regressions written out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.study import run_event_study

SYMBOLS = ["600519.SH", "000858.SZ", "000002.SZ", "300750.SZ", "601318.SH"]
DAYS = ["2016-03-01", "2019-06-03", "2022-01-10", "2023-08-01", "2021-02-18"]
MKT = "000300.SH"


def _events() -> pd.DataFrame:
    return pd.DataFrame({"event_id": [f"e{i}" for i in range(5)], "symbol": SYMBOLS, "day0": DAYS})


@pytest.fixture(scope="module")
def prices(sample_close: pd.DataFrame) -> pd.DataFrame:
    px = sample_close[[*SYMBOLS, MKT]].copy()
    # a few missing prices inside the estimation windows (each makes two returns missing)
    for sym, day in zip(SYMBOLS, DAYS, strict=True):
        p0 = px.index.get_loc(pd.Timestamp(day))
        px.iloc[[p0 - 100, p0 - 37], px.columns.get_loc(sym)] = np.nan
    return px


def _window(rets: pd.DataFrame, day0: str, a: int, b: int) -> pd.DatetimeIndex:
    sessions = rets.index[rets[MKT].notna()]
    p0 = sessions.get_loc(pd.Timestamp(day0))
    return sessions[p0 + a : p0 + b + 1]


def _slope(y: np.ndarray, x: np.ndarray) -> float:
    ok = np.isfinite(y) & np.isfinite(x)
    return float(sm.OLS(y[ok], sm.add_constant(x[ok])).fit().params[1])


def _scholes_williams(y: np.ndarray, x: np.ndarray) -> float:
    b_lag = _slope(y[1:], x[:-1])
    b_0 = _slope(y, x)
    b_lead = _slope(y[:-1], x[1:])
    a, b = x[1:], x[:-1]
    ok = np.isfinite(a) & np.isfinite(b)
    rho = np.corrcoef(a[ok], b[ok])[0, 1]
    return (b_lag + b_0 + b_lead) / (1 + 2 * rho)


def _dimson(y: np.ndarray, x: np.ndarray) -> float:
    design = np.column_stack([x[:-2], x[1:-1], x[2:]])
    yy = y[1:-1]
    ok = np.isfinite(yy) & np.isfinite(design).all(axis=1)
    fit = sm.OLS(yy[ok], sm.add_constant(design[ok])).fit()
    return float(fit.params[1:].sum())


@pytest.mark.parametrize(("model", "beta_of"), [("scholes_williams", _scholes_williams),
                                                 ("dimson", _dimson)])  # fmt: skip
def test_thin_trading_betas_equal_statsmodels(prices, model, beta_of):
    res = run_event_study(_events(), prices=prices, model=model)
    assert len(res.events) == 5, res.dropped
    rets = prices.pct_change(fill_method=None)
    for eid, sym, day in zip(_events().event_id, SYMBOLS, DAYS, strict=True):
        est = _window(rets, day, -250, -11)
        y, x = rets.loc[est, sym].to_numpy(), rets.loc[est, MKT].to_numpy()
        ok = np.isfinite(y) & np.isfinite(x)
        assert (~ok).sum() >= 2  # the missing days are in the sample
        beta = beta_of(y, x)
        alpha = y[ok].mean() - beta * x[ok].mean()
        assert res.params.loc[eid, "beta"] == pytest.approx(beta, abs=1e-10)
        assert res.params.loc[eid, "alpha"] == pytest.approx(alpha, abs=1e-10)
        e = y[ok] - alpha - beta * x[ok]
        m = int(ok.sum())
        s2 = (e**2).sum() / (m - 2)
        assert res.n_estimation.loc[eid] == m
        assert res.sigma.loc[eid] == pytest.approx(np.sqrt(s2), abs=1e-12)
        evt = _window(rets, day, -5, 5)
        rm = rets.loc[evt, MKT].to_numpy()
        ar = rets.loc[evt, sym].to_numpy() - alpha - beta * rm
        np.testing.assert_allclose(res.ar.loc[eid].to_numpy(), ar, atol=1e-12)
        # variance convention: the OLS market model's prediction-error term with this beta
        xc = x[ok] - x[ok].mean()
        var = s2 * (1 + 1 / m + (rm - x[ok].mean()) ** 2 / (xc**2).sum())
        i = int(np.flatnonzero(res.events.event_id == eid)[0])
        np.testing.assert_allclose(res.pieces.var_ar[i], var, rtol=1e-10)


def test_thin_trading_betas_recover_a_lagged_response():
    """A stock that takes half of the market move a day late: OLS sees ~0.5, both see ~1."""
    rng = np.random.default_rng(11)
    n = 3000
    mkt = rng.normal(0, 0.01, n)
    stock = 0.5 * mkt + 0.5 * np.r_[0.0, mkt[:-1]] + rng.normal(0, 0.002, n)
    dates = pd.bdate_range("2010-01-04", periods=n)
    rets = pd.DataFrame({"M": mkt, "A": stock}, index=dates)
    ev = pd.DataFrame({"event_id": ["e"], "symbol": ["A"], "day0": [dates[2990]]})
    kw = {"returns": rets, "market": "M", "estimation_window": (-2900, -11)}
    betas = {
        m: float(run_event_study(ev, model=m, **kw).params.loc["e", "beta"])
        for m in ("market", "scholes_williams", "dimson")
    }
    assert betas["market"] == pytest.approx(0.5, abs=0.02)
    assert betas["scholes_williams"] == pytest.approx(1.0, abs=0.03)
    assert betas["dimson"] == pytest.approx(1.0, abs=0.03)


def test_thin_trading_summary_and_constant_market(prices):
    res = run_event_study(_events()[:1], prices=prices, model="dimson")
    assert "Dimson (1979)" in res.summary().as_text()
    assert "Var(beta_i) is taken as S_i^2/SS_m" in str(res.summary())  # methodology line
    dates = pd.bdate_range("2020-01-01", periods=200)
    flat = pd.DataFrame({"M": 0.001, "A": np.linspace(-0.01, 0.01, 200)}, index=dates)
    ev = pd.DataFrame({"event_id": ["e"], "symbol": ["A"], "day0": [dates[190]]})
    out = run_event_study(ev, returns=flat, market="M", model="scholes_williams",
                          estimation_window=(-150, -11))  # fmt: skip
    assert out.dropped["reason"].tolist() == ["constant_returns"]
