"""``model="factors"``: any factor frame; ``ff3``/``carhart`` are its named cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study import EventStudy, run_event_study
from tests.study.conftest import make_events

SYMS = ["600519.SH", "000858.SZ", "601318.SH"]
DAYS = ["2019-06-03", "2022-01-10", "2023-08-01"]


@pytest.fixture(scope="module")
def data(sample_close: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    prices = sample_close[[*SYMS, "000300.SH", "000905.SH", "000852.SH", "399001.SZ"]]
    rets = prices.pct_change(fill_method=None)
    factors = pd.DataFrame(
        {
            "mkt_rf": rets["000300.SH"] - 0.0001,
            "smb": rets["000852.SH"] - rets["000300.SH"],
            "hml": rets["000905.SH"] - rets["000852.SH"],
            "mom": rets["000905.SH"].rolling(5).mean(),
            "rmw": rets["399001.SZ"] - rets["000905.SH"],
            "cma": rets["399001.SZ"].rolling(3).mean(),
            "rf": 0.0001,
        }
    ).dropna()
    return prices, factors


def _events() -> pd.DataFrame:
    return pd.DataFrame({"event_id": ["a", "b", "c"], "symbol": SYMS, "day0": DAYS})


@pytest.mark.parametrize("named", ["ff3", "carhart"])
def test_named_factor_models_are_cases_of_factors(data, named):
    prices, factors = data
    cols = ["mkt_rf", "smb", "hml"] + (["mom"] if named == "carhart" else [])
    ref = run_event_study(_events(), prices=prices, model=named, factors=factors)
    got = run_event_study(_events(), prices=prices, model="factors", factors=factors[[*cols, "rf"]])
    assert got.params.columns.tolist() == ref.params.columns.tolist()
    for name in ("ar", "car", "bhar", "params", "sigma"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(got, name)), pd.DataFrame(getattr(ref, name)), check_exact=True
        )
    pd.testing.assert_frame_equal(got.tests, ref.tests, check_exact=True)
    assert got.pieces.k == ref.pieces.k == len(cols) + 1


def test_five_factors_equal_statsmodels(data):
    prices, factors = data
    ff5 = factors[["mkt_rf", "smb", "hml", "rmw", "cma", "rf"]].reset_index(names="date")
    res = run_event_study(_events(), prices=prices, model="factors", factors=ff5)
    assert res.params.columns.tolist() == ["alpha", "b_mkt_rf", "b_smb", "b_hml", "b_rmw", "b_cma"]
    rets = prices.pct_change(fill_method=None)
    sessions = rets.index[rets["000300.SH"].notna()]
    for eid, sym, day in zip(_events().event_id, SYMS, DAYS, strict=True):
        p0 = sessions.get_loc(pd.Timestamp(day))
        est = sessions[p0 - 250 : p0 - 10]
        y = rets.loc[est, sym] - factors.loc[est, "rf"]
        x = factors.loc[est, ["mkt_rf", "smb", "hml", "rmw", "cma"]]
        ok = y.notna() & x.notna().all(axis=1)
        fit = sm.OLS(y[ok].to_numpy(), sm.add_constant(x[ok].to_numpy())).fit()
        np.testing.assert_allclose(res.params.loc[eid].to_numpy(), fit.params, atol=1e-10)
        assert res.sigma.loc[eid] == pytest.approx(np.sqrt(fit.scale), abs=1e-10)
        evt = sessions[p0 - 5 : p0 + 6]
        xe = sm.add_constant(factors.loc[evt, x.columns].to_numpy(), has_constant="add")
        ar = rets.loc[evt, sym].to_numpy() - factors.loc[evt, "rf"].to_numpy() - xe @ fit.params
        np.testing.assert_allclose(res.ar.loc[eid].to_numpy(), ar, atol=1e-12)
        # prediction-error variance: S^2 (1 + x0'(X'X)^-1 x0), statsmodels' own formula
        pred = fit.get_prediction(xe).se_mean ** 2
        i = int(np.flatnonzero(res.events.event_id == eid)[0])
        np.testing.assert_allclose(res.pieces.var_ar[i], fit.scale + pred, rtol=1e-8)


def test_factors_model_errors(rets):
    with pytest.raises(ConfigError, match=r"model='factors' needs factors="):
        EventStudy(model="factors", market="M")
    with pytest.raises(ConfigError, match="no factor column"):
        EventStudy(model="factors", market="M", factors=pd.DataFrame({"rf": [0.0]}))
    with pytest.raises(ConfigError, match="must be a DataFrame"):
        EventStudy(model="factors", market="M", factors=np.zeros((3, 2)))  # type: ignore[arg-type]
    wide = pd.DataFrame(np.zeros((3, 60)), columns=[f"f{i}" for i in range(60)])
    with pytest.raises(ConfigError, match=r"min_estimation_obs=50 must be at least K \+ 3 = 64"):
        EventStudy(model="factors", market="M", factors=wide, min_estimation_obs=50)
    f = pd.DataFrame({"mine": rets.M}, index=rets.index)
    res = run_event_study(make_events(rets), returns=rets, market="M", model="factors", factors=f)
    mkt = run_event_study(make_events(rets), returns=rets, market="M", model="market")
    np.testing.assert_allclose(res.ar.to_numpy(), mkt.ar.to_numpy(), atol=1e-14)
    assert res.params.columns.tolist() == ["alpha", "b_mine"]
    assert "the user's factors" in str(res.summary())  # the model's methodology line


def test_factor_gaps_are_missing_days_as_missing_returns_are(data):
    """NaN factors on some sessions inside the frame's span: those days leave the estimation
    sample (M_i shrinks; statsmodels on the remaining days) and the event days' AR there is
    missing; an event whose day 0 has no factors is dropped with its reason."""
    prices, factors = data
    gappy = factors[["mkt_rf", "smb", "hml", "rf"]].copy()
    sessions = prices.index[prices["000300.SH"].notna()]
    p0 = sessions.get_loc(pd.Timestamp(DAYS[0]))
    gap_est = sessions[p0 - 120 : p0 - 100]  # 20 estimation days of event a
    gappy.loc[gappy.index.isin(gap_est), "smb"] = np.nan
    gappy.loc[sessions[p0 + 2], "rf"] = np.nan  # its day +2
    gappy.loc[pd.Timestamp(DAYS[1]), "hml"] = np.nan  # day 0 of event b
    res = run_event_study(_events(), prices=prices, model="ff3", factors=gappy)
    assert res.events.event_id.tolist() == ["a", "c"]
    drop = res.dropped.set_index("event_id").loc["b"]
    assert drop.reason == "no_factors_day0"
    assert DAYS[1] in drop.message
    assert "factors" in drop.message
    rets = prices.pct_change(fill_method=None)
    est = sessions[p0 - 250 : p0 - 10]
    y = rets.loc[est, SYMS[0]] - gappy.loc[est, "rf"]
    x = gappy.loc[est, ["mkt_rf", "smb", "hml"]]
    ok = y.notna() & x.notna().all(axis=1)
    assert ok.sum() == res.pieces.m[0] == 240 - 20
    fit = sm.OLS(y[ok].to_numpy(), sm.add_constant(x[ok].to_numpy())).fit()
    np.testing.assert_allclose(res.params.loc["a"].to_numpy(), fit.params, atol=1e-10)
    ar = res.ar.loc["a"]
    assert np.isnan(ar[2])
    assert ar.drop(2).notna().all()
    np.testing.assert_allclose(res.car.loc["a", "[-1,1]"], ar[[-1, 0, 1]].sum(), rtol=1e-12)


def test_factors_that_do_not_reach_a_window_name_the_dates_and_how_to_fill_them(data):
    prices, factors = data
    late = factors.loc["2019-03-01":, ["mkt_rf", "smb", "hml", "rf"]]
    need = r"factors cover 2019-03-01 \.\. .* windows need 2018-.*; extend the factor data"
    with pytest.raises(InputDataError, match=need):
        run_event_study(_events(), prices=prices, model="ff3", factors=late)
