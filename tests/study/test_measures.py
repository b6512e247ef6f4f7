"""Measures: abnormal log volume (statsmodels on log volumes) and abnormal volatility (scipy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.market import load_panel
from eventstudy.study import EventStudy, run_event_study
from eventstudy.study.measures import MEASURES, get_measure
from tests.study.conftest import make_events, synthetic

EST, EVT = (-250, -11), (-5, 5)


def _volumes(seed: int = 2, n_days: int = 400) -> pd.DataFrame:
    """Skewed daily volumes of S0..S5 and a market M that share a common activity factor."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-02", periods=n_days)
    common = rng.normal(0, 0.3, n_days)
    data = {f"S{i}": np.exp(12 + common + rng.normal(0, 0.5, n_days)).round() for i in range(6)}
    data["M"] = np.exp(20 + common + rng.normal(0, 0.1, n_days))
    vol = pd.DataFrame(data, index=dates)
    vol.iloc[50, 0] = 0.0  # a zero-volume day stays finite
    vol.iloc[120, 1] = np.nan  # a suspension is missing, not zero
    return vol


def _ols_reference(v: pd.DataFrame, sym: str, day0: pd.Timestamp, market: pd.Series):
    sessions = v.index
    p0 = sessions.get_loc(day0)
    est = sessions[p0 + EST[0] : p0 + EST[1] + 1]
    evt = sessions[p0 + EVT[0] : p0 + EVT[1] + 1]
    y, x = v.loc[est, sym], market.loc[est]
    ok = y.notna() & x.notna()
    fit = sm.OLS(y[ok].to_numpy(), sm.add_constant(x[ok].to_numpy())).fit()
    ar = v.loc[evt, sym].to_numpy() - fit.params[0] - fit.params[1] * market.loc[evt].to_numpy()
    return fit, ar


def _check_against_ols(res, events: pd.DataFrame, v: pd.DataFrame, market: pd.Series) -> None:
    assert len(res.events) == len(events), res.dropped
    for eid, sym, day0 in zip(events.event_id, events.symbol, events.day0, strict=True):
        fit, ar = _ols_reference(v, sym, day0, market)
        np.testing.assert_allclose(res.params.loc[eid].to_numpy(), fit.params, atol=1e-9)
        assert res.sigma.loc[eid] == pytest.approx(np.sqrt(fit.scale), rel=1e-9)
        np.testing.assert_allclose(res.ar.loc[eid].to_numpy(), ar, atol=1e-9)


def test_abnormal_log_volume_is_the_market_model_on_log_volumes():
    vol = _volumes()
    events = make_events(vol)
    res = run_event_study(events, volumes=vol, market="M", measure="volume")
    v = np.log1p(vol)
    _check_against_ols(res, events, v, v["M"])
    assert res.measure == "volume"
    np.testing.assert_allclose(res.car["[-1,1]"], res.ar[[-1, 0, 1]].sum(axis=1), rtol=1e-12)
    assert set(res.tests["measure"]) == {"AR", "CAR"}  # BHAR rows left out
    assert "corrado" in set(res.tests["test"])
    assert "BHAR rows" in res.tests.attrs["left_out"]
    text = res.summary().as_text()
    assert "measure volume: abnormal log volume" in text
    assert "Campbell and Wasley (1996)" in text
    assert "left out for measure volume: BHAR rows" in text
    assert res.bhar.isna().all().all()


def test_without_a_market_volume_the_market_is_the_panels_mean_log_volume():
    vol = _volumes(5).drop(columns="M")
    events = make_events(vol)
    res = run_event_study(events, volumes=vol, market="M", measure="volume")
    v = np.log1p(vol)
    _check_against_ols(res, events, v, v.mean(axis=1))


def test_turnover_when_shares_are_given():
    vol = _volumes(7)
    shares = pd.Series({f"S{i}": 1e8 * (i + 1) for i in range(6)})
    events = make_events(vol)
    res = run_event_study(events, volumes=vol, market="M", measure="volume", shares=shares)
    v = np.log1p(vol)
    for s in shares.index:
        v[s] = np.log1p(100 * vol[s] / shares[s])  # turnover in percent
    _check_against_ols(res, events, v, v["M"])  # the market has no shares: its log volume


def test_fetched_volumes_equal_the_given_ones():
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["600519.SH", "000858.SZ"],
         "day0": ["2022-01-10", "2021-06-01"]}
    )  # fmt: skip
    fetched = run_event_study(ev, measure="volume", source="bundled", offline=True)
    panel = load_panel(["000300.SH", "000858.SZ", "600519.SH"], "2020-01-01", "2022-03-01",
                       fields=["volume"], source="bundled")  # fmt: skip
    given = run_event_study(ev, measure="volume", volumes=panel.volume.data)
    assert len(fetched.events) == 2, fetched.dropped
    pd.testing.assert_frame_equal(fetched.ar, given.ar, rtol=1e-12)
    assert not fetched.provenance.empty


def test_measure_options_are_checked():
    assert MEASURES == ("return", "volume", "volatility")
    with pytest.raises(ConfigError, match="measure='price' is not one of"):
        EventStudy(measure="price")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="model='ff3' does not apply to measure='volume'"):
        EventStudy(measure="volume", model="ff3", factors=pd.DataFrame({"mkt_rf": [0.0]}))
    with pytest.raises(ConfigError, match="reads volumes"):
        run_event_study(make_events(synthetic()), returns=synthetic(), market="M",
                        measure="volume")  # fmt: skip
    vol = _volumes()
    vol.iloc[3, 2] = -1.0
    with pytest.raises(InputDataError, match="volumes must be >= 0"):
        run_event_study(make_events(vol), volumes=vol, market="M", measure="volume")


# ---------------------------------------------------------------- volatility
@pytest.fixture
def rets_shock() -> pd.DataFrame:
    rets = synthetic(400, 12, 9)
    rets.iloc[300, :6] *= 4.0  # more variance on day 0 of the first six events
    return rets


def _vol_events(rets: pd.DataFrame) -> pd.DataFrame:
    return make_events(rets, days=(300,) * 12, syms=[f"S{i}" for i in range(12)],
                       publisher=["p"] * 12, score=np.zeros(12))  # fmt: skip


def test_abnormal_volatility_t_is_beavers_u_against_one(rets_shock):
    ev = _vol_events(rets_shock)
    ret = run_event_study(ev, returns=rets_shock, market="M")
    vol = run_event_study(ev, returns=rets_shock, market="M", measure="volatility")
    p = ret.pieces
    u = p.sar**2 * ((p.m - 4) / (p.m - 2))[:, None]  # K = 2: E[U] = 1 under H0
    np.testing.assert_allclose(vol.ar.to_numpy(), u - 1, rtol=1e-12)
    for j, day in enumerate(range(-5, 6)):
        ref = stats.ttest_1samp(u[:, j], 1.0)
        r = vol.test("t_cross", day=day)
        assert r.statistic == pytest.approx(ref.statistic, rel=1e-10)
        assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    ref = stats.ttest_1samp(u[:, 4:7].sum(axis=1) - 3, 0.0)
    assert vol.test("t_cross", window=(-1, 1)).statistic == pytest.approx(ref.statistic)
    assert vol.test("t_cross").statistic > 2  # day 0 variance is up


def test_abnormal_volatility_rank_test_by_hand(rets_shock):
    """Corrado's rank test on SAR^2: each event's squares ranked over estimation + event days."""
    ev = _vol_events(rets_shock)
    ret = run_event_study(ev, returns=rets_shock, market="M")
    vol = run_event_study(ev, returns=rets_shock, market="M", measure="volatility")
    p = ret.pieces
    both = np.hstack([p.resid**2 / p.sigma2[:, None], p.sar**2])  # no day is missing here
    ranks = np.vstack([stats.rankdata(row) for row in both])
    u = ranks / (both.shape[1] + 1) - 0.5
    ubar = u.mean(axis=0)
    s_u = np.sqrt((ubar**2).mean())
    l1 = p.resid.shape[1]
    for j, day in enumerate(range(-5, 6)):
        assert vol.test("corrado", day=day).statistic == pytest.approx(ubar[l1 + j] / s_u)
    z_w = np.sqrt(3) * ubar[l1 + 4 : l1 + 7].mean() / s_u
    assert vol.test("corrado", window=(-1, 1)).statistic == pytest.approx(z_w)


def test_volatility_leaves_out_the_tests_that_do_not_apply(rets_shock):
    vol = run_event_study(_vol_events(rets_shock), returns=rets_shock, market="M",
                          measure="volatility", model="garch")  # fmt: skip
    assert list(dict.fromkeys(vol.tests["test"])) == ["t_cross", "corrado"]
    assert set(vol.tests["measure"]) == {"AR", "CAR"}
    note = vol.tests.attrs["left_out"]
    assert note.startswith("left out for measure volatility: brown_warner, patell")
    assert "BHAR rows" in note
    text = vol.summary().as_text()
    assert "measure volatility: abnormal volatility" in text
    assert "Beaver (1968)" in text
    with pytest.raises(ConfigError, match="this result has no test 'patell'"):
        vol.test("patell")
    one = run_event_study(_vol_events(rets_shock)[:1], returns=rets_shock, market="M",
                          measure="volatility")  # fmt: skip
    assert "t_event" not in set(one.tests["test"])  # AR/S does not measure variance
    assert get_measure("volatility").tests == ("t_cross", "corrado")


def test_shares_must_cover_every_security_of_the_events():
    """Turnover for some securities and log volume for others would mix two units."""
    vol = _volumes(7)
    events = make_events(vol)
    part = pd.Series({"S0": 1e8, "S1": 2e8})
    with pytest.raises(
        ConfigError, match=r"shares= covers 2 of the 4 securities of the events.*S2, S3:"
    ):
        run_event_study(events, volumes=vol, market="M", measure="volume", shares=part)
    frame = pd.DataFrame(1e8, index=vol.index, columns=["S0", "S1", "S2", "S3", "S4", "S5"])
    frame["S3"] = np.nan  # no count on any day: not covered
    with pytest.raises(ConfigError, match=r"covers 3 of the 4 securities.*S3.*drop shares="):
        run_event_study(events, volumes=vol, market="M", measure="volume", shares=frame)


@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_a_share_count_that_is_not_positive_names_shares_and_the_symbols(bad):
    vol = _volumes(7)
    shares = pd.Series(bad, index=vol.columns)
    every = r"shares= must be > 0.*7 securities .*: S0, S1, .*, M;"
    with pytest.raises(InputDataError, match=every):
        run_event_study(make_events(vol), volumes=vol, market="M", measure="volume", shares=shares)
    frame = pd.DataFrame(1e8, index=vol.index, columns=vol.columns)
    frame.iloc[10, 2] = bad  # one bad day of S2
    with pytest.raises(InputDataError, match=r"shares= must be > 0.*1 security has .*: S2;"):
        run_event_study(make_events(vol), volumes=vol, market="M", measure="volume", shares=frame)


def test_a_nan_share_count_names_shares_and_the_symbol():
    vol = _volumes(7)
    shares = pd.Series({f"S{i}": 1e8 for i in range(6)})
    shares["S3"] = np.nan
    with pytest.raises(ConfigError, match=r"shares=.*S3"):
        run_event_study(make_events(vol), volumes=vol, market="M", measure="volume", shares=shares)


def test_shares_are_needed_for_the_event_securities_or_all_when_the_market_is_their_mean():
    vol = _volumes(7)
    events = make_events(vol)  # S0..S3
    four = pd.Series({f"S{i}": 1e8 * (i + 1) for i in range(4)})
    res = run_event_study(events, volumes=vol, market="M", measure="volume", shares=four)
    v = np.log1p(vol)
    for s in four.index:
        v[s] = np.log1p(100 * vol[s] / four[s])
    _check_against_ols(res, events, v, v["M"])  # S4, S5 unused: no count needed
    with pytest.raises(ConfigError, match=r"covers 4 of the 6 securities of the volumes.*S4, S5"):
        run_event_study(events, volumes=vol.drop(columns="M"), market="M", measure="volume",
                        shares=four)  # fmt: skip
