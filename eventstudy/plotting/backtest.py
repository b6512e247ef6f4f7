"""Figures of a news-signal backtest: equity curves and the placebo distribution.

Every function takes a :class:`~eventstudy.backtesting.BacktestResult` (only its
public attributes: ``equity``, ``params``, ``placebo``) and returns a
:class:`plotly.graph_objects.Figure` without showing it.
:data:`BACKTEST_FIGURES` maps each :data:`~eventstudy._typing.BacktestPlotKind`
to its function; :meth:`BacktestResult.plot
<eventstudy.backtesting.BacktestResult.plot>` dispatches through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from eventstudy._typing import BacktestPlotKind
from eventstudy.exceptions import ConfigError
from eventstudy.plotting.style import BENCHMARK_COLOR, PALETTE, escape_text, new_figure

if TYPE_CHECKING:  # no run-time import of eventstudy.backtesting: it imports plotting in plot()
    import plotly.graph_objects as go

    from eventstudy.backtesting import BacktestResult

__all__ = ["BACKTEST_FIGURES", "plot_equity", "plot_placebo"]


def plot_equity(result: BacktestResult) -> go.Figure:
    """Equity curves (growth of 1) of the strategy, net of costs, and of the benchmark.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig.data[0]``: the strategy (``result.equity["strategy"]``);
        ``fig.data[1]``: the benchmark (``result.equity["benchmark"]``); x = session.

    Examples
    --------
    >>> res = example_backtest()
    >>> fig = plot_equity(res)
    >>> [t.name for t in fig.data]
    ['strategy (net)', 'benchmark 000300.SH']
    >>> bool((fig.data[0].y == res.equity["strategy"].to_numpy()).all())
    True
    """
    eq = result.equity
    fig = new_figure()
    fig.add_scatter(
        x=eq.index,
        y=eq["strategy"],
        name="strategy (net)",
        line={"color": PALETTE[0]},
        hovertemplate="%{x|%Y-%m-%d}<br>%{y:.4f}<extra>strategy</extra>",
    )
    fig.add_scatter(
        x=eq.index,
        y=eq["benchmark"],
        name=f"benchmark {escape_text(result.params['benchmark'])}",
        line={"color": BENCHMARK_COLOR},
        hovertemplate="%{x|%Y-%m-%d}<br>%{y:.4f}<extra>benchmark</extra>",
    )
    fig.update_layout(
        title="Equity curve: news-signal strategy vs benchmark",
        xaxis_title="session",
        yaxis_title="growth of 1 (net of costs)",
    )
    return fig


def plot_placebo(result: BacktestResult) -> go.Figure:
    """Histogram of the placebo runs' statistic (percent axis), the real value marked.

    Raises
    ------
    ConfigError
        If the backtest ran without a placebo test (``placebo=0``).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig.data[0]``: a histogram of ``result.placebo.values``; a vertical
        line at ``result.placebo.statistic``.

    Examples
    --------
    >>> res = example_backtest()
    >>> fig = plot_placebo(res)
    >>> len(fig.data[0].x) == res.placebo.runs, fig.layout.xaxis.tickformat
    (True, '.1%')
    """
    pl = result.placebo
    if pl is None:
        raise ConfigError("kind='placebo' needs a placebo test (backtest(placebo=...) > 0)")
    label = pl.statistic_label
    fig = new_figure()
    fig.add_histogram(
        x=pl.values,
        name="placebo runs",
        nbinsx=40,
        marker={"color": PALETTE[5]},
        hovertemplate="%{x}<br>%{y} runs<extra></extra>",
    )
    if not math.isnan(pl.statistic):
        fig.add_vline(
            x=pl.statistic,
            line_color=PALETTE[1],
            line_width=2,
            annotation_text=f"real {pl.statistic:.2%} (p = {pl.pvalue:.3f})",
        )
    fig.update_layout(
        title=f"{label[0].upper()}{label[1:]}: {pl.runs} placebo runs vs the real events",
        xaxis={"title": label, "tickformat": ".1%", "hoverformat": ".2%"},
        yaxis_title="placebo runs",
        showlegend=False,
    )
    return fig


#: The figure function of each :data:`~eventstudy._typing.BacktestPlotKind`.
BACKTEST_FIGURES: Mapping[BacktestPlotKind, Callable[[BacktestResult], go.Figure]] = (
    MappingProxyType({"equity": plot_equity, "placebo": plot_placebo})
)
