"""Returns: hand-worked cases, trade-to-trade over suspensions, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.exceptions import ConfigError
from eventstudy.market import get_returns, trade_to_trade_returns
from eventstudy.market.returns import log_returns, simple_returns

DAYS = pd.to_datetime(["2022-01-04", "2022-01-05", "2022-01-06", "2022-01-07", "2022-01-10"])


def test_hand_worked_suspension() -> None:
    p = pd.DataFrame({"A": [10.0, 11.0, np.nan, np.nan, 13.2], "B": [np.nan, 5.0, 5.5, 5.5, 5.0]},
                     index=DAYS)  # fmt: skip
    r = simple_returns(p)
    assert np.isnan(r["A"].iloc[0])
    assert r["A"].iloc[1] == pytest.approx(0.1)
    assert r["A"].iloc[2:].isna().all()  # resumption day has no plain return
    assert r["B"].tolist()[2:] == pytest.approx([0.1, 0.0, 5.0 / 5.5 - 1])
    t2t, gaps = trade_to_trade_returns(p)
    assert t2t["A"].iloc[4] == pytest.approx(13.2 / 11.0 - 1)  # 0.2 over the gap
    assert gaps["A"].iloc[4] == 3  # spans three sessions (two suspended)
    assert t2t["A"].iloc[2:4].isna().all()  # untraded days stay missing
    assert gaps["A"].iloc[1] == 1
    assert pd.isna(gaps["A"].iloc[0])
    assert pd.isna(gaps["B"].iloc[1])
    lt, _ = trade_to_trade_returns(p, kind="log")
    assert lt["A"].iloc[4] == pytest.approx(np.log(1.2))


def test_get_returns_on_vanke_suspension() -> None:
    plain = get_returns("000002.SZ", "2015-12-10", "2016-07-08", source="bundled")
    t2t = get_returns("000002.SZ", "2015-12-10", "2016-07-08", source="bundled",
                      trade_to_trade=True)  # fmt: skip
    assert plain.gaps is None
    assert np.isnan(plain.data.loc["2016-07-04", "000002.SZ"])
    prices = get_prices_bundled("000002.SZ", "2015-12-10", "2016-07-08")
    last = prices.loc[:"2016-07-01"].dropna().iloc[-1]
    assert t2t.data.loc["2016-07-04", "000002.SZ"] == pytest.approx(
        prices.loc["2016-07-04"] / last - 1
    )
    gap = int(t2t.gaps.loc["2016-07-04", "000002.SZ"])  # type: ignore[union-attr]
    traded = prices.dropna().index
    k = prices.index.get_loc(pd.Timestamp("2016-07-04")) - prices.index.get_loc(
        traded[traded < pd.Timestamp("2016-07-04")][-1]
    )
    assert gap == k > 100
    assert t2t.field == "simple_return"
    assert t2t.provenance.loc["000002.SZ", "field"] == "simple_return"


def get_prices_bundled(sym: str, a: str, b: str) -> pd.Series:
    from eventstudy.market import get_prices

    return get_prices(sym, a, b, source="bundled").data[sym]


def test_returns_against_raw_file_values() -> None:
    """600519.SH closes 1718.25 (01-07), 1739.49 (01-10), 1716.97 (01-11) in the source CSV."""
    r = get_returns("600519.SH", "2022-01-07", "2022-01-11", source="bundled", kind="log")
    assert r.data["600519.SH"].iloc[1] == pytest.approx(np.log(1739.49 / 1718.25))
    assert r.data["600519.SH"].iloc[2] == pytest.approx(np.log(1716.97 / 1739.49))
    assert r.field == "log_return"


def test_bad_kind() -> None:
    with pytest.raises(ConfigError):
        get_returns("600519.SH", "2022-01-07", "2022-01-11", source="bundled", kind="pct")  # type: ignore[arg-type]


prices_st = st.lists(
    st.one_of(st.none(), st.floats(min_value=0.5, max_value=500.0)), min_size=2, max_size=40
)


@settings(max_examples=80, deadline=None)
@given(prices_st)
def test_trade_to_trade_compounds_to_price_ratio(values: list[float | None]) -> None:
    p = pd.DataFrame({"X": [np.nan if v is None else v for v in values]})
    r, gaps = trade_to_trade_returns(p)
    traded = p["X"].dropna()
    if len(traded) >= 2:
        growth = float(np.prod(1.0 + r["X"].dropna().to_numpy()))
        assert growth == pytest.approx(traded.iloc[-1] / traded.iloc[0], rel=1e-9)
        # the gaps add up to the distance between the first and last traded rows
        assert int(gaps["X"].dropna().sum()) == traded.index[-1] - traded.index[0]
    # never a value on an untraded row, never more returns than traded rows - 1
    assert r["X"][p["X"].isna()].isna().all()
    assert r["X"].notna().sum() == max(len(traded) - 1, 0)
    lr = log_returns(p)
    sr = simple_returns(p)
    both = lr["X"].notna()
    assert np.allclose(np.exp(lr["X"][both]) - 1.0, sr["X"][both])
