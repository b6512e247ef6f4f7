"""Public market API docstrings: numpydoc section order and runnable Examples (run as doctests)."""

from __future__ import annotations

import re

import pytest

from eventstudy.market import (
    FallbackPolicy,
    LocalSource,
    MarketPanel,
    PriceCache,
    PriceSource,
    board_proxy,
    get_prices,
    get_source,
    load_panel,
    returns_of,
    trade_to_trade_returns,
)
from eventstudy.market._net import call_with_retry
from eventstudy.market.akshare_source import AkshareSource, scoped_requests
from eventstudy.market.returns import log_returns, simple_returns
from eventstudy.market.yfinance_source import YFinanceSource

ORDER = ["Parameters", "Returns", "Raises", "Examples"]


def sections(doc: str) -> list[str]:
    return re.findall(r"^\s*(\w[\w ]*)\n\s*-{3,}\s*$", doc, flags=re.MULTILINE)


@pytest.mark.parametrize("func", [get_prices, load_panel])
def test_errors_is_a_parameter_in_numpydoc_order(func: object) -> None:
    doc = getattr(func, "__doc__", None) or ""
    found = [s for s in sections(doc) if s in ORDER]
    assert found == sorted(found, key=ORDER.index)
    params = doc.split("Parameters\n")[1].split("Returns\n")[0]
    assert re.search(r"^\s+errors\s*$", params, flags=re.MULTILINE)


@pytest.mark.parametrize(
    "obj",
    [
        PriceCache,
        PriceCache.read,
        PriceCache.write,
        PriceCache.clear,
        PriceCache.path,
        PriceSource,
        get_source,
        LocalSource,
        trade_to_trade_returns,
        simple_returns,
        log_returns,
        AkshareSource.board_list,
        AkshareSource.board_constituents,
        YFinanceSource,
        call_with_retry,
        load_panel,
        board_proxy,
        returns_of,
        FallbackPolicy,
        MarketPanel.frame,
        MarketPanel.returns,
        MarketPanel.to_long,
        scoped_requests,
    ],
)
def test_has_examples(obj: object) -> None:
    doc = getattr(obj, "__doc__", None) or ""
    assert "Examples\n" in doc
    assert ">>> " in doc
