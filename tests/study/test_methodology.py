"""The methodology lines of engine II's inference and event handling (summary, briefing)."""

from __future__ import annotations

import pandas as pd

from eventstudy.study import run_event_study
from tests.study.conftest import make_events, synthetic


def test_summary_says_what_ran(tmp_path):
    wide = synthetic(400, 12, 5).drop(columns="M")  # twelve stocks, no market column
    ev = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(12)],
            "symbol": [f"S{i}" for i in range(12)],
            "day0": wide.index[[300 + 2 * i for i in range(12)]],
        }
    )
    res = run_event_study(
        ev, returns=wide, market="ew", tests=["all", "wild_bootstrap", "lbt_skew_t"],
        bootstrap=199, seed=5, duplicates="first", overlap="drop",
    )  # fmt: skip
    lines = res.methodology()
    heads = [line.split(":")[0] for line in lines]
    assert heads == [
        "market 'ew'",
        "calendar_time",
        "wild_bootstrap",
        "lbt_skew_t",
        "pvalue_holm, pvalue_bh",
        "duplicates='first'",
        "overlap='drop'",
    ]
    assert "12 stocks" in lines[0]
    assert "B=199, seed=5" in lines[2]
    assert "B=199" in lines[3]
    text = res.summary().as_text()
    assert "Methodology:" in text
    for line in lines:
        assert line in text

    from eventstudy.report import briefing

    files = briefing(res, out=tmp_path, formats=("html",), charts=())
    html = files.html.read_text(encoding="utf-8")
    assert "Inference and event handling" in html
    assert "calendar-time portfolio t (Jaffe 1974; Mandelker 1974)" in html
    assert "wild bootstrap, Rademacher weights" in html


def test_default_study_lines(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
    assert [line.split(":")[0] for line in res.methodology()] == [
        "calendar_time",
        "pvalue_holm, pvalue_bh",
        "duplicates='keep'",
        "overlap='keep'",
    ]
