"""Trade-to-trade returns (METHODS.md "Bad and thin data"), a suspension worked by hand.

Ten sessions d0..d9; stock A is suspended (停牌) on d6 and d7 and resumes on d8,
the day of the news (day 0). Market-adjusted model (AR = R - R_m), estimation
window [-6,-2] = d2..d6, event window [-1,1] = d7..d9.

====== ====== ===== ================= ===================== ==========================
session A      M     R_A daily         R_A trade-to-trade    R_M
====== ====== ===== ================= ===================== ==========================
d1     10.1   100   0.01              0.01                  0
d5     10.3   100   10.3/10.1 - 1     same                  0
d6     --     100   NaN               NaN (not traded)      0
d7     --     100   NaN               NaN                   0
d8     11.33  101   NaN (no P_{t-1})  11.33/10.3 - 1 = 0.1  0.01
d9     11.0   101   11/11.33 - 1      11/11.33 - 1          0
====== ====== ===== ================= ===================== ==========================

Daily returns: day 0 has no return -> the event is dropped (``no_price_day0``).
Trade-to-trade: AR_0 = 0.1 - 0.01 = 0.09, AR_-1 missing (suspended), AR_1 = 11/11.33 - 1,
CAR[-1,1] = 0.09 + 11/11.33 - 1 over L = 2 present days; the estimation window has
M = 4 returns (d2..d5; d6 suspended) either way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study import EventStudy, run_event_study

DATES = pd.bdate_range("2024-03-04", periods=10)
PRICES = pd.DataFrame(
    {
        "A": [10.0, 10.1, 10.0, 10.2, 10.1, 10.3, np.nan, np.nan, 11.33, 11.0],
        "M": [100.0] * 8 + [101.0, 101.0],
    },
    index=DATES,
)
EVENTS = pd.DataFrame({"event_id": ["halt"], "symbol": ["A"], "day0": [DATES[8]]})
SPEC = {
    "market": "M",
    "model": "market_adjusted",
    "estimation_window": (-6, -2),
    "event_window": (-1, 1),
    "car_windows": [(-1, 1), (0, 0)],
    "min_estimation_obs": 4,
}


def test_daily_returns_drop_the_resumption_day():
    res = run_event_study(EVENTS, prices=PRICES, **SPEC)
    assert res.n_events == 0
    assert res.dropped.reason.tolist() == ["no_price_day0"]


def test_trade_to_trade_by_hand():
    res = run_event_study(EVENTS, prices=PRICES, trade_to_trade=True, **SPEC)
    assert res.n_events == 1
    ar = res.ar.loc["halt"]
    assert np.isnan(ar[-1])
    assert ar[0] == pytest.approx(0.09, abs=1e-12)
    assert ar[1] == pytest.approx(11 / 11.33 - 1, abs=1e-12)
    assert res.car.loc["halt", "[-1,1]"] == pytest.approx(0.09 + 11 / 11.33 - 1, abs=1e-12)
    assert res.pieces.nwin[0].tolist() == [2.0, 1.0]
    assert res.n_estimation.tolist() == [4]
    # estimation ARs d2..d5 (market flat): 10/10.1-1, 10.2/10-1, 10.1/10.2-1, 10.3/10.1-1
    est = np.array([10 / 10.1, 10.2 / 10.0, 10.1 / 10.2, 10.3 / 10.1]) - 1
    assert res.sigma.iloc[0] ** 2 == pytest.approx((est**2).sum() / 3, rel=1e-12)


def test_trade_to_trade_with_returns_is_an_error():
    rets = PRICES.pct_change(fill_method=None)
    with pytest.raises(ConfigError, match="trade_to_trade"):
        run_event_study(EVENTS, returns=rets, trade_to_trade=True, **SPEC)


def test_trade_to_trade_passed_to_the_panels_returns(monkeypatch):
    import eventstudy.market as market_pkg

    seen = {}

    class Frame:
        data = PRICES.pct_change(fill_method=None)
        provenance = pd.DataFrame()
        failures = pd.DataFrame({"symbol": [], "reason": [], "message": []})

    class Panel:  # what load_panel returns, as far as the engine reads it
        def returns(self, **kw):
            seen.update(kw)
            return Frame()

    monkeypatch.setattr(market_pkg, "load_panel", lambda *a, **k: Panel())
    EventStudy(trade_to_trade=True, **SPEC).fit(EVENTS)
    assert seen["trade_to_trade"] is True
    seen.clear()
    EventStudy(**SPEC).fit(EVENTS)
    assert seen["trade_to_trade"] is False
