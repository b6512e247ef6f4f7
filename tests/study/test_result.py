"""EventStudyResult: one test record by name, window, day and measure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study import run_event_study
from tests.study.conftest import make_events


@pytest.fixture
def res(rets):
    return run_event_study(make_events(rets), returns=rets, market="M")


def _row(res, test, measure, *, day=None, window=None):
    t = res.tests
    sel = (t.test == test) & (t.measure == measure)
    sel &= (t.rel_day == day) if day is not None else (t.window == window)
    row = t[sel.fillna(False)]
    assert len(row) == 1
    return row.iloc[0]


def test_one_test_by_window_day_and_measure(res):
    r = res.test("kp_bmp", window=(-1, 1))
    row = _row(res, "kp_bmp", "CAR", window="[-1,1]")
    assert (r.statistic, r.pvalue, r.n, r.note) == (row.statistic, row.pvalue, row.n, row.note)
    assert (r.measure, r.scope, r.window, r.rel_day) == ("CAR", "window", (-1, 1), None)
    assert res.test("kp_bmp", window="[-1,1]") == r  # a label works too
    d0 = res.test("patell")  # no window: the day test on day 0
    assert (d0.measure, d0.rel_day) == ("AR", 0)
    assert d0.statistic == _row(res, "patell", "AR", day=0).statistic
    assert res.test("patell", day=-2).statistic == _row(res, "patell", "AR", day=-2).statistic
    bh = res.test("t_cross", window=(0, 5), measure="BHAR")
    assert bh.statistic == _row(res, "t_cross", "BHAR", window="[0,5]").statistic


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("nope",), {}, r"no test 'nope'; its tests are \['t_cross', 'brown_warner'"),
        (("kp_bmp",), {"window": (-2, 2)}, r"window \[-2,2\] is not one of .*'\[-1,1\]'"),
        (("kp_bmp",), {"day": 9}, r"day=9 is not a relative day .*\[-5, -4"),
        (("grank",), {}, r"'grank' has no day-level AR rows; pass window= one of \['\[-1,1\]'"),
        (("patell",), {"window": (0, 1), "measure": "BHAR"}, r"measures are \['CAR'\]"),
        (("patell",), {"window": (0, 1), "day": 0}, "not both"),
        (("patell",), {"measure": "CAAR"}, "measure='CAAR' is not one of"),
        (("t_event",), {}, "no test 't_event'"),  # only with a single event
        (("t_cross",), {"window": "(0, 1)"}, "not a label like"),
    ],
)
def test_lookup_errors_say_what_is_available(res, args, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        res.test(*args, **kwargs)


def test_single_event_result_has_t_event(rets):
    one = run_event_study(make_events(rets, days=(300,)), returns=rets, market="M")
    r = one.test("t_event", window=(-1, 1))
    assert r.n == 1
    assert r.note.startswith("single event: t(")


def test_params_of_a_model_without_parameters(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M", model="raw")
    assert res.params.shape == (4, 0)
    r = rets.copy()
    r.loc[r.index[300], "S0"] = np.nan  # no event left: used to fail building params
    empty = run_event_study(make_events(r, days=(300,)), returns=r, market="M", model="raw")
    assert empty.params.shape == (0, 0)
    assert isinstance(empty.params, pd.DataFrame)
