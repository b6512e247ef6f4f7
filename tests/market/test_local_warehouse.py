"""The ``local`` source reading a long-format Parquet warehouse (file or partitioned folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError
from eventstudy.market import LocalSource, get_prices, load_panel, register_source

T = pd.Timestamp
DAYS = pd.to_datetime(["2022-01-10", "2022-01-11", "2022-01-12"])


def long_frame() -> pd.DataFrame:
    """Three sessions of two stocks and an index, in long format (values made up)."""
    rows = []
    for i, day in enumerate(DAYS):
        rows.append((day, "600519.SH", 1700.0 + i, 1710.0 + i, 1690.0 + i, 1705.0 + i, 1e6 + i))
        rows.append((day, "000858.SZ", 200.0 + i, 202.0 + i, 198.0 + i, 201.0 + i, 2e6 + i))
        rows.append((day, "000300.SH", 4800.0 + i, 4810.0 + i, 4790.0 + i, 4805.0 + i, 3e8))
    return pd.DataFrame(rows, columns=["date", "symbol", "open", "high", "low", "close", "volume"])


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "daily.parquet"
    long_frame().to_parquet(path, index=False)
    return path


def test_panel_reads_a_long_file(lake: Path) -> None:
    panel = LocalSource(lake).panel(["600519.SH", "000300.SH"], "2022-01-10", "2022-01-12")
    assert panel.close.data.columns.tolist() == ["600519.SH", "000300.SH"]
    assert panel.close.data["600519.SH"].tolist() == [1705.0, 1706.0, 1707.0]
    assert panel.open.data.loc["2022-01-11", "000300.SH"] == 4801.0
    prov = panel.provenance
    assert prov.loc["600519.SH", "adjust"] == "qfq"
    assert prov.loc["000300.SH", "adjust"] == "none"  # indices are unadjusted
    assert prov.loc["600519.SH", "field"] == "open,high,low,close,volume"
    assert prov.loc["600519.SH", "first"] == T("2022-01-10")
    assert prov.loc["600519.SH", "last"] == T("2022-01-12")
    # the warehouse has no amount: listed, never invented
    assert panel.amount.data.empty
    assert sorted(panel.lacking.query("field == 'amount'").symbol) == ["000300.SH", "600519.SH"]


def test_panel_equals_load_panel_through_the_source(lake: Path) -> None:
    """The fast path gives what the per-symbol protocol gives through load_panel."""
    src = LocalSource(lake)
    symbols = ["600519.SH", "000858.SZ", "000300.SH"]
    fast = src.panel(symbols, "2022-01-07", "2022-01-12", fields=["close", "volume"])
    slow = load_panel(symbols, "2022-01-07", "2022-01-12", source=src, fields=["close", "volume"])
    for field in ("close", "volume"):
        pd.testing.assert_frame_equal(fast.frame(field).data, slow.frame(field).data)
        pd.testing.assert_frame_equal(
            fast.frame(field).provenance, slow.frame(field).provenance, check_dtype=False
        )
    pd.testing.assert_frame_equal(fast.provenance, slow.provenance, check_dtype=False)


def test_missing_symbols_raise_or_are_collected(lake: Path) -> None:
    src = LocalSource(lake)
    with pytest.raises(DataUnavailableError, match=r"300750\.SZ.*errors=\"collect\""):
        src.panel(["600519.SH", "300750.SZ"], "2022-01-10", "2022-01-12")
    got = src.panel(["600519.SH", "300750.SZ"], "2022-01-10", "2022-01-12", errors="collect")
    assert got.symbols == ["600519.SH"]
    assert got.failures.to_dict("records")[0]["symbol"] == "300750.SZ"
    assert got.failures.reason.tolist() == ["unavailable"]
    with pytest.raises(DataUnavailableError, match="not in the warehouse"):
        src.fetch("300750.SZ", T("2022-01-10"), T("2022-01-12"), adjust="qfq")
    assert src.has("600519.SH")
    assert not src.has("300750.SZ")


def test_held_symbol_without_rows_in_range_is_a_nan_column(lake: Path) -> None:
    src = LocalSource(lake)
    got = src.panel(["600519.SH"], "2022-02-07", "2022-02-08")
    assert got.close.data["600519.SH"].isna().all()
    assert len(got.close.data) == 2  # the Shanghai sessions of the range
    assert got.failures.empty
    assert src.fetch("600519.SH", T("2022-02-07"), T("2022-02-08"), adjust="qfq").empty


def test_all_symbols_and_the_symbol_list(lake: Path) -> None:
    src = LocalSource(lake)
    assert src.symbols() == ["000300.SH", "000858.SZ", "600519.SH"]
    got = src.panel(None, "2022-01-11", "2022-01-11", fields=["close"])
    assert got.close.data.loc["2022-01-11"].to_dict() == {
        "000300.SH": 4806.0,
        "000858.SZ": 202.0,
        "600519.SH": 1706.0,
    }


def test_cleaning_matches_the_other_sources(tmp_path: Path) -> None:
    frame = long_frame()
    frame.loc[0, "close"] = 0.0  # a zero price: missing, not a price
    frame.loc[1, "volume"] = -5.0  # negative volume: missing
    dup = frame.iloc[[3]].assign(close=9999.0)  # a repeated (date, symbol): the last row wins
    path = tmp_path / "dirty.parquet"
    pd.concat([frame, dup], ignore_index=True).to_parquet(path, index=False)
    src = LocalSource(path)
    got = src.panel(["600519.SH", "000858.SZ"], "2022-01-10", "2022-01-12")
    assert np.isnan(got.close.data.loc["2022-01-10", "600519.SH"])
    assert got.close.data.loc["2022-01-11", "600519.SH"] == 9999.0
    assert np.isnan(got.volume.data.loc["2022-01-10", "000858.SZ"])
    notes = got.provenance["note"]
    assert "1 invalid close value(s)" in notes["600519.SH"]
    assert "1 duplicate date(s) kept the last row" in notes["600519.SH"]
    assert "1 invalid volume value(s)" in notes["000858.SZ"]
    slow = get_prices("600519.SH", "2022-01-10", "2022-01-12", source=src)
    pd.testing.assert_series_equal(slow.data["600519.SH"], got.close.data["600519.SH"])


def test_partitioned_folder_prunes_partitions_outside_the_range(tmp_path: Path) -> None:
    """Partitions outside the date range are never read (a broken one would fail)."""
    root = tmp_path / "lake"
    frame = long_frame()
    for year, shift in ((2021, -365), (2022, 0)):
        part = root / f"year={year}"
        part.mkdir(parents=True)
        frame.assign(date=frame["date"] + pd.Timedelta(days=shift)).to_parquet(
            part / "part-0.parquet", index=False
        )
    broken = root / "year=2023"
    broken.mkdir()
    frame.assign(date=frame["date"] + pd.Timedelta(days=365), close="n/a").to_parquet(
        broken / "part-0.parquet", index=False
    )  # close is text here: reading this partition fails
    src = LocalSource(root)
    assert src.layout == "warehouse"
    got = src.panel(["600519.SH"], "2022-01-10", "2022-01-12", fields=["close"])
    assert got.close.data["600519.SH"].tolist() == [1705.0, 1706.0, 1707.0]
    earlier = src.panel(["600519.SH"], "2021-01-01", "2021-12-31", fields=["close"])
    assert earlier.close.data["600519.SH"].dropna().tolist() == [1705.0, 1706.0, 1707.0]
    with pytest.raises(InputDataError, match="cannot be scanned"):
        src.panel(["600519.SH"], "2023-01-01", "2023-01-31", fields=["close"])


def test_filters_and_columns_are_pushed_down(lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    original = pads.dataset

    class Spy:
        """The real dataset, recording what each scan asks for."""

        def __init__(self, real: pads.Dataset) -> None:
            self.real = real

        def __getattr__(self, name: str) -> object:
            return getattr(self.real, name)

        def to_table(self, **kwargs: object) -> pa.Table:
            seen.append(kwargs)
            return self.real.to_table(**kwargs)

    monkeypatch.setattr(pads, "dataset", lambda *a, **k: Spy(original(*a, **k)))
    got = LocalSource(lake).panel(["600519.SH"], "2022-01-11", "2022-01-11", fields=["close"])
    assert got.close.data.iloc[0, 0] == 1706.0
    assert seen[0]["columns"] == ["date", "symbol", "close"]
    text = str(seen[0]["filter"])
    assert "is_in" in text
    assert "600519.SH" in text
    assert "000858.SZ" not in text
    assert text.count("date") == 2  # start <= date < end + 1 day


def test_partition_by_symbol(tmp_path: Path) -> None:
    root = tmp_path / "by_symbol"
    pads.write_dataset(
        pa.Table.from_pandas(long_frame(), preserve_index=False),
        root,
        format="parquet",
        partitioning=pads.partitioning(pa.schema([("symbol", pa.string())]), flavor="hive"),
    )
    src = LocalSource(root)
    assert src.symbols() == ["000300.SH", "000858.SZ", "600519.SH"]
    got = src.panel(["000858.SZ"], "2022-01-10", "2022-01-12", fields=["close"])
    assert got.close.data["000858.SZ"].tolist() == [201.0, 202.0, 203.0]


@pytest.mark.parametrize(
    "convert",
    [
        lambda d: d.dt.date,  # date32
        lambda d: d.dt.strftime("%Y-%m-%d"),  # ISO text
        lambda d: d.dt.strftime("%Y%m%d"),  # tushare-style text
        lambda d: d.dt.strftime("%Y%m%d").astype(int),  # yyyymmdd integers
        lambda d: d.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"),  # aware stamps
        lambda d: d + pd.Timedelta(hours=15),  # closing time stamps
    ],
)
def test_date_columns_of_every_common_type(tmp_path: Path, convert) -> None:  # type: ignore[no-untyped-def]
    frame = long_frame()
    frame["date"] = convert(frame["date"])
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path, index=False)
    got = LocalSource(path).panel(["600519.SH"], "2022-01-11", "2022-01-12", fields=["close"])
    assert got.close.data.index.tolist() == [T("2022-01-11"), T("2022-01-12")]
    assert got.close.data["600519.SH"].tolist() == [1706.0, 1707.0]


def test_other_spellings_and_column_names(tmp_path: Path) -> None:
    frame = long_frame().rename(columns={"date": "trade_date", "symbol": "ts_code"})
    frame["ts_code"] = frame["ts_code"].map(
        {"600519.SH": "sh600519", "000858.SZ": "000858", "000300.SH": "000300.SH"}
    )
    frame["trade_date"] = frame["trade_date"].dt.strftime("%Y%m%d")
    path = tmp_path / "tushare.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(InputDataError, match=r"columns=\{'trade_date': 'date'"):
        LocalSource(path).panel(["600519.SH"], "2022-01-10", "2022-01-12")
    src = LocalSource(path, columns={"trade_date": "date", "ts_code": "symbol"})
    assert src.symbols() == ["000300.SH", "000858.SZ", "600519.SH"]
    got = src.panel(["600519.SH", "000858.SZ"], "2022-01-10", "2022-01-10", fields=["close"])
    assert got.close.data.iloc[0].tolist() == [1705.0, 201.0]
    register_source("lake", src)
    one = get_prices("000858.SZ", "2022-01-12", "2022-01-12", source="lake")
    assert one.data.iloc[0, 0] == 203.0
    assert one.provenance.loc["000858.SZ", "source"] == "lake"
    with pytest.raises(ConfigError, match="map columns to some of"):
        LocalSource(path, columns={"trade_date": "day"}).panel(None, "2022-01-10", "2022-01-10")


def test_chinese_columns_volume_in_lots(tmp_path: Path) -> None:
    frame = long_frame().rename(
        columns={"date": "日期", "close": "收盘", "volume": "成交量", "open": "开盘"}
    )
    frame = frame.drop(columns=["high", "low"])
    path = tmp_path / "ak.parquet"
    frame.to_parquet(path, index=False)
    got = LocalSource(path).panel(["600519.SH"], "2022-01-10", "2022-01-10")
    assert got.volume.data.iloc[0, 0] == 1e6 * 100  # lots (手) -> shares
    shares = LocalSource(path, chinese_volume="shares").panel(
        ["600519.SH"], "2022-01-10", "2022-01-10"
    )
    assert shares.volume.data.iloc[0, 0] == 1e6


def test_layouts(tmp_path: Path, lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert LocalSource(lake).layout == "warehouse"
    assert LocalSource(tmp_path / "missing").layout == "files"
    parts = tmp_path / "parts"
    parts.mkdir()
    pq.write_table(pa.Table.from_pandas(long_frame(), preserve_index=False), parts / "a.parquet")
    assert LocalSource(parts).layout == "files"  # plain part files: say so
    explicit = LocalSource(parts, layout="warehouse")
    assert explicit.panel(["000858.SZ"], "2022-01-10", "2022-01-10").close.data.iloc[0, 0] == 201.0
    with pytest.raises(ConfigError, match="layout='nope'"):
        LocalSource(parts, layout="nope")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="columns= maps the columns of a warehouse"):
        LocalSource(tmp_path, columns={"d": "date"})
    with pytest.raises(DataUnavailableError, match="does not exist"):
        LocalSource(tmp_path / "none.parquet", layout="warehouse").panel(
            None, "2022-01-10", "2022-01-10"
        )
    monkeypatch.setenv("EVENTSTUDY_LOCAL_PRICES", str(lake))
    pf = get_prices("600519.SH", "2022-01-10", "2022-01-11", source="local")
    assert pf.data["600519.SH"].tolist() == [1705.0, 1706.0]


def test_adjustment_is_declared(lake: Path) -> None:
    with pytest.raises(DataUnavailableError, match="hold qfq prices"):
        get_prices("600519.SH", "2022-01-10", "2022-01-10", source=LocalSource(lake), adjust="hfq")
    raw = LocalSource(lake, adjust="none")
    assert (
        raw.panel(["600519.SH"], "2022-01-10", "2022-01-10").provenance.loc["600519.SH", "adjust"]
        == "none"
    )


def test_panel_of_a_folder_of_files(tmp_path: Path) -> None:
    for symbol, group in long_frame().groupby("symbol"):
        group.drop(columns="symbol").to_csv(tmp_path / f"{symbol}.csv", index=False)
    src = LocalSource(tmp_path)
    assert src.symbols() == ["000300.SH", "000858.SZ", "600519.SH"]
    fast = src.panel(None, "2022-01-10", "2022-01-12", fields=["close"])
    slow = load_panel(src.symbols(), "2022-01-10", "2022-01-12", source=src, fields=["close"])
    pd.testing.assert_frame_equal(fast.close.data, slow.close.data)


def test_bad_arguments(lake: Path) -> None:
    src = LocalSource(lake)
    with pytest.raises(ConfigError, match="fields="):
        src.panel(None, "2022-01-10", "2022-01-10", fields=["price"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="after end"):
        src.panel(None, "2022-01-12", "2022-01-10")
    with pytest.raises(ConfigError, match="errors="):
        src.panel(None, "2022-01-10", "2022-01-10", errors="skip")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a date"):
        src.panel(None, "someday", "2022-01-10")


def test_rows_without_a_usable_symbol_are_ignored(tmp_path: Path) -> None:
    frame = long_frame()
    frame["symbol"] = frame["symbol"].astype(object)
    frame.loc[0, "symbol"] = None  # a missing symbol
    frame.loc[1, "symbol"] = "not a code"
    path = tmp_path / "gaps.parquet"
    frame.to_parquet(path, index=False)
    src = LocalSource(path)
    assert src.symbols() == ["000300.SH", "000858.SZ", "600519.SH"]
    got = src.panel(None, "2022-01-10", "2022-01-12", fields=["close"])
    assert got.close.data.columns.tolist() == ["000300.SH", "000858.SZ", "600519.SH"]
    assert np.isnan(got.close.data.loc["2022-01-10", "600519.SH"])  # its row had no symbol
    assert got.close.data.loc["2022-01-11", "600519.SH"] == 1706.0
    assert np.isnan(got.close.data.loc["2022-01-10", "000858.SZ"])


def test_dates_after_a_symbols_last_row_are_reported_not_served_empty(lake: Path) -> None:
    """Audit: a registered lake ending 2022-01-12 asked for January served NaN rows silently."""
    src = LocalSource(lake)
    pf = get_prices(["600519.SH"], "2022-01-10", "2022-01-31", source=src, errors="collect")
    assert pf.data["600519.SH"].notna().sum() == 3
    fail = pf.failures.set_index("symbol").loc["600519.SH"]
    assert fail["reason"] == "partial"
    assert "2022-01-13..2022-01-28" in fail["message"]  # sessions: 01-31 is a holiday
    assert "the series ends on 2022-01-12" in fail["message"]
    with pytest.raises(DataUnavailableError, match="ends on 2022-01-12") as err:
        get_prices(["600519.SH"], "2022-01-10", "2022-01-31", source=src)
    # the gap is in the user's warehouse: the advice is to add the rows, not to go online
    assert "Add the missing rows to your warehouse" in str(err.value)
    assert "Go online" not in str(err.value)
    inside = get_prices(["600519.SH"], "2022-01-10", "2022-01-12", source=src, errors="collect")
    assert inside.failures.empty
