"""Return panels on the session calendar (eventstudy.study.panel.build_panel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.study.panel import build_panel


def _frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2022-01-03", periods=40)
    values = rng.normal(0, 0.01, (40, 4))
    gaps = rng.random(values.shape) < 0.2
    gaps[:, 3] = False  # the market column M has a return every day
    values[gaps] = np.nan
    frame = pd.DataFrame(values, index=dates, columns=["600519.SH", "000858.SZ", "A", "M"])
    frame["I"] = rng.integers(-3, 3, 40)  # an integer column
    return frame


@pytest.mark.parametrize("shuffle", [False, True])
def test_returns_are_the_frame_on_the_sessions(shuffle):
    frame = _frame()
    given = frame.sample(frac=1.0, random_state=1) if shuffle else frame
    # a calendar with sessions the frame lacks and without some of its dates
    calendar = [*frame.index[5:30:2], pd.Timestamp("2022-01-08"), frame.index[-1]]
    for cal in (None, calendar):
        panel = build_panel(returns=given, market="M", calendar=cal)
        want = frame.reindex(panel.sessions).to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_array_equal(panel.returns, want)
        np.testing.assert_array_equal(panel.market, want[:, 3])
        assert panel.symbols.tolist() == ["600519.SH", "000858.SZ", "A", "M", "I"]
    assert len(panel.sessions) == len(calendar)
    assert np.isnan(panel.returns[panel.sessions.get_loc(pd.Timestamp("2022-01-08"))]).all()


def test_prices_are_aligned_before_their_returns():
    prices = (1 + _frame(2)).cumprod()  # a missing return leaves a missing price
    prices.iloc[7, 0] = np.nan
    calendar = prices.index[::2]
    panel = build_panel(prices=prices, market="M", calendar=calendar)
    aligned = prices.reindex(calendar).to_numpy()
    want = np.full_like(aligned, np.nan)
    with np.errstate(invalid="ignore"):
        want[1:] = aligned[1:] / aligned[:-1] - 1.0
    np.testing.assert_allclose(panel.returns, want, rtol=0, atol=0)


def test_the_panel_is_a_copy_of_the_data_given():
    frame = _frame()
    panel = build_panel(returns=frame[["600519.SH", "M"]], market="M")
    before = panel.returns.copy()
    assert not np.shares_memory(panel.returns, frame.to_numpy())
    frame.iloc[:, :] = 5.0  # the caller changes the frame afterwards
    np.testing.assert_array_equal(panel.returns, before)


def test_without_copy_the_panel_may_hold_the_frame_values():
    values = np.random.default_rng(3).normal(0, 0.01, (30, 3))
    frame = pd.DataFrame(values, index=pd.bdate_range("2022-01-03", periods=30),
                         columns=["A", "B", "M"], copy=False)  # fmt: skip
    held = build_panel(returns=frame, market="M", copy=False)
    copied = build_panel(returns=frame, market="M")
    np.testing.assert_array_equal(held.returns, copied.returns)
    assert not np.shares_memory(copied.returns, values)
    # held: no copy of its own under pandas 3's copy-on-write (column selections are views);
    # pandas 2.2 (the lower bound) copies when the frame is prepared, so "may"
    if int(pd.__version__.split(".")[0]) >= 3:
        assert np.shares_memory(held.returns, values)
