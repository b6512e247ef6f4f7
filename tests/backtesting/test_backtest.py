"""Tests of eventstudy.backtest: hand-worked cases, trading rules, look-ahead, placebo."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventstudy
from eventstudy.backtesting import SKIP_REASONS, BacktestResult, backtest
from eventstudy.backtesting.result import (
    MIN_SESSIONS_IN_MARKET,
    MIN_TRADES_ANNUALISED,
    TOO_LITTLE_DATA,
)
from eventstudy.calendar import TradingCalendar
from eventstudy.datasets import sample_prices
from eventstudy.events import EventSet
from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.summary import RULE_WIDTH, Summary

# Real XSHG sessions of January 2022 (the day-0 rule uses the real calendar).
JAN = pd.to_datetime(
    ["2022-01-04", "2022-01-05", "2022-01-06", "2022-01-07", "2022-01-10", "2022-01-11",
     "2022-01-12", "2022-01-13", "2022-01-14", "2022-01-17", "2022-01-18", "2022-01-19"]
)  # fmt: skip
LIQUOR = ["600519.SH", "000858.SZ", "000568.SZ", "000596.SZ", "002304.SZ", "600809.SH"]


def wide(values: dict[str, list[float]], start: int = 0) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame(values, index=JAN[start : start + n], dtype="float64")


def events(*rows: tuple[str, str, str], day0: bool = True, **extra: list) -> pd.DataFrame:
    key = "day0" if day0 else "published_at"
    df = pd.DataFrame(rows, columns=["event_id", "symbol", key])
    for k, v in extra.items():
        df[k] = v
    return df


def run(ev: pd.DataFrame, prices: dict[str, pd.DataFrame], **kw: object) -> BacktestResult:
    kw.setdefault("placebo", 0)
    return backtest(ev, prices=prices, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- hand-worked cases
def test_single_long_trade_close_to_close_with_costs() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 12.1, 12.1]})
    res = run(events(("a", "600519.SH", "2022-01-04")), {"close": close}, hold=2, costs_bps=10)
    t = res.trades.iloc[0]
    assert t.entry_date == JAN[0]
    assert t.exit_date == JAN[2]
    assert t.entry_price == 10.0
    assert t.exit_price == 12.1
    assert t.return_gross == pytest.approx(0.21)
    assert t.return_net == pytest.approx(0.21 - 2 * 0.001)
    # daily: +10 % on each of the two held sessions, cost 10 bps on entry and on exit
    assert res.daily.index.tolist() == list(JAN[1:3])
    assert res.daily["gross"].tolist() == pytest.approx([0.1, 0.1])
    assert res.daily["turnover"].tolist() == pytest.approx([1.0, 1.0])
    assert res.daily["net"].tolist() == pytest.approx([0.099, 0.099])
    assert res.total_return == pytest.approx(1.099**2 - 1)
    assert res.hit_rate == 1.0
    assert math.isnan(res.tstat)


def test_overlapping_trades_share_capital_equally_each_session() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 11.0, 11.0], "000858.SZ": [20.0, 20.0, 22.0, 22.0]})
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-05"))
    res = run(ev, {"close": close}, hold=2, costs_bps=10)
    d = res.daily
    # t1: only a (+10 %); t2: a (0 %) and b (+10 %) half each; t3: only b (0 %)
    assert d["n_open"].tolist() == [1, 2, 1]
    assert d["gross"].tolist() == pytest.approx([0.10, 0.05, 0.0])
    # turnover: t1 a enters (1); t2 a trimmed 1->0.5 and exits 0.5, b enters 0.5 (1.5);
    # t3 b from 0.5 to 1 and exits 1 (1.5)
    assert d["turnover"].tolist() == pytest.approx([1.0, 1.5, 1.5])
    assert d["net"].tolist() == pytest.approx([0.099, 0.05 - 0.0015, -0.0015])
    assert res.trades["return_gross"].tolist() == pytest.approx([0.1, 0.1])
    assert res.mean_return == pytest.approx(0.098)
    # annualised figures from their definitions
    r = d["net"].to_numpy()
    assert res.annual_return == pytest.approx(np.prod(1 + r) ** (252 / 3) - 1)
    assert res.annual_volatility == pytest.approx(r.std(ddof=1) * math.sqrt(252))
    assert res.sharpe == pytest.approx(r.mean() / r.std(ddof=1) * math.sqrt(252))
    assert res.turnover == pytest.approx(np.mean([1.0, 1.5, 1.5]) * 252)


def test_weights_column_splits_capital_in_proportion() -> None:
    close = wide({"600519.SH": [10.0, 11.0], "000858.SZ": [20.0, 19.0]})
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"), w=[3.0, 1.0])
    res = run(ev, {"close": close}, hold=1, weights="w")
    assert res.daily["gross"].iloc[0] == pytest.approx(0.75 * 0.10 + 0.25 * (-0.05))


def test_weights_by_event_id_and_missing_weights_are_skipped() -> None:
    close = wide({"600519.SH": [10.0, 11.0], "000858.SZ": [20.0, 19.0], "000568.SZ": [5.0, 5.0]})
    ev = events(
        ("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"),
        ("c", "000568.SZ", "2022-01-04"),
    )  # fmt: skip
    res = run(ev, {"close": close}, hold=1, weights={"a": 1.0, "b": 3.0})
    assert res.daily["gross"].iloc[0] == pytest.approx(0.25 * 0.10 + 0.75 * (-0.05))
    assert res.skipped.set_index("event_id").loc["c", "reason"] == "no_weight"


def test_next_open_entry_and_exit_at_open() -> None:
    close = wide({"600519.SH": [10.0, 10.5, 11.0, 12.0, 12.0]})
    opn = wide({"600519.SH": [10.0, 10.2, 10.8, 11.5, 12.0]})
    res = run(
        events(("a", "600519.SH", "2022-01-04")), {"close": close, "open": opn},
        entry="next_open", hold=2,
    )  # fmt: skip
    t = res.trades.iloc[0]
    assert t.entry_date == JAN[1]
    assert t.entry_price == 10.2
    assert t.exit_date == JAN[3]
    assert t.exit_price == 11.5
    assert t.return_gross == pytest.approx(11.5 / 10.2 - 1)
    # entry session: open->close; then close->close; exit session: close->open
    assert res.daily["gross"].tolist() == pytest.approx(
        [10.5 / 10.2 - 1, 11 / 10.5 - 1, 11.5 / 11 - 1]
    )


def test_sign_of_score_shorts_negative_scores_and_skips_zero() -> None:
    close = wide({"600519.SH": [10.0, 9.5], "000858.SZ": [10.0, 9.5], "000568.SZ": [10.0, 9.5]})
    ev = events(
        ("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"),
        ("c", "000568.SZ", "2022-01-04"), score=[1.0, -2.0, 0.0],
    )  # fmt: skip
    res = run(ev, {"close": close}, hold=1, direction="sign_of_score")
    tr = res.trades.set_index("event_id")
    assert tr.loc["a", "return_gross"] == pytest.approx(-0.05)
    assert tr.loc["b", "return_gross"] == pytest.approx(0.05)
    assert res.skipped.set_index("event_id").loc["c", "reason"] == "no_signal"
    assert res.daily["gross"].iloc[0] == pytest.approx(0.0)  # long -5 %, short +5 %


# ---------------------------------------------------------------- suspension and limits
def test_suspended_entry_is_skipped_and_suspended_exit_is_delayed() -> None:
    nan = np.nan
    close = wide(
        {
            "600519.SH": [9.9, nan, 10.5, 11.0, 11.0],
            "000858.SZ": [10.0, 10.5, nan, 11.0, 11.0],
            "000568.SZ": [nan, nan, 10.0, 10.0, 10.0],
        }
    )
    ev = events(
        ("a", "600519.SH", "2022-01-05"), ("b", "000858.SZ", "2022-01-04"),
        ("c", "000568.SZ", "2022-01-05"),
    )  # fmt: skip
    res = run(ev, {"close": close}, hold=2)
    reasons = res.skipped.set_index("event_id")["reason"]
    assert reasons["a"] == "suspended"
    assert reasons["c"] == "not_listed"  # no price before: not a suspension
    b = res.trades.set_index("event_id").loc["b"]
    assert b.status == "exit_delayed"
    assert b.exit_delay == 1
    assert b.exit_date == JAN[3]
    assert b.return_gross == pytest.approx(0.1)
    assert b.stale_days == 1
    # the suspended session: position carried at 10.5 (no move), the move booked on resumption
    assert res.daily["gross"].tolist() == pytest.approx([0.05, 0.0, 11 / 10.5 - 1])


def test_mid_hold_suspension_books_the_move_when_trading_resumes() -> None:
    close = wide({"600519.SH": [10.0, np.nan, 12.0, 12.0]})
    res = run(events(("a", "600519.SH", "2022-01-04")), {"close": close}, hold=3)
    assert res.trades["stale_days"].tolist() == [1]
    assert res.daily["gross"].tolist() == pytest.approx([0.0, 0.2, 0.0])
    assert res.trades["return_gross"].iloc[0] == pytest.approx(0.2)


def test_entry_at_limit_up_close_is_not_fillable_for_a_long() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 11.5], "000858.SZ": [10.0, 10.95, 11.5]})
    high = wide({"600519.SH": [10.0, 11.0, 11.6], "000858.SZ": [10.0, 11.0, 11.6]})
    ev = events(("a", "600519.SH", "2022-01-05"), ("b", "000858.SZ", "2022-01-05"))
    res = run(ev, {"close": close, "high": high}, hold=1)
    # a closes at +10 % = its high: locked; b is +9.5 % and below its high: fillable
    assert res.skipped.set_index("event_id").loc["a", "reason"] == "limit_locked"
    assert res.trades["event_id"].tolist() == ["b"]


def test_short_entry_at_limit_down_is_not_fillable() -> None:
    close = wide({"600519.SH": [10.0, 9.0, 8.5]})
    res = run(events(("a", "600519.SH", "2022-01-05")), {"close": close}, hold=1, direction="short")
    assert res.skipped["reason"].tolist() == ["limit_locked"]


def test_chinext_limit_is_20_percent_from_2020_08_24() -> None:
    days = pd.to_datetime(["2020-08-20", "2020-08-21", "2020-08-24", "2020-08-25", "2020-08-26"])
    close = pd.DataFrame({"300750.SZ": [100.0, 110.0, 121.0, 125.0, 126.0]}, index=days)
    ev = pd.DataFrame(
        {
            "event_id": ["before", "after"],
            "symbol": "300750.SZ",
            "day0": ["2020-08-21", "2020-08-24"],
        }
    )
    res = run(ev, {"close": close}, hold=1)
    # +10 % on 08-21: at the then ±10 % limit; +10 % on 08-24: within the new ±20 % limit
    assert res.skipped.set_index("event_id").loc["before", "reason"] == "limit_locked"
    assert res.trades["event_id"].tolist() == ["after"]


def test_exit_at_limit_down_is_delayed_then_blocked() -> None:
    close = wide({"600519.SH": [10.0, 10.0, 9.0, 9.5], "000858.SZ": [10.0, 10.0, 9.0, 8.1]})
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"))
    res = run(ev, {"close": close}, hold=2, max_exit_delay=1)
    a = res.trades.set_index("event_id").loc["a"]
    assert a.exit_date == JAN[3]
    assert a.exit_delay == 1
    assert a.return_gross == pytest.approx(-0.05)
    # b is locked limit-down on the planned exit and on the one allowed delay day
    assert res.skipped.set_index("event_id").loc["b", "reason"] == "exit_blocked"
    assert re.search(r"Exit delays +1 trades \(1 sessions", str(res.summary()))


def test_st_symbols_use_five_percent_limit() -> None:
    close = wide({"600519.SH": [10.0, 10.5, 10.6]})
    ev = events(("a", "600519.SH", "2022-01-05"))
    assert run(ev, {"close": close}, hold=1).n_trades == 1
    res = run(ev, {"close": close}, hold=1, st_symbols=["600519.SH"])
    assert res.skipped["reason"].tolist() == ["limit_locked"]


# ---------------------------------------------------------------- no look-ahead
def _look_ahead_prices(close_before: float) -> dict[str, pd.DataFrame]:
    # 2022-01-10 is the session before publication; 01-11 and 01-12 come after it.
    return {"close": pd.DataFrame({"600519.SH": [close_before, 100.0, 105.0]}, index=JAN[4:7])}


@pytest.mark.parametrize("close_before", [95.0, 99.0])
def test_no_look_ahead_post_after_close_trades_from_next_close(close_before: float) -> None:
    """A post at 16:00 on 01-10: the 01-10 close is before publication and must not matter.

    Entering at the 01-10 close (look-ahead) would earn 100/95 - 1 or 100/99 - 1 over
    one session; the correct entry is the 01-11 close and earns 105/100 - 1 either way.
    """
    ev = events(("a", "600519.SH", "2022-01-10 16:00:00+08:00"), day0=False)
    res = run(ev, _look_ahead_prices(close_before), hold=1)
    t = res.trades.iloc[0]
    assert t.entry_date == JAN[5]
    assert t.entry_price == 100.0
    assert t.return_gross == pytest.approx(0.05)


def test_no_look_ahead_intraday_post_enters_same_close() -> None:
    for ts, entry_day in [
        ("2022-01-10 14:59:00+08:00", JAN[4]),
        ("2022-01-10 15:00:00+08:00", JAN[5]),
    ]:
        ev = events(("a", "600519.SH", ts), day0=False)
        res = run(ev, _look_ahead_prices(95.0), hold=1)
        assert res.trades["entry_date"].iloc[0] == entry_day, ts


def test_entry_before_publication_is_refused_whatever_the_day0() -> None:
    ev = events(("a", "600519.SH", "2022-01-10 16:00:00+08:00"), day0=False)
    previous = EventSet.from_frame(ev, rule="previous")  # maps the post back to 01-10
    assert str(previous.frame["day0"].iloc[0].date()) == "2022-01-10"
    res = backtest(previous, prices=_look_ahead_prices(95.0), hold=1, placebo=0)
    assert res.n_trades == 0
    assert res.skipped["reason"].tolist() == ["look_ahead"]
    # the same post, next_open: entry at the 01-11 open is after publication
    opn = {"open": pd.DataFrame({"600519.SH": [94.0, 98.0, 104.0]}, index=JAN[4:7])}
    res2 = backtest(
        previous, prices={**_look_ahead_prices(95.0), **opn}, entry="next_open", hold=1, placebo=0
    )
    assert res2.trades["entry_date"].tolist() == [JAN[5]]
    assert res2.trades["return_gross"].iloc[0] == pytest.approx(104 / 98 - 1)


# ---------------------------------------------------------------- invariants
def test_every_event_is_a_trade_or_skipped_with_a_known_reason() -> None:
    close = wide({"600519.SH": [10.0, 10.2, np.nan, 10.4, 10.1, 10.0, 9.9]})
    ev = pd.DataFrame(
        {
            "event_id": list("abcdefgh"),
            "symbol": ["600519.SH", "600519.SH", "000001", "BK0896", "600519.SH",
                       "600519.SH", "600519.SH", "600519.SH"],
            "day0": ["2022-01-04", "2022-01-06", "2022-01-04", "2022-01-04", "2022-01-12",
                     "2022-01-08", "2021-06-01", "2022-01-05"],
        }
    )  # fmt: skip
    res = run(ev, {"close": close}, hold=2)
    table = res.to_frame()
    assert sorted(table["event_id"]) == list("abcdefgh")
    assert set(res.trades["event_id"]) | set(res.skipped["event_id"]) == set("abcdefgh")
    assert set(res.trades["event_id"]).isdisjoint(res.skipped["event_id"])
    reasons = res.skipped.set_index("event_id")["reason"].to_dict()
    assert reasons == {
        "b": "suspended", "c": "unknown_symbol", "d": "no_price", "e": "beyond_data",
        "f": "no_session", "g": "no_session",
    }  # fmt: skip
    assert set(reasons.values()) <= set(SKIP_REASONS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["600519.SH", "000858.SZ", "BK0896", "300750.SZ"]),
            st.integers(0, 11),
            st.integers(0, 23),
        ),
        min_size=1,
        max_size=15,
    ),
    st.integers(1, 4),
    st.sampled_from(["day0_close", "next_open"]),
)
def test_property_nothing_lost(rows: list[tuple[str, int, int]], hold: int, entry: str) -> None:
    rng = np.random.default_rng(len(rows))
    level = 10 * np.cumprod(1 + rng.normal(0, 0.04, size=(12, 3)), axis=0)
    level[rng.random((12, 3)) < 0.15] = np.nan
    cols = ["600519.SH", "000858.SZ", "300750.SZ"]
    close = pd.DataFrame(level, index=JAN, columns=cols)
    opn = close * 0.99
    ev = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "symbol": [r[0] for r in rows],
            "published_at": [
                (JAN[r[1]] + pd.Timedelta(hours=r[2])).tz_localize("Asia/Shanghai") for r in rows
            ],
        }
    )
    res = backtest(ev, prices={"close": close, "open": opn}, hold=hold, entry=entry, placebo=0)  # type: ignore[arg-type]
    ids = set(ev["event_id"])
    assert len(res.to_frame()) == len(ev)
    assert set(res.trades["event_id"]) | set(res.skipped["event_id"]) == ids
    assert not res.trades["return_net"].isna().any()
    assert (res.trades["entry_date"] >= res.trades["day0"]).all()
    assert (res.trades["exit_date"] > res.trades["entry_date"]).all()
    # the entry is observed after publication
    entry_time = res.trades["entry_date"] + pd.Timedelta(
        hours=15 if entry == "day0_close" else 9, minutes=0 if entry == "day0_close" else 25
    )
    pub = res.trades["published_at"].dt.tz_localize(None)
    assert (pub < entry_time).all()


# ---------------------------------------------------------------- placebo
def _jump_panel(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """600 sessions of 10 random walks; real events get +6 % on the two sessions after day 0."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2019-01-02", periods=600)
    syms = [f"6000{i:02d}.SH" for i in range(10)]
    rets = rng.normal(0, 0.01, size=(600, 10))
    ev_rows = []
    for k in range(40):
        j, t = k % 10, 300 + 7 * k
        rets[t + 1 : t + 3, j] += 0.06
        ev_rows.append((f"e{k}", syms[j], days[t]))
    close = pd.DataFrame(100 * np.cumprod(1 + rets, axis=0), index=days, columns=syms)
    ev = pd.DataFrame(ev_rows, columns=["event_id", "symbol", "day0"])
    return close, ev


def test_placebo_is_reproducible_and_detects_a_real_effect() -> None:
    close, ev = _jump_panel()
    cal = TradingCalendar(close.index)
    es = EventSet.from_frame(ev, calendar=cal)
    a = backtest(es, prices={"close": close}, hold=2, placebo=100, seed=7, benchmark="600000.SH")
    b = backtest(es, prices={"close": close}, hold=2, placebo=100, seed=7, benchmark="600000.SH")
    c = backtest(es, prices={"close": close}, hold=2, placebo=100, seed=8, benchmark="600000.SH")
    assert a.placebo is not None
    assert b.placebo is not None
    assert c.placebo is not None
    np.testing.assert_array_equal(a.placebo.values, b.placebo.values)
    assert not np.array_equal(a.placebo.values, c.placebo.values)
    assert a.placebo.statistic == pytest.approx(a.mean_return)
    # the planted +6 %/+6 % is far beyond what random dates give
    assert a.placebo.share_beating == 0.0
    assert a.placebo.pvalue == pytest.approx(1 / 101)
    # placebo means of a driftless random walk are centred near zero
    assert abs(np.nanmean(a.placebo.values)) < 0.01


def test_placebo_without_effect_is_not_significant() -> None:
    close, ev = _jump_panel()
    # the same panel, real events moved to dates without the planted jumps
    ev = ev.assign(day0=pd.to_datetime(ev["day0"]) - pd.Timedelta(days=140))
    es = EventSet.from_frame(ev, calendar=TradingCalendar(close.index))
    res = backtest(es, prices={"close": close}, hold=2, placebo=200, seed=1, benchmark="600000.SH")
    assert res.placebo is not None
    assert 0.05 < res.placebo.pvalue < 0.95


# ---------------------------------------------------------------- real data end to end
def test_liquor_stocks_on_2022_01_10_against_bundled_prices() -> None:
    prices = sample_prices([*LIQUOR, "000300.SH"])
    ev = pd.DataFrame(
        {
            "event_id": [f"miit-{s}" for s in LIQUOR] + ["miit-BK0896"],
            "symbol": [*LIQUOR, "BK0896"],
            "published_at": "2022-01-10 11:33:36+08:00",
        }
    )
    res = backtest(ev, prices=prices, hold=5, costs_bps=15, placebo=50, seed=3)
    close = prices.pivot(index="date", columns="symbol", values="close")
    d0, d5 = pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-17")
    expected = close.loc[d5, LIQUOR] / close.loc[d0, LIQUOR] - 1
    tr = res.trades.set_index("symbol")
    np.testing.assert_allclose(tr.loc[LIQUOR, "return_gross"], expected.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(tr.loc[LIQUOR, "return_net"], expected.to_numpy() - 0.003)
    assert res.skipped.set_index("event_id").loc["miit-BK0896", "reason"] == "no_price"
    # portfolio = equal-weighted mean of the six daily returns; benchmark = CSI 300
    daily = close.loc[d0:d5].pct_change().iloc[1:]
    np.testing.assert_allclose(res.daily["gross"], daily[LIQUOR].mean(axis=1), rtol=1e-10)
    assert res.benchmark_return == pytest.approx(
        close.loc[d5, "000300.SH"] / close.loc[d0, "000300.SH"] - 1
    )
    assert res.placebo is not None
    assert len(res.placebo.values) == 50
    summary = res.summary()
    assert isinstance(summary, Summary)
    text = summary.as_text()
    assert "Hit rate" in text
    assert "Placebo" in text
    assert "no_price 1" in text
    assert repr(res) == str(res) == text
    lines = text.splitlines()
    assert lines[:2] == ["Backtest of news signals", "=" * len("Backtest of news signals")]
    rule = next(i for i, ln in enumerate(lines) if set(ln) == {"-"})
    assert lines[rule + 1].startswith("Rules: calendar-time portfolio")
    assert lines[-1].endswith("exit delayed until fillable.")  # two lines
    pairs = lines[2:rule]
    assert pairs[0].startswith("Strategy  ")
    assert len({len(ln) - len(ln.split("  ", 1)[1].lstrip()) for ln in pairs}) == 1  # aligned
    html = res._repr_html_()
    assert html == summary.as_html()
    assert "<h4>Backtest of news signals</h4>" in html
    assert "<th style='text-align:left'>Hit rate</th>" in html
    assert r"\begin{tabular}{ll}" in summary.as_latex()
    fig = res.plot()
    assert [tr.name for tr in fig.data] == ["strategy (net)", "benchmark 000300.SH"]


def test_prices_none_loads_from_market_data() -> None:
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["600519.SH", "000858.SZ"], "day0": "2022-01-10"}
    )
    res = backtest(ev, hold=5, placebo=0, source="bundled")
    given_ = backtest(ev, prices=sample_prices(["600519.SH", "000858.SZ", "000300.SH"]), hold=5,
                      placebo=0)  # fmt: skip
    np.testing.assert_allclose(res.trades["return_gross"], given_.trades["return_gross"])


def test_top_level_export_is_callable_whatever_the_import_order() -> None:
    # the test module imported eventstudy.backtesting (the subpackage) first
    close = wide({"600519.SH": [10.0, 11.0]})
    res = eventstudy.backtest(events(("a", "600519.SH", "2022-01-04")), prices={"close": close},
                              hold=1, placebo=0)  # fmt: skip
    assert isinstance(res, BacktestResult)
    assert res.n_trades == 1
    assert eventstudy.BacktestResult is BacktestResult
    code = (
        "import sys, eventstudy; f = eventstudy.backtest; "
        "assert callable(f) and f.__name__ == 'backtest', f; "
        "assert 'plotly' not in sys.modules"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"entry": "open"}, "entry="),
        ({"hold": 0}, "hold="),
        ({"costs_bps": -1}, "costs_bps="),
        ({"direction": "up"}, "direction="),
        ({"direction": "sign_of_score"}, "score"),
        ({"weights": "nope"}, "weights="),
        ({"placebo": -5}, "placebo="),
    ],
)
def test_bad_options_raise_config_errors(kw: dict, match: str) -> None:
    close = wide({"600519.SH": [10.0, 11.0]})
    with pytest.raises(ConfigError, match=match):
        run(events(("a", "600519.SH", "2022-01-04")), {"close": close}, **kw)


def test_bad_prices_raise_input_errors() -> None:
    ev = events(("a", "600519.SH", "2022-01-04"))
    with pytest.raises(InputDataError, match="close"):
        run(ev, {"open": wide({"600519.SH": [10.0]})})
    with pytest.raises(InputDataError, match="non-positive"):
        run(ev, {"close": wide({"600519.SH": [10.0, -1.0]})})
    with pytest.raises(InputDataError, match="long DataFrame"):
        backtest(ev, prices=[1, 2], placebo=0)  # type: ignore[arg-type]


def test_summary_names_each_proxy_once() -> None:
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "symbol": ["BK0896", "600519.SH"],
            "published_at": ["2022-01-10 11:33+08:00"] * 2,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = backtest(ev, placebo=0, source="bundled")
    line = next(x for x in str(res.summary()).splitlines() if x.startswith("Prices"))
    assert line.count("BK0896") == 1
    assert "PROXY" in line
    assert "600519.SH" in line


def test_next_open_without_an_open_price_is_no_open_price_naming_the_entry_session() -> None:
    nan = np.nan
    close = wide({"600519.SH": [10.0, 10.5, 11.0, 11.5], "000858.SZ": [20.0, 20.0, 21.0, 22.0],
                  "000568.SZ": [5.0, nan, 5.0, 5.0]})  # fmt: skip
    # 000858.SZ has closes but no open series at all (like a board proxy)
    opn = wide({"600519.SH": [10.0, 10.4, 10.9, 11.4], "000568.SZ": [5.0, nan, 5.0, 5.0]})
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"),
                ("c", "000568.SZ", "2022-01-04"))  # fmt: skip
    res = run(ev, {"close": close, "open": opn}, entry="next_open", hold=1)
    sk = res.skipped.set_index("event_id")
    assert res.trades["event_id"].tolist() == ["a"]
    assert sk.loc["b", "reason"] == "no_open_price"
    assert "no_open_price" in SKIP_REASONS
    # the entry session is the session after day 0, and the message names it
    assert "2022-01-05" in sk.loc["b", "message"]
    assert "open" in sk.loc["b", "message"]
    assert sk.loc["c", "reason"] == "suspended"  # no close either: a real suspension
    assert "2022-01-05" in sk.loc["c", "message"]


def test_board_proxy_with_next_open_is_no_open_price() -> None:
    ev = pd.DataFrame({"event_id": ["a"], "symbol": ["BK0896"], "day0": ["2022-01-10"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = backtest(ev, placebo=0, source="bundled", entry="next_open")
    assert res.skipped["reason"].tolist() == ["no_open_price"]
    assert "2022-01-11" in res.skipped["message"].iloc[0]


def test_plots_use_the_package_template_and_percent_axes() -> None:
    from eventstudy.plotting import FONT_FAMILY, TEMPLATE_NAME, template

    close = wide({"600519.SH": [10.0, 11.0, 12.1, 12.0, 12.5, 12.4, 12.9, 13.0]})
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "600519.SH", "2022-01-06"))
    res = run(ev, {"close": close}, hold=1, placebo=30, placebo_window=3, benchmark="600519.SH")
    for kind in ("equity", "placebo"):
        fig = res.plot(kind=kind)  # type: ignore[arg-type]
        assert fig.layout.template == template(), kind
        assert fig.layout.template.layout.font.family == FONT_FAMILY
        assert "plotly_white" not in str(fig.layout.template)
    hist = res.plot(kind="placebo")
    assert hist.layout.xaxis.tickformat.endswith("%")
    assert TEMPLATE_NAME == "eventstudy"
    with pytest.raises(ConfigError, match="kind"):
        res.plot(kind="pie")  # type: ignore[arg-type]


def test_summary_shows_the_statistic_the_placebo_compares() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 11.0, 11.5, 11.6, 11.0, 11.2, 11.3],
                  "000858.SZ": [20.0, 19.0, 19.5, 19.0, 18.0, 18.5, 19.0, 19.2]})  # fmt: skip
    ev = events(("a", "600519.SH", "2022-01-04"), ("b", "000858.SZ", "2022-01-04"),
                score=[3.0, 1.0])  # fmt: skip
    res = run(ev, {"close": close}, hold=1, weights="abs_score", placebo=20, placebo_window=4,
              benchmark="600519.SH")  # fmt: skip
    assert res.placebo is not None
    weighted = (3 * 0.10 + 1 * (-0.05)) / 4
    assert res.weighted_mean_return == pytest.approx(weighted)
    assert res.placebo.statistic == pytest.approx(weighted)
    assert res.mean_return == pytest.approx(0.025)  # unweighted
    lines = {ln.split("  ")[0]: ln for ln in str(res.summary()).splitlines()}
    assert "6.25%" in lines["Weighted mean trade return (net)"]
    assert "placebo statistic" in lines["Weighted mean trade return (net)"]
    assert "2.50%" in lines["Mean trade return (net, unweighted)"]
    assert "weighted mean net trade return = 6.25%" in lines["Placebo"]
    # equal weights: one mean, which is the placebo statistic
    eq = run(ev, {"close": close}, hold=1, placebo=20, placebo_window=4, benchmark="600519.SH")
    text = str(eq.summary())
    assert "Mean trade return (net)" in text
    assert "unweighted" not in text
    assert "weighted mean net trade return = 2.50%" in text


# ---------------------------------------------------------------- exposure, too little data
def test_one_short_trade_shows_exposure_and_no_annualised_figures() -> None:
    close = wide({"600519.SH": [10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 12.5, 12.5]})
    res = run(events(("a", "600519.SH", "2022-01-04")), {"close": close}, hold=5)
    rows = dict(res.summary_rows())
    assert res.sessions_in_market == 5
    assert rows["Exposure"] == "5 of 5 sessions in the market (100%); 1 trades"
    assert not res.annualisable
    # the attribute keeps its definition; the summary does not show it
    assert res.annual_return > 1.0
    for label in ("Annual return", "Annual volatility", "Sharpe"):
        assert rows[label].startswith(TOO_LITTLE_DATA), label
    assert "5 sessions in the market, 1 trades" in rows["Annual return"]
    assert "%" not in rows["Sharpe"]


def test_annualised_figures_need_both_sessions_and_trades() -> None:
    days = pd.bdate_range("2021-01-04", periods=240)
    cal = TradingCalendar(days)
    rng = np.random.default_rng(3)
    close = pd.DataFrame(
        {"600000.SH": 10 * np.cumprod(1 + rng.normal(0, 0.01, len(days)))}, index=days
    )
    # 24 trades of 3 sessions, one every 8 sessions: 72 sessions in the market
    ev = events(*((f"e{k}", "600000.SH", str(days[8 * k].date())) for k in range(24)))
    res = run(ev, {"close": close}, hold=3, benchmark="600000.SH", calendar=cal)
    assert (res.n_trades, res.sessions_in_market) == (24, 72)
    assert res.exposure == pytest.approx(72 / len(res.daily))
    assert res.annualisable
    rows = dict(res.summary_rows())
    assert rows["Annual return"] == f"{res.annual_return:.2%}"
    assert rows["Sharpe"] == f"{res.sharpe:.2f}"
    # the same sessions with fewer trades than the threshold: no annualised figures
    few = run(
        ev.iloc[: MIN_TRADES_ANNUALISED - 1], {"close": close}, hold=8, benchmark="600000.SH",
        calendar=cal,
    )  # fmt: skip
    assert few.sessions_in_market >= MIN_SESSIONS_IN_MARKET
    assert not few.annualisable
    assert dict(few.summary_rows())["Sharpe"] == TOO_LITTLE_DATA


def test_summary_rule_and_rules_lines_stay_narrow_with_a_long_note() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 12.1, 12.1]})
    res = run(events(("a", "600519.SH", "2022-01-04")), {"close": close}, hold=2)
    res = dataclasses.replace(res, notes=("x" * 700,))
    lines = res.summary().as_text().splitlines()
    rule = next(ln for ln in lines if set(ln) == {"-"})
    assert len(rule) == RULE_WIDTH
    assert any(len(ln) > 700 for ln in lines)  # the note itself is kept as written
    assert all(len(ln) <= RULE_WIDTH for ln in lines[lines.index(rule) :])


# ---------------------------------------------------------------- same security, same day 0
def _same_day_events() -> pd.DataFrame:
    return events(
        ("a1:600519.SH", "600519.SH", "2022-01-04"),
        ("a2:600519.SH", "600519.SH", "2022-01-04"),
        ("a3:000858.SZ", "000858.SZ", "2022-01-04"),
    )


def test_same_day_duplicates_are_said_once_with_their_count() -> None:
    close = wide({"600519.SH": [10.0, 11.0, 11.0], "000858.SZ": [20.0, 20.0, 22.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run(_same_day_events(), {"close": close}, hold=1)
    said = [str(w.message) for w in caught if "same security on the same day 0" in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith("2 events name the same security on the same day 0")
    assert "(1 security-days)" in said[0]
    assert res.n_trades == 3
    assert said[0] in res.notes
    assert said[0] in res.summary().as_text()


@pytest.mark.parametrize(("how", "reason"), [("collapse", "collapsed"), ("first", "duplicate")])
def test_duplicates_policy_trades_each_security_day_once(how: str, reason: str) -> None:
    close = wide({"600519.SH": [10.0, 11.0, 11.0], "000858.SZ": [20.0, 20.0, 22.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", eventstudy.exceptions.EventStudyWarning)
        res = run(_same_day_events(), {"close": close}, hold=1, duplicates=how)
    assert res.n_trades == 2
    assert res.skip_counts.to_dict() == {reason: 1}
    assert not [n for n in res.notes if "same day 0" in n]
    with pytest.raises(ConfigError, match="duplicates='twice'"):
        run(_same_day_events(), {"close": close}, hold=1, duplicates="twice")
