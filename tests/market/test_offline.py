"""Offline mode never touches the network; auto falls back and says so."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from eventstudy.exceptions import (
    DataUnavailableError,
    OfflineFallbackWarning,
    ProviderError,
    ProxyWarning,
)
from eventstudy.market import get_prices, register_source
from eventstudy.market.akshare_source import AkshareSource
from eventstudy.market.yfinance_source import YFinanceSource

from .fakes import FakeNetworkSource

T = pd.Timestamp


def test_offline_never_opens_a_socket_and_lists_missing(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    # real (default) network sources: any socket use would raise AssertionError
    with pytest.raises(DataUnavailableError) as info:
        get_prices(["NIO", "^GSPC"], "2022-01-03", "2022-01-14", offline=True, cache_dir=cache_dir)
    msg = str(info.value)
    assert "NIO: 2022-01-03..2022-01-14" in msg
    assert "^GSPC: 2022-01-03..2022-01-14" in msg
    assert info.value.missing == {  # type: ignore[attr-defined]
        "NIO": [(T("2022-01-03"), T("2022-01-14"))],
        "^GSPC": [(T("2022-01-03"), T("2022-01-14"))],
    }
    assert no_network == []


def test_offline_lists_exactly_the_uncached_ranges(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("yfinance", FakeNetworkSource("yfinance"))
    get_prices("NIO", "2022-01-10", "2022-01-20", source="yfinance", cache_dir=cache_dir)
    with pytest.raises(DataUnavailableError) as info:
        get_prices(["NIO", "^GSPC"], "2022-01-03", "2022-01-31", offline=True, cache_dir=cache_dir)
    assert info.value.missing == {  # type: ignore[attr-defined]
        # business days only: the weekend 01-08/09 before the cached range is not "missing"
        "NIO": [(T("2022-01-03"), T("2022-01-07")), (T("2022-01-21"), T("2022-01-31"))],
        "^GSPC": [(T("2022-01-03"), T("2022-01-31"))],
    }
    # the covered part alone works offline
    pf = get_prices("NIO", "2022-01-10", "2022-01-20", offline=True, cache_dir=cache_dir)
    assert pf.provenance.loc["NIO", "source"] == "yfinance"


def test_env_var_switches_offline(no_network, cache_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    with pytest.raises(DataUnavailableError):
        get_prices("NIO", "2022-01-03", "2022-01-14", cache_dir=cache_dir)


def test_study_request_works_offline_from_the_snapshot(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    # offline, the snapshot is what was asked for: no fallback warning; one for the proxy
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pf = get_prices(["BK0896", "000300.SH"], "2021-12-01", "2022-02-28", offline=True,
                        cache_dir=cache_dir)  # fmt: skip
    assert [w.category for w in caught] == [ProxyWarning], [str(w.message) for w in caught]
    assert "BK0896" in str(caught[0].message)
    assert caught[0].filename == __file__  # at the caller's line
    assert pf.provenance.loc["BK0896", "is_proxy"]
    assert pf.provenance.loc["000300.SH", "source"] == "bundled"
    assert "fallback: offline" in pf.provenance.loc["000300.SH", "note"]
    assert round(pf.data.loc["2022-01-10", "000300.SH"], 2) == 4844.05
    assert pf.data.notna().all().all()


def test_offline_beyond_the_snapshot_is_reported(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineFallbackWarning)  # offline: asked for, no warning
        with pytest.raises(DataUnavailableError) as info:
            get_prices("600519.SH", "2026-06-01", "2026-07-10", offline=True, cache_dir=cache_dir)
    (ranges,) = info.value.missing.values()  # type: ignore[attr-defined]
    assert ranges == [(T("2026-06-17"), T("2026-07-10"))]


def test_cache_is_preferred_offline(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("akshare", FakeNetworkSource())
    get_prices("BK0896", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    pf = get_prices("BK0896", "2022-01-04", "2022-01-31", offline=True, cache_dir=cache_dir)
    assert pf.provenance.loc["BK0896", "source"] == "akshare"
    assert not pf.provenance.loc["BK0896", "is_proxy"]


def test_auto_falls_back_when_the_network_fails(cache_dir) -> None:  # type: ignore[no-untyped-def]
    fake = FakeNetworkSource(fail=lambda s: ConnectionError("no route"))
    second = FakeNetworkSource("tencent", fail=lambda s: ConnectionError("no route"))
    register_source("akshare", fake)
    register_source("tencent", second)
    with pytest.warns(OfflineFallbackWarning, match="akshare failed"):
        pf = get_prices(["600519.SH", "000858.SZ"], "2022-01-04", "2022-01-31", cache_dir=cache_dir)
    assert pf.provenance["source"].tolist() == ["bundled", "bundled"]
    assert len(fake.calls) == 1  # connection failure: the second symbol did not retry the network
    assert len(second.calls) == 1  # nor the second live source


def test_auto_raises_provider_error_when_nothing_stands_in(cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("yfinance", FakeNetworkSource("yfinance", fail=lambda s: TimeoutError("slow")))
    with pytest.raises(ProviderError) as info:
        get_prices("NIO", "2022-01-04", "2022-01-31", cache_dir=cache_dir)
    assert info.value.symbol == "NIO"
    assert info.value.attempts == 3
    assert isinstance(info.value.cause, TimeoutError)


def test_routing(cache_dir) -> None:  # type: ignore[no-untyped-def]
    ak, yf = FakeNetworkSource("akshare"), FakeNetworkSource("yfinance")
    register_source("akshare", ak)
    register_source("yfinance", yf)
    get_prices(["600519.SH", "000300.SH", "BK0896", "^GSPC", "NIO", "00700.HK"],
               "2022-01-04", "2022-01-07", cache_dir=cache_dir)  # fmt: skip
    assert [c[0] for c in ak.calls] == ["600519.SH", "000300.SH", "BK0896"]
    assert [c[0] for c in yf.calls] == ["^GSPC", "NIO", "00700.HK"]


def test_real_sources_offline_are_never_called(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    """With injected fetchers that would fail the test if called."""

    def never(*a: object, **k: object) -> pd.DataFrame:
        raise AssertionError("fetcher called offline")

    register_source("akshare", AkshareSource(fetcher=never))
    register_source("yfinance", YFinanceSource(download=never))
    with pytest.raises(DataUnavailableError, match="NIO"):
        get_prices(["600519.SH", "NIO"], "2022-01-04", "2022-01-07", offline=True,
                   cache_dir=cache_dir)  # fmt: skip


def test_offline_partial_cache_is_served_and_reported_partial(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Review finding 7: the cached part is kept; only the gaps are missing."""
    register_source("yfinance", FakeNetworkSource("yfinance"))
    cached = get_prices("NIO", "2022-01-10", "2022-01-20", source="yfinance", cache_dir=cache_dir)
    for source in ("yfinance", "auto"):
        pf = get_prices(["NIO"], "2022-01-03", "2022-01-31", offline=True, source=source,
                        cache_dir=cache_dir, errors="collect")  # fmt: skip
        assert pf.failures["reason"].tolist() == ["partial"]
        assert "2022-01-03..2022-01-0" in pf.failures["message"].iloc[0]
        assert "2022-01-21..2022-01-31" in pf.failures["message"].iloc[0]
        pd.testing.assert_series_equal(pf["NIO"].dropna(), cached["NIO"], check_freq=False)


def _bundled_like_source() -> FakeNetworkSource:
    """akshare stand-in: the bundled 600519.SH closes up to 2026-06-16, then new days."""
    from eventstudy.market import get_source

    class Src(FakeNetworkSource):
        def fetch(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
            self.calls.append((symbol, start, end))
            old = get_source("bundled").fetch(symbol, start, end, adjust="qfq")
            new_days = pd.bdate_range(max(start, T("2026-06-17")), end)
            new = pd.DataFrame({"close": 1400.0 + pd.Series(range(len(new_days))).to_numpy()},
                               index=pd.DatetimeIndex(new_days, name="date"))  # fmt: skip
            return pd.concat([old[["close"]] * self.factor, new])

    return Src()


def test_offline_cache_gaps_filled_from_the_bundled_snapshot(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    src = _bundled_like_source()
    register_source("akshare", src)
    get_prices("600519.SH", "2026-06-10", "2026-06-30", source="akshare", cache_dir=cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineFallbackWarning)  # offline: asked for, no warning
        pf = get_prices("600519.SH", "2026-06-01", "2026-06-30", offline=True,
                        cache_dir=cache_dir, errors="collect")  # fmt: skip
    assert pf.failures.empty
    s = pf["600519.SH"]
    assert s.loc["2026-06-01":"2026-06-30"].notna().all()
    assert s.loc["2026-06-22"] == 1400.0 + 3  # from the cache, beyond the snapshot
    bundled = get_prices("600519.SH", "2026-06-01", "2026-06-09", source="bundled").data
    assert s.loc["2026-06-01":"2026-06-09"].tolist() == bundled["600519.SH"].tolist()
    note = pf.provenance.loc["600519.SH", "note"]
    assert "bundled snapshot" in note
    assert "2026-06-01..2026-06-09" in note


def test_offline_cache_on_another_basis_is_not_spliced_with_the_snapshot(
    no_network, cache_dir
) -> None:  # type: ignore[no-untyped-def]
    src = _bundled_like_source()
    src.factor = 0.97  # cache filled after a dividend: every qfq price 3% lower than the snapshot
    register_source("akshare", src)
    get_prices("600519.SH", "2026-06-10", "2026-06-30", source="akshare", cache_dir=cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf = get_prices("600519.SH", "2026-06-01", "2026-06-30", offline=True,
                        cache_dir=cache_dir, errors="collect")  # fmt: skip
    s = pf["600519.SH"].dropna()
    r = s.pct_change().dropna()
    assert r.loc[:"2026-06-16"].abs().max() < 0.05  # no -3% splice at the junction
    assert pf.failures["reason"].tolist() == ["partial"]
    assert "adjustment bases" in pf.provenance.loc["600519.SH", "note"]


def test_offline_foreign_weekend_is_not_missing(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Review finding 20: non-sessions of a foreign symbol are not reported missing."""
    with pytest.raises(DataUnavailableError) as info:
        get_prices("NIO", "2022-01-01", "2022-01-09", offline=True, cache_dir=cache_dir)
    assert info.value.missing == {"NIO": [(T("2022-01-03"), T("2022-01-07"))]}  # type: ignore[attr-defined]
    pf = get_prices("NIO", "2022-01-08", "2022-01-09", offline=True, cache_dir=cache_dir)
    assert pf.data.shape == (0, 1)
    assert pf.failures.empty


def test_skipped_after_an_earlier_failure_carries_its_attempts(cache_dir) -> None:  # type: ignore[no-untyped-def]
    fake = FakeNetworkSource(fail=lambda s: ConnectionError("no route"))
    register_source("akshare", fake)
    register_source("tencent", FakeNetworkSource("tencent", fail=lambda s: ConnectionError("x")))
    with pytest.raises(ProviderError) as info:  # the error says it all: no fallback warning
        get_prices(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-31", cache_dir=cache_dir)
    err = info.value
    assert err.symbol == "002013.SZ"
    assert err.attempts == 3  # of the earlier failure, not 0
    assert isinstance(err.cause, ConnectionError)
    assert 'errors="collect"' in str(err)
    assert len(fake.calls) == 1


def test_an_unbundled_index_offline_says_what_works(no_network, cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, item 18: a clean range and a suggestion that works (not source='bundled')."""
    with pytest.raises(DataUnavailableError) as info:
        get_prices(["399006.SZ"], "2022-01-04", "2022-01-31", offline=True, cache_dir=cache_dir)
    msg = str(info.value)
    assert "399006.SZ: 2022-01-04..2022-01-28" in msg  # sessions only (01-31: Spring Festival)
    assert "source='bundled'" not in msg
    assert "run once online" in msg
    bundled = msg.split("bundled indices ")[1].split(")")[0].split(", ")
    assert "000300.SH" in bundled
    for index in bundled:  # each suggestion works offline
        get_prices(index, "2022-01-04", "2022-01-31", offline=True, cache_dir=cache_dir)
