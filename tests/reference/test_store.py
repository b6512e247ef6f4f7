"""The reference store: dated snapshots that accumulate, read without the network."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.exceptions import EventStudyWarning, InputDataError
from eventstudy.market.cache import PriceCache
from eventstudy.reference import load_master
from eventstudy.reference.store import ReferenceStore, current_master

T = pd.Timestamp


def stamp(day: str, hour: int = 16) -> pd.Timestamp:
    return T(f"{day} {hour:02d}:00", tz="Asia/Shanghai")


def members(day: str, board: str, symbols: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"as_of": day, "board": board, "symbol": symbols, "source": "akshare_em_members"}
    )


def stock(day: str, code: str, name: str) -> pd.DataFrame:
    row = load_master().table("stocks").drop_duplicates("code", keep="last").set_index("code")
    out = row.loc[[code]].reset_index()
    return out.assign(name=name, as_of=day, source="akshare_sse")


def test_snapshots_accumulate_and_never_replace(tmp_path: Path) -> None:
    store = ReferenceStore(tmp_path)
    store.write("members", members("2026-08-03", "BK0896", ["600519.SH"]), what="members",
                retrieved_at=stamp("2026-08-03"))  # fmt: skip
    store.write("members", members("2026-09-01", "BK0896", ["000858.SZ"]), what="members",
                retrieved_at=stamp("2026-09-01"))  # fmt: skip
    listing = store.listing()
    assert listing["as_of"].tolist() == ["2026-08-03", "2026-09-01"]
    assert set(listing["status"]) == {"ok"}
    master = store.master()
    assert master.members("BK0896", as_of="2026-08-31").symbol.tolist() == ["600519.SH"]
    assert master.members("BK0896").symbol.tolist() == ["000858.SZ"]
    # the bundled sample (2022-12-31) is still there for earlier dates
    assert str(master.members("BK0896", as_of="2023-01-05").snapshot.iloc[0].date()) == (
        "2022-12-31"
    )


def test_same_day_refresh_of_a_board_keeps_the_later_one(tmp_path: Path) -> None:
    store = ReferenceStore(tmp_path)
    store.write("members", members("2026-08-03", "BK0896", ["600519.SH", "000858.SZ"]),
                what="members", retrieved_at=stamp("2026-08-03", 9))  # fmt: skip
    store.write("members", members("2026-08-03", "BK0896", ["600519.SH"]), what="members",
                retrieved_at=stamp("2026-08-03", 15))  # fmt: skip
    store.write("members", members("2026-08-03", "BK0475", ["600036.SH"]), what="members",
                retrieved_at=stamp("2026-08-03", 16))  # fmt: skip
    master = store.master()
    assert master.members("BK0896").symbol.tolist() == ["600519.SH"]
    assert master.members("BK0475").symbol.tolist() == ["600036.SH"]  # other boards kept


def test_unchanged_repeats_are_compacted_changes_kept(tmp_path: Path) -> None:
    store = ReferenceStore(tmp_path)
    for day, name in (("2026-08-03", "贵州茅台"), ("2026-08-04", "贵州茅台"),
                      ("2026-08-05", "茅台集团"), ("2026-08-06", "茅台集团")):  # fmt: skip
        store.write("stocks", stock(day, "600519.SH", name), what="names",
                    retrieved_at=stamp(day))  # fmt: skip
    rows = dict(store.tables())["stocks"]
    assert rows[["as_of", "name"]].values.tolist() == [
        ["2026-08-03", "贵州茅台"],
        ["2026-08-05", "茅台集团"],
        ["2026-08-06", "茅台集团"],
    ]
    s = store.master().security("600519.SH")
    assert (s.name, s.as_of, s.former_names) == ("茅台集团", "2026-08-06", ("贵州茅台",))


def test_a_corrupt_file_is_skipped_with_a_warning_and_listed(tmp_path: Path) -> None:
    store = ReferenceStore(tmp_path)
    store.write("members", members("2026-08-03", "BK0896", ["600519.SH"]), what="members",
                retrieved_at=stamp("2026-08-03"))  # fmt: skip
    bad = store.root / "members" / "2026-08-04T160000-members.parquet"
    bad.write_bytes(b"PAR1 torn")
    with pytest.warns(EventStudyWarning, match="skipped"):
        master = store.master()
    assert master.members("BK0896").symbol.tolist() == ["600519.SH"]
    assert store.listing().set_index("path").loc[str(bad), "status"] == "corrupt"


def test_write_refuses_bad_rows(tmp_path: Path) -> None:
    store = ReferenceStore(tmp_path)
    two_days = pd.concat([members("2026-08-03", "BK0896", ["600519.SH"]),
                          members("2026-08-04", "BK0896", ["600519.SH"])])  # fmt: skip
    with pytest.raises(InputDataError, match="one day"):
        store.write("members", two_days, what="members", retrieved_at=stamp("2026-08-04"))
    with pytest.raises(InputDataError, match="non-canonical"):
        store.write("members", members("2026-08-03", "BK0896", ["600519"]), what="members",
                    retrieved_at=stamp("2026-08-03"))  # fmt: skip
    assert store.listing().empty


def test_current_master_is_remembered_until_the_store_changes(tmp_path: Path) -> None:
    first = current_master(tmp_path)
    assert first is load_master()  # an empty store: the bundled master
    assert current_master(tmp_path) is first
    ReferenceStore(tmp_path).write("members", members("2026-08-03", "BK0896", ["600519.SH"]),
                                   what="members", retrieved_at=stamp("2026-08-03"))  # fmt: skip
    second = current_master(tmp_path)
    assert second is not first
    assert current_master(tmp_path) is second
    assert second.members("BK0896").symbol.tolist() == ["600519.SH"]


def test_the_store_is_invisible_to_the_price_cache(tmp_path: Path) -> None:
    ReferenceStore(tmp_path).write("members", members("2026-08-03", "BK0896", ["600519.SH"]),
                                   what="members", retrieved_at=stamp("2026-08-03"))  # fmt: skip
    cache = PriceCache(tmp_path)
    assert cache.entries().empty
    assert cache.clear() == 0
    assert len(ReferenceStore(tmp_path).listing()) == 1


def test_default_folder_follows_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    assert ReferenceStore().root == tmp_path / "reference"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert current_master() is load_master()


def test_the_default_tagger_reads_the_refreshed_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from eventstudy.news import Tagger

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    assert [h.symbol for h in Tagger.default().find("锦绣黔酿发布")] == []
    ReferenceStore(tmp_path).write("stocks", stock("2027-01-04", "600519.SH", "锦绣黔酿"),
                                   what="names", retrieved_at=stamp("2027-01-04"))  # fmt: skip
    assert [h.symbol for h in Tagger.default().find("锦绣黔酿发布")] == ["600519.SH"]
    assert Tagger.default() is Tagger.default()  # built once per master


def test_the_old_module_path_still_works_with_a_deprecation_warning() -> None:
    from eventstudy.market import refstore

    with pytest.warns(DeprecationWarning, match="eventstudy.reference.store"):
        assert refstore.current_master is current_master
