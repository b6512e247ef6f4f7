"""Name normalisation: NFKC, padding, status markers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstudy.reference.names import (
    NAME_TYPES,
    base_name,
    clean_name,
    name_key,
    name_variants,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("万  科Ａ", "万科A"),  # Eastmoney padding and a full-width letter
        ("深 赛 格", "深赛格"),
        ("ST富润  ", "ST富润"),  # trailing padding in the 2023 list
        ("柳    工", "柳工"),
        ("TCL科技", "TCL科技"),
        ("\u3000贵州茅台\t", "贵州茅台"),  # ideographic space, tab
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_key_is_case_and_width_insensitive() -> None:
    assert name_key("万  科Ａ") == name_key("万科a") == "万科A"
    assert name_key("ｔｃｌ科技") == "TCL科技"


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("*ST美丽", "美丽"),
        ("ST海王", "海王"),
        ("S*ST托普", "托普"),
        ("S湘火炬", "湘火炬"),
        ("PT金田A", "金田A"),
        ("退市银鸽", "银鸽"),
        ("圣莱退", "圣莱"),
        ("神城A退", "神城A"),
        ("大普微-UW", "大普微"),
        ("百联股份(已合并)", "百联股份"),
        ("贵州茅台", "贵州茅台"),
        ("SOHO中国", "SOHO中国"),  # an S not followed by a Chinese character is kept
        ("ST金", "ST金"),  # a one-character base is refused
    ],
)
def test_base_name(name: str, base: str) -> None:
    assert base_name(name) == base


def test_variants_of_padded_st_name() -> None:
    assert name_variants("ST富润  ") == [("ST富润", "variant"), ("富润", "base")]
    assert name_variants("五粮液") == []


def test_name_types_are_ordered_with_current_name_first() -> None:
    assert NAME_TYPES[0] == "name"
    assert set(NAME_TYPES) == {"name", "former", "alias", "markup", "variant", "base"}


@given(st.text(max_size=20))
def test_key_is_idempotent_and_space_free(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert clean_name(clean_name(text)) == clean_name(text)
    assert not any(ch.isspace() for ch in key)
    assert name_key(base_name(text)) == name_key(base_name(clean_name(text)))
