"""Figures from event-study results: CAAR paths, AAR bars, CAR distributions, heatmaps, prices.

Every function returns a :class:`plotly.graph_objects.Figure` and never shows
it (call ``fig.show()`` or ``fig.write_html(...)`` yourself). plotly is imported
on first use, so ``import eventstudy`` stays fast.

Conventions shared by all figures
---------------------------------
- One template, :data:`TEMPLATE_NAME` (``"eventstudy"``), built by
  :func:`template`: white background, light grid, and the CJK-capable font
  stack :data:`FONT_FAMILY` whose first choice is **Noto Sans CJK SC**
  (Debian ``fonts-noto-cjk``; ``fonts-wqy-zenhei`` as a fallback). Without a
  CJK font, Chinese labels render as empty boxes in PNG exports.
- Returns are plotted as fractions with percent tick labels (``0.01`` shows as
  ``1.0%``), so trace data equal the result's numbers exactly.
- Relative days count trading sessions of the market's calendar (METHODS.md).
- Candlesticks follow the Chinese convention: **red up, green down**.
- Every string that comes from news (titles, publishers, names) is
  HTML-escaped before it reaches a figure, so markup in a headline shows as
  text and is never interpreted.

Examples
--------
>>> import pandas as pd
>>> from eventstudy import datasets
>>> prices = datasets.sample_prices(["600519.SH", "000300.SH"])
>>> fig = plot_event_price(prices, "600519.SH", "2022-01-10 11:33:36+08:00",
...                        title="白酒板块走强", publisher="证券时报网")
>>> [t.type for t in fig.data]
['candlestick', 'scatter', 'scatter']
>>> fig.data[0].x[10], float(fig.data[0].close[10])
('2022-01-10', 1739.49)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from eventstudy._typing import SessionRule

if TYPE_CHECKING:  # plotly is imported lazily at run time
    import plotly.graph_objects as go

    from eventstudy.study import EventStudyResult

__all__ = [
    "FONT_FAMILY",
    "TEMPLATE_NAME",
    "available_test",
    "escape_text",
    "plot_aar",
    "plot_caar",
    "plot_car_dist",
    "plot_event_price",
    "plot_heatmap",
    "proxy_info",
    "proxy_label",
    "template",
    "window_label",
]

#: Name under which :func:`template` is registered in ``plotly.io.templates``.
TEMPLATE_NAME = "eventstudy"

#: Font stack of every figure: CJK-capable families first (Debian ``fonts-noto-cjk``
#: provides "Noto Sans CJK SC"; ``fonts-wqy-zenhei`` "WenQuanYi Zen Hei"; macOS
#: "PingFang SC"; Windows "Microsoft YaHei").
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

#: Default test used to mark significance (a name in ``result.tests["test"]``).
DEFAULT_TEST = "bmp"

REL_DAY_TITLE = "Relative day (trading sessions; 0 = event day)"


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


def window_label(window: tuple[int, int] | str) -> str:
    """The column label of a CAR window, e.g. ``(-1, 1)`` → ``"[-1,1]"``.

    Examples
    --------
    >>> window_label((-1, 1)), window_label("[0,5]")
    ('[-1,1]', '[0,5]')
    """
    if isinstance(window, str):
        return window
    a, b = window
    return f"[{int(a)},{int(b)}]"


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
            "title": {"x": 0.01, "xanchor": "left", "font": {"size": 17}},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(PALETTE),
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"bgcolor": "rgba(255,255,255,0.8)", "borderwidth": 0},
            "hoverlabel": {"font": {"family": FONT_FAMILY}},
            "margin": {"l": 70, "r": 30, "t": 70, "b": 90},
            "width": 900,
            "height": 520,
        }
    )
    pio.templates[TEMPLATE_NAME] = tmpl
    return tmpl


def _example_result() -> EventStudyResult:
    """A small real result for the examples: four events on bundled stocks."""
    from eventstudy.datasets import sample_prices
    from eventstudy.study import run_event_study

    symbols = ["600519.SH", "000858.SZ", "600036.SH", "601398.SH"]
    px = sample_prices([*symbols, "000300.SH"]).pivot(
        index="date", columns="symbol", values="close"
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "symbol": symbols,
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31", "2022-05-31"],
            "title": ["白酒板块走强", "五粮液公告", "招商银行业绩", "工商银行"],
            "name": ["白酒", "白酒", "银行", "银行"],
        }
    )
    return run_event_study(events, prices=px, market="000300.SH")


def _figure() -> go.Figure:
    import plotly.graph_objects as go

    return go.Figure(layout={"template": template()})


def _caption(fig: go.Figure, text: str, *, offset: int = 62) -> None:
    """A caption under the plot, ``offset`` pixels below the x-axis; the bottom margin grows."""
    text = text if "<br>" in text else _wrap(text)
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


def _wrap(text: str, width: int = 110) -> str:
    """Break a long caption into ``<br>``-separated lines (plotly does not wrap)."""
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


def _as_results(
    results: EventStudyResult | Mapping[str, EventStudyResult],
) -> dict[str, EventStudyResult]:
    if isinstance(results, Mapping):
        if not results:
            raise ValueError("no results to plot: the mapping of groups is empty")
        return {str(k): v for k, v in results.items()}
    return {"all events": results}


def _n_events(result: EventStudyResult) -> int:
    return len(result.car) if hasattr(result, "car") else len(result.events)


def _t_quantile(level: float, df: np.ndarray) -> np.ndarray:
    """Two-sided ``level`` quantile of t(df); NaN where df < 1."""
    from scipy.stats import t

    with np.errstate(invalid="ignore"):
        q = t.ppf(0.5 + level / 2, np.where(df >= 1, df, np.nan))
    return np.asarray(q, dtype=float)


def plot_caar(
    results: EventStudyResult | Mapping[str, EventStudyResult],
    *,
    level: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """CAAR path over the event window with its confidence band, for one or several groups.

    Each group gets a line (``result.caar_path["caar"]``) and a shaded band
    (``lower`` .. ``upper``). The legend states the confidence level and the
    caption the variance the band uses (``caar_path.attrs["variance"]``).

    Parameters
    ----------
    results
        One :class:`~eventstudy.study.EventStudyResult`, or a mapping group
        name → result (e.g. ``result.by("name")``) drawn on one figure.
    level
        Confidence level of the band. ``None`` uses the level the result was
        computed with (``caar_path.attrs["level"]``) and its bounds unchanged;
        another level redraws the band as ``caar ± q·se`` with ``q`` the t(n-1)
        quantile of that day's ``n`` (said so in the caption).
    title
        Figure title (escaped); a default names the groups' N.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces per group: band upper edge, band lower edge (filled), CAAR line
        (``name`` ends with ``"CAAR"``); x = relative day, y = CAAR as a fraction.

    Examples
    --------
    >>> result = _example_result()
    >>> fig = plot_caar(result)
    >>> bool((fig.data[-1].y == result.caar_path["caar"].to_numpy()).all())
    True
    >>> len(plot_caar(result.by("name")).data)  # 3 traces per group
    6
    """
    groups = _as_results(results)
    fig = _figure()
    captions: list[str] = []
    levels: set[float] = set()
    for i, (name, res) in enumerate(groups.items()):
        path = res.caar_path
        color = PALETTE[i % len(PALETTE)]
        own_level = float(path.attrs.get("level", float("nan")))
        variance = str(path.attrs.get("variance", "variance not stated"))
        x = [int(d) for d in path.index]
        if level is None or math.isclose(level, own_level):
            lvl = own_level
            upper = path["upper"].to_numpy(dtype=float)
            lower = path["lower"].to_numpy(dtype=float)
            how = variance
        else:
            if not 0 < level < 1:
                raise ValueError(f"level={level!r} must be between 0 and 1, e.g. 0.95")
            lvl = level
            n_day = path["n"].to_numpy(dtype=float)
            q = _t_quantile(level, n_day - 1)
            se = path["se"].to_numpy(dtype=float)
            mid = path["caar"].to_numpy(dtype=float)
            upper, lower = mid + q * se, mid - q * se
            how = f"{variance} (band redrawn at {level:.0%}: CAAR ± t(n-1) quantile × se)"
        levels.add(lvl)
        label = escape_text(name)
        n = _n_events(res)
        tag = _group_proxy_label(res)
        count = f"{tag}, N={n}" if tag.startswith("proxy") else f"N={n}, {tag}" if tag else f"N={n}"
        fill = _rgba(color, 0.18)
        fig.add_scatter(
            x=x,
            y=upper,
            mode="lines",
            line={"width": 0, "color": color},
            name=f"{label} upper {lvl:.0%}",
            legendgroup=label,
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=x,
            y=lower,
            mode="lines",
            line={"width": 0, "color": color},
            fill="tonexty",
            fillcolor=fill,
            name=f"{label}: {lvl:.0%} confidence band",
            legendgroup=label,
            hoverinfo="skip",
        )
        custom = np.column_stack(
            [path["se"].to_numpy(dtype=float), path["n"].to_numpy(dtype=float), lower, upper]
        )
        fig.add_scatter(
            x=x,
            y=path["caar"].to_numpy(dtype=float),
            mode="lines+markers",
            line={"width": 2.5, "color": color},
            marker={"size": 6},
            name=f"{label} ({count}) CAAR",
            legendgroup=label,
            customdata=custom,
            hovertemplate=(
                f"<b>{label}</b><br>day %{{x}}<br>CAAR %{{y:.2%}}<br>"
                f"{lvl:.0%} CI [%{{customdata[2]:.2%}}, %{{customdata[3]:.2%}}]<br>"
                "se %{customdata[0]:.3%} · N %{customdata[1]:.0f}<extra></extra>"
            ),
        )
        captions.append(f"{label}: {escape_text(how)}" if len(groups) > 1 else escape_text(how))
    fig.add_vline(x=0, line={"dash": "dot", "color": "#9AA3AF"})
    lvl_text = ", ".join(f"{v:.0%}" for v in sorted(levels))
    default = "Cumulative average abnormal return (CAAR)"
    fig.update_layout(
        title={"text": escape_text(title) if title else default},
        xaxis={"title": {"text": REL_DAY_TITLE}, "dtick": 1},
        yaxis={"title": {"text": "CAAR (% return)"}, "tickformat": ".1%"},
        legend={"title": {"text": f"Shaded: {lvl_text} confidence band"}},
    )
    _caption(fig, _wrap(f"Band: {lvl_text} confidence interval. Variance: " + "; ".join(captions)))
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _day_tests(result: EventStudyResult, test: str) -> pd.DataFrame:
    """Rows of ``result.tests`` for one test on single days of AAR (rel_day not null)."""
    tests = result.tests
    rows = tests[(tests["test"] == test) & tests["rel_day"].notna()]
    if "measure" in rows.columns:
        measure = rows["measure"].astype(str).str.upper()
        ar_rows = rows[measure.isin(["AAR", "AR"])]
        if not ar_rows.empty:
            rows = ar_rows
    return rows


def available_test(result: EventStudyResult, *, per_day: bool, prefer: str = DEFAULT_TEST) -> str:
    """The test whose p-values mark significance: ``prefer`` if the result has it, else the first.

    ``per_day=True`` looks for rows of single relative days (AAR), ``False`` for
    CAR-window rows. Returns ``""`` when the result has no such test (e.g. a
    study run with ``tests=["skew_t"]`` has no per-day rows).

    Examples
    --------
    >>> available_test(_example_result(), per_day=True)
    'bmp'
    """
    tests = result.tests
    if len(tests) == 0:
        return ""
    rows = tests[tests["rel_day"].notna()] if per_day else tests[tests["window"].notna()]
    names = [str(t) for t in dict.fromkeys(rows["test"].astype(str))]
    if prefer in names:
        return prefer
    return names[0] if names else ""


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


_MEMBERS = re.compile(r"index of (\d+) members? \(([^)]*)\)")


def proxy_info(result: Any) -> pd.DataFrame:
    """Per symbol of ``result.provenance``: ``is_proxy``, ``proxy_members`` and ``proxy_key``.

    ``proxy_members`` is the number of constituents a board proxy was built from
    (``<NA>`` for real series, or when the provenance note does not say);
    ``proxy_key`` is the proxy's construction (weighting, members, membership
    date, base) without the board's own code, so two boards with the same key
    have identical series; ``""`` for real series.

    Examples
    --------
    >>> class R:
    ...     provenance = pd.DataFrame({"is_proxy": [True, False], "note": [
    ...         "proxy for BK1: equal-weighted index of 1 members (600104.SH), as of 2022", ""]},
    ...         index=pd.Index(["BK1", "600104.SH"], name="symbol"))
    >>> info = proxy_info(R())
    >>> bool(info.loc["BK1", "is_proxy"]), int(info.loc["BK1", "proxy_members"])
    (True, 1)
    """
    prov = getattr(result, "provenance", None)
    cols = ["is_proxy", "proxy_members", "proxy_key"]
    if not isinstance(prov, pd.DataFrame) or "is_proxy" not in prov.columns:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="symbol"))
    if "symbol" in prov.columns:
        prov = prov.set_index("symbol")
    notes = prov["note"].astype(object) if "note" in prov.columns else pd.Series("", prov.index)
    out = pd.DataFrame(index=pd.Index(prov.index.astype(str), name="symbol"))
    out["is_proxy"] = prov["is_proxy"].astype(bool).to_numpy()
    members: list[Any] = []
    keys: list[str] = []
    for sym, proxy, note in zip(out.index, out["is_proxy"], notes, strict=True):
        text = note if isinstance(note, str) else ""
        m = _MEMBERS.search(text) if proxy else None
        members.append(int(m.group(1)) if m else pd.NA)
        tail = text.split(f"proxy for {sym}:", 1)[1] if f"proxy for {sym}:" in text else ""
        keys.append(tail.strip() if proxy and m else "")
    out["proxy_members"] = pd.array(members, dtype="Int64")
    out["proxy_key"] = keys
    return out


def proxy_label(is_proxy: bool, members: Any) -> str:
    """``"proxy, 6 members"`` / ``"proxy, 1 member"`` / ``"proxy"`` / ``""``.

    Examples
    --------
    >>> proxy_label(True, 1), proxy_label(True, 6), proxy_label(True, pd.NA), proxy_label(False, 3)
    ('proxy, 1 member', 'proxy, 6 members', 'proxy', '')
    """
    if not is_proxy:
        return ""
    if members is None or members is pd.NA or (isinstance(members, float) and math.isnan(members)):
        return "proxy"
    k = int(members)
    return f"proxy, {k} member{'s' if k != 1 else ''}"


def _event_proxy(result: Any) -> pd.DataFrame:
    """Per event_id (str): ``is_proxy`` and ``proxy_members`` of the event's series."""
    ev = result.events
    ids = ev["event_id"].astype(str) if "event_id" in ev.columns else ev.index.astype(str)
    syms = ev["symbol"].astype(str) if "symbol" in ev.columns else pd.Series("", index=ev.index)
    info = proxy_info(result).reindex(syms.to_numpy())
    out = pd.DataFrame(
        {
            "is_proxy": info["is_proxy"].eq(True).to_numpy(),
            "proxy_members": pd.array(info["proxy_members"].to_numpy(), dtype="Int64"),
        },
        index=pd.Index(ids.to_numpy(), name="event_id"),
    )
    return out


def _group_proxy_label(result: Any) -> str:
    """``"proxy, N=15"``-style fragment: how many of a result's events are proxies."""
    flags = _event_proxy(result)
    n = len(flags)
    k = int(flags["is_proxy"].sum())
    if k == 0 or n == 0:
        return ""
    if k == n:
        syms = set(result.events["symbol"].astype(str))
        members = flags["proxy_members"].dropna().unique()
        if len(syms) == 1 and len(members) == 1:
            return proxy_label(True, members[0])
        return "proxy"
    return f"{k} prox{'ies' if k != 1 else 'y'}"


def _event_labels(result: EventStudyResult) -> pd.DataFrame:
    """Per event_id: escaped symbol (proxies labelled), title, publisher, day0 for hover text."""
    ev = result.events
    flags = _event_proxy(result)
    ev = ev.set_index("event_id") if "event_id" in ev.columns else ev
    out = pd.DataFrame(index=ev.index.astype(str))
    for col in ("symbol", "title", "publisher", "name"):
        vals = ev[col] if col in ev.columns else pd.Series("", index=ev.index)
        out[col] = [escape_text(v) for v in vals]
    tags = [
        proxy_label(bool(p), m)
        for p, m in zip(
            flags["is_proxy"].reindex(out.index, fill_value=False),
            flags["proxy_members"].reindex(out.index),
            strict=True,
        )
    ]
    out["symbol"] = [f"{s} ({t})" if t else s for s, t in zip(out["symbol"], tags, strict=True)]
    day0 = ev["day0"] if "day0" in ev.columns else pd.Series(pd.NaT, index=ev.index)
    out["day0"] = [str(pd.Timestamp(d).date()) if pd.notna(d) else "" for d in day0]
    return out


def _hover(labels: pd.DataFrame, ids: Sequence[str]) -> list[str]:
    lab = labels.reindex([str(i) for i in ids])
    out = []
    for eid, row in zip(ids, lab.itertuples(index=False), strict=True):
        title = row.title if isinstance(row.title, str) and row.title else "(no title)"
        pub = row.publisher if isinstance(row.publisher, str) else ""
        sym = row.symbol if isinstance(row.symbol, str) else ""
        name = f" {row.name}" if isinstance(row.name, str) and row.name else ""
        out.append(
            f"<b>{title}</b><br>{pub}<br>{sym}{name} · day 0 {row.day0}<br>event {escape_text(eid)}"
        )
    return out


def plot_aar(
    result: EventStudyResult,
    *,
    test: str | None = None,
    alpha: float = 0.05,
    show_ar: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """Average abnormal return (AAR) by relative day, significant days marked.

    Bars are ``result.aar``; a bar is coloured and outlined as significant when
    ``test``'s p-value for that day is below ``alpha``. The individual ARs are
    overlaid as points (hover: the article title) when ``show_ar`` (default:
    N ≤ 300). Stars (* p < 0.10, ** p < 0.05, *** p < 0.01) sit above each
    day's bar and points, on the last trace so nothing covers them.

    Parameters
    ----------
    result
        An :class:`~eventstudy.study.EventStudyResult`.
    test
        Name of the test in ``result.tests["test"]`` whose per-day p-values mark
        significance. Default: ``"bmp"`` (Boehmer–Musumeci–Poulsen) when the
        result has it, else the first test with per-day rows (see
        :func:`available_test`); the caption names the test used.
    alpha
        Significance level for the bar colour.
    show_ar
        Overlay the per-event ARs.
    title
        Figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig.data[0]``: the AAR bars (x = relative day, y = AAR fraction,
        ``customdata`` = p-value); ``fig.data[1]`` (if shown): per-event ARs;
        last (if any day has p < 0.10): the stars, a text trace.

    Examples
    --------
    >>> fig = plot_aar(_example_result(), test="t_cross")
    >>> fig.data[0].type, len(fig.data[0].x)
    ('bar', 11)
    """
    aar = result.aar
    days = [int(d) for d in aar.index]
    if test is None:
        test = available_test(result, per_day=True)
    rows = _day_tests(result, test)
    if rows.empty and len(result.tests) and test:
        known = sorted(result.tests["test"].astype(str).unique())
        raise ValueError(f"test={test!r} has no per-day rows in result.tests; known tests: {known}")
    p_by_day = pd.Series(rows["pvalue"].to_numpy(dtype=float), index=rows["rel_day"].astype(int))
    p_by_day = p_by_day[~p_by_day.index.duplicated()]
    pvals = p_by_day.reindex(days).to_numpy(dtype=float)
    significant = np.isfinite(pvals) & (pvals < alpha)
    colors = [SIGNIFICANT_COLOR if s else INSIGNIFICANT_COLOR for s in significant]
    fig = _figure()
    fig.add_bar(
        x=days,
        y=aar.to_numpy(dtype=float),
        marker={
            "color": colors,
            "line": {
                "color": ["#1F2933" if x else "rgba(0,0,0,0)" for x in significant],
                "width": 2,
            },
        },
        customdata=pvals,
        name=f"AAR (coloured: {escape_text(test)} p < {alpha:g})",
        hovertemplate=(
            f"day %{{x}}<br>AAR %{{y:.3%}}<br>{escape_text(test)} p = %{{customdata:.4f}}"
            "<extra></extra>"
        ),
    )
    ar = result.ar
    if show_ar is None:
        show_ar = len(ar) <= 300
    if show_ar and len(ar):
        labels = _event_labels(result)
        long = ar.stack(future_stack=True).dropna()
        ids = [str(i) for i in long.index.get_level_values(0)]
        fig.add_scatter(
            x=[int(d) for d in long.index.get_level_values(1)],
            y=long.to_numpy(dtype=float),
            mode="markers",
            marker={"size": 5, "color": "rgba(31,41,51,0.35)"},
            name="AR of each event",
            hovertext=_hover(labels, ids),
            hovertemplate="%{hovertext}<br>AR %{y:.2%}<extra></extra>",
        )
    # the stars go on their own trace, added last so they are drawn above the AR dots, at the
    # top of each day's bar and dots
    stars = [_stars(p) for p in pvals]
    starred = [i for i, st in enumerate(stars) if st]
    if starred:
        aar_v = aar.to_numpy(dtype=float)
        tops = np.where(np.isfinite(aar_v), np.maximum(aar_v, 0.0), 0.0)
        if show_ar and len(ar):
            day_max = ar.max(axis=0).reindex(aar.index).to_numpy(dtype=float)
            tops = np.fmax(tops, day_max)
        values = np.concatenate([aar_v, ar.to_numpy(dtype=float).ravel() if show_ar else []])
        values = values[np.isfinite(values)]
        span = float(values.max() - min(values.min(), 0.0)) if values.size else 0.0
        pad = 0.04 * span if span > 0 else 0.001
        fig.add_scatter(
            x=[days[i] for i in starred],
            y=[float(tops[i]) + pad for i in starred],
            mode="text",
            text=[stars[i] for i in starred],
            textposition="middle center",
            textfont={"size": 18, "color": "#1F2933"},
            customdata=[pvals[i] for i in starred],
            name=f"{escape_text(test)} significance (* p < 0.10, ** < 0.05, *** < 0.01)",
            hovertemplate=(
                f"day %{{x}}<br>{escape_text(test)} p = %{{customdata:.4f}}<extra></extra>"
            ),
        )
    fig.update_layout(
        title={"text": escape_text(title) if title else "Average abnormal return by day (AAR)"},
        xaxis={"title": {"text": REL_DAY_TITLE}, "dtick": 1},
        yaxis={"title": {"text": "Abnormal return (% return)"}, "tickformat": ".1%"},
        bargap=0.25,
    )
    _caption(
        fig,
        _wrap(
            f"N = {len(ar)} events. Significance: {escape_text(test)} test per day; "
            "stars above each day: * p < 0.10, ** p < 0.05, *** p < 0.01; blue, outlined "
            f"bars: p < {alpha:g}."
            if test
            else f"N = {len(ar)} events. No per-day test in the result: significance not marked."
        ),
    )
    return fig


def _pick_window(result: EventStudyResult, window: tuple[int, int] | str | None) -> str:
    cols = [str(c) for c in result.car.columns]
    if window is None:
        if not cols:
            raise ValueError("the result has no CAR windows")
        return cols[0]
    label = window_label(window)
    if label not in cols:
        raise ValueError(f"window {label!r} is not in the result; its CAR windows are {cols}")
    return label


def plot_car_dist(
    result: EventStudyResult,
    *,
    window: tuple[int, int] | str | None = None,
    measure: str = "car",
    title: str | None = None,
) -> go.Figure:
    """Distribution of per-event CARs (box with every event as a point; hover: the title).

    Parameters
    ----------
    result
        An :class:`~eventstudy.study.EventStudyResult`.
    window
        A CAR window, ``(a, b)`` or its label ``"[a,b]"``; default: the first of
        ``result.car.columns``.
    measure
        ``"car"`` or ``"bhar"`` (buy-and-hold abnormal returns).
    title
        Figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig.data[0]``: a box trace whose ``y`` are the events' CARs (missing
        ones left out, counted in the caption) and ``hovertext`` their titles.

    Examples
    --------
    >>> fig = plot_car_dist(_example_result(), window=(-1, 1))
    >>> fig.data[0].name, len(fig.data[0].y)
    ('CAR [-1,1]', 4)
    """
    if measure not in ("car", "bhar"):
        raise ValueError(f"measure={measure!r}: use 'car' or 'bhar'")
    label = _pick_window(result, window)
    table = result.car if measure == "car" else result.bhar
    values = table[label]
    present = values.dropna()
    ids = [str(i) for i in present.index]
    labels = _event_labels(result)
    name = measure.upper()
    fig = _figure()
    fig.add_box(
        y=present.to_numpy(dtype=float),
        boxpoints="all",
        jitter=0.45,
        pointpos=0,
        boxmean=True,
        name=f"{name} {label}",
        marker={"size": 6, "color": PALETTE[0], "opacity": 0.75},
        line={"color": "#52606D"},
        fillcolor="rgba(0,114,178,0.08)",
        hovertext=_hover(labels, ids),
        hovertemplate=f"%{{hovertext}}<br>{name} %{{y:.2%}}<extra></extra>",
        customdata=ids,
    )
    fig.add_hline(y=0, line={"dash": "dot", "color": "#9AA3AF"})
    fig.update_layout(
        title={
            "text": escape_text(title)
            if title
            else f"Per-event {name} over {label} (N = {len(present)})"
        },
        xaxis={"title": {"text": "Event window (trading sessions)"}},
        yaxis={"title": {"text": f"{name} (% return)"}, "tickformat": ".1%"},
        showlegend=False,
    )
    missing = int(values.isna().sum())
    _caption(
        fig,
        f"Each point is one (article, security) event; box: quartiles, line: median, "
        f"dashed: mean. {missing} event(s) without a {name} for this window are not shown.",
    )
    return fig


def _pvalue_for(result: EventStudyResult, label: str, test: str) -> float:
    tests = result.tests
    rows = tests[(tests["test"] == test) & (tests["window"].astype(str) == label)]
    if "measure" in rows.columns:
        caar = rows[rows["measure"].astype(str).str.upper().isin(["CAAR", "CAR"])]
        if not caar.empty:
            rows = caar
    return float(rows["pvalue"].iloc[0]) if len(rows) else float("nan")


def plot_heatmap(
    result: EventStudyResult,
    *,
    by: str = "name",
    windows: Sequence[tuple[int, int] | str] | None = None,
    test: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Heatmap of CAAR by group (rows) and CAR window (columns).

    Groups come from ``result.by(by)`` (any event attribute: board ``name``,
    ``symbol``, ``publisher``, ``kind`` ...); each cell shows the group's CAAR,
    its ``test`` p-value and N.

    Parameters
    ----------
    result
        An :class:`~eventstudy.study.EventStudyResult`.
    by
        Event attribute to group by.
    windows
        CAR windows to show (default: all of ``result.car.columns``).
    test
        Test whose p-value is printed in each cell (default: ``"bmp"`` when the
        result has it, else its first window test; the caption names it).
    title
        Figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace: ``z[i][j]`` is ``result.by(by)[group_i].caar[window_j]``.

    Examples
    --------
    >>> fig = plot_heatmap(_example_result(), by="name")
    >>> sorted(fig.data[0].y)
    ['白酒', '银行']
    """
    if by not in result.events.columns:
        raise ValueError(
            f"by={by!r} is not an event attribute; available: {list(result.events.columns)}"
        )
    labels = (
        [str(c) for c in result.car.columns]
        if windows is None
        else [_pick_window(result, w) for w in windows]
    )
    if test is None:
        test = available_test(result, per_day=False)
    groups = result.by(by)
    names = sorted(groups, key=lambda g: (-_n_events(groups[g]), str(g)))
    z = np.full((len(names), len(labels)), np.nan)
    text = []
    for i, g in enumerate(names):
        res = groups[g]
        row_text = []
        for j, lab in enumerate(labels):
            z[i, j] = float(res.caar[lab]) if lab in res.caar.index else np.nan
            p = _pvalue_for(res, lab, test)
            p_txt = f"p={p:.3f}" if np.isfinite(p) else "p=n/a"
            val = f"{z[i, j]:.2%}" if np.isfinite(z[i, j]) else "n/a"
            row_text.append(f"{val}{_stars(p)}<br>{p_txt} N={_n_events(res)}")
        text.append(row_text)
    finite = np.abs(z[np.isfinite(z)])
    bound = float(finite.max()) if finite.size else 0.01
    fig = _figure()
    rows = []
    for g in names:
        tag = _group_proxy_label(groups[g])
        rows.append(f"{escape_text(g)} ({tag})" if tag else escape_text(g))
    fig.add_heatmap(
        z=z,
        x=labels,
        y=rows,
        text=text,
        texttemplate="%{text}",
        colorscale=[[0.0, DOWN_COLOR], [0.5, "#FFFFFF"], [1.0, UP_COLOR]],
        zmid=0,
        zmin=-bound,
        zmax=bound,
        colorbar={"title": {"text": "CAAR"}, "tickformat": ".1%"},
        hovertemplate="%{y} · %{x}<br>CAAR %{z:.2%}<br>%{text}<extra></extra>",
        name="CAAR",
    )
    fig.update_layout(
        title={
            "text": escape_text(title) if title else f"CAAR by {_axis_label(by).lower()} and window"
        },
        xaxis={"title": {"text": "CAR window (trading sessions)"}, "type": "category"},
        yaxis={"title": {"text": _axis_label(by)}, "autorange": "reversed", "type": "category"},
        height=max(360, 140 + 46 * len(names)),
    )
    _caption(
        fig,
        f"Cell: CAAR, {escape_text(test)} p-value and N; * p < 0.10, ** p < 0.05, "
        "*** p < 0.01. Red up, green down (Chinese convention).",
    )
    return fig


#: Axis titles of the usual grouping columns (others show the column name).
GROUP_LABELS = {
    "name": "Board / security",
    "symbol": "Symbol",
    "kind": "Kind of security",
    "publisher": "Publisher",
    "category": "News category",
    "board": "Board",
}


def _axis_label(column: str) -> str:
    return GROUP_LABELS.get(column, escape_text(column).replace("_", " ").capitalize())


def _ohlc(prices: Any, symbol: str) -> pd.DataFrame:
    """OHLC (or close only) of one symbol, indexed by naive session date."""
    from eventstudy.symbols import normalize

    sym = normalize(symbol)
    if hasattr(prices, "data") and isinstance(prices.data, pd.DataFrame):
        prices = prices.data
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(
            f"prices must be a DataFrame (long with date/symbol/open/high/low/close, or wide "
            f"close panel) or a PriceFrame, not {type(prices).__name__}"
        )
    if {"date", "symbol"} <= set(prices.columns):
        rows = prices[prices["symbol"].astype(str) == sym]
        cols = [c for c in ("open", "high", "low", "close") if c in rows.columns]
        if "close" not in cols:
            raise ValueError("long-form prices need a 'close' column")
        out = rows.set_index(pd.DatetimeIndex(rows["date"]).normalize())[cols]
        ohl = [c for c in ("open", "high", "low") if c in cols]
        if ohl and out[ohl].isna().all().any():
            # a field missing for this symbol (a board proxy has no open/high/low): close line
            out = out[["close"]]
    else:
        if sym not in prices.columns:
            raise ValueError(f"{sym!r} is not in the price panel; columns: {list(prices.columns)}")
        out = prices[[sym]].rename(columns={sym: "close"})
        out.index = pd.DatetimeIndex(out.index).normalize()
    out = out[~out.index.duplicated(keep="last")].sort_index()
    idx = pd.DatetimeIndex(out.index)
    out.index = idx.tz_localize(None) if idx.tz is not None else idx
    return out.astype(float)


def plot_event_price(
    prices: Any,
    symbol: str,
    published_at: Any,
    *,
    title: str | None = None,
    publisher: str | None = None,
    benchmark: str | None = "000300.SH",
    before: int = 10,
    after: int = 10,
    cutoff: str = "15:00",
    rule: str = "next",
    proxy: bool = False,
    symbol_label: str | None = None,
) -> go.Figure:
    """Price of a symbol around one news item: candlesticks, benchmark, publication time.

    Candlesticks where open/high/low/close exist (red up, green down), a close
    line otherwise; the benchmark's close on a second y-axis; a dashed line at
    the publication time (placed within its session when published during
    trading hours 09:30–15:00, before day 0's candle otherwise) whose hover
    shows the title and publisher. Sessions without trading are not drawn
    (the x-axis is categorical by session).

    Parameters
    ----------
    prices
        Long prices (``date``, ``symbol``, ``open``, ``high``, ``low``,
        ``close``, as :func:`eventstudy.datasets.sample_prices` returns), a wide
        close panel (sessions × symbols) or a ``PriceFrame``.
    symbol
        The security, board or index.
    published_at
        Publication time; naive values are Asia/Shanghai.
    title, publisher
        Of the article (escaped before display).
    benchmark
        Symbol drawn on the second axis; ``None`` for none.
    before, after
        Sessions shown before and after day 0.
    cutoff, rule
        Day-0 cutoff and rule (``next``, ``previous``, ``strict``; METHODS.md:
        with ``next``, published at/after the cutoff → next session), as the
        events were built with.
    proxy
        Label the series as a constituent-built proxy (e.g. the ``BK0896`` proxy).
    symbol_label
        Display name of the symbol (default: the symbol).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig.data[0]``: candlestick (or close line) of ``symbol``;
        ``fig.data[1]``: benchmark close on ``y2`` (if any); last: the
        publication marker.

    Examples
    --------
    >>> from eventstudy import datasets
    >>> p = datasets.sample_prices(["000858.SZ"])
    >>> fig = plot_event_price(p, "000858.SZ", "2022-01-08 10:00", benchmark=None, after=2)
    >>> list(fig.data[0].x)[-3:]
    ['2022-01-10', '2022-01-11', '2022-01-12']
    """
    from eventstudy.calendar import TradingCalendar, to_local
    from eventstudy.symbols import normalize, symbol_kind

    sym = normalize(symbol)
    own = _ohlc(prices, sym)
    if own.empty:
        raise ValueError(f"no prices for {sym!r}")
    bench = _ohlc(prices, benchmark) if benchmark is not None else None
    sessions = pd.DatetimeIndex(own.index if bench is None else own.index.union(bench.index))
    cal = TradingCalendar(sessions, source=f"sessions of {sym}")
    published = to_local([published_at])[0]
    if published is pd.NaT:
        raise ValueError(f"published_at={published_at!r} is not a timestamp")
    day0 = cal.to_session(published, rule=cast(SessionRule, rule), cutoff=cutoff)
    if day0 is pd.NaT and rule == "strict":
        raise ValueError(f"{published} is not in a session before {cutoff} (rule='strict')")
    if day0 is pd.NaT:
        raise ValueError(
            f"{published} is outside the price history of {sym} "
            f"({cal.first.date()} .. {cal.last.date()})"
        )
    vals = cal.sessions
    i0 = int(vals.searchsorted(day0))
    shown = vals[max(0, i0 - before) : i0 + after + 1]
    x = [str(d.date()) for d in shown]
    data = own.reindex(shown)
    fig = _figure()
    name = escape_text(symbol_label or sym) + (" (proxy)" if proxy else "")
    has_ohlc = {"open", "high", "low"} <= set(data.columns)
    if has_ohlc:
        fig.add_candlestick(
            x=x,
            open=data["open"].to_numpy(),
            high=data["high"].to_numpy(),
            low=data["low"].to_numpy(),
            close=data["close"].to_numpy(),
            name=name,
            increasing={"line": {"color": UP_COLOR}, "fillcolor": UP_COLOR},
            decreasing={"line": {"color": DOWN_COLOR}, "fillcolor": DOWN_COLOR},
            yaxis="y",
        )
    else:
        fig.add_scatter(
            x=x,
            y=data["close"].to_numpy(),
            mode="lines+markers",
            name=f"{name} close",
            line={"color": PALETTE[0]},
        )
    if bench is not None:
        b = bench.reindex(shown)["close"]
        fig.add_scatter(
            x=x,
            y=b.to_numpy(),
            mode="lines",
            name=f"{escape_text(normalize(benchmark or ''))} close (right axis)",
            line={"color": BENCHMARK_COLOR, "width": 1.5, "dash": "dot"},
            yaxis="y2",
        )
    # position of the publication marker on the categorical axis (category serial numbers)
    j0 = i0 - max(0, i0 - before)
    local = published.tz_convert("Asia/Shanghai")
    minutes = local.hour * 60 + local.minute
    pub_day = local.normalize().tz_localize(None)
    same_day = pub_day == day0
    # during the 09:30–15:00 session of day 0: within its candle; before it: just before the
    # candle; after it (rule 'previous' maps later publications back to day 0): just after
    if same_day and 570 <= minutes < 900:
        pos = j0 - 0.5 + (minutes - 570) / 330
    elif pub_day > day0 or (same_day and minutes >= 900):
        pos = j0 + 0.5
    else:
        pos = j0 - 0.5
    when = local.strftime("%Y-%m-%d %H:%M")
    hover = (
        f"<b>{escape_text(title) or '(no title)'}</b><br>{escape_text(publisher)}<br>"
        f"published {when} (Asia/Shanghai)<br>day 0 = {day0.date()}"
    )
    n_shown = len(x)
    kind = symbol_kind(sym)
    if proxy:
        unit = "Proxy level (base 1000)"  # board_proxy's level: only its returns mean anything
    else:
        unit = "Price (CNY)" if kind == "stock" else "Level (index points)"
    fig.add_vline(x=pos, line={"dash": "dash", "color": "#7B2CBF", "width": 1.5})
    top = float(np.nanmax(data["high"] if has_ohlc else data["close"]))
    # the marker lives on an invisible linear x-axis aligned with the category serial numbers,
    # so it can sit between sessions without creating a category of its own
    fig.add_scatter(
        x=[pos],
        y=[top],
        xaxis="x2",
        mode="markers+text",
        marker={"symbol": "triangle-down", "size": 12, "color": "#7B2CBF"},
        text=["news"],
        textposition="top center",
        name=f"published {when}",
        hovertext=[hover],
        hovertemplate="%{hovertext}<extra></extra>",
    )
    head = escape_text(title) if title else f"{name} around the news"
    sub = " · ".join(part for part in (name, escape_text(publisher), when) if part)
    fig.update_layout(
        title={"text": f"{head}<br><sup>{sub}</sup>"},
        xaxis={
            "title": {"text": "Trading session (date)"},
            "type": "category",
            "range": [-0.5, n_shown - 0.5],
            "rangeslider": {"visible": False},
            "tickangle": -45,
        },
        xaxis2={
            "overlaying": "x",
            "range": [-0.5, n_shown - 0.5],
            "visible": False,
            "matches": None,
        },
        yaxis={"title": {"text": unit}},
        yaxis2={
            "title": {"text": "Benchmark (index points)"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickformat": ",.0f",
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        margin={"r": 80, "t": 110},
    )
    note = (
        "Price: a proxy built from the board's constituents, not the board index itself. "
        if proxy
        else ""
    )
    _caption(
        fig,
        f"{note}Stock prices forward-adjusted (qfq) where the source adjusts; indices unadjusted. "
        "Dashed line: publication time. Red up, green down.",
        offset=110,
    )
    return fig
