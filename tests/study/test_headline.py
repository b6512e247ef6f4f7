"""The headline test: the rule that picks it and the summary line naming it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import EventStudyWarning
from eventstudy.study import TESTS, run_event_study
from eventstudy.study.headline import (
    HEADLINE_LINE,
    HEADLINE_MODELS,
    HEADLINE_RULE,
    HEADLINE_TEST,
    HEADLINE_TESTS,
    LARGE_N,
    SIZED_TESTS,
    headline_choice,
    headline_line,
    headline_test,
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


# Day-0 rejection rates at 5 % of benchmarks/RESULTS.md, "Size and power on the whole
# market" (1,000 samples per cell; cells random N=30, random N=100, clustered N=30,
# clustered N=100): size (delta = 0) and power (delta = +1 %), per test.
EW_SIZE = {
    "t_cross": [5.1, 4.6, 5.9, 5.5],
    "brown_warner": [5.2, 5.3, 6.4, 6.6],
    "patell": [6.9, 6.8, 8.0, 10.5],
    "patell_adj": [6.9, 6.8, 7.7, 8.3],
    "bmp": [5.3, 4.2, 5.3, 8.1],
    "kp_bmp": [5.3, 4.2, 5.0, 5.9],
    "sign": [6.9, 16.8, 9.8, 27.0],
    "gen_sign": [4.2, 4.8, 8.0, 12.8],
    "corrado": [3.4, 4.8, 4.9, 5.6],
    "grank": [5.1, 5.0, 6.6, 6.0],
    "wilcoxon": [7.6, 10.9, 8.5, 16.4],
    "skew_t": [8.0, 5.8, 8.2, 6.9],
}
EW_POWER = {
    "t_cross": [56.5, 97.8, 60.9, 96.3],
    "brown_warner": [52.8, 97.6, 54.6, 97.4],
    "patell": [68.3, 99.4, 67.4, 98.4],
    "patell_adj": [68.3, 99.5, 65.9, 98.2],
    "bmp": [65.9, 98.9, 66.2, 97.3],
    "kp_bmp": [65.8, 98.9, 65.1, 96.5],
    "sign": [60.7, 98.8, 57.8, 94.2],
    "gen_sign": [83.5, 100.0, 78.2, 98.3],
    "corrado": [87.9, 100.0, 80.6, 98.7],
    "grank": [86.0, 100.0, 79.8, 99.0],
    "wilcoxon": [68.0, 99.4, 67.1, 97.9],
    "skew_t": [62.0, 97.5, 64.1, 96.1],
}
CSI300_SIZE = {
    "t_cross": [5.0, 4.9, 39.0, 59.2],
    "brown_warner": [6.1, 4.8, 6.0, 6.4],
    "patell": [6.6, 6.7, 33.3, 54.2],
    "patell_adj": [6.7, 6.5, 6.3, 5.7],
    "bmp": [5.1, 4.6, 39.2, 58.7],
    "kp_bmp": [5.1, 4.6, 5.7, 4.6],
    "sign": [6.1, 11.5, 44.1, 68.3],
    "gen_sign": [4.3, 4.5, 44.2, 66.6],
    "corrado": [4.6, 4.7, 5.1, 5.4],
    "grank": [5.9, 4.4, 6.8, 5.6],
    "wilcoxon": [6.2, 8.4, 46.5, 68.8],
    "skew_t": [7.8, 5.9, 39.3, 57.4],
}
CSI300_POWER = {
    "t_cross": [45.2, 92.8, 62.3, 78.6], "brown_warner": [42.5, 92.3, 13.0, 13.1],
    "patell": [55.3, 97.5, 62.1, 81.1], "patell_adj": [55.2, 97.3, 15.1, 16.5],
    "bmp": [53.4, 96.4, 64.6, 80.5], "kp_bmp": [53.3, 96.2, 15.5, 14.7],
    "sign": [46.3, 95.1, 62.2, 80.1], "gen_sign": [60.9, 99.0, 68.2, 82.3],
    "corrado": [72.6, 99.5, 17.1, 18.7], "grank": [71.4, 99.5, 19.9, 20.0],
    "wilcoxon": [55.1, 97.8, 67.0, 80.5], "skew_t": [49.7, 92.6, 63.7, 79.0],
}  # fmt: skip


def _ranking(size: dict[str, list[float]], power: dict[str, list[float]]) -> tuple[str, ...]:
    """The tests inside the band in every cell, most powerful first (the rule, repeated)."""
    s, p = _tables(size, power)
    s, p = s / 100, p / 100
    out = []
    while True:
        picked = pick_headline(s, p, reps=1000)
        if (s.loc[picked] - 0.05).abs().max() > size_band(1000):
            return tuple(out)
        out.append(picked)
        s, p = s.drop(picked), p.drop(picked)


def test_the_rule_on_each_benchmarks_tables_picks_its_headline_test() -> None:
    """RESULTS.md's EW tables pick kp_bmp, its CSI 300 table corrado (market-aware rule)."""
    assert _ranking(EW_SIZE, EW_POWER) == SIZED_TESTS["ew"] == ("kp_bmp", "t_cross")
    assert _ranking(CSI300_SIZE, CSI300_POWER) == SIZED_TESTS["index"] == ("corrado", "kp_bmp")
    assert headline_test("ew") == HEADLINE_TEST == "kp_bmp"
    assert headline_test("000300.SH") == HEADLINE_TESTS["index"] == "corrado"


def test_headline_line_per_measure_selection_and_size() -> None:
    assert headline_line(market="ew", tests=TESTS) == HEADLINE_LINE
    line = headline_line(market="000300.SH", tests=TESTS)
    assert line is not None
    assert line.startswith("read corrado first: against an index")
    assert "result.placebo()" not in line
    for measure in ("volume", "volatility"):
        assert headline_line(market="ew", tests=TESTS, measure=measure) is None
    fallback = headline_line(market="000300.SH", tests=["t_cross", "kp_bmp"])
    assert fallback is not None
    assert fallback.startswith("read kp_bmp first (the headline test corrado was not selected)")
    assert headline_line(market="ew", tests=["patell", "corrado"]) is None
    big = headline_line(market="ew", tests=TESTS, n_events=LARGE_N)
    assert big is not None
    assert big.startswith(HEADLINE_LINE)
    assert f"with {LARGE_N:,} events (>= {LARGE_N}) read result.placebo() beside it" in big
    small = headline_line(market="ew", tests=TESTS, n_events=LARGE_N - 1)
    assert small == HEADLINE_LINE


def test_summary_says_which_test_to_read(rets) -> None:
    res = run_event_study(make_events(rets), returns=rets, market="M")
    line = headline_line(market="M", tests=TESTS)
    assert res.headline == line
    text = str(res.summary())
    lines = [ln.strip() for ln in text.splitlines()]
    assert line in lines
    assert sum(ln.startswith("read ") for ln in lines) == 1
    # the table has the headline test's column, and the line sits under it
    header = next(ln for ln in text.splitlines() if "CAAR" in ln and "t_cross" in ln)
    assert headline_test("M") in header.split()
    assert lines.index(line) < lines.index("Methodology:")
    assert line in res.summary().as_html()


def test_summary_points_to_the_placebo_at_large_n(rets) -> None:
    events = pd.concat([make_events(rets)] * (LARGE_N // 4 + 1), ignore_index=True)
    events["event_id"] = [f"e{i}" for i in range(len(events))]
    with pytest.warns(EventStudyWarning, match="same security on the same day 0"):
        res = run_event_study(events, returns=rets, market="M")
    assert res.n_events >= LARGE_N
    assert "read result.placebo() beside it" in str(res.summary())


def test_no_headline_line_without_the_test_or_for_other_measures(rets) -> None:
    others = [t for t in TESTS if t not in ("kp_bmp", "corrado")][:3]
    res = run_event_study(make_events(rets), returns=rets, market="M", tests=others)
    assert res.headline is None
    assert not [ln for ln in str(res.summary()).splitlines() if ln.strip().startswith("read ")]
    vol = run_event_study(make_events(rets), returns=rets, market="M", measure="volatility")
    assert vol.headline is None  # the rule was chosen on returns
    assert "first:" not in str(vol.summary())


def test_headline_only_for_the_simulated_model(rets) -> None:
    """The rule was chosen on market-model simulations: no line for other models."""
    assert HEADLINE_MODELS == ("market",)
    for model in ("raw", "constant_mean", "scholes_williams"):
        res = run_event_study(make_events(rets), returns=rets, market="M", model=model)
        assert res.headline is None, model
        assert res.headline_test is None, model
        assert "first:" not in str(res.summary())
    res = run_event_study(make_events(rets), returns=rets, market="M")
    assert res.headline_test == headline_test("M")
    assert headline_choice(market="ew", tests=TESTS, model="garch") is None
    assert headline_choice(market="ew", tests=TESTS, measure="volume") is None
    assert headline_choice(market="ew", tests=["t_cross", "corrado"]) == "t_cross"
