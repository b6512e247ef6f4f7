"""Figures from results: CAAR paths, AAR bars, CAR distributions, heatmaps, prices, backtests.

Every ``plot_*`` function returns a :class:`plotly.graph_objects.Figure` and
never shows it (call ``fig.show()`` or ``fig.write_html(...)`` yourself). plotly
is imported on first use, so ``import eventstudy`` stays fast. Figures read
results through their public attributes only.

=============================== ==============================================
module                          what
=============================== ==============================================
:mod:`~.style`                  template, palette, CJK font stack, escaping,
                                captions, significance stars
:mod:`~.proxies`                which series are board proxies; their labels
:mod:`~.study`                  :func:`plot_caar`, :func:`plot_aar`,
                                :func:`plot_car_dist`, :func:`plot_heatmap`
:mod:`~.prices`                 :func:`plot_event_price`
:mod:`~.backtest`               :func:`plot_equity`, :func:`plot_placebo`
=============================== ==============================================

``result.plot(kind)`` of a study or backtest result draws through
:data:`STUDY_FIGURES` / :data:`BACKTEST_FIGURES` (kinds:
:data:`~eventstudy._typing.StudyPlotKind`, :data:`~eventstudy._typing.BacktestPlotKind`).

Examples
--------
>>> from eventstudy import datasets
>>> prices = datasets.sample_prices(["600519.SH", "000300.SH"])
>>> fig = plot_event_price(prices, "600519.SH", "2022-01-10 11:33:36+08:00",
...                        title="白酒板块走强", publisher="证券时报网")
>>> [t.type for t in fig.data]
['candlestick', 'scatter', 'scatter']
>>> plot_caar(example_result()).layout.template.layout.font.family == FONT_FAMILY
True
"""

from __future__ import annotations

import warnings
from typing import Any

from eventstudy.plotting.backtest import BACKTEST_FIGURES, plot_equity, plot_placebo
from eventstudy.plotting.prices import DEFAULT_CUTOFF, plot_event_price
from eventstudy.plotting.proxies import event_proxy, group_proxy_label, proxy_info, proxy_label
from eventstudy.plotting.study import (
    DEFAULT_TEST,
    GROUP_LABELS,
    HEATMAP_MIN_N,
    REL_DAY_TITLE,
    STUDY_FIGURES,
    available_test,
    pick_window,
    plot_aar,
    plot_caar,
    plot_car_dist,
    plot_heatmap,
)
from eventstudy.plotting.style import (
    BENCHMARK_COLOR,
    DOWN_COLOR,
    FONT_FAMILY,
    INSIGNIFICANT_COLOR,
    PALETTE,
    SIGNIFICANT_COLOR,
    TEMPLATE_NAME,
    UP_COLOR,
    escape_text,
    significance_stars,
    template,
)

__all__ = [
    "BACKTEST_FIGURES",
    "BENCHMARK_COLOR",
    "DEFAULT_CUTOFF",
    "DEFAULT_TEST",
    "DOWN_COLOR",
    "FONT_FAMILY",
    "GROUP_LABELS",
    "HEATMAP_MIN_N",
    "INSIGNIFICANT_COLOR",
    "PALETTE",
    "REL_DAY_TITLE",
    "SIGNIFICANT_COLOR",
    "STUDY_FIGURES",
    "TEMPLATE_NAME",
    "UP_COLOR",
    "available_test",
    "escape_text",
    "event_proxy",
    "group_proxy_label",
    "pick_window",
    "plot_aar",
    "plot_caar",
    "plot_car_dist",
    "plot_equity",
    "plot_event_price",
    "plot_heatmap",
    "plot_placebo",
    "proxy_info",
    "proxy_label",
    "significance_stars",
    "template",
]


def _window_label(window: tuple[int, int] | str) -> str:
    """Deprecated ``eventstudy.plotting.window_label``: a label passes through unchanged."""
    if isinstance(window, str):
        return window
    # deferred, and only on this deprecated path: plotting never imports the study at run time
    from eventstudy.study import window_label

    return window_label((int(window[0]), int(window[1])))


def __getattr__(name: str) -> Any:
    if name == "window_label":
        warnings.warn(
            "eventstudy.plotting.window_label is deprecated; use eventstudy.study.window_label "
            "(or eventstudy.plotting.pick_window(result, window) for a window of a result)",
            DeprecationWarning,
            stacklevel=2,
        )
        return _window_label
    raise AttributeError(f"module 'eventstudy.plotting' has no attribute {name!r}")
