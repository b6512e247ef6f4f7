"""``load_panel`` reads a warehouse's symbols in batches (one scan each), with the results
of the per-symbol path: data, provenance, failures, lacking, coverage gaps and errors."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import DataUnavailableError
from eventstudy.market import LocalSource, load_panel, loaders, register_source
from eventstudy.market.panel import MarketPanel

DAYS = pd.bdate_range("2022-01-04", "2022-02-28")
INDEX = "000300.SH"


def stocks(n: int) -> list[str]:
    return [f"{600000 + i}.SH" for i in range(n)]


def long_frame(n: int) -> pd.DataFrame:
    """``n`` stocks and an index over DAYS, with the oddities cleaning must see."""
    rng = np.random.default_rng(7)
    parts = []
    for k, sym in enumerate([*stocks(n), INDEX]):
        close = 10.0 + k + rng.random(len(DAYS)).cumsum()
        parts.append(
            pd.DataFrame({"date": DAYS, "symbol": sym, "close": close, "volume": 1e5 * (k + 1)})
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.loc[(frame.symbol == "600001.SH") & (frame.date == DAYS[3]), "close"] = 0.0  # invalid
    frame.loc[(frame.symbol == "600002.SH") & (frame.date == DAYS[5]), "volume"] = -1.0  # invalid
    frame = frame[~((frame.symbol == "600003.SH") & (frame.date > DAYS[20]))]  # ends early: a gap
    frame = frame[~((frame.symbol == "600004.SH") & (frame.date < DAYS[10]))]  # starts late
    again = frame[(frame.symbol == "600005.SH") & (frame.date == DAYS[8])].assign(close=99.0)
    frame = pd.concat([frame, again], ignore_index=True)  # a repeated date: the last row wins
    # a symbol stored in another spelling (bare code: the stock 000001.SZ)
    bare = frame[frame.symbol == "600000.SH"].assign(symbol="000001")
    return pd.concat([frame, bare], ignore_index=True)


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "daily.parquet"
    long_frame(40).to_parquet(path, index=False, row_group_size=500)
    return path


class Counting:
    """A dataset that counts its scans (``to_table``), otherwise the real one."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset
        self.scans = 0

    def to_table(self, *args: Any, **kwargs: Any) -> Any:
        self.scans += 1
        return self.dataset.to_table(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dataset, name)


def counted(path: Path) -> tuple[LocalSource, Counting]:
    src = LocalSource(path)
    wh = src._warehouse
    assert wh is not None
    counter = Counting(wh.dataset())
    wh._dataset = counter  # type: ignore[assignment]
    return src, counter


class OneByOne:
    """The same warehouse without the batch capability: the per-symbol path."""

    def __init__(self, src: LocalSource) -> None:
        self.src = src
        self.name, self.network = src.name, src.network

    def has(self, symbol: str) -> bool:
        return self.src.has(symbol)

    def served_adjust(self, symbol: str, adjust: Any) -> str:
        return self.src.served_adjust(symbol, adjust)

    def fetch(self, symbol: str, start: Any, end: Any, *, adjust: Any) -> pd.DataFrame:
        return self.src.fetch(symbol, start, end, adjust=adjust)

    def coverage_gaps(self, symbol: str, start: Any, end: Any) -> Any:
        return self.src.coverage_gaps(symbol, start, end)


def scans_for(lake: Path, n: int) -> int:
    src, counter = counted(lake)
    load_panel([*stocks(n), INDEX], "2022-01-04", "2022-02-28", source=src, errors="collect")
    return counter.scans


def test_one_scan_for_many_symbols(lake: Path) -> None:
    """Seen failing before the batched read: 41 symbols took 41 row scans (+1 coverage)."""
    few, many = scans_for(lake, 3), scans_for(lake, 40)
    # the rows of every symbol in one scan; the last dates (coverage gaps) in another;
    # 000001 (stored under another spelling) in one more, as LocalSource.fetch does
    assert many == few
    assert many <= 3


def test_batches_bound_the_scans(lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "BATCH_SYMBOLS", 8)
    assert scans_for(lake, 40) == scans_for(lake, 3) + 5  # 41 symbols: 6 batches, not 1


def assert_same_panel(a: MarketPanel, b: MarketPanel) -> None:
    assert a.symbols == b.symbols
    for field in a.fields:
        fa, fb = a.frame(field), b.frame(field)
        pd.testing.assert_frame_equal(fa.data, fb.data)
        pd.testing.assert_frame_equal(fa.provenance, fb.provenance)
        pd.testing.assert_frame_equal(fa.failures, fb.failures)
    pd.testing.assert_frame_equal(a.provenance, b.provenance)
    pd.testing.assert_frame_equal(a.failures, b.failures)
    pd.testing.assert_frame_equal(a.lacking, b.lacking)


@pytest.mark.parametrize("batch", [1000, 4])
@pytest.mark.parametrize("adjust", ["qfq", "hfq"])
def test_same_panel_as_one_by_one(
    lake: Path, monkeypatch: pytest.MonkeyPatch, batch: int, adjust: str
) -> None:
    """Notes (invalid values, duplicates), a gap after the series' end, a symbol absent,
    another spelling, a board proxy that fails, a field lacking: all as before."""
    monkeypatch.setattr(loaders, "BATCH_SYMBOLS", batch)
    asked = [*stocks(40), INDEX, "000001.SZ", "300750.SZ", "BK0896"]
    kw: dict[str, Any] = {"errors": "collect", "adjust": adjust}
    src = LocalSource(lake)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the board proxy's warning, the same for both
        fast = load_panel(asked, "2022-01-04", "2022-03-04", source=src, **kw)
        slow = load_panel(asked, "2022-01-04", "2022-03-04", source=OneByOne(src), **kw)
    assert_same_panel(fast, slow)
    if adjust == "hfq":  # qfq stocks cannot be served as hfq: only the index is
        assert fast.symbols == [INDEX]
        return
    assert {"300750.SZ", "BK0896", "600003.SH"} <= set(fast.failures.symbol)
    assert fast.failures.set_index("symbol").loc["600003.SH", "reason"] == "partial"  # a gap
    assert "duplicate" in fast.provenance.loc["600005.SH", "note"]
    assert "invalid close" in fast.provenance.loc["600001.SH", "note"]
    assert fast.provenance.loc["000001.SZ", "last"] == DAYS[-1]  # the bare code 000001


def test_registered_name_and_raise_are_unchanged(lake: Path) -> None:
    src = LocalSource(lake)
    whole = [s for s in stocks(10) if s != "600003.SH"]  # no gap: errors="raise" serves all
    asked = [*stocks(5), "300750.SZ", "600003.SH"]  # one absent, one ending early
    panels, messages = [], []
    for source in (src, OneByOne(src)):
        register_source("bench_lake", source)
        panels.append(load_panel(whole, "2022-01-04", "2022-02-28", source="bench_lake"))
        with pytest.raises(DataUnavailableError) as err:
            load_panel(asked, "2022-01-04", "2022-03-04", source="bench_lake")
        messages.append(str(err.value))
    assert_same_panel(*panels)
    assert set(panels[0].provenance.source) == {"bench_lake"}
    assert messages[0] == messages[1]
    assert "300750.SZ" in messages[0]


def test_a_failing_batch_fails_symbol_by_symbol(tmp_path: Path) -> None:
    """A warehouse that is not there: every symbol is collected with fetch's own message."""
    gone = LocalSource(tmp_path / "gone.parquet", layout="warehouse")
    kw: dict[str, Any] = {"errors": "collect", "fields": ["close"]}
    fast = load_panel(stocks(3), "2022-01-04", "2022-01-31", source=gone, **kw)
    slow = load_panel(stocks(3), "2022-01-04", "2022-01-31", source=OneByOne(gone), **kw)
    assert_same_panel(fast, slow)
    assert fast.failures.symbol.tolist() == stocks(3)


def test_fetch_many_equals_fetch(lake: Path) -> None:
    src = LocalSource(lake)
    lo, hi = pd.Timestamp("2022-01-04"), pd.Timestamp("2022-03-04")
    asked = [*stocks(8), INDEX, "000001.SZ", "300750.SZ"]
    many = src.fetch_many(asked, lo, hi, adjust="qfq")
    assert sorted(many) == sorted(s for s in asked if s != "300750.SZ")  # absent: left out
    for sym, bars in many.items():
        one = src.fetch(sym, lo, hi, adjust="qfq")
        pd.testing.assert_frame_equal(bars, one)
        assert bars.attrs["notes"] == one.attrs["notes"]
    assert src.fetch_many(stocks(2), lo, hi, adjust="hfq") == {}  # qfq stocks, not hfq
    assert LocalSource(lake.parent).fetch_many(stocks(2), lo, hi, adjust="qfq") == {}


def test_whole_warehouse_scans_are_streamed(tmp_path: Path) -> None:
    """symbols() and last_dates() read batch by batch (seen failing before: one to_table
    each, the whole symbol column of a market in memory: 600 MB for 5,202 stocks)."""
    frame = long_frame(30)
    late = frame[frame.symbol == "600010.SH"].assign(date=pd.Timestamp("2022-03-31"))
    frame = pd.concat([frame, late.head(1)], ignore_index=True)  # its last day, in the last rows
    path = tmp_path / "daily.parquet"
    frame.to_parquet(path, index=False, row_group_size=100)
    src, counter = counted(path)
    wh = src._warehouse
    assert wh is not None
    held, last = wh.symbols(), wh.last_dates()
    assert counter.scans == 0  # no whole table read
    assert sorted(held) == sorted({*stocks(30), INDEX, "000001.SZ"})
    assert held["000001.SZ"] == "000001"
    assert last["600010.SH"] == pd.Timestamp("2022-03-31")
    assert last["600003.SH"] == DAYS[20]
    assert last["000001.SZ"] == last["600000.SH"] == DAYS[-1]
