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


def _mixed_local_source(tmp_path, china: list[str], a: str, b: str):  # type: ignore[no-untyped-def]
    """A local folder with bundled Chinese closes and a synthetic ^GSPC on US business days."""
    from eventstudy.market import LocalSource, get_prices
    from eventstudy.symbols import to_filename

    for sym in china:
        s = get_prices(sym, a, b, source="bundled").data[sym].dropna()
        pd.DataFrame({"date": s.index, "close": s.to_numpy()}).to_csv(
            tmp_path / f"{to_filename(sym)}.csv", index=False
        )
    # US sessions: business days without MLK day (2022-01-17) and Presidents' day (2022-02-21)
    us = pd.bdate_range(a, b).difference(pd.to_datetime(["2022-01-17", "2022-02-21"]))
    gspc = 4500.0 + np.arange(len(us), dtype=float)
    pd.DataFrame({"date": us, "close": gspc}).to_csv(tmp_path / "%5EGSPC.csv", index=False)
    return LocalSource(tmp_path), pd.Series(gspc, index=us)


def test_mixed_markets_keep_each_symbols_own_calendar(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Review finding 1: a day one market was closed must not cost the other its return."""
    src, gspc = _mixed_local_source(tmp_path, ["600519.SH"], "2022-01-10", "2022-02-25")
    mixed = get_returns(["600519.SH", "^GSPC"], "2022-01-26", "2022-02-10", source=src)
    alone = get_returns("600519.SH", "2022-01-26", "2022-02-10", source="bundled")
    # 2022-01-31..02-04 (Spring Festival) are in the union index: US traded, Shanghai did not
    assert pd.Timestamp("2022-02-01") in mixed.data.index
    assert mixed.data.loc["2022-02-07", "600519.SH"] == pytest.approx(1652.74 / 1669.59 - 1)
    pd.testing.assert_series_equal(
        mixed.data["600519.SH"].dropna(), alone.data["600519.SH"].dropna(), check_freq=False
    )
    assert mixed.data.loc["2022-01-31":"2022-02-04", "600519.SH"].isna().all()
    # the foreign symbol on its own dates: the return after MLK day spans 01-14 -> 01-18
    us = get_returns(["600519.SH", "^GSPC"], "2022-01-13", "2022-01-19", source=src)
    assert pd.Timestamp("2022-01-17") in us.data.index  # a Shanghai session
    assert us.data.loc["2022-01-18", "^GSPC"] == pytest.approx(
        gspc.loc["2022-01-18"] / gspc.loc["2022-01-14"] - 1
    )
    assert np.isnan(us.data.loc["2022-01-17", "^GSPC"])


def test_mixed_markets_keep_chinese_suspensions_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A suspension inside the Shanghai calendar is not bridged by the foreign dates."""
    from eventstudy.market import LocalSource

    # 000002.SZ suspended 2015-12-18 .. 2016-07-03; ^GSPC traded meanwhile
    days = pd.bdate_range("2015-12-01", "2016-07-15")
    pd.DataFrame({"date": days, "close": 2000.0 + np.arange(len(days))}).to_csv(
        tmp_path / "%5EGSPC.csv", index=False
    )
    vanke = get_prices_bundled("000002.SZ", "2015-12-01", "2016-07-15").dropna()
    pd.DataFrame({"date": vanke.index, "close": vanke.to_numpy()}).to_csv(
        tmp_path / "000002.SZ.csv", index=False
    )
    src = LocalSource(tmp_path)
    plain = get_returns(["000002.SZ", "^GSPC"], "2015-12-10", "2016-07-08", source=src)
    assert np.isnan(plain.data.loc["2016-07-04", "000002.SZ"])
    t2t = get_returns(["000002.SZ", "^GSPC"], "2015-12-10", "2016-07-08", source=src,
                      trade_to_trade=True)  # fmt: skip
    alone = get_returns("000002.SZ", "2015-12-10", "2016-07-08", source="bundled",
                        trade_to_trade=True)  # fmt: skip
    assert t2t.data.loc["2016-07-04", "000002.SZ"] == pytest.approx(
        alone.data.loc["2016-07-04", "000002.SZ"]
    )
    # the gap counts Shanghai sessions, not the union's rows
    assert t2t.gaps.loc["2016-07-04", "000002.SZ"] == alone.gaps.loc["2016-07-04", "000002.SZ"]  # type: ignore[union-attr]
    assert t2t.gaps.loc["2016-01-05", "^GSPC"] == 1  # type: ignore[union-attr]


def test_returns_of_a_given_frame_matches_get_returns() -> None:
    from eventstudy.market import get_prices, returns_of

    prices = get_prices(["000002.SZ", "000300.SH"], "2015-12-10", "2016-07-08", source="bundled")
    for t2t in (False, True):
        got = returns_of(prices, kind="log", trade_to_trade=t2t)
        ref = get_returns(["000002.SZ", "000300.SH"], "2015-12-10", "2016-07-08",
                          source="bundled", kind="log", trade_to_trade=t2t)  # fmt: skip
        pd.testing.assert_frame_equal(got.data, ref.data)
        assert got.field == "log_return"
        assert (got.gaps is not None) == t2t
    with pytest.raises(ConfigError, match="kind='pct'"):
        returns_of(prices, kind="pct")  # type: ignore[arg-type]
