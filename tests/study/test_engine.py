"""The engine: fetching returns, the block scheduler, dropped events, factor dates."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.events import EventSet
from eventstudy.exceptions import InputDataError
from eventstudy.study import core as study_core
from eventstudy.study import run_event_study
from tests.study.conftest import make_events, synthetic


class _Panel:
    """What ``load_panel`` returns, as far as the engine reads it."""

    def __init__(self, frame: object, calls: dict) -> None:
        self._frame = frame
        self._calls = calls

    def returns(self, **kw: object) -> object:
        self._calls["returns_kw"] = kw
        return self._frame


def test_fetches_closes_through_load_panel_with_exact_bounds(rets, monkeypatch):
    import eventstudy.market as market_pkg

    calls: dict = {}

    class Frame:
        data = rets
        provenance = pd.DataFrame({"is_proxy": [False]}, index=pd.Index(["S0"], name="symbol"))
        failures = pd.DataFrame({"symbol": [], "reason": [], "message": []})

    def fake_load_panel(symbols, start, end, **kw):
        calls["args"] = (symbols, start, end)
        calls["kw"] = kw
        return _Panel(Frame(), calls)

    monkeypatch.setattr(market_pkg, "load_panel", fake_load_panel)
    events = make_events(rets)
    res = run_event_study(events, market="M")
    assert set(calls["args"][0]) == {"S0", "S1", "S2", "S3", "M"}
    # exact session bounds: 250 estimation sessions + the previous close before the
    # earliest day 0 (XSHG sessions), never a calendar-day guess
    from eventstudy.calendar import session_bounds

    day0 = res.events["day0"]
    assert (calls["args"][1], calls["args"][2]) == session_bounds(day0, before=251, after=5)
    assert res.provenance.is_proxy.tolist() == [False]
    assert len(res.events) == 4
    assert calls["kw"]["errors"] == "collect"
    assert calls["kw"]["source"] == "auto"
    assert calls["kw"]["fields"] == ["close"]
    assert calls["returns_kw"] == {"trade_to_trade": False}


def test_unpriced_securities_are_dropped_with_the_data_layers_reason(rets, monkeypatch):
    import eventstudy.market as market_pkg

    class Frame:
        data = rets.drop(columns=["S1"])
        provenance = pd.DataFrame()
        failures = pd.DataFrame(
            {"symbol": ["S1"], "reason": ["provider_failed"], "message": ["S1: connection refused"]}
        )

    monkeypatch.setattr(market_pkg, "load_panel", lambda *a, **k: _Panel(Frame(), {}))
    res = run_event_study(make_events(rets), market="M")
    gone = res.dropped.set_index("symbol")
    assert gone.loc["S1", "reason"] == "no_price_data"
    assert gone.loc["S1", "message"] == "S1: connection refused"
    assert len(res.events) + len(res.dropped) == 4


def test_missing_market_series_is_an_error(rets, monkeypatch):
    import eventstudy.market as market_pkg
    from eventstudy.exceptions import DataUnavailableError

    class Frame:
        data = rets.drop(columns=["M"])
        provenance = pd.DataFrame()
        failures = pd.DataFrame(
            {"symbol": ["M"], "reason": ["unavailable"], "message": ["offline"]}
        )

    monkeypatch.setattr(market_pkg, "load_panel", lambda *a, **k: _Panel(Frame(), {}))
    with pytest.raises(DataUnavailableError, match="market series M"):
        run_event_study(make_events(rets), market="M")


def test_bundled_data_through_real_get_returns(monkeypatch, tmp_path):
    """Integration: 600519.SH around the seed story, data from eventstudy.market (offline)."""
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    ev = pd.DataFrame(
        {"event_id": ["seed"], "symbol": ["600519.SH"],
         "published_at": ["2022-01-10 11:33:36+08:00"]}
    )  # fmt: skip
    from eventstudy.exceptions import OfflineFallbackWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineFallbackWarning)  # offline: the snapshot was asked
        res = run_event_study(ev)
    assert res.events.day0.iloc[0] == pd.Timestamp("2022-01-10")
    assert res.n_estimation.iloc[0] == 240
    assert not res.provenance.empty
    assert res.tests[res.tests.test == "t_event"].shape[0] > 0


def test_blocks_on_threads_give_the_same_numbers_as_one_block(monkeypatch):
    """The scheduler's blocks (here of 7 events, on threads) change no number."""
    rets = synthetic(400, 30, 2)
    rng = np.random.default_rng(3)
    ev = pd.DataFrame(
        {"event_id": range(60), "symbol": [f"S{i}" for i in rng.integers(0, 30, 60)],
         "day0": rets.index[rng.integers(260, 390, 60)]}
    )  # fmt: skip
    rets.iloc[100:130, 4] = np.nan  # some events of S4 lose estimation days
    rets.loc[rets.index[300], "S5"] = np.nan  # events of S5 on that day have no day 0
    one = run_event_study(ev, returns=rets, market="M")
    monkeypatch.setattr(study_core, "BLOCK", 7)
    many = run_event_study(ev, returns=rets, market="M")
    assert one.n_events == many.n_events > 50
    pd.testing.assert_frame_equal(one.car, many.car, check_exact=True)
    pd.testing.assert_frame_equal(one.ar, many.ar, check_exact=True)
    pd.testing.assert_frame_equal(one.tests, many.tests, check_exact=True)
    pd.testing.assert_frame_equal(one.dropped, many.dropped)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_panel_prepared_beside_the_screen_gives_the_same_fit(monkeypatch, threads):
    """The padded panel made on a worker thread (or inline) = made inside the fit."""
    from eventstudy.study import engine

    rets = synthetic(400, 30, 2)
    rng = np.random.default_rng(4)
    ev = pd.DataFrame(
        {"event_id": range(60), "symbol": [f"S{i}" for i in rng.integers(0, 30, 60)],
         "day0": rets.index[rng.integers(150, 390, 60)]}
    )  # fmt: skip
    rets.iloc[100:130, 4] = np.nan
    monkeypatch.setattr(study_core, "THREADS", threads)
    res = run_event_study(ev, returns=rets, market="M")
    pos = res.pieces.pos0
    cols = rets.columns.get_indexer(res.events.symbol)
    z = rets[["M"]].to_numpy()
    kw = {"est": (-250, -11), "evt": (-5, 5), "windows": res.spec.windows, "min_obs": 120}
    alone = engine.compute_pieces("market", rets.to_numpy(), z, np.zeros(400), pos, cols, **kw)
    assert alone[0] is not None
    assert (alone[1] == 0).all()
    np.testing.assert_array_equal(alone[0].car, res.pieces.car)
    np.testing.assert_array_equal(alone[0].resid, res.pieces.resid)


def test_an_error_of_the_preparation_reaches_the_caller(monkeypatch):
    from eventstudy.study import engine

    def boom(*args, **kwargs):
        raise MemoryError("no room for the padded panel")

    rets = synthetic(400, 5, 2)
    ev = pd.DataFrame({"event_id": [1], "symbol": ["S1"], "day0": [rets.index[300]]})
    for threads in (1, 2):
        monkeypatch.setattr(study_core, "THREADS", threads)
        monkeypatch.setattr(engine, "_pad", boom)
        with pytest.raises(MemoryError, match="no room"):
            run_event_study(ev, returns=rets, market="M")


def test_the_market_notes_come_from_the_worker_on_one_and_two_threads(monkeypatch):
    from eventstudy.study import engine

    rets = synthetic(400, 6, 2).drop(columns="M")
    rets.columns = [f"60000{i}.SH" for i in range(rets.shape[1])]
    ev = pd.DataFrame({"event_id": [1, 2], "symbol": list(rets.columns[:2]),
                       "day0": rets.index[[300, 310]]})  # fmt: skip
    lines = []
    for threads in (1, 2):
        monkeypatch.setattr(study_core, "THREADS", threads)
        res = run_event_study(ev, returns=rets, market="ew")
        lines.append([line for line in res.methodology() if line.startswith("market 'ew'")])
    assert lines[0] == lines[1]
    assert "mean simple return of the 6 stocks" in lines[0][0]

    def boom(*args, **kwargs):
        raise MemoryError("no room for the notes")

    monkeypatch.setattr(engine, "market_notes", boom)
    for threads in (1, 2):
        monkeypatch.setattr(study_core, "THREADS", threads)
        with pytest.raises(MemoryError, match="no room"):
            run_event_study(ev, returns=rets, market="ew")


def test_a_factor_gap_inside_the_windows_shrinks_the_estimation_sample(rets):
    rng = np.random.default_rng(4)
    f = pd.DataFrame(
        {"mkt_rf": rets.M, "smb": rng.normal(0, 0.005, len(rets)),
         "hml": rng.normal(0, 0.005, len(rets))}, index=rets.index,
    )  # fmt: skip
    kw = {"returns": rets, "market": "M", "model": "ff3"}
    full = run_event_study(make_events(rets), factors=f, **kw)
    gap = rets.index[200:203]
    f.loc[gap, "smb"] = np.nan  # inside every event's estimation window
    res = run_event_study(make_events(rets), factors=f, **kw)
    assert res.n_events == full.n_events == 4
    np.testing.assert_array_equal(res.pieces.m, full.pieces.m - 3)
    with pytest.raises(InputDataError) as err:  # the frame ends before the last window
        run_event_study(make_events(rets), factors=f.iloc[:320], **kw)
    msg = str(err.value)
    assert f"factors cover {rets.index[0].date()} .. {rets.index[319].date()}" in msg
    assert f"need {rets.index[50].date()} .. {rets.index[325].date()}" in msg


def test_a_trading_calendar_resolves_day0_and_counts_sessions(rets):
    from eventstudy.market.calendar import TradingCalendar

    cal = TradingCalendar(rets.index.delete(301), source="test sessions")
    ev = pd.DataFrame(
        {"event_id": ["late", "dates"], "symbol": ["S0", "S1"],
         "published_at": [f"{rets.index[300].date()} 16:30:00+08:00",
                          f"{rets.index[310].date()} 10:00:00+08:00"]}
    )  # fmt: skip
    res = run_event_study(ev, returns=rets, market="M", calendar=cal)
    day0 = res.events.set_index("event_id").day0
    assert day0["late"] == rets.index[302]  # after the close; 301 is not a session
    assert day0["dates"] == rets.index[310]
    assert res.calendar_source == "test sessions"
    assert (res.rule, res.cutoff) == ("next", "15:00")  # the EventSet's day-0 rule
    assert res.subset(np.array([True, False])).rule == "next"
    assert res.n_input == 2
    # plain dates count sessions but do not resolve publication times: the bundled
    # calendar does, to 2021-02-26, which the dates given do not have
    plain = run_event_study(ev, returns=rets, market="M", calendar=cal.sessions)
    assert plain.dropped.set_index("event_id").at["late", "reason"] == "not_a_session"
    assert plain.events.day0.tolist() == [rets.index[310]]
    assert plain.calendar_source == "M dates"  # plain dates have no source of their own
    strict = EventSet.from_frame(ev, calendar=cal, rule="strict", cutoff="14:00")
    res = run_event_study(strict, returns=rets, market="M", calendar=cal)
    assert (res.rule, res.cutoff) == ("strict", "14:00")


def test_dropped_rows_of_every_status_in_event_order():
    from eventstudy.study import engine
    from eventstudy.study.garch import VARIANCE_RATIO_BOUNDS
    from eventstudy.study.models import INSUFFICIENT, NO_CONVERGENCE
    from eventstudy.study.spec import EventStudy

    spec = EventStudy(market="M", model="garch")
    rng = np.random.default_rng(8)
    n = 60
    codes = [0, -1, 1, 2, engine.NO_DAY0, NO_CONVERGENCE]
    status = np.array(codes * (n // len(codes)), dtype=np.int8)[rng.permutation(n)]
    assert INSUFFICIENT == 1
    m = rng.integers(0, 300, n)
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "symbol": [f"S{i % 7}" for i in range(n)],
            "day0": pd.bdate_range("2022-01-03", periods=n),
        }
    )
    reason = ["unknown_symbol" if s == -1 else None for s in status]
    message = [f"why {i}" if s == -1 else "" for i, s in enumerate(status)]
    out = engine._drop_rows(spec, frame, status, reason, message, m, {})
    lo, hi = VARIANCE_RATIO_BOUNDS
    garch = (
        "the garch likelihood maximisation (arch) did not converge on the estimation "
        "window ({} observations), or its variance forecast is not finite or implausible "
        f"(outside {lo:g} to {hi:g} times the residual variance)"
    )
    few = "{} estimation observations in (-250, -11), fewer than min_estimation_obs=100"
    constant = "returns (or regressors) are constant over the estimation window"
    want = []
    for i, s in enumerate(status.tolist()):
        sym, day = f"S{i % 7}", str(frame.day0[i].date())
        if s == -1:
            want.append(("unknown_symbol", f"why {i}"))
        elif s == engine.NO_DAY0:
            want.append(("no_price_day0", f"{sym} has no return on day 0 ({day})"))
        elif s == NO_CONVERGENCE:
            want.append(("garch_no_convergence", garch.format(m[i])))
        elif s == INSUFFICIENT:
            want.append(("insufficient_estimation", few.format(m[i])))
        elif s == 2:
            want.append(("constant_returns", constant))
    assert out.columns.tolist() == ["event_id", "symbol", "reason", "message"]
    assert out.event_id.tolist() == [f"e{i}" for i in np.flatnonzero(status != 0)]
    assert out.symbol.tolist() == [f"S{i % 7}" for i in np.flatnonzero(status != 0)]
    assert list(zip(out.reason, out.message, strict=True)) == want
    none = engine._drop_rows(spec, frame, np.zeros(n, np.int8), reason, message, m, {})
    assert none.empty
    assert none.columns.tolist() == out.columns.tolist()


def test_an_event_set_with_repeated_ids_is_refused_with_them():
    from eventstudy.study.engine import event_set
    from eventstudy.study.spec import EventStudy

    frame = pd.DataFrame(
        {"event_id": ["a", "b", "a", "c", "b", "a"], "symbol": ["600519.SH"] * 6,
         "day0": pd.to_datetime(["2022-01-10"] * 6)}
    )  # fmt: skip
    with pytest.raises(InputDataError, match=r"duplicated event_id values \['a', 'b'\]"):
        event_set(EventStudy(), EventSet(frame))
    ok = EventSet(frame.assign(event_id=list("abcdef")))
    assert event_set(EventStudy(), ok) is ok


@pytest.mark.parametrize("threads", [1, 2])
def test_the_padded_panel_by_blocks_equals_one_transposing_copy(monkeypatch, threads):
    from eventstudy.study import engine
    from eventstudy.study.models import get_model

    rng = np.random.default_rng(11)
    returns = rng.normal(0, 0.02, (60, 1300))  # 1,300 securities: three blocks of 512
    returns[rng.random(returns.shape) < 0.1] = np.nan
    z = rng.normal(0, 0.01, (60, 1))
    z[[3, 40]] = np.nan  # days without the market: not usable
    monkeypatch.setattr(study_core, "THREADS", threads)
    p = engine._pad(get_model("market"), returns, z, np.zeros(60), -25)
    want = np.full((1300, 85), np.nan)
    want[:, 25:] = returns.T
    usable = np.isfinite(want) & np.isfinite(np.r_[np.full(25, np.nan), z[:, 0]])
    np.testing.assert_array_equal(p.r_t, want)
    np.testing.assert_array_equal(p.csum[:, 0], 0)
    np.testing.assert_array_equal(p.csum[:, 1:], np.cumsum(usable, axis=1))
    assert p.pad == 25
    assert p.z.shape == (85, 1)
