"""The bundled source and get_prices on it: the snapshot reproduces the source files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, DataUnavailableError, SymbolError
from eventstudy.market import PROVENANCE_COLUMNS, LocalSource, PriceFrame, get_prices


def test_snapshot_values_on_2022_01_10() -> None:
    pf = get_prices(["600519.SH", "000300.SH"], "2022-01-10", "2022-01-10", source="bundled")
    assert pf.data.loc["2022-01-10", "600519.SH"] == pytest.approx(1739.49, abs=1e-9)
    assert round(pf.data.loc["2022-01-10", "000300.SH"], 2) == 4844.05


def test_shape_dtypes_and_provenance() -> None:
    pf = get_prices(["sh600519", "000858.SZ"], "2022-01-01", "2022-01-31", source="bundled")
    assert isinstance(pf, PriceFrame)
    assert pf.symbols == ["600519.SH", "000858.SZ"]
    assert pf.data.index.name == "date"
    assert pf.data.index.tz is None
    assert (pf.data.index == pf.data.index.normalize()).all()
    assert (pf.data.dtypes == np.float64).all()
    assert list(pf.provenance.columns) == PROVENANCE_COLUMNS
    assert pf.provenance["source"].tolist() == ["bundled", "bundled"]
    assert pf.provenance["adjust"].tolist() == ["qfq", "qfq"]
    assert not pf.provenance["is_proxy"].any()
    assert pf.provenance.loc["600519.SH", "first"] == pd.Timestamp("2022-01-04")
    assert pf.field == "close"
    # January 2022 had 19 Shanghai sessions
    assert len(pf.data) == 19
    assert float(pf["600519"].iloc[0]) == float(pf.data["600519.SH"].iloc[0])


def test_end_is_inclusive_and_fields() -> None:
    pf = get_prices("600519.SH", "2022-01-07", "2022-01-10", source="bundled", field="volume")
    assert pf.data.index[-1] == pd.Timestamp("2022-01-10")
    assert pf.data["600519.SH"].tolist() == [2981669.0, 2962670.0]


def test_suspension_is_nan_not_filled() -> None:
    """000002.SZ (Vanke) was suspended from 2015-12-18 to 2016-07-03."""
    pf = get_prices(["000002.SZ", "000300.SH"], "2015-12-15", "2016-07-08", source="bundled")
    vanke = pf.data["000002.SZ"]
    assert vanke.loc["2016-01-04":"2016-06-30"].isna().all()
    assert pf.data["000300.SH"].loc["2016-01-04":"2016-06-30"].notna().all()
    assert vanke.loc["2016-07-04"] > 0


def test_suspended_single_symbol_still_gets_nan_rows() -> None:
    pf = get_prices("000002.SZ", "2016-01-04", "2016-01-08", source="bundled")
    assert len(pf.data) == 5
    assert pf.data["000002.SZ"].isna().all()


def test_adjustment_is_honest() -> None:
    with pytest.raises(DataUnavailableError, match="qfq prices only"):
        get_prices("600519.SH", "2022-01-10", "2022-01-10", source="bundled", adjust="hfq")
    pf = get_prices("000300.SH", "2022-01-10", "2022-01-10", source="bundled", adjust="hfq")
    assert pf.provenance.loc["000300.SH", "adjust"] == "none"


def test_bad_input_messages() -> None:
    with pytest.raises(ConfigError, match="after end"):
        get_prices("600519.SH", "2022-02-01", "2022-01-01", source="bundled")
    with pytest.raises(ConfigError, match="field="):
        get_prices("600519.SH", "2022-01-01", "2022-01-10", source="bundled", field="vwap")  # type: ignore[arg-type]
    with pytest.raises(SymbolError):
        get_prices("000001", "2022-01-01", "2022-01-10", source="bundled")
    # 002013.SZ (中航机电) was absorbed into 600372.SH in 2023: not in the mid-2026 universe
    with pytest.raises(DataUnavailableError, match=r"not in the bundled snapshot.*not_listed"):
        get_prices("002013.SZ", "2022-01-01", "2022-01-10", source="bundled")
    with pytest.raises(ConfigError, match="unknown price source"):
        get_prices("600519.SH", "2022-01-01", "2022-01-10", source="nope")


def test_to_long_roundtrip() -> None:
    pf = get_prices(["000002.SZ", "000300.SH"], "2015-12-15", "2016-01-08", source="bundled")
    long = pf.to_long()
    assert len(long) == int(pf.data.notna().sum().sum())


def test_local_source_shared_layout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "stocks").mkdir()
    (tmp_path / "indices").mkdir()
    (tmp_path / "stocks" / "000001.csv").write_text(
        "date,open,high,low,close,volume,amount\n"
        "2022-01-11,1,1,1,17.50,100,1750\n2022-01-10,1,1,1,17.20,100,1720\n"
    )
    (tmp_path / "indices" / "sh000001.csv").write_text(
        "date,open,close,high,low,volume,amount,turn,pctChg\n"
        "2022-01-10,3579.0,3593.52,3600,3570,1,2,0,0\n"
    )
    src = LocalSource(tmp_path)
    pf = get_prices(["000001.SZ", "000001.SH"], "2022-01-10", "2022-01-11", source=src)
    assert pf.data["000001.SZ"].tolist() == [17.20, 17.50]
    assert pf.data.loc["2022-01-10", "000001.SH"] == 3593.52
    assert np.isnan(pf.data.loc["2022-01-11", "000001.SH"])
    assert pf.provenance.loc["000001.SH", "adjust"] == "none"
    assert "sorted rows by date" in pf.provenance.loc["000001.SZ", "note"]


def test_local_source_generic_parquet_and_registry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.market import register_source

    frame = pd.DataFrame({"date": pd.to_datetime(["2022-01-10"]), "close": [4670.3]})
    frame.to_parquet(tmp_path / "%5EGSPC.parquet")
    register_source("mine", LocalSource(tmp_path, adjust="none"))
    pf = get_prices("^GSPC", "2022-01-01", "2022-01-31", source="mine", adjust="none")
    assert pf.data["^GSPC"].tolist() == [4670.3]  # foreign: no Shanghai sessions added
    with pytest.raises(DataUnavailableError, match="no file"):
        get_prices("NIO", "2022-01-01", "2022-01-31", source="mine", adjust="none")


def test_local_default_needs_a_folder(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EVENTSTUDY_LOCAL_PRICES", raising=False)
    with pytest.raises(ConfigError, match="EVENTSTUDY_LOCAL_PRICES"):
        get_prices("600519.SH", "2022-01-01", "2022-01-10", source="local")


def test_from_series_aligns_unsorted_duplicated_input() -> None:
    stamps = ["2022-01-12", "2022-01-10", "2022-01-11 15:00", "2022-01-12"]
    a = pd.Series([3.0, 1.0, 2.0, 9.0], index=pd.to_datetime(stamps, format="mixed"))
    b = pd.Series([5.0], index=pd.to_datetime(["2022-01-13"]))
    pf = PriceFrame.from_series({"A": a, "B": b}, field="close", source="t", adjust="none")
    assert list(pf.data.index) == list(
        pd.to_datetime(["2022-01-10", "2022-01-11", "2022-01-12", "2022-01-13"])
    )
    assert pf.data["A"].tolist()[:3] == [1.0, 2.0, 9.0]
    assert np.isnan(pf.data.loc["2022-01-13", "A"])
    assert pf.provenance.loc["A", "last"] == pd.Timestamp("2022-01-12")
    assert pf.provenance.loc["B", "first"] == pd.Timestamp("2022-01-13")


@pytest.mark.parametrize(("a", "b"), [("2022-01-08", "2022-01-09"), ("2022-01-01", "2022-01-03")])
def test_range_without_sessions_is_an_empty_panel(a: str, b: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Review finding 4: a weekend/holiday range used to crash with a numpy argmax error."""
    import warnings

    from eventstudy.market import board_proxy, get_returns

    pf = get_prices(["600519.SH", "000300.SH"], a, b, source="bundled")
    assert pf.data.shape == (0, 2)
    assert pf.symbols == ["600519.SH", "000300.SH"]
    assert pf.provenance["first"].isna().all()
    assert pf.provenance["last"].isna().all()
    assert pf.failures.empty
    assert "empty" in repr(pf)
    r = get_returns(["600519.SH", "^GSPC"], a, b, source="bundled", errors="collect")
    assert len(r.data) == 0
    t2t = get_returns("600519.SH", a, b, source="bundled", trade_to_trade=True)
    assert t2t.gaps is not None
    assert len(t2t.gaps) == 0
    for weights in ("equal", "amount"):
        proxy = board_proxy("BK0896", start=a, end=b, source="bundled", weights=weights)  # type: ignore[arg-type]
        assert proxy.data.shape == (0, 1)
        assert bool(proxy.provenance.loc["BK0896", "is_proxy"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = get_prices(["BK0896", "600519.SH"], a, b, offline=True, cache_dir=tmp_path)
    assert auto.data.shape == (0, 2)


def test_provenance_shows_the_registered_name(tmp_path, cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Review finding 19: register_source('my_folder', LocalSource(...)) is 'my_folder'."""
    import warnings

    from eventstudy.datasets import board_members
    from eventstudy.market import register_source

    from .fakes import FakeNetworkSource

    for sym in board_members("BK0896")["symbol"]:
        pd.DataFrame({"date": ["2022-01-10"], "close": [1739.49]}).to_csv(
            tmp_path / f"{sym}.csv", index=False
        )
    register_source("my_folder", LocalSource(tmp_path))
    pf = get_prices("600519.SH", "2022-01-10", "2022-01-10", source="my_folder")
    assert pf.provenance.loc["600519.SH", "source"] == "my_folder"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        board = get_prices("BK0896", "2022-01-10", "2022-01-10", source="my_folder")
    assert board.provenance.loc["BK0896", "source"] == "proxy(my_folder)"
    register_source("eastmoney_mirror", FakeNetworkSource("akshare"))
    net = get_prices("600519.SH", "2022-01-10", "2022-01-10", source="eastmoney_mirror",
                     cache_dir=cache_dir)  # fmt: skip
    assert net.provenance.loc["600519.SH", "source"] == "eastmoney_mirror"


def test_local_source_accepts_common_headers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Review finding 17: Date/Close (any case) and akshare's Chinese names are accepted."""
    (tmp_path / "600519.SH.csv").write_text(
        "Date,Open,CLOSE,Volume\n2022-01-10,1705.87,1739.49,10\n"
    )
    (tmp_path / "000858.SZ.csv").write_text(
        "日期,开盘,收盘,最高,最低,成交量,成交额\n2022-01-10,1.0,2.0,2.5,0.5,296,5792.0\n"
    )
    src = LocalSource(tmp_path)
    pf = get_prices(["600519.SH", "000858.SZ"], "2022-01-10", "2022-01-10", source=src)
    assert pf.data.loc["2022-01-10"].tolist() == [1739.49, 2.0]
    vol = get_prices(["600519.SH", "000858.SZ"], "2022-01-10", "2022-01-10", source=src,
                     field="volume")  # fmt: skip
    # English headers: shares; akshare's Chinese layout: lots (手) of 100 shares
    assert vol.data.loc["2022-01-10"].tolist() == [10.0, 29600.0]
    shares = LocalSource(tmp_path, chinese_volume="shares")
    assert get_prices("000858.SZ", "2022-01-10", "2022-01-10", source=shares,
                      field="volume").data.iloc[0, 0] == 296.0  # fmt: skip
    (tmp_path / "000002.SZ.csv").write_text("when,price\n2022-01-10,1.0\n")
    from eventstudy.exceptions import InputDataError

    with pytest.raises(InputDataError, match=r"accepted.*日期"):
        get_prices("000002.SZ", "2022-01-10", "2022-01-10", source=src)


# -- the whole-market extract next to the long history ------------------------------------


def _extract_close(symbol: str, start: str, end: str) -> pd.Series:
    from eventstudy.reference import load_extract

    df = load_extract([symbol], start=start, end=end, fields=["close"])
    days = pd.DatetimeIndex(df["date"]).astype("datetime64[ns]")
    return pd.Series(df["close"].to_numpy(), index=days, name=symbol)


def test_a_stock_outside_the_47_is_served_from_the_extract_offline(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """002456.SZ (欧菲光) is not in prices.parquet: bundled and auto-offline serve the extract."""
    import warnings

    from eventstudy import datasets

    assert "002456.SZ" not in datasets.sample_symbols()
    want = _extract_close("002456.SZ", "2022-01-04", "2022-01-28")
    assert len(want) == 19
    direct = get_prices("002456.SZ", "2022-01-04", "2022-01-28", source="bundled")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the offline fallback warning
        auto = get_prices("002456.SZ", "2022-01-04", "2022-01-28", offline=True, cache_dir=tmp_path)
    for pf in (direct, auto):
        pd.testing.assert_series_equal(pf.data["002456.SZ"], want, check_names=False,
                                       check_freq=False)  # fmt: skip
        row = pf.provenance.loc["002456.SZ"]
        assert row["source"] == "bundled"
        assert row["adjust"] == "qfq"
        assert not row["is_proxy"]
        assert "bundled dataset: extract (a_shares_2021_2022.parquet" in row["note"]
        assert pf.failures.empty
    assert auto.provenance.loc["002456.SZ", "note"].startswith("fallback: offline")


def test_a_47_stock_is_served_from_the_long_history() -> None:
    pf = get_prices("600519.SH", "2022-01-10", "2022-01-10", source="bundled")
    assert pf.data.iloc[0, 0] == 1739.49  # prices.parquet; the extract has 1743.06 (other qfq base)
    assert _extract_close("600519.SH", "2022-01-10", "2022-01-10").iloc[0] == 1743.06
    note = pf.provenance.loc["600519.SH", "note"]
    assert "bundled dataset: history (prices.parquet" in note
    assert "extract" not in note


def test_a_47_stock_over_2019_2022_is_the_long_history_only() -> None:
    """Never spliced: every value of the request is the history's, none the extract's."""
    from eventstudy import datasets

    pf = get_prices("600519.SH", "2019-01-01", "2022-12-31", source="bundled")
    hist = datasets.sample_prices(["600519.SH"]).set_index("date")["close"]
    hist = hist.loc["2019-01-01":"2022-12-31"]
    got = pf.data["600519.SH"].dropna()
    # same sessions (compared as datetime64[ns]: the resolution differs across pandas versions)
    assert got.index.astype("datetime64[ns]").equals(
        pd.DatetimeIndex(hist.index).astype("datetime64[ns]")
    )
    np.testing.assert_array_equal(got.to_numpy(), hist.to_numpy())
    ext = _extract_close("600519.SH", "2021-07-27", "2022-12-31")
    assert (got.loc[ext.index] != ext).all()  # the two bases differ on every common day
    assert pf.failures.empty


def test_an_extract_stock_over_2019_2022_reports_what_the_extract_lacks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """002456.SZ was listed in 2010: 2019-01..2021-07-26 is a gap, reported, never invented."""
    import warnings

    want = _extract_close("002456.SZ", "2021-07-27", "2022-12-31")
    with pytest.raises(DataUnavailableError, match=r"002456\.SZ: 2019-01-02\.\.2021-07-26"):
        get_prices("002456.SZ", "2019-01-01", "2022-12-31", source="bundled")
    direct = get_prices("002456.SZ", "2019-01-01", "2022-12-31", source="bundled",
                        errors="collect")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = get_prices("002456.SZ", "2019-01-01", "2022-12-31", offline=True,
                          cache_dir=tmp_path, errors="collect")  # fmt: skip
    for pf in (direct, auto):
        got = pf.data["002456.SZ"]
        assert got.loc[:"2021-07-26"].isna().all()
        pd.testing.assert_series_equal(got.dropna(), want, check_names=False, check_freq=False)
        fail = pf.failures.set_index("symbol").loc["002456.SZ"]
        assert fail["reason"] == "partial"
        assert "2019-01-02..2021-07-26" in fail["message"]
        assert "a_shares_2021_2022.parquet" in fail["message"]


def test_extract_gaps_after_its_end_and_not_before_a_listing() -> None:
    after = get_prices("002456.SZ", "2022-12-20", "2023-01-31", source="bundled", errors="collect")
    assert after.data["002456.SZ"].dropna().index.max() == pd.Timestamp("2022-12-30")
    assert "2023-01-03..2023-01-31" in after.failures["message"].iloc[0]
    # 001222.SZ (源飞宠物) listed on 2022-08-18: no earlier dates to miss
    listed = get_prices("001222.SZ", "2021-01-04", "2022-09-30", source="bundled")
    assert listed.failures.empty
    assert listed.provenance.loc["001222.SZ", "first"] == pd.Timestamp("2022-08-18")


def test_the_47_keep_their_history_beyond_the_extract() -> None:
    pf = get_prices(["600519.SH", "000300.SH"], "2010-01-04", "2010-01-08", source="bundled")
    assert pf.failures.empty
    assert pf.data.notna().all().all()
    # the history starts 2010-01-04: Kweichow Moutai (listed 2001) has no 2009 there
    early = get_prices("600519.SH", "2009-12-28", "2010-01-05", source="bundled", errors="collect")
    assert "2009-12-28..2009-12-31" in early.failures["message"].iloc[0]
    # 300750.SZ listed 2018-06-11: nothing missing before
    late = get_prices("300750.SZ", "2018-01-02", "2018-06-15", source="bundled")
    assert late.failures.empty


def test_bundled_symbols_and_datasets() -> None:
    from eventstudy.market import get_source
    from eventstudy.market.bundled import BundledSource, bundled_datasets
    from eventstudy.reference import extract_symbols

    src = get_source("bundled")
    assert isinstance(src, BundledSource)
    syms = set(src.symbols())
    assert set(extract_symbols()) <= syms
    assert {"000300.SH", "000001.SH", "600519.SH"} <= syms
    assert len(syms) == len(extract_symbols()) + 5  # the 47 stocks are in both; 5 indices
    assert not src.has("002013.SZ")
    sets = bundled_datasets()
    assert (sets["history"].first, sets["history"].last) == (
        pd.Timestamp("2010-01-04"),
        pd.Timestamp("2026-06-16"),
    )
    assert sets["extract"].first == pd.Timestamp("2021-07-27")
    assert src.dataset_of("000001.SZ").name == "history"  # type: ignore[union-attr]


def test_extract_has_no_amount() -> None:
    pf = get_prices("002456.SZ", "2022-01-10", "2022-01-10", source="bundled", field="amount",
                    errors="collect")  # fmt: skip
    assert pf.data.shape[1] == 0 or pf.data["002456.SZ"].isna().all()
    assert "provides no 'amount'" in pf.failures["message"].iloc[0]


def test_delisted_stock_reason() -> None:
    from eventstudy.market.bundled import (
        DELISTED_NO_PRICES,
        NO_PRICE_DATA,
        is_delisted,
        no_price_reason,
    )

    assert is_delisted("002013.SZ")  # 中航机电: in the 2023 list, not in 2026-07
    assert not is_delisted("600372.SH")  # 中航机载, which absorbed it
    for other in ("000300.SH", "BK0896", "NIO"):
        assert not is_delisted(other)
    reason, msg = no_price_reason("002013.SZ", "akshare failed")
    assert reason == DELISTED_NO_PRICES == "delisted_no_prices"
    assert msg.startswith("akshare failed; 002013.SZ (中航机电)")
    assert "survivorship" in msg
    said = "002013.SZ is not in the bundled snapshot: the security master marks it not_listed"
    assert no_price_reason("002013.SZ", said) == (DELISTED_NO_PRICES, said)  # not said twice
    assert no_price_reason("BK1036", "no members") == (NO_PRICE_DATA, "no members")


def test_board_proxy_membership_comes_from_the_master() -> None:
    from eventstudy.market import board_proxy
    from eventstudy.reference import load_master

    pf = board_proxy("BK0896", start="2022-01-04", end="2022-01-10", source="bundled")
    note = pf.provenance.loc["BK0896", "note"]
    members = load_master().members("BK0896", as_of="2022-01-04")["symbol"].tolist()
    assert f"({', '.join(members)})" in note
    assert "membership snapshot 2022-12-31 (members_sample), observed after 2022-01-04" in note
    assert "look-ahead" in note
    assert bool(pf.provenance.loc["BK0896", "is_proxy"])
