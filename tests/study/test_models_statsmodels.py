"""Market-model and factor-model estimates against statsmodels OLS on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.study import run_event_study

SYMBOLS = ["600519.SH", "000858.SZ", "000002.SZ", "300750.SZ", "601318.SH"]
DAYS = ["2016-03-01", "2019-06-03", "2022-01-10", "2023-08-01", "2021-02-18"]


def _ols_reference(rets: pd.DataFrame, sym: str, day0: str, market: str = "000300.SH"):
    sessions = rets.index[rets[market].notna()]
    p0 = sessions.get_loc(pd.Timestamp(day0))
    est = sessions[p0 - 250 : p0 - 10]
    y = rets.loc[est, sym]
    x = rets.loc[est, market]
    ok = y.notna() & x.notna()
    fit = sm.OLS(y[ok].to_numpy(), sm.add_constant(x[ok].to_numpy())).fit()
    return fit.params, np.sqrt(fit.scale), int(ok.sum())


def test_market_model_equals_statsmodels(sample_close):
    prices = sample_close[[*SYMBOLS, "000300.SH"]]
    events = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(5)], "symbol": SYMBOLS, "day0": DAYS}
    )
    res = run_event_study(events, prices=prices, min_estimation_obs=100)
    rets = prices.pct_change(fill_method=None)
    assert len(res.events) == 5, res.dropped
    for eid, sym, day in zip(events.event_id, SYMBOLS, DAYS, strict=True):
        params, sigma, m = _ols_reference(rets, sym, day)
        assert res.params.loc[eid, "alpha"] == pytest.approx(params[0], abs=1e-10)
        assert res.params.loc[eid, "beta"] == pytest.approx(params[1], abs=1e-10)
        assert res.sigma.loc[eid] == pytest.approx(sigma, abs=1e-10)
        assert res.n_estimation.loc[eid] == m


def test_ff3_and_carhart_equal_statsmodels(sample_close):
    """Factor models by batched least squares against OLS on the same (constructed) factors."""
    syms = ["600519.SH", "000858.SZ", "601318.SH"]
    prices = sample_close[[*syms, "000300.SH", "000905.SH", "000852.SH"]]
    rets = prices.pct_change(fill_method=None)
    factors = pd.DataFrame(
        {
            "mkt_rf": rets["000300.SH"] - 0.0001,
            "smb": rets["000852.SH"] - rets["000300.SH"],
            "hml": rets["000905.SH"] - rets["000852.SH"],
            "mom": rets["000905.SH"].rolling(5).mean(),
            "rf": 0.0001,
        }
    ).dropna()
    events = pd.DataFrame({"event_id": ["a", "b", "c"], "symbol": syms, "day0": DAYS[1:4]})
    for model, cols in (("ff3", 3), ("carhart", 4)):
        res = run_event_study(events, prices=prices, model=model, factors=factors)
        assert len(res.events) == 3
        for eid, sym, day in zip(events.event_id, syms, DAYS[1:4], strict=True):
            sessions = rets.index[rets["000300.SH"].notna()]
            p0 = sessions.get_loc(pd.Timestamp(day))
            est = sessions[p0 - 250 : p0 - 10]
            y = rets.loc[est, sym] - factors.loc[est, "rf"]
            x = factors.loc[est].iloc[:, :cols]
            ok = y.notna() & x.notna().all(axis=1)
            fit = sm.OLS(y[ok].to_numpy(), sm.add_constant(x[ok].to_numpy())).fit()
            np.testing.assert_allclose(res.params.loc[eid].to_numpy(), fit.params, atol=1e-10)
            assert res.sigma.loc[eid] == pytest.approx(np.sqrt(fit.scale), abs=1e-10)
