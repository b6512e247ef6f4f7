"""EventStudyResult: one test record by name/window/day, and the Summary rendering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study import run_event_study
from eventstudy.summary import Summary
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


def test_summary_is_a_summary_rendered_as_text_html_and_latex(res):
    s = res.summary()
    assert isinstance(s, Summary)
    text = s.as_text()
    assert str(res) == repr(res) == str(s) == text
    lines = text.splitlines()
    assert lines[:2] == ["Event study", "==========="]
    assert lines[2] == "  model market, market M, estimation [-250, -11], event window [-5, 5]"
    assert lines[3] == "  events: 4 in, 4 analysed, 0 dropped (none)"
    assert lines[4].startswith(f"  Kolari-Pynnönen rbar: day tests {res.rbar:.4f}")
    assert lines[5].startswith("  model market: E[R_it] = alpha_i + beta_i R_mt (OLS); ")
    assert lines[5].endswith("(Patell (1976); MacKinlay (1997); Mikkelson and Partch (1988))")
    assert lines[6:8] == ["", "CAAR by window, statistic (two-sided p-value):"]
    assert lines[8].split() == ["CAAR", "t_cross", "patell", "bmp", "kp_bmp", "gen_sign",
                                "corrado", "grank"]  # fmt: skip
    r = res.test("kp_bmp", window=(-1, 1))
    row = next(x for x in lines if x.startswith("[-1,1]"))
    assert f"{res.caar['[-1,1]']:.4%}" in row
    assert f"{r.statistic:.2f} ({r.pvalue:.3f})" in row
    html = res._repr_html_()
    assert html == s.as_html()
    assert html.count("<table") == 1
    assert "<h4>Event study</h4>" in html
    # the header lines are one paragraph, the table follows (no split on blank lines)
    assert "events: 4 in, 4 analysed" in html
    assert "Kolari-Pynnönen rbar" in html
    assert f"<td>{r.statistic:.2f} ({r.pvalue:.3f})</td>" in html
    latex = s.as_latex()
    assert r"\begin{tabular}" in latex
    assert r"kp\_bmp" in latex
    assert f"{res.caar['[-1,1]']:.4%}".replace("%", r"\%") in latex
    table = s.tables[0]
    assert table.index.tolist() == res.car.columns.tolist()


def test_summary_of_a_result_without_events(rets):
    r = rets.copy()
    r.loc[r.index[300], "S0"] = np.nan
    res = run_event_study(make_events(r, days=(300,)), returns=r, market="M")
    s = res.summary()
    assert s.tables == []
    assert s.as_text().splitlines()[-1] == "  (no event could be analysed)"
    assert "no_price_day0: 1" in res._repr_html_()
    assert res.params.shape == (0, 2)


def test_params_of_a_model_without_parameters(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M", model="raw")
    assert res.params.shape == (4, 0)
    r = rets.copy()
    r.loc[r.index[300], "S0"] = np.nan  # no event left: used to fail building params
    empty = run_event_study(make_events(r, days=(300,)), returns=r, market="M", model="raw")
    assert empty.params.shape == (0, 0)
    assert isinstance(empty.params, pd.DataFrame)


def test_car_bhar_caar_accept_a_window_like_plot(res):
    label = res.car.columns[0]
    a, b = (int(x) for x in label.strip("[]").split(","))
    pd.testing.assert_series_equal(res.car[(a, b)], res.car[label])
    pd.testing.assert_series_equal(res.bhar[(a, b)], res.bhar[label])
    assert res.caar[(a, b)] == res.caar[label]
    assert res.abhar[(a, b)] == res.abhar[label]
    assert res.car[[(a, b)]].columns.tolist() == [label]
    assert res.plot("car_dist", window=(a, b)) is not None  # the same key plot accepts
    # derived frames are plain pandas objects; plain labels still work
    assert type(res.car.mean()) is pd.Series
    assert type(res.car[[label]]) is pd.DataFrame
    with pytest.raises(KeyError, match=r"window \(-1, 99\) is not one of the result's CAR"):
        res.car[(-1, 99)]


# --------------------------------------------------------------- texts (audit 11)
def _volumes(rets: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(rng.lognormal(12, 0.5, rets.shape), index=rets.index, columns=rets.columns)


def test_volume_summary_says_where_the_market_volume_came_from(rets) -> None:
    vol = _volumes(rets)
    ev = make_events(rets)
    res = run_event_study(ev, volumes=vol.drop(columns="M"), market="M", measure="volume")
    text = " ".join(str(res.summary()).split())
    # the line says which source was used, not "either ... or"
    assert (
        "market volume 'M': each session the mean log volume log(1 + volume) of the "
        "securities of the volume panel with a volume that session (the event securities "
        "included); the volumes have no 'M' column with data" in text
    )
    assert "its own log volume" not in text
    own = run_event_study(ev, volumes=vol, market="M", measure="volume")
    text = " ".join(str(own.summary()).split())
    assert "market volume 'M': its own log volume log(1 + volume) (the volumes' 'M' column)" in text
    assert "each session the mean log volume" not in text
    stocks = vol.drop(columns="M")
    ew = run_event_study(ev, volumes=stocks, market="ew", measure="volume")
    text = " ".join(str(ew.summary()).split())
    assert "market volume 'ew': each session the mean log volume log(1 + volume)" in text
    assert "simple return" not in text


def test_volume_event_without_volume_on_day0_says_volume(rets) -> None:
    vol = _volumes(rets)
    vol.iloc[300, vol.columns.get_loc("S0")] = np.nan  # e0's day 0
    res = run_event_study(make_events(rets), volumes=vol, market="M", measure="volume")
    gone = res.dropped.set_index("event_id")
    assert gone.loc["e0", "reason"] == "no_price_day0"  # the code stays
    assert gone.loc["e0", "message"] == f"S0 has no volume on day 0 ({rets.index[300].date()})"


def test_volatility_summary_omits_the_lines_of_tests_it_left_out(rets) -> None:
    res = run_event_study(make_events(rets), returns=rets, market="M", measure="volatility")
    text = str(res.summary())
    assert "calendar_time:" not in text
    assert "Kolari-Pynnönen rbar" not in text
    ret = run_event_study(make_events(rets), returns=rets, market="M")
    assert "calendar_time:" in str(ret.summary())
    assert "Kolari-Pynnönen rbar" in str(ret.summary())


def test_duplicates_line_counts_the_analysed_events_and_says_so(rets) -> None:
    ev = make_events(rets, days=(300, 300, 310), syms=("S0", "S0", "S1"))
    with pytest.warns(UserWarning, match="2 events name the same security"):
        res = run_event_study(ev, returns=rets, market="M")
    line = next(ln for ln in res.methodology() if ln.startswith("duplicates='keep'"))
    assert line.startswith("duplicates='keep': 2 of the 3 analysed events share")
