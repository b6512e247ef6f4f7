"""A backtest whose events are all past the price data: data unavailable (issue 13, item 16)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.cli import EXIT_DATA_UNAVAILABLE, main
from eventstudy.exceptions import DataUnavailableError

#: After the bundled stocks' end (2026-06-16), before the CSI 300's (2026-07-31).
EVENTS = pd.DataFrame(
    {
        "event_id": ["a", "b"],
        "symbol": ["600519.SH", "000858.SZ"],
        "published_at": ["2026-07-01 10:00+08:00", "2026-07-02 10:00+08:00"],
    }
)


def test_backtest_past_the_data_raises_naming_the_end(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataUnavailableError, match="ends on 2026-06-16") as info:
            backtest(EVENTS, hold=5, offline=True, placebo=0)
    assert "none of the 2 events has prices" in str(info.value)


def test_cli_backtest_past_the_data_exits_3(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    EVENTS.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "bt.toml").write_text(
        '[events]\ncsv = "events.csv"\n[market]\noffline = true\n'
        '[placebo]\nruns = 0\n[output]\ndir = "out"\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["backtest", str(tmp_path / "bt.toml")])
    err = capsys.readouterr().err
    assert code == EXIT_DATA_UNAVAILABLE, err
    assert "ends on 2026-06-16" in err
