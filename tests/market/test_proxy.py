"""Board proxies: hand-worked weights, labelling, and the bundled BK0896 fallback."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.datasets import board_members
from eventstudy.exceptions import ConfigError, DataUnavailableError, ProxyWarning
from eventstudy.market import board_proxy, get_prices

DAYS = pd.to_datetime(["2022-01-04", "2022-01-05", "2022-01-06", "2022-01-07"])


def _prices() -> pd.DataFrame:
    return pd.DataFrame(
        {"600519.SH": [100.0, 110.0, 110.0, 121.0], "000858.SZ": [50.0, 45.0, np.nan, 54.0]},
        index=DAYS,
    )


def test_equal_weight_hand_worked() -> None:
    pf = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices())
    level = pf["BK0896"]
    # day 2: (+10% + -10%) / 2 = 0 ; day 3: (0 + 0 held) / 2 = 0 ; day 4: (+10% + +20%)/2
    assert level.tolist() == pytest.approx([1000.0, 1000.0, 1000.0, 1150.0])
    assert bool(pf.provenance.loc["BK0896", "is_proxy"])
    note = pf.provenance.loc["BK0896", "note"]
    assert "600519.SH" in note
    assert "000858.SZ" in note
    assert "equal" in note


def test_value_weights_need_caps_and_use_them() -> None:
    with pytest.raises(ConfigError, match="no shares outstanding"):
        board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices(),
                    weights="value")  # fmt: skip
    caps = pd.Series({"600519.SH": 3.0, "000858.SZ": 1.0})
    pf = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices(),
                     weights="value", caps=caps)  # fmt: skip
    # review finding 15: buy-and-hold from the caps at the start, weights drift with prices;
    # index = sum(caps_i * P_i,t / P_i,0) / sum(caps_i), a suspended member held at 45
    held = _prices().ffill()
    expected = 1000.0 * (3.0 * held["600519.SH"] / 100.0 + 1.0 * held["000858.SZ"] / 50.0) / 4.0
    assert pf["BK0896"].tolist() == pytest.approx(expected.tolist(), rel=1e-12)
    assert pf["BK0896"].tolist() == pytest.approx([1000.0, 1050.0, 1050.0, 1177.5])
    note = pf.provenance.loc["BK0896", "note"]
    assert "buy-and-hold" in note
    # a daily caps frame is used as given (previous session's caps), not drifted again
    daily = pd.DataFrame({"600519.SH": [3.0, 3.0, 3.0, 3.0], "000858.SZ": [1.0, 1.0, 1.0, 1.0]},
                         index=DAYS)  # fmt: skip
    pf2 = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices(),
                      weights="value", caps=daily)  # fmt: skip
    r = pf2["BK0896"].pct_change()
    assert r.iloc[3] == pytest.approx(0.75 * 0.10 + 0.25 * 0.20)


def test_amount_weights_use_previous_sessions_only() -> None:
    amounts = pd.DataFrame({"600519.SH": [1.0, 1.0, 1.0, 1.0], "000858.SZ": [3.0, 3.0, 3.0, 99.0]},
                           index=DAYS)  # fmt: skip
    pf = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices(),
                     weights="amount", amounts=amounts)  # fmt: skip
    r = pf["BK0896"].pct_change()
    # day 4 weights come from days 1-3 (mean 1 vs 3), not from day 4's 99
    assert r.iloc[3] == pytest.approx(0.25 * 0.10 + 0.75 * 0.20)
    assert "liquidity" in pf.provenance.loc["BK0896", "note"]


def test_member_not_yet_listed_is_out_of_the_index() -> None:
    p = _prices()
    p.loc[DAYS[:1], "000858.SZ"] = np.nan  # first quote on day 2: in the index from day 3
    pf = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=p)
    r = pf["BK0896"].pct_change()
    assert r.iloc[1] == pytest.approx(0.10)  # only 600519 in the index
    assert r.iloc[2] == pytest.approx(0.0)  # suspended member held at 45
    assert r.iloc[3] == pytest.approx((0.10 + (54.0 / 45.0 - 1)) / 2)


def test_bundled_bk0896_matches_independent_computation() -> None:
    members = board_members("BK0896")["symbol"].tolist()
    pf = board_proxy("BK0896", start="2022-01-04", end="2022-03-31", source="bundled")
    closes = get_prices(members, "2022-01-04", "2022-03-31", source="bundled").data
    assert closes.notna().all().all()  # no suspension in this window: plain mean of returns
    expected = closes.pct_change().mean(axis=1)
    got = pf["BK0896"].pct_change()
    assert np.allclose(got.iloc[1:], expected.iloc[1:], rtol=0, atol=1e-12)


def test_get_prices_serves_board_by_proxy_with_warning() -> None:
    with pytest.warns(ProxyWarning, match="BK0896"):
        pf = get_prices(["BK0896", "000300.SH"], "2022-01-04", "2022-01-12", source="bundled")
    assert pf.proxies == ["BK0896"]
    assert pf.provenance.loc["BK0896", "source"] == "proxy(bundled)"
    assert not pf.provenance.loc["000300.SH", "is_proxy"]
    assert pf.data["BK0896"].notna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vol = get_prices("BK0896", "2022-01-10", "2022-01-10", source="bundled", field="amount")
        members = get_prices(board_members("BK0896")["symbol"], "2022-01-10", "2022-01-10",
                             source="bundled", field="amount")  # fmt: skip
    assert vol.data.iloc[0, 0] == pytest.approx(members.data.iloc[0].sum())
    with pytest.raises(DataUnavailableError, match="close, volume and amount only"):
        get_prices("BK0896", "2022-01-10", "2022-01-10", source="bundled", field="open")


def test_bad_proxy_requests() -> None:
    with pytest.raises(ConfigError, match="not an Eastmoney board"):
        board_proxy("600519.SH", prices=_prices())
    with pytest.raises(ConfigError, match="start= and end="):
        board_proxy("BK0896", source="bundled")
    with pytest.raises(DataUnavailableError, match="lacks the members"):
        board_proxy("BK0896", members=["600519.SH", "600809.SH"], prices=_prices())


def test_provenance_carries_proxy_columns_not_just_prose() -> None:
    pf = board_proxy("BK0896", members=["600519.SH", "000858.SZ"], prices=_prices())
    row = pf.provenance.loc["BK0896"]
    assert (bool(row["is_proxy"]), int(row["proxy_members"]), row["proxy_of"]) == (
        True,
        2,
        "BK0896",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = get_prices(["BK0896", "000300.SH"], "2022-01-04", "2022-01-12", source="bundled")
    prov = mixed.provenance
    assert prov["proxy_members"].tolist() == [6, 0]
    assert prov["proxy_of"].tolist() == ["BK0896", ""]
    assert prov["is_proxy"].tolist() == [True, False]
    assert str(prov["proxy_members"].dtype) == "int64"


def test_proxy_module_computes_from_given_prices_only() -> None:
    """The price layer fetches members; proxy.py imports nothing that fetches (no cycle)."""
    import ast
    import inspect

    from eventstudy.market import proxy

    tree = ast.parse(inspect.getsource(proxy))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    fetching = {"eventstudy.market.prices", "eventstudy.market.policy", "eventstudy.market.loaders",
                "eventstudy.market.sources"}  # fmt: skip
    assert not imported & fetching
