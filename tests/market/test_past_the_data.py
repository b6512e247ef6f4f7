"""Requests past the data's end are unavailable, not NaN rows (issue 13, item 16)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from eventstudy.exceptions import DataUnavailableError
from eventstudy.market import get_prices, load_panel
from eventstudy.market.cache import today_shanghai

T = pd.Timestamp


def _future() -> tuple[str, str]:
    start = today_shanghai() + pd.Timedelta(days=400)
    return str(start.date()), str((start + pd.Timedelta(days=31)).date())


@pytest.mark.parametrize("source", ["auto", "bundled"])
def test_a_range_after_today_is_unavailable(cache_dir, source) -> None:  # type: ignore[no-untyped-def]
    start, end = _future()
    with pytest.raises(DataUnavailableError, match="after today") as info:
        get_prices(["600519.SH", "000300.SH"], start, end, offline=True, source=source,
                   cache_dir=cache_dir)  # fmt: skip
    assert set(info.value.missing) == {"600519.SH", "000300.SH"}  # type: ignore[attr-defined]


def test_a_range_after_today_collected_lists_every_symbol(cache_dir) -> None:  # type: ignore[no-untyped-def]
    start, end = _future()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing was served: nothing to warn about
        panel = load_panel(["600519.SH", "BK0896"], start, end, offline=True,
                           cache_dir=cache_dir, errors="collect")  # fmt: skip
    assert panel.close.data.shape[1] == 0  # no all-NaN columns labelled with a source
    assert panel.failures["reason"].tolist() == ["unavailable", "unavailable"]
    assert panel.failures["message"].str.contains("no prices yet").all()


def test_offline_past_the_snapshot_says_where_the_series_ends(cache_dir) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataUnavailableError, match=r"the series ends on 2026-06-16"):
        get_prices("600519.SH", "2026-08-03", "2026-09-30", offline=True, cache_dir=cache_dir)
