"""market="ew": the equal-weighted market built from the returns panel itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study import EventStudy, run_event_study
from eventstudy.study.panel_market import equal_weighted_market, with_panel_market


@pytest.fixture
def panel():
    """Five stocks (one listed late, one suspended a while) and an index, 400 sessions."""
    rng = np.random.default_rng(12)
    dates = pd.bdate_range("2021-01-04", periods=400)
    common = rng.normal(0.0004, 0.01, 400)
    stocks = {
        s: b * common + rng.normal(0, 0.015, 400)
        for s, b in zip(["600519.SH", "000858.SZ", "300750.SZ", "688981.SH", "601398.SH"],
                        [1.2, 1.0, 1.5, 1.4, 0.6], strict=True)
    }  # fmt: skip
    frame = pd.DataFrame(stocks, index=dates)
    frame.iloc[:120, 3] = np.nan  # listed late
    frame.iloc[200:230, 4] = np.nan  # suspended
    frame["000300.SH"] = common + rng.normal(0, 0.002, 400)  # an index: not a stock
    return frame


def test_the_market_is_the_mean_of_the_stocks_present(panel):
    ew = equal_weighted_market(panel)
    stocks = panel.drop(columns="000300.SH")
    for i in (0, 150, 210, 399):
        row = stocks.iloc[i].dropna()
        assert ew.iloc[i] == pytest.approx(row.sum() / len(row), rel=1e-14)
    gap = panel.copy()
    gap.iloc[5, :5] = np.nan
    assert np.isnan(equal_weighted_market(gap).iloc[5])
    with pytest.raises(InputDataError, match="already have a column 'ew'"):
        with_panel_market(panel.assign(ew=0.0), "ew")
    with pytest.raises(InputDataError, match="needs stock columns"):
        equal_weighted_market(panel[["000300.SH"]])


def test_a_study_against_ew_is_the_market_model_on_that_series(panel):
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "symbol": ["300750.SZ", "601398.SH"],
            "day0": panel.index[[300, 350]],
        }
    )
    res = run_event_study(ev, returns=panel, market="ew")
    assert EventStudy(market="ew").market == "ew"
    ew = panel.drop(columns="000300.SH").mean(axis=1)  # pandas skips NaN: the same mean
    for eid, sym, d0 in ((0, "300750.SZ", 300), (1, "601398.SH", 350)):
        y = panel[sym].iloc[d0 - 250 : d0 - 10]
        x = ew.iloc[d0 - 250 : d0 - 10]
        ok = y.notna() & x.notna()
        fit = sm.OLS(y[ok], sm.add_constant(x[ok])).fit()
        np.testing.assert_allclose(
            res.params.iloc[eid].to_numpy(), fit.params.to_numpy(), rtol=1e-10
        )
        ar0 = panel[sym].iloc[d0] - fit.params.iloc[0] - fit.params.iloc[1] * ew.iloc[d0]
        assert res.ar.iloc[eid][0] == pytest.approx(ar0, rel=1e-10)
    assert any("market 'ew'" in line and "5 stocks" in line for line in res.methodology())


def test_prices_give_the_same_ew_market(panel):
    rets = panel.iloc[1:].copy()
    # prices whose simple returns are rets; a stock's missing return <-> missing price
    # gives two missing returns, so compare on a panel without gaps
    full = rets.drop(columns=["688981.SH", "601398.SH"])
    prices = pd.concat(
        [pd.DataFrame(100.0, index=panel.index[:1], columns=full.columns),
         100.0 * (1.0 + full).cumprod()]
    )  # fmt: skip
    ev = pd.DataFrame({"event_id": ["a"], "symbol": ["300750.SZ"], "day0": [panel.index[300]]})
    from_px = run_event_study(ev, prices=prices, market="ew")
    from_ret = run_event_study(ev, returns=full, market="ew")
    np.testing.assert_allclose(from_px.params.to_numpy(), from_ret.params.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(from_px.ar.to_numpy(), from_ret.ar.to_numpy(), rtol=1e-9)


def test_fetched_prices_are_refused_for_ew_not_a_market_of_the_event_stocks(panel, monkeypatch):
    """Audit 4 item 3: with fetched prices the 'ew' market would be the event stocks'
    own mean (one event: CAR 0, beta 1); refused before any fetch, saying what to pass."""
    from eventstudy.study import engine

    asked = []
    monkeypatch.setattr(engine, "fetch_returns", lambda *a, **k: asked.append(a))
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["300750.SZ", "600519.SH"],
         "day0": panel.index[[300, 310]]}
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"market='ew' is built from the returns panel.*"
                       r"pass returns= or prices= .*load_panel"):  # fmt: skip
        run_event_study(ev, market="ew")
    assert asked == []
    # with the panel given it runs, and the fetch list never names 'ew'
    assert run_event_study(ev, returns=panel, market="ew").n_events == 2
    assert engine.fetch_symbols(EventStudy(market="ew"), ev) == ["300750.SZ", "600519.SH"]
    assert engine.fetch_symbols(EventStudy(), ev) == ["000300.SH", "300750.SZ", "600519.SH"]


def _fake_volumes(panel, columns):
    vol = (np.exp(panel[columns].abs() * 50) * 1e5).round()

    def fetch(symbols, start, end, **kw):
        return vol, pd.DataFrame(), {}

    return fetch


def test_fetched_volumes_without_the_market_volume_are_refused(panel, monkeypatch):
    """Audit 4 item 3: fetched volumes without the index's would make the market volume
    the mean of the event securities (one event: abnormal volume 0)."""
    from eventstudy.study import engine

    ev = pd.DataFrame({"event_id": ["a"], "symbol": ["300750.SZ"], "day0": [panel.index[300]]})
    monkeypatch.setattr(engine, "fetch_volumes", _fake_volumes(panel, ["300750.SZ"]))
    with pytest.raises(ConfigError, match=r"no volume of the market '000300.SH'.*1 fetched "
                       r"event securities.*pass volumes= .*fields=\['volume'\]"):  # fmt: skip
        run_event_study(ev, measure="volume")
    with pytest.raises(ConfigError, match="market='ew' is built from the returns panel"):
        run_event_study(ev, measure="volume", market="ew")
    both = ["300750.SZ", "000300.SH"]
    monkeypatch.setattr(engine, "fetch_volumes", _fake_volumes(panel, both))
    res = run_event_study(ev, measure="volume")
    assert res.n_events == 1
    assert res.params.loc["a", "beta"] != pytest.approx(1.0)


@pytest.mark.parametrize("with_index", [False, True])
def test_the_market_over_many_sessions_equals_the_row_means(with_index):
    # more sessions than one block of rows, missing returns, sessions with no stock
    rng = np.random.default_rng(2)
    values = rng.normal(0, 0.02, (203, 40))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[[5, 150]] = np.nan
    frame = pd.DataFrame(values, columns=[f"{600000 + j}.SH" for j in range(40)])
    if with_index:
        frame["000300.SH"] = 9.0  # an index column: left out
    got = equal_weighted_market(frame)
    want = frame.iloc[:, :40].mean(axis=1, skipna=True)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-14, atol=0)
    assert got.isna().tolist() == want.isna().tolist()
    assert frame.iloc[:, :40].isna().sum().sum() > 0  # the input is left as it was
    out = with_panel_market(frame, "ew")
    assert "ew" not in frame.columns
    assert out["ew"].equals(got.rename("ew"))


def test_stock_columns_leave_out_indices_and_boards_only():
    from eventstudy.exceptions import SymbolError
    from eventstudy.study.panel_market import stock_columns
    from eventstudy.symbols import symbol_kind

    labels = ["600519.SH", "000300.SH", "399006.SZ", "BK0896", "930050.CSI", "00700.HK",
              "920001.SH", "my col", 7, "sh000300", "sz000001", "ew"]  # fmt: skip

    def one(label):
        try:
            return symbol_kind(label) not in ("index", "board")
        except SymbolError:
            return True  # a user's own label: a stock

    want = [c for c in labels if one(c)]
    assert want == ["600519.SH", "00700.HK", "920001.SH", "my col", 7, "sz000001", "ew"]
    assert stock_columns(labels) == want
    assert stock_columns(pd.Index(labels, dtype=object)) == want
    assert stock_columns([]) == []


def test_with_panel_market_is_the_returns_and_the_mean(panel):
    out = with_panel_market(panel, "ew")
    assert out.columns.tolist() == [*panel.columns, "ew"]
    pd.testing.assert_frame_equal(out.drop(columns="ew"), panel)
    assert out["ew"].equals(equal_weighted_market(panel).rename("ew"))
    assert not np.shares_memory(out.to_numpy(), panel.to_numpy())  # a new frame
    text = panel.assign(**{"000300.SH": "x"})  # not numeric: a new frame too
    assert not np.shares_memory(with_panel_market(text, "ew")["600519.SH"].to_numpy(),
                                text["600519.SH"].to_numpy())  # fmt: skip
    ints = panel.assign(**{"000300.SH": 1})  # an integer index column
    assert with_panel_market(ints, "ew")["000300.SH"].tolist() == [1.0] * len(panel)


def test_a_column_that_is_not_numeric_is_named_by_the_panel_check(panel):
    bad = panel.assign(**{"000300.SH": "x"})  # not a stock: left out of the mean
    out = with_panel_market(bad, "ew")
    assert out["000300.SH"].iloc[0] == "x"
    ev = pd.DataFrame({"event_id": ["a"], "symbol": ["300750.SZ"], "day0": [panel.index[300]]})
    with pytest.raises(InputDataError, match="returns must be numeric"):
        run_event_study(ev, returns=bad, market="ew")
