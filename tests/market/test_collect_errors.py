"""get_prices(errors="collect"): serve what can be served, list the rest with a reason."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eventstudy.exceptions import ConfigError, DataUnavailableError
from eventstudy.market import get_prices, get_returns


def test_offline_collect_keeps_servable_symbols(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 002013.SZ is neither cached nor bundled; offline it cannot be served
    with pytest.raises(DataUnavailableError, match=r"002013\.SZ"):
        get_prices(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-10", offline=True,
                   cache_dir=tmp_path)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf = get_prices(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-10", offline=True,
                        cache_dir=tmp_path, errors="collect")  # fmt: skip
    assert pf.symbols == ["600519.SH"]
    assert pf.failures["symbol"].tolist() == ["002013.SZ"]
    assert pf.failures["reason"].tolist() == ["unavailable"]
    assert "2022-01-04" in pf.failures["message"].iloc[0]
    assert pf["600519.SH"].loc["2022-01-10"] == pytest.approx(1739.49)


def test_partial_coverage_is_kept_and_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the bundled stocks end on 2026-06-16: offline, later dates are missing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf = get_prices(["600519.SH"], "2026-06-10", "2026-06-30", offline=True,
                        cache_dir=tmp_path, errors="collect")  # fmt: skip
    assert pf.failures["reason"].tolist() == ["partial"]
    assert "600519.SH" in pf.symbols
    assert np.isfinite(pf["600519.SH"].loc["2026-06-16"])


def test_provider_failure_collected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.market import register_source

    from .fakes import FakeNetworkSource

    register_source("akshare", FakeNetworkSource(fail=lambda s: RuntimeError("akshare failed")))
    register_source(
        "tencent", FakeNetworkSource("tencent", fail=lambda s: RuntimeError("tencent failed"))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = get_returns(["600519.SH", "002013.SZ"], "2022-01-04", "2022-01-10",
                        cache_dir=tmp_path, errors="collect")  # fmt: skip
    # 600519.SH falls back to the bundled snapshot; 002013.SZ has nothing to fall back on
    assert r.symbols == ["600519.SH"]
    assert r.failures.set_index("symbol").loc["002013.SZ", "reason"] == "provider_failed"
    assert r.provenance.loc["600519.SH", "note"].startswith("fallback")


def test_bad_policy_rejected() -> None:
    with pytest.raises(ConfigError, match="errors='ignore'"):
        get_prices(["600519.SH"], "2022-01-04", "2022-01-10", source="bundled", errors="ignore")  # type: ignore[arg-type]


def test_complete_request_has_empty_failures() -> None:
    pf = get_prices(["600519.SH"], "2022-01-04", "2022-01-10", source="bundled")
    assert pf.failures.empty
    assert pf.failures.columns.tolist() == ["symbol", "reason", "message"]


def test_live_failure_serves_the_snapshots_part_as_offline_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Network down (offline not set): an extract-only stock is served for the dates the
    bundled extract covers, the rest reported 'partial', exactly as offline."""
    from eventstudy.market import register_source

    from .fakes import FakeNetworkSource

    register_source("akshare", FakeNetworkSource(fail=lambda s: RuntimeError("akshare failed")))
    register_source(
        "tencent", FakeNetworkSource("tencent", fail=lambda s: RuntimeError("tencent failed"))
    )
    args = (["002456.SZ"], "2021-06-01", "2021-08-31")  # the extract starts 2021-07-27
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        online = get_prices(*args, cache_dir=tmp_path, errors="collect")
        offline = get_prices(*args, cache_dir=tmp_path / "o", errors="collect", offline=True)
    assert online.symbols == offline.symbols == ["002456.SZ"]
    np.testing.assert_array_equal(
        online["002456.SZ"].dropna().to_numpy(), offline["002456.SZ"].dropna().to_numpy()
    )
    assert online.failures["reason"].tolist() == ["partial"]
    assert "akshare failed" in online.failures["message"].iloc[0]
    assert online.provenance.loc["002456.SZ", "note"].startswith("fallback")
