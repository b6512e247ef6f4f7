"""The tagger's reviewed word lists: files, validation, and that the tagger follows them."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.datasets import data_dir
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError
from eventstudy.news import Tagger
from eventstudy.news.lexicon import (
    LEXICON_COLUMNS,
    LEXICON_TABLES,
    load_lexicon,
    read_lexicon,
    validate_lexicon_table,
)
from eventstudy.reference import load_master
from eventstudy.reference.names import name_key


def test_every_file_has_its_columns_and_a_source_on_every_row() -> None:
    folder = data_dir() / "reference"
    for table in LEXICON_TABLES:
        raw = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        assert raw.columns.tolist() == list(LEXICON_COLUMNS[table])
        assert (raw["source"].str.strip() != "").all(), table
        assert (raw["note"].str.strip() != "").all(), table  # every entry says why
    lex = load_lexicon()
    assert sorted(lex.tables) == sorted(LEXICON_TABLES)
    assert len(lex.table("board_aliases")) > 150


def test_aliases_name_only_codes_the_master_knows() -> None:
    master = load_master()
    boards = set(master.table("boards")["code"])
    aliases = load_lexicon().table("board_aliases")
    assert set(aliases["code"]) <= boards  # no invented board codes
    known = set(master.table("stocks")["code"]) | set(master.table("indices")["code"])
    assert set(load_lexicon().table("short_names")["code"]) <= known


def test_every_blocker_contains_a_name_it_blocks() -> None:
    lex = load_lexicon()
    kw = Tagger.default().keywords
    names = set(kw["keyword"]) | {name_key(w) for w in lex.words("common_words")}
    for word, inner in zip(*[lex.table("blockers")[c] for c in ("word", "contains")], strict=True):
        assert name_key(inner) in names, (word, inner)
        assert inner in word


def test_issue_examples_are_in_the_lists() -> None:
    lex = load_lexicon()
    table = lex.table("board_aliases")
    for alias, code in {
        "乘用车": "BK1029",
        "购置税": "BK1029",
        "新能源汽车下乡": "BK1029",
        "苹果概念": "BK1037",
        "种业": "BK0433",
        "粮食": "BK0433",
        "生猪": "BK0433",
        "纯碱": "BK1019",
        "元器件": "BK0459",
        "日用化工": "BK1035",
        "农林牧渔": "BK0433",
        "ST板块": "BK0511",
    }.items():
        assert code in set(table.loc[table["alias"] == alias, "code"]), alias
    common = set(lex.words("common_words"))
    assert {"证券", "银行", "农产品"} <= common
    assert not {"ST股", "MSCI中国"} & common  # real subjects, matched again
    blockers = set(lex.words("blockers"))
    assert {"比亚迪电子", "包芯片", "整车物流", "证券时报", "银行间"} <= blockers


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        ("board_aliases", {"code": "BK0480", "alias": "军工", "strength": "x"}, "strength"),
        ("board_aliases", {"code": "bk0480", "alias": "军工", "strength": "direct"}, "BK0480"),
        ("board_aliases", {"code": "600519.SH", "alias": "茅", "strength": "direct"}, "board"),
        ("short_names", {"code": "NOT A CODE!", "alias": "x"}, "not a symbol"),
        ("blockers", {"word": "证券时报", "contains": "银行"}, "must contain"),
        ("context_words", {"word": "认为", "type": "verb"}, "type"),
        ("source_names", {"name": "", "role": "broker"}, "empty name"),
    ],
)
def test_bad_rows_are_refused_with_the_reason(
    table: str, row: dict[str, str], message: str
) -> None:
    frame = pd.DataFrame([{**row, "source": "test", "note": ""}])
    with pytest.raises(InputDataError, match=message):
        validate_lexicon_table(table, frame)  # type: ignore[arg-type]


def test_rows_without_a_source_and_duplicates_are_refused() -> None:
    row = {"code": "BK0480", "alias": "军工", "strength": "direct", "note": ""}
    with pytest.raises(InputDataError, match="empty source"):
        validate_lexicon_table("board_aliases", pd.DataFrame([{**row, "source": ""}]))
    with pytest.raises(InputDataError, match="duplicate"):
        validate_lexicon_table("board_aliases", pd.DataFrame([{**row, "source": "a"}] * 2))
    with pytest.raises(InputDataError, match="duplicate"):
        load_lexicon().with_rows("board_aliases", [{**row, "source": "again"}])
    with pytest.raises(InputDataError, match="unknown lexicon table"):
        load_lexicon().table("aliases")  # type: ignore[arg-type]


def test_a_folder_with_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match=r"board_aliases\.csv"):
        read_lexicon(tmp_path)
    for table in LEXICON_TABLES:
        load_lexicon().table(table).to_csv(tmp_path / f"{table}.csv", index=False)
    assert read_lexicon(tmp_path).table("blockers").equals(load_lexicon().table("blockers"))
    assert load_lexicon(tmp_path) is not load_lexicon()


def test_the_tagger_is_data_driven() -> None:
    """A new alias, blocker, everyday word or source name changes what is found."""
    base = Tagger.default()
    text = "光瓶酒销量大增"
    assert [h.symbol for h in base.find(text)] == []
    lex = load_lexicon().with_rows(
        "board_aliases",
        [{"code": "BK0896", "alias": "光瓶酒", "strength": "direct", "source": "test"}],
    )
    tagger = Tagger.from_master(lexicon=lex)
    assert [(h.symbol, h.origin) for h in tagger.find(text)] == [("BK0896", "board_alias")]
    assert [h.symbol for h in tagger.find("光瓶酒板块")] == ["BK0896"]  # direct: with 板块

    assert [h.symbol for h in base.find("贵州茅台镇")] == ["600519.SH"]
    blocked = Tagger.from_master(
        lexicon=load_lexicon().with_rows(
            "blockers", [{"word": "贵州茅台镇", "contains": "贵州茅台", "source": "test"}]
        )
    )
    assert blocked.find("贵州茅台镇") == []

    common = Tagger.from_master(
        lexicon=load_lexicon().with_rows("common_words", [{"name": "白酒", "source": "test"}])
    )
    assert [h.symbol for h in common.find("白酒")] == []
    assert [h.symbol for h in common.find("白酒板块")] == ["BK0896"]


def test_an_alias_of_an_unknown_board_is_refused() -> None:
    lex = load_lexicon().with_rows(
        "board_aliases",
        [{"code": "BK9999", "alias": "新概念", "strength": "direct", "source": "test"}],
    )
    with pytest.raises(ConfigError, match="BK9999"):
        Tagger.from_master(lexicon=lex)


@pytest.mark.parametrize(
    ("name", "table"),
    [("STOP_WORDS", "common_words"), ("EXCLUSIONS", "blockers"), ("SYNONYMS", "board_aliases")],
)
def test_v1_constants_are_deprecated_aliases_of_the_data(name: str, table: str) -> None:
    import eventstudy.news.tagger as tagger_module

    with pytest.warns(DeprecationWarning, match="lexicon"):
        value = getattr(tagger_module, name)
    lex = load_lexicon()
    if name == "SYNONYMS":
        assert "军工" in value["BK0480"]
        assert "茅台" in value["600519.SH"]
    else:
        assert set(value) == set(lex.words(table))  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            tagger_module.NOT_A_NAME  # noqa: B018
