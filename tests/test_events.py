"""EventSet: validation, day-0 resolution, nothing lost."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.calendar import TradingCalendar
from eventstudy.events import EventSet
from eventstudy.exceptions import InputDataError

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
