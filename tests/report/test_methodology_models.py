"""The briefing's methodology names the engine-II models and measures with their conventions."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.report import briefing
from eventstudy.study import run_event_study
from tests.study.conftest import make_events, synthetic


def _methodology(result, tmp_path) -> str:  # type: ignore[no-untyped-def]
    files = briefing(result, out=tmp_path, formats=("html",), charts=())
    html = files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    return html[html.index("<b>Model:</b>") :]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("scholes_williams", "Scholes and Williams (1977)"),
        ("dimson", "Var(beta_i) is taken as S_i^2/SS_m"),
        ("garch", "h-step-ahead conditional-variance forecast"),
        ("egarch", "Nelson (1991)"),
    ],
)
def test_methodology_of_the_new_models(tmp_path, model, expected) -> None:
    rets = synthetic(400, 6, 3)
    res = run_event_study(make_events(rets), returns=rets, market="M", model=model)
    text = _methodology(res, tmp_path)
    assert expected in text
    assert "Mikkelson–Partch 1988" not in text


def test_methodology_of_the_factor_model_and_the_measures(tmp_path) -> None:
    rets = synthetic(400, 6, 3)
    f = pd.DataFrame({"mkt": rets.M, "s4": rets.S4 - rets.M}, index=rets.index)
    res = run_event_study(make_events(rets), returns=rets, market="M", model="factors", factors=f)
    assert "factor model's prediction-error correction" in _methodology(res, tmp_path / "f")
    vol = run_event_study(make_events(rets), returns=rets, market="M", measure="volatility")
    text = _methodology(vol, tmp_path / "v")
    assert "<b>Measure:</b> abnormal volatility" in text
    assert "Beaver (1968)" in text
    assert "left out for measure volatility" in text
    ret = run_event_study(make_events(rets), returns=rets, market="M")
    assert "<b>Measure:</b>" not in _methodology(ret, tmp_path / "r")
