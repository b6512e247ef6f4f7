"""A-share daily price limits (eventstudy.backtesting.limits): the vectorised board rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtesting.limits import CHINEXT_REFORM, limit_pairs, price_limit
from eventstudy.exceptions import SymbolError
from eventstudy.symbols import parse_symbol

SYMBOLS = [
    "600519.SH", "000858.SZ", "300750.SZ", "301001.SZ", "688981.SH", "689009.SH",
    "920001.BJ", "830799.BJ", "430047.BJ", "510300.SH", "159915.SZ", "900901.SH",
    "200002.SZ", "000300.SH", "399006.SZ", "899050.BJ", "BK0896", "00700.HK", "AAPL",
    "sh688001", "sz300750", "600519", "bj920001",
]  # fmt: skip


def _one(symbol: str, st: bool) -> tuple[float, float]:
    """The limit table of the module docstring, one symbol at a time."""
    sym = parse_symbol(symbol)
    if sym.kind != "stock":
        return (np.nan, np.nan)
    if sym.market == "BJ":
        return (0.3, 0.3)
    if sym.code[:3] in ("688", "689"):
        return (0.2, 0.2)
    if sym.code[:3] in ("300", "301"):
        return (0.05 if st else 0.1, 0.2)
    return (0.05, 0.05) if st else (0.1, 0.1)


@pytest.mark.parametrize("st", [(), ("600519.SH", "300750.SZ", "688981.SH", "920001.BJ")])
def test_price_limit_is_the_board_table_on_each_symbol_and_date(st: tuple[str, ...]) -> None:
    dates = pd.bdate_range(CHINEXT_REFORM - pd.Timedelta(days=5), periods=6)
    got = price_limit(SYMBOLS, dates, st_symbols=st)
    want = np.array([_one(s, s in st) for s in SYMBOLS])  # (S, 2)
    after = np.asarray(dates >= CHINEXT_REFORM)
    assert after.any()
    assert not after.all()
    np.testing.assert_array_equal(got, np.where(after[:, None], want[:, 1], want[:, 0]))
    np.testing.assert_array_equal(limit_pairs(SYMBOLS, st), want)


def test_not_a_symbol_raises_unless_not_strict() -> None:
    with pytest.raises(SymbolError, match="'my col' is not a valid symbol"):
        price_limit(["600519.SH", "my col"], pd.to_datetime(["2022-01-10"]))
    pairs = limit_pairs(["600519.SH", "my col", "920001.SH"], strict=False)
    assert pairs[0].tolist() == [0.1, 0.1]
    assert np.isnan(pairs[1:]).all()  # 920001.SH: not a code Shanghai uses


def test_no_symbols_or_no_dates() -> None:
    assert price_limit([], pd.to_datetime(["2022-01-10"])).shape == (1, 0)
    assert price_limit(["600519.SH"], pd.DatetimeIndex([])).shape == (0, 1)
    assert limit_pairs([]).shape == (0, 2)
