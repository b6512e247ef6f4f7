"""The test battery: registry records, frozen results, dist/extras, adjustments, size."""

from __future__ import annotations

import dataclasses
import re
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from eventstudy._typing import BootstrapTestName, CalendarTestName, TestName
from eventstudy.exceptions import ConfigError
from eventstudy.study import inference, run_event_study
from tests.study.conftest import make_events, synthetic


def test_kp_adjustments_use_all_pairs(rets):
    # e0, e2 share day 0 (300); e1 is 10 sessions later (1 common day with an 11-day
    # window), e3 20 sessions later (none): rbar averages over all 4 * 3 ordered pairs
    res = run_event_study(make_events(rets), returns=rets, market="M")
    e = res.pieces.resid
    rho02 = np.corrcoef(e[0], e[2])[0, 1]
    assert res.rbar == pytest.approx(2 * rho02 / 12, rel=1e-10)
    assert res.rbar_windows["[-1,1]"] == pytest.approx(res.rbar, rel=1e-12)
    assert res.rbar_windows["[-5,5]"] != pytest.approx(res.rbar, rel=1e-6)
    t = res.tests.set_index(["test", "measure", "rel_day", "window"])["statistic"]
    bmp = t.loc[("bmp", "AR", 0, None)]
    r = res.rbar
    assert t.loc[("kp_bmp", "AR", 0, None)] == pytest.approx(
        bmp * np.sqrt((1 - r) / (1 + 3 * r)), rel=1e-10
    )
    rw = res.rbar_windows["[-5,5]"]
    assert t.loc[("patell_adj", "CAR", pd.NA, "[-5,5]")] == pytest.approx(
        t.loc[("patell", "CAR", pd.NA, "[-5,5]")] / np.sqrt(1 + 3 * rw), rel=1e-10
    )
    # no two events share a day 0 nor an event window: no adjustment at all
    far = run_event_study(make_events(rets, days=(300, 320, 340, 360)), returns=rets, market="M")
    assert far.rbar == 0.0
    assert (far.rbar_windows == 0.0).all()
    ft = far.tests.set_index(["test", "measure", "rel_day", "window"])["statistic"]
    assert ft.loc[("kp_bmp", "AR", 0, None)] == pytest.approx(ft.loc[("bmp", "AR", 0, None)])


def test_size_of_tests_on_null_synthetic_data():
    """A coarse sanity check: with iid normal returns no test rejects wildly often."""
    rets = synthetic(600, 40, 9)
    rng = np.random.default_rng(0)
    ev = pd.DataFrame(
        {"event_id": range(40), "symbol": [f"S{i}" for i in range(40)],
         "day0": rets.index[rng.integers(300, 590, 40)]}
    )  # fmt: skip
    res = run_event_study(ev, returns=rets, market="M")
    t = res.tests
    day0 = t[(t.rel_day == 0) | (t.window == "[-5,5]")]
    assert (day0.pvalue.dropna() > 1e-4).all()


YEAR = re.compile(r"\((19|20)\d\d[),]")


@pytest.fixture
def result(rets):
    return run_event_study(make_events(rets), returns=rets, market="M")


def test_registry_is_the_literal_and_each_record_reports_its_measures(rets):
    assert get_args(TestName) + get_args(CalendarTestName) == inference.TESTS
    assert get_args(BootstrapTestName) == inference.BOOTSTRAP_TESTS
    assert tuple(inference.TEST_REGISTRY) == inference.TESTS + inference.BOOTSTRAP_TESTS
    every = ["all", *inference.BOOTSTRAP_TESTS]
    result = run_event_study(
        make_events(rets), returns=rets, market="M", tests=every, bootstrap=99, seed=1
    )
    t = result.tests
    for name, d in inference.TEST_REGISTRY.items():
        assert d.name == name
        assert d.reference
        assert d.title
        assert YEAR.search(d.reference)
        assert YEAR.search(str(d.compute.__doc__))
        got = tuple(dict.fromkeys(t.loc[t.test == name, "measure"]))
        assert got == d.measures, name
    needs = {n: sorted(d.needs) for n, d in inference.TEST_REGISTRY.items() if d.needs}
    assert needs == {
        "patell_adj": ["rbar"],
        "kp_bmp": ["rbar"],
        "corrado": ["corrado_ranks"],
        "grank": ["grank_ranks"],
        "brown_warner": ["residual_day_sums"],
        "calendar_time": ["calendar_groups"],
    }
    assert inference.get_test("t_event") is inference.SINGLE_EVENT_TEST
    with pytest.raises(ConfigError, match=r"unknown test 'nope'.*'t_cross'"):
        inference.get_test("nope")


def test_results_are_frozen_records_and_the_table_is_built_from_them(result):
    recs = result.test_results
    t = result.tests
    assert len(recs) == len(t)
    rebuilt = pd.DataFrame([r.row() for r in recs], columns=inference.TEST_COLUMNS)
    np.testing.assert_array_equal(rebuilt.statistic.to_numpy(), t.statistic.to_numpy())
    assert rebuilt.test.tolist() == t.test.tolist()
    assert rebuilt.note.tolist() == t.note.tolist()
    r = recs[0]
    assert isinstance(r, inference.TestResult)
    assert dataclasses.is_dataclass(r)
    assert not hasattr(r, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.pvalue = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.extras["x"] = 1.0  # type: ignore[index]


def test_dist_names_the_reference_distribution(result, rets):
    for r in result.test_results:
        if r.test in ("t_cross", "bmp", "kp_bmp", "skew_t"):
            assert r.dist == f"t({r.n - 1})", r
        elif r.test in ("patell", "patell_adj", "sign", "gen_sign", "corrado"):
            assert r.dist == "N(0,1)", r
        elif r.test == "wilcoxon":
            assert r.dist == "Wilcoxon W+ (exact)"  # N = 4, no ties
        elif r.test == "brown_warner":
            m = int(r.note.split()[2])  # "S(AAR) from M estimation days"
            assert r.dist == f"t({m - 1})"
            assert r.extras["s_aar"] > 0
        elif r.test == "grank":
            assert r.dist.startswith("t(")
            assert int(r.dist[2:-1]) > 200
    one = run_event_study(make_events(rets, days=(300,)), returns=rets, market="M")
    single = [r for r in one.test_results if r.test == "t_event"]
    assert single
    assert all(r.dist == r.note.removeprefix("single event: ") for r in single)
    assert all(r.dist == "t(n/a)" for r in one.test_results if r.test == "t_cross")


def test_extras_carry_rbar_and_p_hat(result):
    for r in result.test_results:
        if r.test in ("kp_bmp", "patell_adj"):
            want = result.rbar if r.scope == "day" else result.rbar_windows[r.label]
            assert r.extras["rbar"] == pytest.approx(want, rel=1e-12)
        if r.test == "gen_sign" and r.rel_day == 0:
            assert r.extras["p_hat"] == pytest.approx(result.pieces.frac_pos.mean())
        if r.test == "t_cross":
            assert dict(r.extras) == {}


def test_run_battery_selects_tests_and_rbar_only_when_needed(result):
    p, windows = result.pieces, result.windows
    b = inference.run_battery(p, windows=windows, tau1=-5, tests=["bmp", "t_cross"])
    assert list(dict.fromkeys(r.test for r in b.results)) == ["t_cross", "bmp"]  # table order
    assert b.rbar == 0.0
    assert b.rbar_pairs == 0
    kp = inference.run_battery(p, windows=windows, tau1=-5, tests=["kp_bmp"])
    assert kp.rbar == pytest.approx(result.rbar)
    assert kp.rbar_pairs == 2
    with pytest.raises(ConfigError, match=r"unknown test\(s\) \['nope'\]"):
        inference.run_battery(p, windows=windows, tau1=-5, tests=["nope"])
    table, info = inference.run_tests(p, windows=windows, tau1=-5)
    pd.testing.assert_frame_equal(table, result.tests)
    assert info["rbar"] == result.rbar


def test_rbar_notes_never_print_a_negative_zero() -> None:
    """A merged rbar of -1e-17 (Dask: sums added in another order) reads as the local 0.0000."""
    from eventstudy.study.core import EventPieces
    from eventstudy.study.inference import BatteryInputs

    x = BatteryInputs(EventPieces.empty(l1=10, l2=3, n_windows=1, k=2), windows=[(0, 0)], tau1=-1)
    x.__dict__["rbar"] = (-1e-17, np.array([-0.0]), 0)  # the cached property, as merged
    day, windows = x.rbar_notes
    assert day.startswith("rbar=0.0000 ")
    assert windows == ["rbar=0.0000 (calendar-overlapping windows)"]
