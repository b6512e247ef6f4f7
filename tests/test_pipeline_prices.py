"""The pipeline fetches each symbol once (one provider call gives every field)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from eventstudy.pipeline import run_pipeline


def test_a_run_fetches_each_symbol_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.market.akshare_source import AkshareSource

    calls: list[str] = []

    def fetch(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
        calls.append(symbol)
        days = pd.bdate_range(start, end, name="date")
        close = 100.0 + np.arange(len(days)) % 7  # any positive series
        return pd.DataFrame(
            {"open": close, "high": close + 1, "low": close - 1, "close": close,
             "volume": 1e6, "amount": 1e8},
            index=days,
        )  # fmt: skip

    monkeypatch.setattr(AkshareSource, "fetch", fetch)
    # a cache that cannot be written: no second call can be saved by the cache
    (tmp_path / "not_a_folder").write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "not_a_folder" / "cache"))
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH", "000858.SZ", "BK0896"]},
        "market": {"source": "akshare"},
        "study": {"event_window": [-3, 3], "car_windows": [[0, 1]], "tests": ["t_cross"]},
        "output": {"charts": ["event_price"], "price_charts": 3},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path / "out", offline=False, formats=("html",))
    symbols = {*run.events.frame["symbol"].astype(str), run.config.market.benchmark}
    # once each: not once per field, nor again for the price charts
    assert sorted(calls) == sorted(symbols)
    assert any("not cached" in str(n) for n in run.prices.provenance["note"])
    assert run.prices is not None
    assert set(run.prices.symbols) == symbols
    assert not run.prices.provenance["is_proxy"].any()  # the board's own series, not a proxy
