"""The registered "auto" fallback policy and the source registry."""

from __future__ import annotations

import warnings
from typing import get_args

import pandas as pd
import pytest

from eventstudy._typing import SourceName
from eventstudy.exceptions import ConfigError, DataUnavailableError, OfflineFallbackWarning
from eventstudy.market import (
    DEFAULT_ROUTES,
    FallbackPolicy,
    PriceSource,
    available_sources,
    get_prices,
    get_source,
    load_panel,
    register_source,
)
from eventstudy.market.akshare_source import AkshareSource
from eventstudy.market.local import LocalSource
from eventstudy.market.yfinance_source import YFinanceSource

from .fakes import FakeNetworkSource

T = pd.Timestamp


def test_available_sources_and_get_source_agree() -> None:
    names = available_sources()
    assert names == sorted(get_args(SourceName))  # the built-in names, defined once
    for name in names:
        if name == "local":  # needs a folder: refused with a message, but it is known
            with pytest.raises(ConfigError, match="EVENTSTUDY_LOCAL_PRICES"):
                get_source(name)
            continue
        assert isinstance(get_source(name), PriceSource)
    assert isinstance(get_source("auto"), FallbackPolicy)
    with pytest.raises(ConfigError, match="unknown price source 'nope'"):
        get_source("nope")


def test_default_routes_document_the_order() -> None:
    auto = get_source("auto")
    assert isinstance(auto, FallbackPolicy)
    assert dict(auto.routes) == dict(DEFAULT_ROUTES)
    assert auto.route("600519.SH") == auto.route("000300.SH") == ("akshare", "tencent")
    assert auto.route("BK0896") == ("akshare",)
    assert auto.route("930050.CSI") == ("akshare", "tencent")  # tencent.has() says no: skipped
    assert auto.route("00700.HK") == auto.route("^GSPC") == ("yfinance",)
    from eventstudy.market import policy

    assert "``stock`` A-share (SH, SZ, BJ)        ``akshare`` (Eastmoney), ``tencent``" in (
        policy.__doc__ or ""
    )


def test_builtin_sources_say_what_they_may_have(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ak, yf = AkshareSource(), YFinanceSource()
    assert [ak.has(s) for s in ("600519.SH", "000300.SH", "BK0896", "NIO", "00700.HK")] == [
        True, True, True, False, False]  # fmt: skip
    assert [yf.has(s) for s in ("NIO", "600519.SH", "^GSPC", "BK0896", "930050.CSI")] == [
        True, True, True, False, False]  # fmt: skip
    (tmp_path / "600519.SH.csv").write_text("date,close\n2022-01-10,1.0\n")
    local = LocalSource(tmp_path)
    assert [local.has("600519.SH"), local.has("000858.SZ")] == [True, False]
    bundled = get_source("bundled")
    assert [bundled.has("600519.SH"), bundled.has("BK0896")] == [True, False]
    auto = get_source("auto")
    assert [auto.has("BK0896"), auto.has("NIO")] == [True, True]
    assert auto.served_adjust("000300.SH", "qfq") == "none"
    assert auto.served_adjust("600519.SH", "qfq") == "qfq"


def test_second_live_source_of_a_kind_stands_in(cache_dir) -> None:  # type: ignore[no-untyped-def]
    down = FakeNetworkSource("akshare", fail=lambda s: ConnectionError("no route"))
    spare = FakeNetworkSource("yfinance")
    register_source("akshare", down)
    register_source("yfinance", spare)
    register_source("auto", FallbackPolicy(get_source, routes={"stock": ("akshare", "yfinance")}))
    pf = get_prices(["600519.SH", "000858.SZ"], "2022-01-04", "2022-01-07", cache_dir=cache_dir)
    assert pf.provenance["source"].tolist() == ["yfinance", "yfinance"]
    assert pf.data.notna().all().all()
    # the connection failure kept akshare down for the second symbol: one attempt per request
    assert [c[0] for c in down.calls] == ["600519.SH"]
    assert [c[0] for c in spare.calls] == ["600519.SH", "000858.SZ"]
    # a new request tries the first source again
    get_prices("601318.SH", "2022-01-04", "2022-01-07", cache_dir=cache_dir)
    assert [c[0] for c in down.calls] == ["600519.SH", "601318.SH"]


def test_a_source_down_stays_down_for_every_field_and_symbol(cache_dir) -> None:  # type: ignore[no-untyped-def]
    down = FakeNetworkSource("akshare", fail=lambda s: ConnectionError("no route"))
    register_source("akshare", down)
    register_source("tencent", FakeNetworkSource("tencent", fail=lambda s: ConnectionError("x")))
    with pytest.warns(OfflineFallbackWarning, match="akshare failed"):
        panel = load_panel(["600519.SH", "000858.SZ", "000300.SH"], "2022-01-04", "2022-01-07",
                           cache_dir=cache_dir)  # fmt: skip
    assert len(down.calls) == 1
    assert set(panel.provenance["source"]) == {"bundled"}
    assert panel.volume.data.notna().all().all()


def test_kind_without_live_source_uses_the_snapshot_or_says_so(cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("auto", FallbackPolicy(get_source, routes={"foreign": ("yfinance",)}))
    with pytest.raises(DataUnavailableError, match="no live source for stock"):
        get_prices("600519.SH", "2022-01-04", "2022-01-07", cache_dir=cache_dir)
    with pytest.raises(ConfigError, match="unknown kinds"):
        FallbackPolicy(get_source, routes={"bond": ("akshare",)})  # type: ignore[dict-item]


def test_policy_is_a_price_source_itself(cache_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(cache_dir))
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    auto = get_source("auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # offline: served from the snapshot
        bars = auto.fetch("600519.SH", T("2022-01-10"), T("2022-01-11"), adjust="qfq")
    assert bars.loc["2022-01-10", "close"] == pytest.approx(1739.49)
    assert list(bars.columns) == ["open", "high", "low", "close", "volume", "amount"]
    with pytest.raises(DataUnavailableError, match=r"NIO: 2022-01-10\.\.2022-01-11"):
        auto.fetch("NIO", T("2022-01-10"), T("2022-01-11"), adjust="qfq")


def test_a_source_without_has_is_deprecated_but_served() -> None:
    class Old:
        name, network = "old", False

        def served_adjust(self, symbol: str, adjust: str) -> str:
            return "none"

        def fetch(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
            return pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex([start], name="date"))

    with pytest.warns(DeprecationWarning, match="has no has"):
        register_source("old", Old())
    assert get_source("old").has("NIO")
    pf = get_prices("NIO", "2022-01-10", "2022-01-10", source="old")
    assert pf.data["NIO"].tolist() == [1.0]
    assert pf.provenance.loc["NIO", "source"] == "old"
    with pytest.warns(DeprecationWarning, match="has no has"):
        direct = get_prices("NIO", "2022-01-10", "2022-01-10", source=Old())
    assert direct.data["NIO"].tolist() == [1.0]
    with pytest.raises(ConfigError, match=r"neither a PriceSource"):
        register_source("bad", 42)  # type: ignore[arg-type]
