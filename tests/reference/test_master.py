"""SecurityMaster queries on the bundled snapshot, and the snapshot hook."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from eventstudy.exceptions import (
    AmbiguousSymbolError,
    DataUnavailableError,
    InputDataError,
    SymbolError,
    UnknownSymbolError,
)
from eventstudy.reference import REFERENCE_TABLES, SecurityMaster, load_master


@pytest.fixture(scope="module")
def master() -> SecurityMaster:
    return load_master()


def _first(master: SecurityMaster, query: str, **kw: object) -> pd.Series:
    hits = master.lookup(query, **kw)  # type: ignore[arg-type]
    assert not hits.empty, query
    return hits.iloc[0]


# --- lookup -------------------------------------------------------------------------------


def test_moutai_by_part_of_its_name(master: SecurityMaster) -> None:
    top = _first(master, "茅台")
    assert (top.code, top["name"], top.kind, top.match) == (
        "600519.SH",
        "贵州茅台",
        "stock",
        "contains",
    )


@pytest.mark.parametrize(("query", "name_type"), [("赛力斯", "name"), ("小康股份", "former")])
def test_seres_by_current_and_former_name(
    master: SecurityMaster, query: str, name_type: str
) -> None:
    top = _first(master, query)
    assert (top.code, top.match, top.name_type, top["name"]) == (
        "601127.SH",
        "exact",
        name_type,
        "赛力斯",
    )


@pytest.mark.parametrize("query", ["万  科Ａ", "万科A", "万科a", " 万科Ａ "])
def test_vanke_in_every_spelling(master: SecurityMaster, query: str) -> None:
    top = _first(master, query)
    assert (top.code, top.match, top["name"]) == ("000002.SZ", "exact", "万  科Ａ")


def test_vanke_prefix_lists_a_b_and_hk_lines(master: SecurityMaster) -> None:
    hits = master.lookup("万科")
    assert hits.code.tolist()[:3] == ["000002.SZ", "200002.SZ", "02202.HK"]
    assert set(hits.match[:3]) == {"prefix"}


def test_st_name_variants(master: SecurityMaster) -> None:
    # 000010.SZ was 美丽生态 in 2023 and *ST美丽 in 2026
    assert _first(master, "*ST美丽").match == "exact"
    st = _first(master, "ST美丽")  # the query's marker differs: matched on the base name
    assert (st.code, st.match) == ("000010.SZ", "base")
    base = _first(master, "美丽")
    assert (base.code, base.match, base.name_type) == ("000010.SZ", "exact", "base")
    former = _first(master, "美丽生态")
    assert (former.code, former.name_type) == ("000010.SZ", "former")


def test_delisting_suffix_base_name(master: SecurityMaster) -> None:
    top = _first(master, "圣莱")
    assert (top.code, top["name"], top.match) == ("002473.SZ", "圣莱退", "exact")


@pytest.mark.parametrize(
    ("query", "code"),
    [("白酒", "BK0896"), ("酿酒行业", "BK0477"), ("汽车整车", "BK1029"), ("ST股", "BK0511")],
)
def test_board_name_to_bk_code(master: SecurityMaster, query: str, code: str) -> None:
    top = _first(master, query, kinds=["board"])
    assert (top.code, top.kind, top.match) == (code, "board", "exact")


def test_board_known_only_from_news_markup(master: SecurityMaster) -> None:
    top = _first(master, "新能源")
    assert (top.code, top.kind) == ("BK0493", "board")
    assert master.security("BK0493").source == "news_markup"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("沪指", "000001.SH"),
        ("上证指数", "000001.SH"),
        ("深成指", "399001.SZ"),
        ("创业板指", "399006.SZ"),
        ("科创50", "000688.SH"),
        ("沪深300", "000300.SH"),
    ],
)
def test_index_names_and_aliases(master: SecurityMaster, query: str, code: str) -> None:
    top = _first(master, query)
    assert (top.code, top.kind) == (code, "index")


def test_name_shared_by_index_and_board_ranks_index_first(master: SecurityMaster) -> None:
    hits = master.lookup("中证500")
    assert hits.code.tolist()[:2] == ["000905.SH", "BK0701"]
    assert set(hits.match[:2]) == {"exact"}


def test_codes_are_looked_up_too(master: SecurityMaster) -> None:
    assert _first(master, "sh600519").match == "code"
    assert set(master.lookup("000001").code[:2]) == {"000001.SH", "000001.SZ"}


def test_lookup_options(master: SecurityMaster) -> None:
    assert len(master.lookup("银行", limit=3)) == 3
    assert len(master.lookup("银行", limit=None)) > 30
    assert set(master.lookup("平安", kinds=["foreign"]).kind) == {"foreign"}
    none = master.lookup("不存在的名字xyz")
    assert none.empty
    assert none.columns.tolist() == ["code", "name", "kind", "match", "matched", "name_type"]
    with pytest.raises(InputDataError, match="needs a name or code"):
        master.lookup("  ")
    with pytest.raises(InputDataError, match="'fund'"):
        master.lookup("茅台", kinds=["fund"])  # type: ignore[list-item]


def test_ranking_puts_exact_before_prefix_before_contains(master: SecurityMaster) -> None:
    hits = master.lookup("中国平安", limit=None)
    order = {"code": 0, "exact": 1, "base": 2, "prefix": 3, "contains": 4}
    ranks = [order[m] for m in hits.match]
    assert ranks == sorted(ranks)
    assert hits.code.iloc[0] == "601318.SH"  # the A share before its HK line
    assert hits.code.is_unique


# --- single codes -------------------------------------------------------------------------


def test_security_records(master: SecurityMaster) -> None:
    seres = master.security("601127.SH")
    assert (seres.name, seres.former_names, seres.status) == ("赛力斯", ("小康股份",), "listed")
    assert (seres.market, seres.segment, seres.list_date) == ("SH", "main", "2016-06-15")
    star = master.security("688981.SH")
    assert (star.segment, star.market) == ("star", "SH")
    gone = master.security("002473.SZ")  # 圣莱退: in the 2023 list only
    assert gone.status == "not_listed"
    assert gone.as_of == "2023-10"
    index = master.security("000300.SH")
    assert (index.kind, index.name) == ("index", "沪深300")
    hk = master.security("2318.HK")
    assert (hk.code, hk.kind, hk.name, hk.market) == ("02318.HK", "foreign", "中国平安", "HK")


def test_security_errors(master: SecurityMaster) -> None:
    with pytest.raises(UnknownSymbolError, match=r"'699999\.SH' is not in the security master"):
        master.security("699999.SH")
    with pytest.raises(AmbiguousSymbolError):
        master.security("000001")
    with pytest.raises(SymbolError, match=r"lookup\('茅台'\)"):
        master.security("茅台")


# --- membership ---------------------------------------------------------------------------


def test_members_before_earliest_snapshot_are_flagged_look_ahead(master: SecurityMaster) -> None:
    early = master.members("BK0896", as_of="2022-01-10")
    assert len(early) == 6
    assert early.look_ahead.all()
    assert (early.snapshot == pd.Timestamp("2022-12-31")).all()
    assert "600519.SH" in set(early.symbol)
    later = master.members("BK0896", as_of="2023-03-01")
    assert not later.look_ahead.any()
    assert set(later.symbol) == set(early.symbol)
    newest = master.members("bk0896")
    assert not newest.look_ahead.any()


def test_members_as_of_time_zone_aware(master: SecurityMaster) -> None:
    # 2022-12-31 00:30 in Beijing is 2022-12-30 16:30 UTC: the snapshot day itself
    stamp = pd.Timestamp("2022-12-30 16:30", tz="UTC")
    assert not master.members("BK0896", as_of=stamp).look_ahead.any()
    assert master.members("BK0896", as_of="2022-12-30").look_ahead.all()


def test_boards_of_with_look_ahead(master: SecurityMaster) -> None:
    boards = master.boards_of("600519.SH", as_of="2021-12-08")
    assert set(boards.board) == {"BK0896", "BK0477", "BK0173", "BK0611"}
    assert boards.look_ahead.all()
    assert dict(zip(boards.board, boards.board_type, strict=True))["BK0173"] == "region"
    assert not master.boards_of("600519.SH", as_of="2023-01-03").look_ahead.any()


def test_membership_errors(master: SecurityMaster) -> None:
    with pytest.raises(DataUnavailableError, match="live-only"):
        master.members("BK0493")  # a real board without a bundled membership snapshot
    with pytest.raises(UnknownSymbolError, match="BK9999"):
        master.members("BK9999")
    with pytest.raises(SymbolError, match="not an Eastmoney board"):
        master.members("600519.SH")
    with pytest.raises(DataUnavailableError, match=r"601127\.SH"):
        master.boards_of("601127.SH")
    with pytest.raises(InputDataError, match="not a date"):
        master.members("BK0896", as_of="someday")


def test_membership_snapshots_accumulate(master: SecurityMaster) -> None:
    snap = pd.DataFrame(
        {
            "as_of": "2026-07-31",
            "board": "BK0896",
            "symbol": ["600519.SH", "000858.SZ", "000799.SZ"],
            "source": "test_snapshot",
        }
    )
    m = master.with_snapshot("members", snap)
    assert len(m.members("BK0896", as_of="2023-06-30")) == 6  # still the 2022 sample
    new = m.members("BK0896", as_of="2026-08-01")
    assert set(new.symbol) == {"600519.SH", "000858.SZ", "000799.SZ"}
    assert not new.look_ahead.any()
    assert "BK0896" not in set(m.boards_of("600809.SH", as_of="2026-08-01").board)
    assert "BK0896" in set(m.boards_of("600809.SH", as_of="2025-01-01").board)
    assert len(master.members("BK0896")) == 6  # the original master is unchanged


# --- cross-listings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a_share", "foreign"),
    [
        ("601318.SH", "02318.HK"),
        ("002594.SZ", "01211.HK"),
        ("300750.SZ", "03750.HK"),
        ("000333.SZ", "00300.HK"),
        ("600036.SH", "03968.HK"),
        ("688235.SH", "06160.HK"),
    ],
)
def test_cross_listings_both_directions(master: SecurityMaster, a_share: str, foreign: str) -> None:
    assert foreign in set(master.cross_listings(a_share).foreign_code)
    back = master.cross_listings(foreign)
    assert back.code.tolist() == [a_share]


def test_cross_listing_adr_and_spellings(master: SecurityMaster) -> None:
    beigene = master.cross_listings("688235.SH")
    assert set(beigene.foreign_code) == {"06160.HK", "BGNE", "ONC"}
    assert set(beigene.listing) == {"HK", "ADR"}
    assert master.cross_listings("LFC").code.tolist() == ["601628.SH"]
    assert master.cross_listings("LFC").status.tolist() == ["delisted"]
    assert master.cross_listings("1211.HK").code.tolist() == ["002594.SZ"]
    assert master.cross_listings("600519.SH").empty  # no foreign line recorded


# --- name table ---------------------------------------------------------------------------


def test_name_table_for_a_tagger(master: SecurityMaster) -> None:
    table = master.name_table()
    assert table.columns.tolist() == [
        "name",
        "key",
        "code",
        "kind",
        "name_type",
        "as_of",
        "source",
    ]
    assert not table.duplicated(["code", "name"]).any()
    vanke = table[table.key == "万科A"]
    assert set(vanke.code) == {"000002.SZ"}
    assert set(vanke.name_type) == {"name", "variant"}
    assert {"stock", "index", "board", "foreign"} == set(table.kind)
    assert (table.as_of != "").all()
    assert (table.source != "").all()


# --- snapshots and construction -----------------------------------------------------------


def _stock_row(**kw: str) -> dict[str, str]:
    row = {
        "code": "600519.SH",
        "exchange": "SH",
        "kind": "stock",
        "segment": "main",
        "name": "贵州茅台",
        "list_date": "2001-08-27",
        "list_date_source": "names_2023",
        "status": "listed",
        "same_name_code": "",
        "as_of": "2027-01",
        "source": "test_snapshot",
    }
    return row | kw


def test_newer_stock_snapshot_renames_and_keeps_former_name(master: SecurityMaster) -> None:
    m = master.with_snapshot("stocks", pd.DataFrame([_stock_row(name="*ST茅台")]))
    s = m.security("600519.SH")
    assert (s.name, s.former_names, s.as_of) == ("*ST茅台", ("贵州茅台",), "2027-01")
    top = _first(m, "茅台")  # equals the derived base name of *ST茅台
    assert (top.code, top.match, top.name_type) == ("600519.SH", "exact", "base")
    assert _first(m, "贵州茅台").name_type == "former"
    # an older snapshot adds a former name and leaves the current one alone
    old = master.with_snapshot("stocks", pd.DataFrame([_stock_row(name="茅台酒业", as_of="1999")]))
    assert old.security("600519.SH").name == "贵州茅台"
    assert "茅台酒业" in old.security("600519.SH").former_names


def test_board_and_name_snapshots(master: SecurityMaster) -> None:
    boards = pd.DataFrame(
        [
            {
                "code": "BK1234",
                "name": "测试  概念",
                "board_type": "concept",
                "as_of": "2026-08",
                "source": "test_snapshot",
            }
        ]
    )
    names = pd.DataFrame(
        [
            {
                "code": "BK1234",
                "name": "测试别名",
                "kind": "board",
                "name_type": "alias",
                "as_of": "2026-08",
                "source": "test_snapshot",
            }
        ]
    )
    m = master.with_snapshot("boards", boards).with_snapshot("names", names)
    assert _first(m, "测试概念").code == "BK1234"  # the derived no-space variant
    assert _first(m, "测试别名").code == "BK1234"
    assert m.security("BK1234").board_type == "concept"


def test_snapshot_validation_errors(master: SecurityMaster) -> None:
    with pytest.raises(InputDataError, match="lacks columns"):
        master.with_snapshot("members", pd.DataFrame({"board": ["BK0896"]}))
    bad_source = pd.DataFrame([_stock_row(source="")])
    with pytest.raises(InputDataError, match="every row needs 'source'"):
        master.with_snapshot("stocks", bad_source)
    bad_code = pd.DataFrame([_stock_row(code="600519")])
    with pytest.raises(InputDataError, match="non-canonical"):
        master.with_snapshot("stocks", bad_code)
    monthly = pd.DataFrame(
        {"as_of": ["2026-07"], "board": ["BK0896"], "symbol": ["600519.SH"], "source": ["x"]}
    )
    with pytest.raises(InputDataError, match="YYYY-MM-DD"):
        master.with_snapshot("members", monthly)
    with pytest.raises(InputDataError, match="board_type"):
        master.with_snapshot(
            "boards",
            pd.DataFrame(
                [
                    {
                        "code": "BK1234",
                        "name": "x",
                        "board_type": "theme",
                        "as_of": "2026",
                        "source": "x",
                    }
                ]
            ),
        )


def test_from_frames_round_trip_and_load_master_snapshots(master: SecurityMaster) -> None:
    copy = SecurityMaster.from_frames(**{t: master.table(t) for t in REFERENCE_TABLES})
    assert copy.lookup("茅台").equals(master.lookup("茅台"))
    assert load_master() is load_master()
    snap = pd.DataFrame([_stock_row(name="新茅台")])
    assert load_master(extra_snapshots=[("stocks", snap)]).security("600519.SH").name == "新茅台"
    assert load_master().security("600519.SH").name == "贵州茅台"


def test_loading_the_master_is_fast() -> None:
    code = (
        "import time, pandas, eventstudy.reference as r; t = time.perf_counter(); "
        "m = r.load_master(); m.lookup('茅台'); print(time.perf_counter() - t)"
    )
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    assert min(times) < 0.3, times
