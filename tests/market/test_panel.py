"""load_panel / MarketPanel: every field from one provider call per symbol."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, DataUnavailableError
from eventstudy.market import (
    MarketPanel,
    get_prices,
    get_returns,
    load_panel,
    register_source,
)

from .fakes import FakeNetworkSource

T = pd.Timestamp
SYMBOLS = ["600519.SH", "000858.SZ", "000300.SH", "BK0896"]


def test_n_symbols_cost_n_provider_calls_not_n_times_fields(cache_dir) -> None:  # type: ignore[no-untyped-def]
    src = FakeNetworkSource()
    register_source("akshare", src)
    panel = load_panel(SYMBOLS, "2022-01-04", "2022-01-28", cache_dir=cache_dir)
    assert [c[0] for c in src.calls] == SYMBOLS  # one call per symbol, all six fields
    assert isinstance(panel, MarketPanel)
    assert panel.fields == ("open", "high", "low", "close", "volume", "amount")
    for fld in panel.fields:
        assert panel[fld].symbols == SYMBOLS
        assert panel[fld].field == fld
        assert panel[fld].data.notna().all().all()
    # every field was cached by that one call: no field needs the network again
    for fld in panel.fields:
        again = get_prices(SYMBOLS, "2022-01-04", "2022-01-28", field=fld, cache_dir=cache_dir)
        pd.testing.assert_frame_equal(again.data, panel[fld].data)
    load_panel(SYMBOLS, "2022-01-04", "2022-01-28", cache_dir=cache_dir)
    assert len(src.calls) == len(SYMBOLS)


def test_one_call_per_symbol_even_without_a_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = FakeNetworkSource()
    register_source("akshare", src)
    (tmp_path / "file").write_text("")
    unwritable = tmp_path / "file" / "cache"  # every cache write fails
    with pytest.warns(UserWarning, match="continuing without caching"):
        panel = load_panel(SYMBOLS, "2022-01-04", "2022-01-28", cache_dir=unwritable)
    assert [c[0] for c in src.calls] == SYMBOLS
    assert panel.open.data.notna().all().all()
    assert "not cached" in panel.provenance.loc["600519.SH", "note"]


def test_get_prices_is_one_field_of_the_panel() -> None:
    a, b = "2021-12-20", "2022-01-14"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BK0896: a labelled proxy
        panel = load_panel(SYMBOLS, a, b, source="bundled")
        for fld in ("close", "volume", "amount"):
            one = get_prices(SYMBOLS, a, b, source="bundled", field=fld)
            pd.testing.assert_frame_equal(panel[fld].data, one.data)
            pd.testing.assert_frame_equal(panel[fld].provenance, one.provenance)
    r = get_returns(SYMBOLS[:3], a, b, source="bundled", trade_to_trade=True)
    pd.testing.assert_frame_equal(panel.returns(trade_to_trade=True).data[SYMBOLS[:3]], r.data)


def test_fields_a_symbol_lacks_are_listed_not_raised() -> None:
    with pytest.warns(UserWarning, match="BK0896"):
        panel = load_panel(["BK0896", "600519.SH"], "2022-01-10", "2022-01-11", source="bundled")
    assert panel.open.symbols == ["600519.SH"]
    assert panel.close.symbols == ["BK0896", "600519.SH"]
    lack = panel.lacking.set_index("field")
    assert lack["symbol"].tolist() == ["BK0896"] * 3
    assert "close, volume and amount only" in lack.loc["open", "message"]
    open_failures = panel.open.failures
    assert open_failures["symbol"].tolist() == ["BK0896"]
    assert open_failures["reason"].tolist() == ["unavailable"]
    assert panel.close.failures.empty
    assert panel.failures.empty
    assert panel.proxies == ["BK0896"]
    prov = panel.provenance
    assert prov.loc["BK0896", "field"] == "close,volume,amount"
    assert prov.loc["600519.SH", "field"] == "open,high,low,close,volume,amount"
    assert int(prov.loc["BK0896", "proxy_members"]) == 6
    assert prov.loc["BK0896", "proxy_of"] == "BK0896"
    # get_prices keeps raising for a field that is not there
    with pytest.raises(DataUnavailableError, match="close, volume and amount only"):
        get_prices("BK0896", "2022-01-10", "2022-01-10", source="bundled", field="high")


def test_to_long_has_one_row_per_date_and_symbol() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_panel(["BK0896", "600519.SH"], "2022-01-10", "2022-01-11", source="bundled",
                           fields=["open", "high", "low", "close"])  # fmt: skip
    long = panel.to_long()
    assert long.columns.tolist() == ["date", "symbol", "open", "high", "low", "close"]
    assert len(long) == 4
    board = long[long["symbol"] == "BK0896"]
    assert board["open"].isna().all()
    assert board["close"].notna().all()
    moutai = long[long["symbol"] == "600519.SH"].set_index("date")
    assert moutai.loc[T("2022-01-10"), "close"] == pytest.approx(1739.49)


def test_collect_lists_unservable_symbols_in_every_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_panel(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-10", offline=True,
                           cache_dir=tmp_path, errors="collect")  # fmt: skip
    assert panel.symbols == ["600519.SH"]
    assert panel.failures["symbol"].tolist() == ["002013.SZ"]
    for fld in panel.fields:
        assert panel[fld].failures["symbol"].tolist() == ["002013.SZ"]
    with pytest.raises(DataUnavailableError, match=r"002013\.SZ"):
        load_panel(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-10", offline=True,
                   cache_dir=tmp_path)  # fmt: skip


def test_a_field_the_source_never_has_is_not_refetched(cache_dir) -> None:  # type: ignore[no-untyped-def]
    class NoAmount(FakeNetworkSource):
        def fetch(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
            return super().fetch(symbol, start, end, adjust=adjust).drop(columns="amount")

    src = NoAmount("yfinance")
    register_source("yfinance", src)
    for _ in range(2):
        panel = load_panel(["NIO", "^GSPC"], "2022-01-03", "2022-01-07", cache_dir=cache_dir)
        assert panel.amount.symbols == []
        assert set(panel.lacking["field"]) == {"amount"}
        assert np.isfinite(panel.close.data.to_numpy()).all()
    assert len(src.calls) == 2  # the second request: everything it can have is cached


def test_panel_input_checks() -> None:
    with pytest.raises(ConfigError, match="fields="):
        load_panel("600519.SH", "2022-01-10", "2022-01-10", source="bundled", fields=["vwap"])  # type: ignore[list-item]
    panel = load_panel("600519.SH", "2022-01-10", "2022-01-10", source="bundled",
                       fields=["close", "close"])  # fmt: skip
    assert panel.fields == ("close",)
    with pytest.raises(ConfigError, match="'open' was not loaded"):
        panel.frame("open")
    assert "MarketPanel(fields=['close'], sessions=1" in repr(panel)


def test_panel_repr_of_many_symbols_is_short(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A whole market's panel is not listed symbol by symbol (the repr was 58,000 characters)."""
    from eventstudy.market import LocalSource

    codes = [f"{600000 + i}.SH" for i in range(500)]
    pd.DataFrame({"date": pd.Timestamp("2022-01-10"), "symbol": codes, "close": 10.0}).to_parquet(
        tmp_path / "lake.parquet"
    )
    panel = LocalSource(tmp_path / "lake.parquet").panel(None, "2022-01-10", "2022-01-10")
    text = repr(panel)
    assert "symbols=500 [600000.SH, " in text
    assert len(text) < 300
