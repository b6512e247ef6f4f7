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
