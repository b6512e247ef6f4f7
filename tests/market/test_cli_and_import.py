"""`eventstudy cache ls/clear` and the import-time promises."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from eventstudy.cli import main
from eventstudy.market import get_prices, register_source

from .fakes import FakeNetworkSource


def test_cache_ls_and_clear(cache_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    register_source("akshare", FakeNetworkSource())
    get_prices(["600519.SH", "000858.SZ"], "2022-01-04", "2022-01-10", source="akshare",
               cache_dir=cache_dir)  # fmt: skip
    assert main(["cache", "ls", "--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert "12 entries" in out
    assert "600519.SH" in out
    assert "2022-01-04..2022-01-10" in out
    assert main(["cache", "clear", "600519", "--cache-dir", str(cache_dir)]) == 0
    assert "removed 6 cache entries (600519.SH)" in capsys.readouterr().out
    assert main(["cache", "ls", "600519.SH", "--cache-dir", str(cache_dir)]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache-dir", str(cache_dir)]) == 0
    assert "removed 6" in capsys.readouterr().out


def test_cache_clear_bad_symbol_is_bad_input(cache_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["cache", "clear", "000001", "--cache-dir", str(cache_dir)]) == 2
    assert "ambiguous" in capsys.readouterr().err


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, eventstudy; eventstudy.get_prices; eventstudy.board_proxy; "
        "import eventstudy.market.akshare_source, eventstudy.market.yfinance_source; "
        "print(sorted(m for m in ('akshare', 'yfinance', 'plotly') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_frame_repr() -> None:
    pf = get_prices("600519.SH", "2022-01-10", "2022-01-11", source="bundled")
    assert repr(pf).startswith("PriceFrame(field='close', sessions=2")
    assert isinstance(pf.provenance.loc["600519.SH", "first"], pd.Timestamp)
