"""Asking for a security no article mentions says so (issue 13, item 18)."""

from __future__ import annotations

import pytest

import eventstudy as es
from eventstudy.exceptions import InputDataError


@pytest.fixture(scope="module")
def news():  # type: ignore[no-untyped-def]
    return es.load_news(es.datasets.sample_news_path())


def test_to_events_notes_the_symbols_no_article_mentions(news) -> None:  # type: ignore[no-untyped-def]
    ev = news.to_events(symbols=["BK9999", "BK0896"])
    assert len(ev) == 1  # BK0896 is mentioned
    assert any("no article mentions BK9999" in n for n in ev.notes)
    assert not any("BK0896" in n for n in ev.notes)


@pytest.mark.parametrize("call", ["study", "backtest"])
def test_no_events_says_no_article_mentions_it(news, call) -> None:  # type: ignore[no-untyped-def]
    ev = news.to_events(symbols=["BK9999"])
    run = (
        (lambda: es.run_event_study(ev, market="000300.SH"))
        if call == "study"
        else (lambda: es.backtest(ev, hold=5))
    )
    with pytest.raises(InputDataError, match="no article mentions BK9999") as info:
        run()
    assert "dropped" not in str(info.value)  # nothing was dropped


def test_an_empty_event_set_with_drops_names_their_reasons() -> None:
    import pandas as pd

    ev = es.EventSet.from_frame(
        pd.DataFrame({"event_id": ["a"], "symbol": ["600519.SH"], "published_at": ["not a date"]})
    )
    assert ev.why_empty().startswith("all 1 were dropped (")
