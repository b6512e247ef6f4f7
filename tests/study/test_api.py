"""Public API end to end: shapes, dropped reasons, errors, inputs, grouping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study import TESTS, EventStudy, EventStudyResult, run_event_study
from tests.study.conftest import make_events


def test_shapes_and_labels(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
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
        "pvalue_holm",
        "pvalue_bh",
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
    res = run_event_study(make_events(rets), returns=rets, market="M")
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
    res = run_event_study(make_events(r, days=(300,), syms=("S0",)), returns=r, market="M")
    assert res.n_estimation.iloc[0] == 230
    # all-NaN event day: AR NaN, tests still run
    r.loc[r.index[301], "S0"] = np.nan
    res = run_event_study(make_events(r, days=(300,), syms=("S0",)), returns=r, market="M")
    assert np.isnan(res.ar.loc["e0", 1])
    t = res.tests
    assert t[(t.test == "patell") & (t.rel_day == 1)].n.iloc[0] == 0
    assert np.isfinite(res.car.loc["e0", "[0,1]"])  # one present day


def test_bad_inputs(rets):
    ev = make_events(rets)
    bad = rets.copy()
    bad.iloc[5, 0] = np.inf
    with pytest.raises(InputDataError, match="infinite"):
        run_event_study(ev, returns=bad, market="M")
    with pytest.raises(InputDataError, match="duplicated event_id"):
        run_event_study(pd.concat([ev, ev]), returns=rets, market="M")
    with pytest.raises(InputDataError, match="market column") as err:
        run_event_study(ev, returns=rets, market="000300.SH")
    assert "market='ew'" not in str(err.value)
    for ew in ("EW", "Ew"):  # the TOML's benchmark is case-blind; Python says what to pass
        with pytest.raises(InputDataError, match=r"or market='ew' \(lower case\)"):
            run_event_study(ev, returns=rets.drop(columns="M"), market=ew)
    with pytest.raises(ConfigError, match="mkt_rf"):
        run_event_study(ev, returns=rets, market="M", model="ff3")
    f = pd.DataFrame({"mkt_rf": rets.M, "smb": 0.0}, index=rets.index)
    with pytest.raises(ConfigError, match=r"\['hml'\]"):
        run_event_study(ev, returns=rets, market="M", model="ff3", factors=f)
    f["hml"] = rets.S5
    with pytest.raises(InputDataError, match=r"factors cover .* extend the factor data"):
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
    a = run_event_study(make_events(rets), prices=prices, market="M")
    b = run_event_study(make_events(rets), returns=prices.pct_change(fill_method=None), market="M")
    pd.testing.assert_frame_equal(a.ar, b.ar)
    # an explicit calendar counts its sessions; dropping a date moves relative days
    cal = rets.index.delete(295)
    c = run_event_study(make_events(rets), returns=rets, market="M", calendar=cal)
    assert not np.allclose(c.ar.loc["e0"].to_numpy(), b.ar.loc["e0"].to_numpy())


def test_by_and_plot(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
    groups = res.by("publisher")
    assert sorted(groups) == ["p1", "p2"]
    assert groups["p1"].ar.index.tolist() == ["e0", "e2"]
    np.testing.assert_allclose(groups["p1"].ar.to_numpy(), res.ar.loc[["e0", "e2"]].to_numpy())
    with pytest.raises(ConfigError):
        res.by("nope")
    assert res.plot("caar", title="x").layout.title.text == "x"  # via eventstudy.plotting
    with pytest.raises(ConfigError):
        res.plot("pie")
