"""The bundled tables in data/reference: shape, canonical codes, as_of and source on every row."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.datasets import data_dir
from eventstudy.reference import COLUMNS, REFERENCE_TABLES, validate_table
from eventstudy.reference.schema import STOCK_STATUSES, classify_stock_code
from eventstudy.symbols import normalize, parse_symbol

FOLDER = data_dir() / "reference"
HAND_TABLES = ("indices", "aliases", "cross_listings", "sources")


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("table", REFERENCE_TABLES)
def test_every_table_validates_and_every_row_has_as_of_and_source(table: str) -> None:
    frame = _read(table)
    assert frame.columns.tolist() == list(COLUMNS[table])  # type: ignore[index]
    assert validate_table(table, frame).equals(frame)  # type: ignore[arg-type]
    assert (frame["as_of"].str.strip() != "").all()
    assert (frame["source"].str.strip() != "").all()


def test_every_code_is_canonical() -> None:
    columns = {
        "stocks": ["code"],
        "indices": ["code", "same_as"],
        "boards": ["code"],
        "names": ["code"],
        "members": ["board", "symbol"],
        "cross_listings": ["code", "foreign_code"],
        "aliases": ["code"],
    }
    for table, cols in columns.items():
        frame = _read(table)
        for col in cols:
            values = [v for v in frame[col].unique() if v]
            assert values, (table, col)
            assert all(normalize(v) == v for v in values), (table, col)


def test_every_source_key_is_described() -> None:
    sources = _read("sources")
    assert sources["source"].is_unique
    assert (sources["description"].str.len() > 20).all()
    used: set[str] = set()
    for table in (*REFERENCE_TABLES, "aliases"):
        used |= set(_read(table)["source"])
    used |= set(_read("stocks")["list_date_source"]) - {""}
    assert used <= set(sources["source"])


def test_no_duplicate_code_name_rows() -> None:
    names = _read("names")
    assert not names.duplicated(["code", "name"]).any()
    for table in ("stocks", "indices", "boards"):
        assert _read(table)["code"].is_unique, table
    assert not _read("members").duplicated().any()
    assert not _read("cross_listings").duplicated(["code", "foreign_code"]).any()


def test_no_name_is_an_ex_day_display_name() -> None:
    # Eastmoney writes XD/XR/DR + four characters on the day a stock goes ex (XD华润双 =
    # 华润双鹤); the build restores the name, so the tagger never learns the truncated form.
    pattern = r"^(?:XD|XR|DR)[\u4e00-\u9fff]"
    for table in ("names", "stocks"):
        names = _read(table)["name"]
        assert not names.str.contains(pattern).any(), names[names.str.contains(pattern)].tolist()
    assert "华润双鹤" in set(_read("stocks")["name"])


def test_stock_table_covers_both_code_lists() -> None:
    stocks = _read("stocks")
    # names_2026.csv has 5,533 codes and names_2023.csv 5,640 (shared data README);
    # 4,967 are in both, so the union has 5,533 + 5,640 - 4,967 = 6,206.
    assert (stocks["status"] == "listed").sum() == 5533
    assert len(stocks) == 6206
    assert set(stocks["status"]) <= set(STOCK_STATUSES)
    assert (stocks.loc[stocks.status == "listed", "as_of"] == "2026-07").all()
    assert (stocks.loc[stocks.status != "listed", "as_of"] == "2023-10").all()
    assert (stocks.loc[stocks.segment == "b_share", "status"] == "unknown").all()
    for code, exch, seg in zip(stocks.code, stocks.exchange, stocks.segment, strict=True):
        assert classify_stock_code(str(code)[:6]) == (exch, seg), code
        assert parse_symbol(code).kind == "stock"


def test_exchange_rule_examples() -> None:
    stocks = _read("stocks").set_index("code")
    assert stocks.loc["688981.SH", "segment"] == "star"
    assert stocks.loc["300750.SZ", "segment"] == "chinext"
    assert stocks.loc["920799.BJ", "exchange"] == "BJ"
    assert stocks.loc["830799.BJ", "status"] == "not_listed"
    assert stocks.loc["830799.BJ", "same_name_code"] == "920799.BJ"  # BSE code change
    assert stocks.loc["000002.SZ", "name"] == "万  科Ａ"  # Eastmoney's spelling kept


def test_boards_and_members() -> None:
    boards = _read("boards")
    counts = boards.loc[boards.source == "em_boards", "board_type"].value_counts().to_dict()
    assert counts == {"industry": 86, "style": 34, "region": 31, "concept": 1}
    markup = boards[boards.source == "news_markup"]
    assert set(markup.code) == {"BK0493", "BK0634", "BK0683", "BK0832", "BK0839", "BK0900"}
    assert set(markup.board_type) == {"concept"}
    members = _read("members")
    assert set(members["as_of"]) == {"2022-12-31"}
    assert set(members["board"]) <= set(boards["code"])
    assert len(members) == 54


def test_cross_listing_a_shares_are_listed_stocks() -> None:
    stocks = _read("stocks").set_index("code")
    xl = _read("cross_listings")
    assert (stocks.loc[xl["code"], "status"] == "listed").all()
    assert set(xl["listing"]) == {"HK", "ADR"}
    hk = xl[xl.listing == "HK"]
    assert all(c.endswith(".HK") for c in hk["foreign_code"])
    assert all(parse_symbol(c).market == "US" for c in xl.loc[xl.listing == "ADR", "foreign_code"])
