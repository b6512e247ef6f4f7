"""The spec: defaults defined once, validation messages."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from eventstudy import study
from eventstudy.exceptions import ConfigError
from eventstudy.study import EventStudy, run_event_study


def test_event_window_defaults():
    assert EventStudy(event_window=(0, 3)).windows == [(0, 0), (0, 1), (0, 3)]
    assert EventStudy(event_window=(-10, 10)).windows[-1] == (-10, 10)


def test_defaults_are_defined_once_and_exported():
    assert study.DEFAULT_CAR_WINDOWS == ((-1, 1), (0, 0), (0, 1), (0, 5), (-5, 5))
    spec = EventStudy()
    assert spec.market == study.DEFAULT_MARKET
    assert spec.model == study.DEFAULT_MODEL
    assert spec.estimation_window == study.DEFAULT_ESTIMATION_WINDOW
    assert spec.event_window == study.DEFAULT_EVENT_WINDOW
    assert spec.min_estimation_obs == study.DEFAULT_MIN_ESTIMATION_OBS
    assert spec.level == study.DEFAULT_LEVEL
    assert spec.car_windows == study.DEFAULT_CAR_WINDOWS  # all inside (-5, 5)
    # run_event_study has the spec's defaults (the same objects, not copies)
    params = inspect.signature(run_event_study).parameters
    fields = {f: getattr(spec, f) for f in ("market", "model", "estimation_window",
                                             "event_window", "min_estimation_obs")}  # fmt: skip
    for name, value in fields.items():
        assert params[name].default == value, name


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "capm"}, "model='capm' is not one of"),
        ({"estimation_window": (-100, -5)}, r"must end before the event window starts \(-5\)"),
        ({"event_window": "12"}, "must be a pair of integers"),
        ({"event_window": (2, 1)}, "start 2 is after end 1"),
        ({"min_estimation_obs": 4}, r"at least K \+ 3 = 5"),
        ({"min_estimation_obs": 300}, "exceeds the estimation window length 240"),
        ({"car_windows": []}, "car_windows is empty"),
        ({"car_windows": [(0, 1), (0, 1)]}, "duplicates"),
        ({"car_windows": [(-6, 0)]}, r"car window \(-6, 0\) is not inside"),
        ({"tests": "some"}, "pass 'all' or a list"),
        ({"tests": ["t_cross", "nope"]}, r"unknown test\(s\) \['nope'\]"),
        ({"level": 1.0}, r"level=1.0 must be in \(0, 1\)"),
        ({"model": "carhart"}, r"needs factors=.*'mom'"),
    ],
)
def test_validation_names_the_bad_value(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        EventStudy(**kwargs)


def test_min_obs_rule_depends_on_the_model():
    f = pd.DataFrame({"mkt_rf": [0.0], "smb": [0.0], "hml": [0.0]})
    with pytest.raises(ConfigError, match=r"K \+ 3 = 7"):
        EventStudy(model="ff3", factors=f, min_estimation_obs=6)
    assert EventStudy(model="ff3", factors=f, min_estimation_obs=7).min_estimation_obs == 7


def test_spec_is_frozen_keyword_only_and_normalised():
    spec = EventStudy(market="sh000300", car_windows=[[0, 2]], tests=["bmp"])
    assert spec.market == "000300.SH"
    assert spec.car_windows == ((0, 2),)
    assert spec.tests == ("bmp",)
    with pytest.raises(AttributeError):
        spec.model = "raw"  # type: ignore[misc]
    with pytest.raises(TypeError):
        EventStudy("000300.SH")  # type: ignore[misc]


# ---------------------------------------------- options accepted but ignored (audit 4 item 10)
@pytest.fixture(scope="module")
def small():
    import numpy as np

    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2021-01-04", periods=300)
    m = rng.normal(0, 0.01, 300)
    rets = pd.DataFrame({"M": m, "A": m + rng.normal(0, 0.01, 300)}, index=dates)
    ev = pd.DataFrame({"event_id": ["e"], "symbol": ["A"], "day0": [dates[280]]})
    return ev, rets


def test_factors_with_a_model_that_reads_none_warns(small, recwarn):
    """A warning, not an error: TOML runs may keep a factor file with a market model
    (eventstudy.config documents both keys together; tests/test_config_factors.py)."""
    from eventstudy.exceptions import EventStudyWarning

    ev, rets = small
    noise = rets["A"] - rets["M"]
    f = pd.DataFrame({"mkt_rf": rets["M"], "smb": 0.5 * noise,
                      "hml": noise.abs() - noise.abs().mean()}, index=rets.index)  # fmt: skip
    with pytest.warns(EventStudyWarning, match=r"factors= is ignored: model='market' reads no "
                      r"factor returns \(only \['ff3', 'carhart', 'factors'\] do\)"):  # fmt: skip
        run_event_study(ev, returns=rets, market="M", factors=f)
    recwarn.clear()
    assert run_event_study(ev, returns=rets, market="M", model="ff3", factors=f).n_events == 1
    assert not [w for w in recwarn if "factors=" in str(w.message)]


@pytest.mark.parametrize("given", ["volumes", "shares"])
def test_volumes_or_shares_with_a_return_measure_are_refused(small, given):
    ev, rets = small
    data = (
        {"volumes": rets.abs() * 1e6} if given == "volumes" else {"shares": pd.Series({"A": 1e6})}
    )
    for measure in ("return", "volatility"):
        with pytest.raises(ConfigError, match=rf"volumes=/shares= are given but measure="
                           rf"'{measure}' reads returns.*pass measure='volume'"):  # fmt: skip
            run_event_study(ev, returns=rets, market="M", measure=measure, **data)
        with pytest.raises(ConfigError, match="volumes=/shares= are given"):
            EventStudy(market="M", measure=measure).fit(ev, returns=rets, **data)


def test_bootstrap_without_a_resampling_test_warns(small, recwarn):
    from eventstudy.exceptions import EventStudyWarning

    ev, rets = small
    with pytest.warns(EventStudyWarning, match=r"bootstrap=500 is ignored: no resampling test"):
        run_event_study(ev, returns=rets, market="M", bootstrap=500, tests=["t_cross"])
    recwarn.clear()
    res = run_event_study(ev, returns=rets, market="M", bootstrap=199, seed=1,
                          tests=["t_cross", "wild_bootstrap"])  # fmt: skip
    assert not [w for w in recwarn if "bootstrap=" in str(w.message)]
    assert res.test("wild_bootstrap", day=0).extras["replications"] == 199


def test_client_with_the_local_engine_is_refused(small):
    ev, rets = small
    with pytest.raises(ConfigError, match=r"client='tcp://x:8786' is given with "
                       r"engine='local', which does not use it.*pass engine='dask'"):  # fmt: skip
        run_event_study(ev, returns=rets, market="M", client="tcp://x:8786")


def test_run_event_study_takes_every_option_of_the_spec(small):
    """run_event_study is shorthand for EventStudy(...): every field is a keyword, with
    the field's default, and reaches the spec (level= was missing)."""
    from dataclasses import MISSING, fields

    assert tuple(f.name for f in fields(EventStudy)) == study.spec.STUDY_OPTIONS
    params = inspect.signature(run_event_study).parameters
    for f in fields(EventStudy):
        assert f.name in params, f.name
        assert params[f.name].kind is inspect.Parameter.KEYWORD_ONLY
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        assert params[f.name].default == default, f.name
    ev, rets = small
    res = run_event_study(ev, returns=rets, market="M", level=0.9)
    assert res.spec.level == 0.9
    assert res.spec == EventStudy(market="M", level=0.9)
