"""The look shared by every figure and page: template, palette, CJK fonts, escaping, captions.

- One template, :data:`TEMPLATE_NAME` (``"eventstudy"``), built by
  :func:`template`: white background, light grid, and the CJK-capable font
  stack :data:`FONT_FAMILY` whose first choice is **Noto Sans CJK SC**
  (Debian ``fonts-noto-cjk``; ``fonts-wqy-zenhei`` as a fallback). Without a
  CJK font, Chinese labels render as empty boxes in PNG exports. The report
  pages use the same font stack.
- Candlesticks and signed numbers follow the Chinese convention: **red up,
  green down** (:data:`UP_COLOR`, :data:`DOWN_COLOR`).
- Every string that comes from news (titles, publishers, names) goes through
  :func:`escape_text` before it reaches a figure or a page, so markup in a
  headline shows as text and is never interpreted.
- Significance stars (:func:`significance_stars`): ``*`` p < 0.10, ``**`` p < 0.05,
  ``***`` p < 0.01, in figures and tables alike.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # plotly is imported lazily at run time
    import plotly.graph_objects as go

__all__ = [
    "BENCHMARK_COLOR",
    "DOWN_COLOR",
    "FIGURE_WIDTH",
    "FONT_FAMILY",
    "INSIGNIFICANT_COLOR",
    "LEGEND",
    "PALETTE",
    "SIGNIFICANT_COLOR",
    "TEMPLATE_NAME",
    "UP_COLOR",
    "add_caption",
    "escape_text",
    "new_figure",
    "significance_stars",
    "template",
    "wrap_text",
]

#: Name under which :func:`template` is registered in ``plotly.io.templates``.
TEMPLATE_NAME = "eventstudy"

#: Font stack of every figure and page: CJK-capable families first (Debian
#: ``fonts-noto-cjk`` provides "Noto Sans CJK SC"; ``fonts-wqy-zenhei`` "WenQuanYi Zen Hei";
#: macOS "PingFang SC"; Windows "Microsoft YaHei").
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)

#: Qualitative colours (one per group), colour-blind friendly (Okabe–Ito).
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Chinese market convention: rising red, falling green.
UP_COLOR = "#D62728"
DOWN_COLOR = "#2CA02C"
SIGNIFICANT_COLOR = "#0072B2"
INSIGNIFICANT_COLOR = "#B0B7C3"
BENCHMARK_COLOR = "#555555"


#: Where every legend goes: a horizontal row (wrapping) above the plot area, left-aligned,
#: so that a figure on a narrow (800 px) page keeps its legend inside its width.
LEGEND: dict[str, object] = {
    "orientation": "h",
    "x": 0.0,
    "xanchor": "left",
    "y": 1.02,
    "yanchor": "bottom",
    "bgcolor": "rgba(255,255,255,0.8)",
    "borderwidth": 0,
}

#: Layout width of a figure outside a page (PNG export); in a page figures fill the column.
FIGURE_WIDTH = 900


def escape_text(value: object) -> str:
    """HTML-escape a value for display in a figure or page; missing values become ``""``.

    Examples
    --------
    >>> escape_text("<script>alert(1)</script> & co")
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co'
    >>> escape_text(None), escape_text(float("nan"))
    ('', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def significance_stars(p: float) -> str:
    """``"***"`` for p < 0.01, ``"**"`` for p < 0.05, ``"*"`` for p < 0.10, else ``""``.

    Examples
    --------
    >>> [significance_stars(p) for p in (0.001, 0.03, 0.07, 0.2, float("nan"))]
    ['***', '**', '*', '', '']
    """
    if not math.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def template() -> go.layout.Template:
    """The package's plotly template (registered as ``"eventstudy"`` on first use).

    Examples
    --------
    >>> t = template()
    >>> t.layout.font.family.startswith('"Noto Sans CJK SC"')
    True
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE_NAME in pio.templates:
        return pio.templates[TEMPLATE_NAME]
    axis = {
        "showgrid": True,
        "gridcolor": "#E5E8EE",
        "zeroline": True,
        "zerolinecolor": "#9AA3AF",
        "linecolor": "#9AA3AF",
        "showline": True,
        "ticks": "outside",
        "tickcolor": "#9AA3AF",
        "title": {"standoff": 8},
        "automargin": True,
    }
    tmpl = go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": 13, "color": "#1F2933"},
            # at the top of the figure, clear of the legend above the plot
            "title": {
                "x": 0.01,
                "xanchor": "left",
                "y": 0.985,
                "yref": "container",
                "yanchor": "top",
                "font": {"size": 17},
            },
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(PALETTE),
            "xaxis": axis,
            "yaxis": axis,
            # above the plot, left-aligned, horizontal (items wrap): fits a narrow page
            "legend": LEGEND,
            "hoverlabel": {"font": {"family": FONT_FAMILY}},
            "margin": {"l": 70, "r": 30, "t": 100, "b": 90},
            "height": 520,
        }
    )
    pio.templates[TEMPLATE_NAME] = tmpl
    return tmpl


def new_figure() -> go.Figure:
    """An empty figure in the package template.

    Examples
    --------
    >>> new_figure().layout.template == template()
    True
    """
    import plotly.graph_objects as go

    return go.Figure(layout={"template": template()})


def wrap_text(text: str, width: int = 110) -> str:
    """Break a long caption into ``<br>``-separated lines (plotly does not wrap).

    Examples
    --------
    >>> wrap_text("one two three", width=8)
    'one two<br>three'
    """
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return "<br>".join(lines)


def add_caption(fig: go.Figure, text: str, *, offset: int = 62) -> None:
    """A caption under the plot, ``offset`` pixels below the x-axis; the bottom margin grows.

    ``text`` is wrapped with :func:`wrap_text` unless it holds ``<br>`` already;
    it is used as given (escape news text first).

    Examples
    --------
    >>> fig = new_figure()
    >>> add_caption(fig, "N = 4 events.")
    >>> fig.layout.annotations[-1].text, fig.layout.margin.b
    ('N = 4 events.', 93)
    """
    text = text if "<br>" in text else wrap_text(text)
    lines = text.count("<br>") + 1
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-offset,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 11, "color": "#52606D"},
    )
    fig.update_layout(margin={"b": offset + 15 * lines + 16})
