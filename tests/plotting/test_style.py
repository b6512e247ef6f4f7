"""The plotting package: lazy plotly, the template, escaping, stars, the layering, aliases."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from eventstudy import plotting


def test_import_eventstudy_does_not_import_plotly() -> None:
    code = "import sys, eventstudy, eventstudy.plotting; print('plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plotting_does_not_import_the_results_it_draws() -> None:
    """study/backtesting import plotting (in plot()); plotting must not import them back."""
    code = (
        "import sys, eventstudy.plotting, eventstudy.plotting.style; "
        "print(sorted(m for m in sys.modules if m.startswith(('eventstudy.study', "
        "'eventstudy.backtesting', 'eventstudy.report'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_template_has_cjk_font_and_is_registered() -> None:
    import plotly.io as pio

    t = plotting.template()
    assert t.layout.font.family.startswith('"Noto Sans CJK SC"')
    assert pio.templates[plotting.TEMPLATE_NAME].layout.font.family == plotting.FONT_FAMILY
    assert plotting.plot_caar.__module__ == "eventstudy.plotting.study"


def test_escape_text() -> None:
    assert plotting.escape_text('a"<b>&') == "a&quot;&lt;b&gt;&amp;"
    assert plotting.escape_text(pd.NA) == ""


@pytest.mark.parametrize(
    ("p", "stars"),
    [(0.0099, "***"), (0.01, "**"), (0.0499, "**"), (0.05, "*"), (0.0999, "*"), (0.10, "")],
)
def test_significance_stars_thresholds(p: float, stars: str) -> None:
    assert plotting.significance_stars(p) == stars


def test_significance_stars_of_missing_p_values() -> None:
    assert plotting.significance_stars(float("nan")) == ""
    assert plotting.significance_stars(float("inf")) == ""


def test_window_label_is_a_deprecated_alias() -> None:
    from eventstudy.study import window_label

    with pytest.warns(DeprecationWarning, match=r"eventstudy\.study\.window_label"):
        alias = plotting.window_label
    assert alias((-1, 1)) == window_label((-1, 1)) == "[-1,1]"
    assert alias("[0,5]") == "[0,5]"  # a label passes through, as before
    with pytest.raises(AttributeError, match="no_such_name"):
        plotting.no_such_name  # noqa: B018


def test_every_public_name_is_importable() -> None:
    for name in plotting.__all__:
        assert getattr(plotting, name) is not None, name
    old = {"FONT_FAMILY", "TEMPLATE_NAME", "available_test", "escape_text", "plot_aar",
           "plot_caar", "plot_car_dist", "plot_event_price", "plot_heatmap", "proxy_info",
           "proxy_label", "template", "PALETTE", "UP_COLOR", "DOWN_COLOR", "SIGNIFICANT_COLOR",
           "INSIGNIFICANT_COLOR", "BENCHMARK_COLOR", "DEFAULT_TEST", "REL_DAY_TITLE",
           "GROUP_LABELS"}  # fmt: skip
    assert old <= set(plotting.__all__)
