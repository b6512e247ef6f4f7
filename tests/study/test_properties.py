"""Hypothesis properties of the engine (METHODS.md "Checking")."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.study import run_event_study
from tests.study.conftest import synthetic

SETTINGS = settings(max_examples=25, deadline=None)


def _events(rets: pd.DataFrame, rng: np.random.Generator, n: int) -> pd.DataFrame:
    syms = [c for c in rets.columns if c != "M"]
    pos = rng.integers(150, len(rets) - 10, n)
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "symbol": rng.choice(syms, n),
            "day0": rets.index[pos],
            "group": rng.choice(["a", "b"], n),
        }
    )


def _run(ev, rets, **kw):
    kw.setdefault("estimation_window", (-120, -11))
    kw.setdefault("min_estimation_obs", 60)
    return run_event_study(ev, returns=rets, market="M", **kw)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12), missing=st.floats(0, 0.2))
def test_car_is_cumsum_of_ar(seed, n, missing):
    rng = np.random.default_rng(seed)
    rets = synthetic(300, 5, seed)
    mask = rng.random(rets.shape) < missing
    mask[:, -1] = False  # the market is the calendar
    rets = rets.mask(mask)
    res = _run(_events(rets, rng, n), rets)
    for (a, b), lab in zip(res.windows, res.car.columns, strict=True):
        sub = res.ar.loc[:, a:b]
        expect = sub.sum(axis=1, min_count=1)
        np.testing.assert_allclose(res.car[lab], expect, rtol=1e-12, atol=1e-15)
    assert len(res.events) + len(res.dropped) == n


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_ar_zero_when_security_is_market(seed):
    rets = synthetic(300, 3, seed)
    rets["COPY"] = rets["M"]
    ev = pd.DataFrame({"event_id": ["x"], "symbol": ["COPY"], "day0": [rets.index[250]]})
    res = _run(ev, rets, model="market_adjusted")
    assert (res.ar.to_numpy() == 0).all()
    assert (res.car.to_numpy() == 0).all()


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 10))
def test_event_order_does_not_matter(seed, n):
    rng = np.random.default_rng(seed)
    rets = synthetic(300, 5, seed)
    ev = _events(rets, rng, n)
    a = _run(ev, rets)
    b = _run(ev.iloc[rng.permutation(n)], rets)
    pd.testing.assert_frame_equal(a.ar.sort_index(), b.ar.sort_index())
    pd.testing.assert_frame_equal(a.car.sort_index(), b.car.sort_index())
    ta = a.tests.drop(columns="note").reset_index(drop=True)
    tb = b.tests.drop(columns="note").reset_index(drop=True)
    pd.testing.assert_frame_equal(ta, tb, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 8), shock=st.floats(-0.05, 0.05))
def test_unrelated_event_and_noise_leave_other_events_unchanged(seed, n, shock):
    rng = np.random.default_rng(seed)
    rets = synthetic(300, 6, seed)
    ev = _events(rets, rng, n)
    ev = ev[ev.symbol != "S5"]
    base = _run(ev, rets)
    # add an event on S5 and shift S5's returns by its own noise
    rets2 = rets.copy()
    rets2["S5"] = rets2["S5"] + shock * rng.standard_normal(len(rets2))
    extra = pd.DataFrame({"event_id": ["new"], "symbol": ["S5"], "day0": [rets.index[200]]})
    more = _run(pd.concat([ev, extra], ignore_index=True), rets2)
    pd.testing.assert_frame_equal(base.ar, more.ar.drop(index="new"))
    pd.testing.assert_series_equal(base.sigma, more.sigma.drop(index="new"))
