"""The headline test: the rule that picks it and the summary line naming it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.study import TESTS, run_event_study
from eventstudy.study.headline import (
    HEADLINE_LINE,
    HEADLINE_RULE,
    HEADLINE_TEST,
    pick_headline,
    size_band,
)
from tests.study.conftest import make_events

CELLS = ["random N=30", "random N=100", "clustered N=30", "clustered N=100"]


def _tables(size: dict[str, list[float]], power: dict[str, list[float]]):
    return (
        pd.DataFrame(size, index=CELLS).T,
        pd.DataFrame(power, index=CELLS).T,
    )


def test_rule_takes_the_most_powerful_test_sized_in_every_cell() -> None:
    size, power = _tables(
        {
            "over": [0.05, 0.05, 0.05, 0.08],  # one cell outside 5 % +/- 1.38 %
            "sized": [0.045, 0.055, 0.06, 0.04],
            "weaker": [0.05, 0.05, 0.05, 0.05],
        },
        {"over": [0.99] * 4, "sized": [0.7, 0.9, 0.6, 0.8], "weaker": [0.6, 0.9, 0.6, 0.8]},
    )
    assert pick_headline(size, power, reps=1000) == "sized"
    # with 100 samples per cell the band is +/- 4.4 %: "over" is sized and most powerful
    assert pick_headline(size, power, reps=100) == "over"


def test_rule_fails_undefined_sizes_and_falls_back_to_the_smallest_error() -> None:
    size, power = _tables(
        {"nan": [0.05, 0.05, np.nan, np.nan], "a": [0.09, 0.05, 0.05, 0.05], "b": [0.08] * 4},
        {"nan": [1.0] * 4, "a": [0.5] * 4, "b": [0.6] * 4},
    )
    assert pick_headline(size, power, reps=1000) == "b"  # none sized: largest error 3 % < 4 %
    with pytest.raises(ValueError, match="share no test"):
        pick_headline(size, power.rename(index=str.upper), reps=1000)


def test_size_band_is_two_simulation_standard_errors() -> None:
    assert size_band(5000) == pytest.approx(2 * np.sqrt(0.05 * 0.95 / 5000))


def test_headline_test_is_a_standard_test_and_the_line_names_it() -> None:
    assert HEADLINE_TEST in TESTS
    assert HEADLINE_LINE.startswith(f"read {HEADLINE_TEST} first")
    assert "5 %" in HEADLINE_RULE


def test_summary_says_which_test_to_read(rets) -> None:
    res = run_event_study(make_events(rets), returns=rets, market="M")
    text = str(res.summary())
    lines = [ln.strip() for ln in text.splitlines()]
    assert HEADLINE_LINE in lines
    assert sum(HEADLINE_TEST in ln for ln in lines if ln.startswith("read ")) == 1
    # the table has the headline test's column, and the line sits under it
    header = next(ln for ln in text.splitlines() if "CAAR" in ln and "t_cross" in ln)
    assert HEADLINE_TEST in header.split()
    assert lines.index(HEADLINE_LINE) < lines.index("Methodology:")
    assert HEADLINE_LINE in res.summary().as_html()


def test_no_headline_line_without_the_test_or_for_other_measures(rets) -> None:
    others = [t for t in TESTS if t != HEADLINE_TEST][:3]
    res = run_event_study(make_events(rets), returns=rets, market="M", tests=others)
    assert HEADLINE_LINE not in str(res.summary())
    vol = run_event_study(make_events(rets), returns=rets, market="M", measure="volatility")
    assert HEADLINE_LINE not in str(vol.summary())  # the rule was chosen on returns
