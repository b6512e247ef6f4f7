"""The backtester's default ST and suspension rules from the reference store's snapshots.

The snapshots are written into a temporary cache with the store's public API
(:class:`~eventstudy.reference.store.ReferenceStore`); ``EVENTSTUDY_CACHE`` points there.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.backtesting.core import NO_LIST_NOTE
from eventstudy.reference.store import ReferenceStore

JAN = pd.to_datetime(["2022-01-04", "2022-01-05", "2022-01-06"])
# 600519.SH closes +5 % on 01-05 (at the ST limit, within the main-board one); 000858.SZ +2 %
CLOSE = pd.DataFrame({"600519.SH": [10.0, 10.5, 10.6], "000858.SZ": [10.0, 10.2, 10.3]}, index=JAN)
EVENTS = pd.DataFrame(
    {"event_id": ["mt", "wly"], "symbol": ["600519.SH", "000858.SZ"], "day0": "2022-01-05"}
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReferenceStore:
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    return ReferenceStore()


def put(store: ReferenceStore, table: str, as_of: str, symbols: list[str]) -> None:
    rows = pd.DataFrame({"as_of": as_of, "symbol": symbols, "name": "x", "source": "test"})
    if table == "suspensions":
        rows = rows.assign(start=as_of, end="", reason="刊登重要公告")
    stamp = pd.Timestamp(f"{as_of} 16:00", tz="Asia/Shanghai")
    store.write(table, rows, what=table, retrieved_at=stamp)  # type: ignore[arg-type]


def run(**kw: object) -> object:
    return backtest(EVENTS, prices={"close": CLOSE}, hold=1, placebo=0, **kw)  # type: ignore[arg-type]


def reasons(res: object) -> dict[str, str]:
    ledger = res.ledger  # type: ignore[attr-defined]
    filled = ledger["reason"].where(ledger["reason"] != "", "filled")
    return dict(zip(ledger["event_id"], filled, strict=True))


def test_without_snapshots_both_trade_and_the_note_appears_once(store: ReferenceStore) -> None:
    res = run()
    assert reasons(res) == {"mt": "filled", "wly": "filled"}
    assert list(res.notes).count(NO_LIST_NOTE) == 1  # type: ignore[attr-defined]
    assert sum("snapshot" in n for n in res.notes) == 1  # type: ignore[attr-defined]


def test_st_and_suspended_names_are_excluded_from_stored_snapshots(store: ReferenceStore) -> None:
    put(store, "st", "2022-01-04", ["600519.SH", "600200.SH"])
    put(store, "suspensions", "2022-01-05", ["000858.SZ"])
    res = run()
    assert reasons(res) == {"mt": "limit_locked", "wly": "suspended"}
    msg = res.ledger.set_index("event_id").loc["wly", "message"]  # type: ignore[attr-defined]
    assert "suspension snapshot" in msg
    assert "2022-01-05" in msg
    assert not any("snapshot:" in n for n in res.notes)  # type: ignore[attr-defined]


def test_st_is_point_in_time_newest_snapshot_on_or_before_entry(store: ReferenceStore) -> None:
    put(store, "st", "2022-01-04", ["600519.SH"])
    put(store, "st", "2022-01-05", ["600200.SH"])  # no longer ST on the entry session
    put(store, "st", "2022-01-06", ["600519.SH"])  # ST again, but after the entry
    put(store, "suspensions", "2022-01-05", ["600200.SH"])
    assert reasons(run()) == {"mt": "filled", "wly": "filled"}


def test_before_the_earliest_snapshot_the_earliest_is_used_and_flagged(
    store: ReferenceStore,
) -> None:
    put(store, "st", "2022-01-06", ["600519.SH"])
    put(store, "suspensions", "2022-01-05", ["600200.SH"])
    res = run()
    assert reasons(res)["mt"] == "limit_locked"
    assert any("look-ahead" in n and "2022-01-06" in n for n in res.notes)  # type: ignore[attr-defined]


def test_user_st_symbols_win_over_the_snapshots(store: ReferenceStore) -> None:
    put(store, "st", "2022-01-04", ["600519.SH"])
    put(store, "suspensions", "2022-01-05", ["600200.SH"])
    # 000858.SZ +2 % is within even the ST limit: fills; 600519.SH is not ST for the user
    assert reasons(run(st_symbols=["000858.SZ"])) == {"mt": "filled", "wly": "filled"}
    close = CLOSE.assign(**{"000858.SZ": [10.0, 10.5, 10.6]})
    res = backtest(EVENTS, prices={"close": close}, hold=1, placebo=0, st_symbols=["000858.SZ"])
    assert reasons(res) == {"mt": "filled", "wly": "limit_locked"}


def test_suspensions_apply_with_user_st_symbols_and_missing_st_snapshot_is_noted(
    store: ReferenceStore,
) -> None:
    put(store, "suspensions", "2022-01-05", ["600519.SH"])
    res = run()
    assert reasons(res) == {"mt": "suspended", "wly": "filled"}
    assert [n for n in res.notes if "snapshot:" in n] == [  # type: ignore[attr-defined]
        NO_LIST_NOTE.replace("ST/suspension", "ST")
    ]
    res = run(st_symbols=["000001.SZ"])
    assert reasons(res)["mt"] == "suspended"
    assert not any("snapshot:" in n for n in res.notes)  # type: ignore[attr-defined]


def test_suspension_snapshot_of_another_day_does_not_suspend(store: ReferenceStore) -> None:
    put(store, "st", "2022-01-04", ["600200.SH"])
    put(store, "suspensions", "2022-01-04", ["600519.SH", "000858.SZ"])
    res = run()
    assert reasons(res) == {"mt": "filled", "wly": "filled"}
    assert any("cover the entry sessions of 0 of 2" in n for n in res.notes)  # type: ignore[attr-defined]
