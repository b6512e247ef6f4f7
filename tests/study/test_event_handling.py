"""Duplicates (same security, same day 0) and overlaps (another event in the windows)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.events import EventSet, overlap_counts
from eventstudy.exceptions import ConfigError, EventStudyWarning
from eventstudy.study import run_event_study
from tests.study.conftest import synthetic


def _articles() -> EventSet:
    # a1 and a2 name 600519.SH on 2022-01-10 (a2 earlier); a3 names it via a board
    # (parent_event_id), the same day; a4 names 000858.SZ
    return EventSet.from_frame(
        pd.DataFrame(
            {
                "event_id": ["a1:600519.SH", "a2:600519.SH", "a3:BK0896:600519.SH", "a4:000858.SZ"],
                "article_id": ["a1", "a2", "a3", "a4"],
                "symbol": ["600519.SH", "600519.SH", "600519.SH", "000858.SZ"],
                "parent_event_id": [None, None, "a3:BK0896", None],
                "published_at": [
                    "2022-01-10 11:00+08:00",
                    "2022-01-10 09:30+08:00",
                    None,
                    "2022-01-10 10:00+08:00",
                ],
                "day0": [None, None, "2022-01-10", None],
            }
        )
    )


def test_keep_counts_the_same_day_events():
    ev = _articles().resolve_duplicates("keep")
    assert ev.frame.n_same_day.tolist() == [3, 3, 3, 1]
    assert len(ev.dropped) == 0


@pytest.mark.parametrize("how", ["collapse", "first"])
def test_collapse_and_first_keep_the_earliest_and_lose_nothing(how):
    src = _articles()
    ev = src.resolve_duplicates(how)
    assert len(ev.frame) + len(ev.dropped) == len(src.frame) + len(src.dropped)
    assert ev.frame.event_id.tolist() == ["a2:600519.SH", "a4:000858.SZ"]  # a2 published first
    reason = "collapsed" if how == "collapse" else "duplicate"
    assert ev.dropped.reason.tolist() == [reason, reason]
    # the board member without a time comes last
    assert ev.dropped.event_id.tolist() == ["a1:600519.SH", "a3:BK0896:600519.SH"]
    assert all("a2:600519.SH" in m for m in ev.dropped.message)
    if how == "collapse":
        assert ev.frame.event_ids.tolist() == [
            ("a2:600519.SH", "a1:600519.SH", "a3:BK0896:600519.SH"),
            ("a4:000858.SZ",),
        ]
        assert ev.frame.article_ids.tolist() == [("a2", "a1", "a3"), ("a4",)]
    else:
        assert "event_ids" not in ev.frame.columns
    assert src.frame.columns.tolist() == _articles().frame.columns.tolist()  # unchanged


def test_same_day_counts_equal_a_groupby():
    rng = np.random.default_rng(6)
    for n in (1, 2, 50, 3000):
        day0 = pd.Series(pd.bdate_range("2022-01-03", periods=40)[rng.integers(0, 40, n)])
        day0[rng.random(n) < 0.05] = pd.NaT  # (a hand-built set): one missing day
        frame = pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(n)],
                "symbol": [f"{600000 + k}.SH" for k in rng.integers(0, 30, n)],
                "published_at": pd.NaT,
                "day0": day0,
            }
        )
        got = EventSet(frame).resolve_duplicates("keep").frame.n_same_day
        want = frame.groupby(["symbol", "day0"], dropna=False)["event_id"].transform("size")
        assert got.tolist() == want.tolist()
        assert got.dtype == np.int64


def test_bad_policy_and_empty_sets():
    with pytest.raises(ConfigError, match=r"duplicates='all' is not one of"):
        _articles().resolve_duplicates("all")  # type: ignore[arg-type]
    empty = EventSet.from_frame(pd.DataFrame({"event_id": [], "symbol": [], "day0": []}))
    assert len(empty.resolve_duplicates("collapse")) == 0


def _brute_overlaps(sym, pos, windows):
    out = []
    for i in range(len(sym)):
        k = 0
        for j in range(len(sym)):
            if j == i or sym[j] != sym[i] or pos[i] < 0 or pos[j] < 0 or pos[j] == pos[i]:
                continue
            k += sum(a <= pos[j] - pos[i] <= b for a, b in windows)
        out.append(k)
    return out


def test_overlap_counts_match_a_pairwise_loop():
    rng = np.random.default_rng(4)
    for _ in range(20):
        n = int(rng.integers(1, 60))
        sym = rng.choice(["A", "B", "C"], n)
        pos = rng.integers(-1, 400, n)
        windows = [(-250, -11), (-5, 5)]
        assert overlap_counts(sym, pos, windows).tolist() == _brute_overlaps(sym, pos, windows)
        codes = np.searchsorted(np.array(["A", "B", "C"]), sym)  # integer codes: same answer
        assert overlap_counts(codes, pos, windows).tolist() == _brute_overlaps(sym, pos, windows)


@pytest.mark.parametrize(("code_offset", "pos_offset"), [(0, 0), (70_000, 0), (-5, 0), (0, 70_000)])
def test_overlap_counts_on_codes_and_days_of_any_size(code_offset, pos_offset):
    # 16-bit codes and days are sorted by radix, others by one key: the same counts
    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 3, 80):
        sym = rng.integers(0, 4, n) + code_offset
        pos = rng.integers(-1, 60, n)
        pos = np.where(pos >= 0, pos + pos_offset, pos)
        windows = [(-20, -3), (-2, 2)]
        want = _brute_overlaps(sym.tolist(), pos.tolist(), windows)
        assert overlap_counts(sym, pos, windows).tolist() == want
        assert overlap_counts(sym.astype(str), pos, windows).tolist() == want


@pytest.fixture
def wide():
    return synthetic(500, 4, 6)


def _events(wide, rows):
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "symbol": [s for s, _ in rows],
            "day0": wide.index[[d for _, d in rows]],
        }
    )


def test_study_warns_once_with_the_count(wide):
    ev = _events(wide, [("S0", 300), ("S0", 300), ("S0", 300), ("S1", 320), ("S1", 320)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_event_study(ev, returns=wide, market="M")
    mine = [w for w in caught if issubclass(w.category, EventStudyWarning)]
    assert len(mine) == 1
    assert "5 events name the same security on the same day 0" in str(mine[0].message)
    assert "(2 security-days)" in str(mine[0].message)
    assert mine[0].filename == __file__  # points at the user's line, not the package's
    assert res.n_events == 5
    assert res.events.n_same_day.tolist() == [3, 3, 3, 2, 2]
    assert "duplicates='keep': 5 of the 5 analysed events share" in res.summary().as_text()


def test_study_collapse_puts_the_others_in_dropped(wide):
    ev = _events(wide, [("S0", 300), ("S0", 300), ("S1", 320)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", EventStudyWarning)
        res = run_event_study(ev, returns=wide, market="M", duplicates="collapse")
    assert res.n_events == 2
    assert res.n_input == 3
    assert res.dropped[["event_id", "reason"]].values.tolist() == [["e1", "collapsed"]]
    assert res.events.event_ids.tolist() == [("e0", "e1"), ("e2",)]
    assert "duplicates='collapse': 1 events" in res.summary().as_text()


def test_overlaps_are_flagged_and_can_be_dropped(wide):
    # S0: day 0 at 300 and 400 (300 is in 400's estimation window [150, 389]);
    # S1: 300 and 303 (each in the other's event window); S2 alone
    rows = [("S0", 300), ("S0", 400), ("S1", 300), ("S1", 303), ("S2", 350)]
    res = run_event_study(_events(wide, rows), returns=wide, market="M")
    assert res.events.n_overlaps.tolist() == [0, 1, 1, 1, 0]
    assert "overlap='keep': 3 events have another event" in res.summary().as_text()
    dropped = run_event_study(_events(wide, rows), returns=wide, market="M", overlap="drop")
    assert dropped.events.event_id.tolist() == ["e0", "e4"]
    assert dropped.dropped.reason.tolist() == ["overlap"] * 3
    assert "estimation (-250, -11)" in dropped.dropped.message.iloc[0]
    assert dropped.n_input == 5
    assert "overlap='drop': 3 events" in dropped.summary().as_text()
    with pytest.raises(ConfigError, match=r"overlap='no'"):
        run_event_study(_events(wide, rows), returns=wide, market="M", overlap="no")


def test_same_day_duplicates_are_not_overlaps(wide):
    rows = [("S0", 300), ("S0", 300)]
    with pytest.warns(EventStudyWarning):
        res = run_event_study(_events(wide, rows), returns=wide, market="M")
    assert res.events.n_overlaps.tolist() == [0, 0]


@pytest.mark.parametrize("unknown", [False, True])
def test_flag_overlaps_counts_by_security_as_overlap_counts_does(unknown):
    # events in random order, some not located (outside the data, screened out): each
    # still counts for the others; with an unknown security the strings are compared
    from eventstudy.study.engine import flag_overlaps
    from eventstudy.study.panel import Panel
    from eventstudy.study.spec import EventStudy

    rng = np.random.default_rng(3)
    sessions = pd.bdate_range("2020-01-01", periods=600)
    names = [f"S{j}" for j in range(12)] + ["M"]
    panel = Panel(sessions, np.zeros((600, 13)), pd.Index(names), np.zeros(600))
    n = 400
    sym = np.array(names[:12], dtype=object)[rng.integers(0, 12, n)]
    if unknown:
        sym[5] = "NOT_IN_PANEL"
    pos = rng.integers(0, 600, n)
    frame = pd.DataFrame({"symbol": sym, "day0": sessions[pos]})
    col = panel.symbols.get_indexer(pd.Index(sym.astype(str)))
    pos0 = np.where(col >= 0, pos, -1)
    pos0[::7], col[::7] = -1, -1  # screened out or outside the data
    spec = EventStudy(market="M")
    out = flag_overlaps(spec, frame, panel, pos0, col, [None] * n, [""] * n)
    want = overlap_counts(list(sym), pos, [spec.estimation_window, spec.event_window])
    assert out.n_overlaps.tolist() == want.tolist()
    assert want.sum() > n


def test_event_positions_look_up_each_day_and_security():
    from eventstudy.study.panel import Panel, event_positions, locate_events

    sessions = pd.bdate_range("2022-01-03", periods=30)
    names = ["600519.SH", "000858.SZ", "M"]
    panel = Panel(sessions, np.zeros((30, 3)), pd.Index(names), np.zeros(30))
    rng = np.random.default_rng(1)
    n = 200
    days = pd.date_range("2021-12-25", "2022-02-20", freq="h")  # weekends, hours, outside
    day0 = pd.Series(days[rng.integers(0, len(days), n)])
    day0[3] = pd.NaT
    sym = pd.Series(np.array([*names, "600000.SH"], dtype=object)[rng.integers(0, 4, n)])
    pos, col = event_positions(day0, sym, panel)
    np.testing.assert_array_equal(pos, sessions.get_indexer(pd.DatetimeIndex(day0).normalize()))
    np.testing.assert_array_equal(col, panel.symbols.get_indexer(pd.Index(sym.astype(str))))
    assert (pos >= 0).any()
    assert (pos < 0).any()
    assert (col < 0).any()
    got = locate_events(day0, sym, panel, tau1=-2, tau2=3, positions=(pos, col))
    want = locate_events(day0, sym, panel, tau1=-2, tau2=3)
    for g, w in zip(got, want, strict=True):
        assert list(g) == list(w)
    assert {"unknown_symbol", "outside_data", "not_a_session", None} == set(got[2])
    empty = event_positions(pd.Series([], dtype="datetime64[ns]"), pd.Series([], dtype=str), panel)
    assert [len(a) for a in empty] == [0, 0]
