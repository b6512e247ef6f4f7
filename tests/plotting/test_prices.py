"""Price figures: candlesticks, benchmark and publication marker equal the bundled prices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import plotting
from eventstudy.datasets import sample_prices

EVIL = "<script>window.__pwned=1</script>白酒"


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return sample_prices(["600519.SH", "000300.SH"])


def test_event_price_candles_benchmark_and_marker(prices) -> None:  # type: ignore[no-untyped-def]
    fig = plotting.plot_event_price(
        prices, "600519.SH", "2022-01-10 11:33:36+08:00", title=EVIL, publisher="证券时报网"
    )
    candle, bench, marker = fig.data
    own = prices[prices.symbol == "600519.SH"].set_index("date")
    sessions = own.index[(own.index >= "2021-12-01") & (own.index <= "2022-02-28")]
    i0 = sessions.get_loc(pd.Timestamp("2022-01-10"))
    shown = sessions[i0 - 10 : i0 + 11]
    assert list(candle.x) == [str(d.date()) for d in shown]
    for col in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(np.asarray(getattr(candle, col)), own.loc[shown, col])
    csi = prices[prices.symbol == "000300.SH"].set_index("date")["close"]
    np.testing.assert_array_equal(np.asarray(bench.y), csi.loc[shown])
    assert bench.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y"
    assert candle.increasing.line.color == plotting.UP_COLOR  # red up (Chinese convention)
    # published 11:33, 123 of the 330 minutes from 09:30 to 15:00 into day 0 (position 10)
    assert marker.x[0] == pytest.approx(10 - 0.5 + 123 / 330)
    assert "&lt;script&gt;" in marker.hovertext[0]
    assert "证券时报网" in marker.hovertext[0]
    assert "<script>" not in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Price (CNY)"


def test_event_price_after_close_and_weekend(prices) -> None:  # type: ignore[no-untyped-def]
    after = plotting.plot_event_price(prices, "600519.SH", "2022-01-10 15:30", benchmark=None)
    # after the close → day 0 is the next session; the marker sits just before its candle
    assert after.data[0].x[10] == "2022-01-11"
    assert after.data[-1].x[0] == pytest.approx(9.5)
    weekend = plotting.plot_event_price(prices, "600519.SH", "2022-01-08 10:00", benchmark=None)
    assert weekend.data[0].x[10] == "2022-01-10"
    with pytest.raises(ValueError, match="outside the price history"):
        plotting.plot_event_price(prices, "600519.SH", "1990-01-01 10:00")


def test_event_price_close_only_panel_is_a_labelled_line() -> None:
    wide = sample_prices(["000858.SZ"]).pivot(index="date", columns="symbol", values="close")
    fig = plotting.plot_event_price(
        wide, "000858.SZ", "2022-01-10 10:00", benchmark=None, proxy=True, symbol_label="BK0896"
    )
    assert fig.data[0].type == "scatter"
    assert "(proxy)" in fig.data[0].name
    assert "proxy built from the board's constituents" in fig.layout.annotations[-1].text
    np.testing.assert_array_equal(
        np.asarray(fig.data[0].y), wide["000858.SZ"].loc["2021-12-24":"2022-01-24"].to_numpy()
    )


def test_event_price_follows_the_day0_rule(prices) -> None:  # type: ignore[no-untyped-def]
    # Saturday 2022-01-08 with rule 'previous': day 0 is Friday 2022-01-07, news after its candle
    fig = plotting.plot_event_price(
        prices, "600519.SH", "2022-01-08 10:00", benchmark=None, rule="previous"
    )
    assert fig.data[0].x[10] == "2022-01-07"
    assert fig.data[-1].x[0] == pytest.approx(10.5)
    # cutoff 11:30 with rule 'next': 13:00 goes to the next session, marker before its candle
    fig = plotting.plot_event_price(prices, "600519.SH", "2022-01-10 13:00", cutoff="11:30")
    assert fig.data[0].x[10] == "2022-01-11"
    assert fig.data[-1].x[0] == pytest.approx(9.5)
    with pytest.raises(ValueError, match="strict"):
        plotting.plot_event_price(prices, "600519.SH", "2022-01-08 10:00", rule="strict")
