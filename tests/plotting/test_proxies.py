"""Proxy flags and labels: from the provenance columns, or (until the market merge) the note."""

from __future__ import annotations

import pandas as pd

from eventstudy import plotting


class Result:
    """The attributes the proxy helpers read."""

    def __init__(self, provenance: pd.DataFrame, events: pd.DataFrame | None = None) -> None:
        self.provenance = provenance
        self.events = events if events is not None else pd.DataFrame()


def _prov(**columns: list) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(columns, index=pd.Index(["BK0896", "BK1029", "600519.SH"], name="symbol"))


def test_members_come_from_the_proxy_members_column() -> None:
    prov = _prov(
        is_proxy=[True, True, False],
        proxy_members=[6, 1, 0],
        note=["anything", "index of 9 members (x)", ""],  # the column wins over the note
    )
    info = plotting.proxy_info(Result(prov))
    assert info["is_proxy"].tolist() == [True, True, False]
    assert info["proxy_members"].tolist()[:2] == [6, 1]
    assert info.loc["600519.SH", "proxy_members"] is pd.NA  # real series: no member count
    assert str(info["proxy_members"].dtype) == "Int64"


def test_notes_are_never_read_back_for_the_member_count() -> None:
    prov = _prov(
        is_proxy=[True, True, False],
        note=[
            "proxy for BK0896: equal-weighted index of 6 members (600519.SH, ...), as of 2022",
            "proxy for BK1029: equal-weighted index of 1 member (600104.SH), as of 2022",
            "",
        ],
    )
    info = plotting.proxy_info(Result(prov))
    # without a proxy_members column the count is unknown: the prose note is not parsed
    assert info["is_proxy"].tolist() == [True, True, False]
    assert info["proxy_members"].isna().all()


def test_symbol_column_and_missing_provenance() -> None:
    prov = pd.DataFrame({"symbol": ["BK1"], "is_proxy": [True], "proxy_members": [3]})
    assert plotting.proxy_info(Result(prov)).loc["BK1", "proxy_members"] == 3
    empty = plotting.proxy_info(Result(pd.DataFrame({"note": ["x"]})))
    assert empty.empty
    assert list(empty.columns) == ["is_proxy", "proxy_members"]


def test_event_flags_and_group_labels() -> None:
    prov = _prov(is_proxy=[True, True, False], proxy_members=[6, 1, 0])
    events = pd.DataFrame(
        {"event_id": ["e1", "e2", "e3"], "symbol": ["BK0896", "600519.SH", "BK0896"]}
    )
    flags = plotting.event_proxy(Result(prov, events))
    assert flags["is_proxy"].tolist() == [True, False, True]
    assert flags.loc["e1", "proxy_members"] == 6
    assert plotting.group_proxy_label(Result(prov, events)) == "2 proxies"
    only_board = events[events["symbol"] == "BK0896"]
    assert plotting.group_proxy_label(Result(prov, only_board)) == "proxy, 6 members"
    assert plotting.group_proxy_label(Result(prov, events.iloc[[1]])) == ""
