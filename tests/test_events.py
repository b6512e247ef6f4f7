"""EventSet: validation, day-0 resolution, nothing lost."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from eventstudy.calendar import TradingCalendar
from eventstudy.events import EventSet
from eventstudy.exceptions import EventStudyWarning, InputDataError

CAL = TradingCalendar(pd.to_datetime(["2022-01-07", "2022-01-10", "2022-01-11"]))


def test_every_input_is_an_event_or_dropped() -> None:
    raw = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d", "e", "f"],
            "symbol": ["600519.sh", "BK0896", "BK", "000858", "1.000300", "600519"],
            "published_at": [
                "2022-01-10 11:33:36+08:00",
                None,
                "2022-01-10 10:00",
                "2022-01-11 16:00",
                "2022-01-08 09:00",
                "2022-01-09 10:00",
            ],
            "day0": [None, None, None, None, None, "2022-01-11"],
            "title": list("uvwxyz"),
        }
    )
    ev = EventSet.from_frame(raw, calendar=CAL)
    assert len(ev) + len(ev.dropped) == len(raw)
    assert dict(zip(ev.dropped.event_id, ev.dropped.reason, strict=True)) == {
        "b": "no_timestamp",
        "c": "unknown_symbol",
        "d": "beyond_calendar",
    }
    got = ev.frame.set_index("event_id")
    assert got.loc["a", "day0"] == pd.Timestamp("2022-01-10")
    assert got.loc["e", "symbol"] == "000300.SH"
    assert got.loc["e", "day0"] == pd.Timestamp("2022-01-10")
    assert got.loc["f", "day0"] == pd.Timestamp("2022-01-11")  # an explicit day0 is kept
    assert got.loc["a", "title"] == "u"  # attributes carried through
    assert str(got["published_at"].dt.tz) == "Asia/Shanghai"


def test_strict_rule_drops_outside_session() -> None:
    raw = pd.DataFrame(
        {"event_id": [1], "symbol": ["600519.SH"], "published_at": ["2022-01-08 10:00"]}
    )
    ev = EventSet.from_frame(raw, calendar=CAL, rule="strict")
    assert len(ev) == 0
    assert ev.dropped.reason.tolist() == ["outside_session"]


def test_duplicate_ids_and_missing_columns_are_errors() -> None:
    with pytest.raises(InputDataError, match=r"duplicated event_id values \['x'\]"):
        EventSet.from_frame(
            pd.DataFrame(
                {"event_id": ["x", "x"], "symbol": ["600519.SH"] * 2, "day0": ["2022-01-10"] * 2}
            )
        )
    with pytest.raises(InputDataError, match="day0 or published_at"):
        EventSet.from_frame(pd.DataFrame({"event_id": ["x"], "symbol": ["600519.SH"]}))
    with pytest.raises(InputDataError, match="DataFrame"):
        EventSet.from_frame([1, 2])  # type: ignore[arg-type]


# ------------------------------------------------------------------ expand_boards


def _master_with_snapshots():  # type: ignore[no-untyped-def]
    """The bundled master plus two dated BK0896 membership snapshots (2022-01-05, 2022-03-01)."""
    from eventstudy.reference import load_master

    snaps = pd.DataFrame(
        {
            "as_of": ["2022-01-05", "2022-01-05", "2022-03-01", "2022-03-01"],
            "board": "BK0896",
            "symbol": ["600519.SH", "000858.SZ", "600519.SH", "000568.SZ"],
            "source": "test",
        }
    )
    return load_master().with_snapshot("members", snaps)


def _events() -> EventSet:
    raw = pd.DataFrame(
        {
            "event_id": ["jan", "stock", "mar", "dec", "region", "nosuch"],
            "symbol": ["BK0896", "300750.SZ", "BK0896", "BK0896", "BK0145", "BK9998"],
            "published_at": [
                "2022-01-10 10:00+08:00",
                "2022-01-10 11:00+08:00",
                "2022-03-10 10:00+08:00",
                "2021-12-01 10:00+08:00",
                "2022-01-10 10:00+08:00",
                "2022-01-10 10:00+08:00",
            ],
            "title": list("abcdef"),
            "score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
        }
    )
    return EventSet.from_frame(raw)


def test_expand_boards_uses_membership_as_of_day0() -> None:
    ev = _events()
    with pytest.warns(EventStudyWarning, match="look-ahead"):
        out = ev.expand_boards(master=_master_with_snapshots())
    f = out.frame.set_index("event_id")
    assert f.loc[f["parent_event_id"] == "jan"].symbol.tolist() == ["000858.SZ", "600519.SH"]
    assert f.loc[f["parent_event_id"] == "mar"].symbol.tolist() == ["000568.SZ", "600519.SH"]
    jan = f.loc["jan:000858.SZ"]
    assert jan["membership_snapshot"] == pd.Timestamp("2022-01-05")
    assert not jan["membership_look_ahead"]
    assert jan["parent_symbol"] == "BK0896"
    assert (jan["title"], jan["score"]) == ("a", 0.9)  # the board event's attributes
    assert jan["day0"] == ev.frame.set_index("event_id").loc["jan", "day0"]
    assert jan["published_at"] == ev.frame.set_index("event_id").loc["jan", "published_at"]
    # before the earliest snapshot: the earliest, labelled as observed after the event
    dec = f.loc[f["parent_event_id"] == "dec"]
    assert dec.symbol.tolist() == ["000858.SZ", "600519.SH"]
    assert dec["membership_look_ahead"].all()
    assert len(out.notes) == 1
    assert "1 board event(s)" in out.notes[0]
    assert "2022-01-05..2022-01-05" in out.notes[0]
    # non-board events unchanged, keyed to nothing
    stock = f.loc["stock"]
    assert (stock["symbol"], stock["title"]) == ("300750.SZ", "b")
    assert stock["parent_event_id"] is None
    assert not stock["membership_look_ahead"]
    assert pd.isna(stock["membership_snapshot"])
    # nothing lost: boards without membership are dropped with a reason
    assert dict(zip(out.dropped.event_id, out.dropped.reason, strict=True)) == {
        "region": "no_membership",
        "nosuch": "no_membership",
    }
    assert "live-only" in out.dropped.set_index("event_id").loc["region", "message"]
    assert out.frame["event_id"].is_unique
    expanded = {p for p in out.frame["parent_event_id"] if p is not None}
    assert expanded | set(out.dropped.event_id) | {"stock"} == set(ev.frame.event_id)
    assert str(out.frame["published_at"].dt.tz) == "Asia/Shanghai"
    assert out.frame["day0"].dtype == "datetime64[ns]"
    # the original order is kept: each board event's members where the board event was
    assert out.frame["parent_event_id"].fillna("stock").drop_duplicates().tolist() == [
        "jan",
        "stock",
        "mar",
        "dec",
    ]
    # the result is a valid event set
    assert len(EventSet.from_frame(out.frame)) == len(out)


def test_expand_boards_as_of_one_date_for_every_event() -> None:
    with pytest.warns(EventStudyWarning, match="look-ahead"):
        out = _events().expand_boards("2022-03-05", master=_master_with_snapshots())
    f = out.frame
    jan = f[f["parent_event_id"] == "jan"]
    assert jan.symbol.tolist() == ["000568.SZ", "600519.SH"]
    assert jan["membership_look_ahead"].all()  # observed 2022-03-01, after day 0 2022-01-10
    mar = f[f["parent_event_id"] == "mar"]
    assert not mar["membership_look_ahead"].any()


def test_expand_boards_without_boards_changes_nothing() -> None:
    ev = EventSet.from_frame(
        pd.DataFrame({"event_id": ["x"], "symbol": ["600519.SH"], "day0": ["2022-01-10"]})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ev.expand_boards()
    assert out.frame[["event_id", "symbol", "day0"]].equals(
        ev.frame[["event_id", "symbol", "day0"]]
    )
    assert out.notes == ()
    assert out.dropped.empty
    with pytest.raises(InputDataError, match="as_of='soon'"):
        ev.expand_boards("soon")


def test_expand_boards_default_master_reads_the_refreshed_store(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.reference.store import ReferenceStore

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    rows = pd.DataFrame(
        {"as_of": "2022-01-07", "board": "BK0145", "symbol": ["600000.SH"], "source": "test"}
    )
    ReferenceStore().write(
        "members", rows, what="members", retrieved_at=pd.Timestamp("2022-01-07", tz="Asia/Shanghai")
    )
    ev = EventSet.from_frame(
        pd.DataFrame({"event_id": ["r"], "symbol": ["BK0145"], "day0": ["2022-01-10"]})
    )
    out = ev.expand_boards()
    assert out.frame[["event_id", "symbol"]].values.tolist() == [["r:600000.SH", "600000.SH"]]
    assert out.dropped.empty


def test_eventset_repr_html_is_compact_escaped_and_counts_drops_and_duplicates() -> None:
    from eventstudy.summary import PREVIEW_ROWS

    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(7)] + ["bad"],
            "symbol": ["600519.SH", "600519.SH"] + [f"60000{i}.SH" for i in range(5)] + ["a b"],
            "day0": ["2022-01-10"] * 8,
            "title": ["<b>x</b>" + "长" * 80] + ["t"] * 7,
        }
    )
    ev = EventSet.from_frame(frame)
    page = ev._repr_html_()
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "长" * 80 not in page  # long titles are cut
    assert "<td style='text-align:left'>7 (6 securities)</td>" in page
    assert len(ev.dropped) == 1
    reason = ev.dropped["reason"].iloc[0]
    assert f"<td style='text-align:left'>1 ({reason} 1)</td>" in page
    assert "<td style='text-align:left'>2 events</td>" in page  # same security, same day 0
    assert page.count("<tr>\n") == PREVIEW_ROWS
    assert "<td>2022-01-10</td>" in page
