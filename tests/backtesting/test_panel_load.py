"""PricePanel.load: one load_panel request, one provider call per symbol, exact bounds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.backtesting.panel import PricePanel
from eventstudy.calendar import default_calendar
from eventstudy.exceptions import OfflineFallbackWarning, ProxyWarning


@pytest.fixture
def provider(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """akshare replaced by synthetic bars; the calls are recorded; the cache cannot be written."""
    from eventstudy.market.akshare_source import AkshareSource

    calls: list[tuple[str, pd.Timestamp, pd.Timestamp]] = []

    def fetch(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
        calls.append((symbol, start, end))
        days = pd.bdate_range(start, end, name="date")
        close = 100.0 * 1.001 ** np.arange(len(days))
        return pd.DataFrame(
            {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
             "volume": 1e6, "amount": 1e8},
            index=days,
        )  # fmt: skip

    monkeypatch.setattr(AkshareSource, "fetch", fetch)
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "file" / "cache"))
    return calls


def test_backtest_loads_each_symbol_once_over_exact_bounds(provider) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame({"event_id": ["a", "b"], "symbol": ["600519.SH", "000858.SZ"],
                       "day0": ["2022-01-10", "2022-03-01"]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "not cached"
        res = backtest(ev, hold=5, placebo=20, placebo_window=30, max_exit_delay=4, seed=1)
    assert sorted(c[0] for c in provider) == ["000300.SH", "000858.SZ", "600519.SH"]
    assert res.n_trades == 2
    cal = default_calendar()
    start, end = provider[0][1], provider[0][2]
    # 30 placebo sessions + the previous close before the first day 0 ...
    assert len(cal.range(start, "2022-01-10")) == 30 + 1 + 1
    # ... and 30 + next open + 5 held + 4 delayed sessions after the last
    assert len(cal.range("2022-03-01", end)) == 30 + 1 + 5 + 4 + 1


def test_a_board_proxy_keeps_its_closes_and_warnings_are_not_swallowed(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with pytest.warns(ProxyWarning, match="BK0896"):
        panel, failed = PricePanel.load(["BK0896", "600519.SH", "002013.SZ"],
                                        pd.Timestamp("2022-01-04"), pd.Timestamp("2022-01-14"),
                                        source="bundled")  # fmt: skip
    assert set(failed) == {"002013.SZ"}
    assert "unavailable" in failed["002013.SZ"]
    board = panel.column("BK0896")
    assert np.isfinite(panel.close[:, board]).all()
    assert np.isnan(panel.open[:, board]).all()
    assert panel.proxies == frozenset({"BK0896"})
    assert "PROXY" in panel.provenance
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineFallbackWarning)  # offline: the snapshot was asked
        PricePanel.load(["600519.SH"], pd.Timestamp("2022-01-04"), pd.Timestamp("2022-01-14"),
                        offline=True)  # fmt: skip
