"""The full-market price extract reproduces its source exactly and stays within the data budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.datasets import data_dir, sample_prices
from eventstudy.exceptions import InputDataError, UnknownSymbolError
from eventstudy.reference import EXTRACT_FILE, extract_info, extract_symbols, load_extract
from eventstudy.symbols import normalize

# Values read from ../shared/data/market_full/a_shares_daily.parquet (the extract's source)
# when the extract was built; 600519.SH closing at 1743.06 on 2022-01-10 is also quoted in
# the shared data README. 000937.SZ has negative forward-adjusted prices in 2021;
# 600010.SH on 2021-09-01 is the largest volume in the period. The source records the
# volumes of 000xxx.SZ stocks in lots (000001.SZ: 1357551, 000937.SZ: 197203 on these days);
# the extract holds them in shares, x 100 (data/volume_units.csv).
EXPECTED = [
    ("600519.SH", "2022-01-10", 1705.07, 1754.06, 1694.61, 1743.06, 2962670.0),
    ("600519.SH", "2022-12-30", 1556.64, 1573.63, 1547.64, 1547.64, 2533300.0),
    ("000001.SZ", "2021-07-27", 16.43, 16.55, 15.16, 15.32, 135755100.0),
    ("300750.SZ", "2022-05-30", 203.05, 205.77, 201.11, 202.77, 12529500.0),
    ("000937.SZ", "2021-08-03", -0.02, 0.04, -0.03, 0.01, 19720300.0),
    ("600010.SH", "2021-09-01", 4.12, 4.12, 3.74, 3.78, 4114453026.0),
]
FIELDS = ["open", "high", "low", "close", "volume"]


@pytest.fixture(scope="module")
def full() -> pd.DataFrame:
    return load_extract()


@pytest.mark.parametrize("row", EXPECTED, ids=lambda r: f"{r[0]}-{r[1]}")
def test_values_equal_the_source_exactly(
    row: tuple[str, str, float, float, float, float, float],
) -> None:
    symbol, day, *values = row
    got = load_extract([symbol], start=day, end=day)
    assert len(got) == 1
    assert got[FIELDS].iloc[0].tolist() == values  # exact float equality, no tolerance


def test_whole_extract_shape(full: pd.DataFrame) -> None:
    assert full.columns.tolist() == ["date", "symbol", *FIELDS]
    assert len(full) == 1_569_421
    assert full["symbol"].nunique() == 4760
    assert str(full["date"].min().date()) == "2021-07-27"
    assert str(full["date"].max().date()) == "2022-12-30"
    assert (full[FIELDS].dtypes == np.float64).all()
    assert not full.duplicated(["symbol", "date"]).any()
    assert full.equals(full.sort_values(["symbol", "date"]).reset_index(drop=True))
    cents = full[["open", "high", "low", "close"]].to_numpy() * 100
    assert np.array_equal(np.round(cents) / 100, full[["open", "high", "low", "close"]].to_numpy())


def test_symbols_cover_the_source_universe(full: pd.DataFrame) -> None:
    info = extract_info()
    symbols = extract_symbols()
    assert symbols == sorted(full["symbol"].unique())
    assert all(normalize(s) == s for s in symbols)
    # the source holds 5,202 stocks (shared README); those listed after 2022-12-31 have no rows
    assert info["source_symbols"] == 5202
    later = info["symbols_without_rows"]
    assert len(symbols) + len(later) == 5202
    assert not set(later) & set(symbols)
    assert (info["adjust"], info["start"], info["end"]) == ("qfq", "2021-07-27", "2022-12-31")
    assert info["rows"] == len(full)


def test_filters(full: pd.DataFrame) -> None:
    one = load_extract(["sh600519"], start="2022-01-01", end="2022-01-31", fields=["close"])
    assert one.columns.tolist() == ["date", "symbol", "close"]
    expected = full[
        (full.symbol == "600519.SH") & (full.date >= "2022-01-01") & (full.date <= "2022-01-31")
    ]
    assert one["close"].tolist() == expected["close"].tolist()
    assert one["date"].tolist() == expected["date"].tolist()
    day = load_extract(start="2022-01-10", end=pd.Timestamp("2022-01-10"))
    assert len(day) == (full.date == "2022-01-10").sum()
    assert load_extract(["600519.SH"], fields=["volume", "open"]).columns.tolist() == [
        "date",
        "symbol",
        "volume",
        "open",
    ]


def test_errors() -> None:
    later = extract_info()["symbols_without_rows"][0]
    with pytest.raises(UnknownSymbolError, match="listed after 2022-12-31"):
        load_extract([later])
    with pytest.raises(UnknownSymbolError, match="survivorship"):
        load_extract(["000300.SH"])
    with pytest.raises(InputDataError, match="amount"):
        load_extract(["600519.SH"], fields=["amount"])
    with pytest.raises(InputDataError, match="is after"):
        load_extract(start="2022-02-01", end="2022-01-01")
    with pytest.raises(InputDataError, match="not a date"):
        load_extract(start="soon")


LOTS_PREFIX = r"000\d{3}\.SZ"  # the stocks whose source volumes are in lots of 100 shares


def test_volume_corrections_are_the_reviewed_file(full: pd.DataFrame) -> None:
    rules = pd.read_csv(data_dir() / "volume_units.csv", dtype=str)
    assert rules.columns.tolist() == ["code_prefix", "exchange", "factor", "evidence", "source"]
    assert rules[["evidence", "source"]].notna().all().all()
    symbols = pd.Series(full["symbol"].unique())
    expected = [
        {
            "code_prefix": row.code_prefix,
            "exchange": row.exchange,
            "factor": int(row.factor),
            "symbols": int(
                (
                    symbols.str.startswith(row.code_prefix)
                    & symbols.str.endswith("." + row.exchange)
                ).sum()
            ),
            "documented_in": "data/volume_units.csv",
        }
        for row in rules.itertuples()
    ]
    assert extract_info()["volume_corrections"] == expected
    assert expected[0]["symbols"] == symbols.str.fullmatch(LOTS_PREFIX).sum() == 412


def test_000_sz_volumes_have_the_traded_value_scale_of_the_market(full: pd.DataFrame) -> None:
    # median daily traded value (volume x qfq close, CNY) per stock; a stock whose volume is
    # in lots sits about 100x below the others
    value = (full["volume"] * full["close"]).groupby(full["symbol"]).median()
    lots = value.index.str.fullmatch(LOTS_PREFIX)
    market = value.median()
    assert (value[lots] >= market / 10).all(), value[lots].nsmallest(5)
    ratio = value[lots].median() / value[~lots].median()
    assert 1 / 3 < ratio < 3, ratio
    by_prefix = value[~lots].groupby(value[~lots].index.str[:3]).median()
    for prefix in ("001", "002", "003", "300", "301", "600", "601", "603", "605", "688"):
        assert market / 10 <= by_prefix[prefix] <= market * 10, (prefix, by_prefix[prefix])


def test_long_history_volumes_agree_with_the_extract(full: pd.DataFrame) -> None:
    # prices.parquet (another recording, volume in shares) for the 47 stocks in both files;
    # the qfq bases differ, so only volumes are compared
    history = sample_prices(None)
    both = full.merge(history[["date", "symbol", "volume"]], on=["date", "symbol"])
    assert both["symbol"].nunique() == 47
    assert both["symbol"].str.fullmatch(LOTS_PREFIX).sum() > 0
    assert len(both) > 16_000
    # the long history keeps half lots (e.g. 72,962,250 against 72,962,200 shares)
    assert (both["volume_x"] - both["volume_y"]).abs().max() <= 50


def test_data_folder_budget() -> None:
    folder: Path = data_dir()
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total <= 25_000_000, total  # the budget for data/
    assert (folder / EXTRACT_FILE).stat().st_size < 13_000_000
    reference = sum(p.stat().st_size for p in (folder / "reference").glob("*.csv"))
    assert reference < 1_500_000, reference
