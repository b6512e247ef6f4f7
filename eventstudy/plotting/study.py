"""Figures of an event study: CAAR paths, AAR bars, CAR distributions, heatmaps.

Every function takes an :class:`~eventstudy.study.EventStudyResult` (only its
public attributes: ``caar_path``, ``aar``, ``ar``, ``car``, ``bhar``, ``caar``,
``tests``, ``events``, ``provenance``, ``windows``, ``by``) and returns a
:class:`plotly.graph_objects.Figure` without showing it.

- Returns are plotted as fractions with percent tick labels (``0.01`` shows as
  ``1.0%``), so trace data equal the result's numbers exactly.
- Relative days count trading sessions of the market's calendar (METHODS.md).
- Board proxies are labelled (:mod:`eventstudy.plotting.proxies`).

:data:`STUDY_FIGURES` maps each :data:`~eventstudy._typing.StudyPlotKind` to its
function; :meth:`EventStudyResult.plot <eventstudy.study.EventStudyResult.plot>`
dispatches through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import CarMeasure, StudyPlotKind
from eventstudy.plotting.proxies import event_proxy, group_proxy_label, proxy_label
from eventstudy.plotting.style import (
    DOWN_COLOR,
    INSIGNIFICANT_COLOR,
    PALETTE,
    SIGNIFICANT_COLOR,
    UP_COLOR,
    add_caption,
    escape_text,
    new_figure,
    significance_stars,
    wrap_text,
)

if TYPE_CHECKING:  # no run-time import of eventstudy.study: it imports plotting in plot()
    import plotly.graph_objects as go

    from eventstudy.study import EventStudyResult

__all__ = [
    "DEFAULT_TEST",
    "GROUP_LABELS",
    "HEATMAP_MIN_N",
    "REL_DAY_TITLE",
    "STUDY_FIGURES",
    "available_test",
    "pick_window",
    "plot_aar",
    "plot_caar",
    "plot_car_dist",
    "plot_heatmap",
]

#: Default test used to mark significance (a name in ``result.tests["test"]``).
DEFAULT_TEST = "bmp"

REL_DAY_TITLE = "Relative day (trading sessions; 0 = event day)"

#: Axis titles of the usual grouping columns (others show the column name).
GROUP_LABELS = {
    "name": "Board / security",
    "symbol": "Symbol",
    "kind": "Kind of security",
    "publisher": "Publisher",
    "category": "News category",
    "board": "Board",
}


def pick_window(result: EventStudyResult, window: tuple[int, int] | str | None = None) -> str:
    """The label of one of the result's CAR windows (a column of ``result.car``).

    Parameters
    ----------
    result
        An :class:`~eventstudy.study.EventStudyResult`.
    window
        ``None`` (the first window), a window ``(a, b)`` of ``result.windows``,
        or its label ``"[a,b]"``.

    Raises
    ------
    ValueError
        If the result has no such window (the message lists its windows).

    Examples
    --------
    >>> res = example_result()
    >>> pick_window(res), pick_window(res, (0, 5)), pick_window(res, "[-1,1]")
    ('[-1,1]', '[0,5]', '[-1,1]')
    """
    cols = [str(c) for c in result.car.columns]
    if window is None:
        if not cols:
            raise ValueError("the result has no CAR windows")
        return cols[0]
    if isinstance(window, str):
        label = window if window in cols else None
    else:
        # result.windows are in the order of the car columns (their labels)
        wanted = (int(window[0]), int(window[1]))
        spans = [(int(a), int(b)) for a, b in result.windows]
        label = cols[spans.index(wanted)] if wanted in spans else None
    if label is None:
        raise ValueError(f"window {window!r} is not in the result; its CAR windows are {cols}")
    return label


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

    Each group gets a line (``result.caar_path["caar"]``) and its band
    (``lower`` .. ``upper``): shaded for one group, dotted edges for several (so that
    the bands do not overlap). The legend states the confidence level and the
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
        Traces per group: band upper edge, band lower edge (filled when there is one
        group), CAAR line
        (``name`` ends with ``"CAAR"``); x = relative day, y = CAAR as a fraction.

    Examples
    --------
    >>> result = example_result()
    >>> fig = plot_caar(result)
    >>> bool((fig.data[-1].y == result.caar_path["caar"].to_numpy()).all())
    True
    >>> len(plot_caar(result.by("name")).data)  # 3 traces per group
    6
    """
    groups = _as_results(results)
    single = len(groups) == 1
    fig = new_figure()
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
        tag = group_proxy_label(res)
        count = f"{tag}, N={n}" if tag.startswith("proxy") else f"N={n}, {tag}" if tag else f"N={n}"
        # one group: a shaded band; several: dotted band edges (shaded bands would overlap)
        edge = (
            {"width": 0, "color": color}
            if single
            else {"width": 1.2, "color": color, "dash": "dot"}
        )
        fig.add_scatter(
            x=x,
            y=upper,
            mode="lines",
            line=edge,
            name=f"{label} upper {lvl:.0%}",
            legendgroup=label,
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=x,
            y=lower,
            mode="lines",
            line=edge,
            fill="tonexty" if single else "none",
            fillcolor=_rgba(color, 0.18),
            name=f"{label}: {lvl:.0%} confidence band",
            legendgroup=label,
            showlegend=single,  # several groups: the legend title says the dotted lines are bands
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
        legend={
            "title": {"text": f"{'Shaded' if single else 'Dotted'}: {lvl_text} confidence band"}
        },
    )
    add_caption(
        fig, wrap_text(f"Band: {lvl_text} confidence interval. Variance: " + "; ".join(captions))
    )
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
    >>> available_test(example_result(), per_day=True)
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


def _event_labels(result: EventStudyResult) -> pd.DataFrame:
    """Per event_id: escaped symbol (proxies labelled), title, publisher, day0 for hover text."""
    ev = result.events
    flags = event_proxy(result)
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
        then two empty bar traces that are the legend's swatches (significant,
        not significant); last (if any day has p < 0.10): the stars, a text trace.

    Examples
    --------
    >>> fig = plot_aar(example_result(), test="t_cross")
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
    fig = new_figure()
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
        name="AAR",
        showlegend=False,  # one bar trace of two colours: the legend shows both (below)
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
    for color, what in ((SIGNIFICANT_COLOR, "p <"), (INSIGNIFICANT_COLOR, "p ≥")):
        fig.add_bar(  # legend entries only: one swatch per bar colour
            x=[None],
            y=[None],
            marker={"color": color},
            name=f"AAR, {escape_text(test)} {what} {alpha:g}" if test else "AAR",
            hoverinfo="skip",
        )
        if not test:
            break
    # the stars go on their own trace, added last so they are drawn above the AR dots, at the
    # top of each day's bar and dots
    stars = [significance_stars(p) for p in pvals]
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
            showlegend=False,  # a text trace's swatch is a stray glyph; the caption says it
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
    add_caption(
        fig,
        wrap_text(
            f"N = {len(ar)} events. Significance: {escape_text(test)} test per day; "
            "stars above each day: * p < 0.10, ** p < 0.05, *** p < 0.01; blue, outlined "
            f"bars: p < {alpha:g}."
            if test
            else f"N = {len(ar)} events. No per-day test in the result: significance not marked."
        ),
    )
    return fig


def plot_car_dist(
    result: EventStudyResult,
    *,
    window: tuple[int, int] | str | None = None,
    measure: CarMeasure = "car",
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
    >>> fig = plot_car_dist(example_result(), window=(-1, 1))
    >>> fig.data[0].name, len(fig.data[0].y)
    ('CAR [-1,1]', 4)
    """
    if measure not in get_args(CarMeasure):
        raise ValueError(f"measure={measure!r}: use one of {list(get_args(CarMeasure))}")
    label = pick_window(result, window)
    table = result.car if measure == "car" else result.bhar
    values = table[label]
    present = values.dropna()
    ids = [str(i) for i in present.index]
    labels = _event_labels(result)
    name = measure.upper()
    fig = new_figure()
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
    add_caption(
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


#: Fewest events for a heatmap cell to be coloured and starred (:func:`plot_heatmap`).
HEATMAP_MIN_N = 5


def plot_heatmap(
    result: EventStudyResult,
    *,
    by: str = "name",
    windows: Sequence[tuple[int, int] | str] | None = None,
    test: str | None = None,
    title: str | None = None,
    min_n: int = HEATMAP_MIN_N,
) -> go.Figure:
    """Heatmap of CAAR by group (rows) and CAR window (columns).

    Groups come from ``result.by(by)`` (any event attribute: board ``name``,
    ``symbol``, ``publisher``, ``kind`` ...); each cell shows the group's CAAR,
    its ``test`` p-value and N. A group of fewer than ``min_n`` events
    (:data:`HEATMAP_MIN_N`) shows its CAAR and N as text only: no colour (its
    ``z`` is NaN), no stars and no p-value, since a mean of one to four
    events says little.

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
    min_n
        Fewest events for a coloured, starred cell.

    Returns
    -------
    plotly.graph_objects.Figure
        The heatmap trace first: ``z[i][j]`` is ``result.by(by)[group_i].caar[window_j]``
        (NaN below ``min_n`` events); ``customdata[i][j]`` is the CAAR in every cell.
        When some groups are below ``min_n``, a text trace writes their cells.

    Examples
    --------
    >>> fig = plot_heatmap(example_result(), by="name")
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
        else [pick_window(result, w) for w in windows]
    )
    if test is None:
        test = available_test(result, per_day=False)
    groups = result.by(by)
    names = sorted(groups, key=lambda g: (-_n_events(groups[g]), str(g)))
    caar = np.full((len(names), len(labels)), np.nan)
    text = []
    for i, g in enumerate(names):
        res = groups[g]
        n = _n_events(res)
        row_text = []
        for j, lab in enumerate(labels):
            caar[i, j] = float(res.caar[lab]) if lab in res.caar.index else np.nan
            val = f"{caar[i, j]:.2%}" if np.isfinite(caar[i, j]) else "n/a"
            if n < min_n:
                row_text.append(f"{val}<br>N={n}")
                continue
            p = _pvalue_for(res, lab, test)
            p_txt = f"p={p:.3f}" if np.isfinite(p) else "p=n/a"
            row_text.append(f"{val}{significance_stars(p)}<br>{p_txt} N={n}")
        text.append(row_text)
    few = np.array([_n_events(groups[g]) < min_n for g in names], dtype=bool)
    z = np.where(few[:, None], np.nan, caar)
    finite = np.abs(z[np.isfinite(z)])
    bound = float(finite.max()) if finite.size else 0.01
    fig = new_figure()
    rows = []
    for g in names:
        tag = group_proxy_label(groups[g])
        rows.append(f"{escape_text(g)} ({tag})" if tag else escape_text(g))
    fig.add_heatmap(
        z=z,
        x=labels,
        y=rows,
        text=text,
        customdata=caar,
        texttemplate="%{text}",
        colorscale=[[0.0, DOWN_COLOR], [0.5, "#FFFFFF"], [1.0, UP_COLOR]],
        zmid=0,
        zmin=-bound,
        zmax=bound,
        colorbar={"title": {"text": "CAAR"}, "tickformat": ".1%"},
        hovertemplate="%{y} · %{x}<br>CAAR %{customdata:.2%}<br>%{text}<extra></extra>",
        name="CAAR",
    )
    if few.any():  # a heatmap draws no text in its gaps: the uncoloured cells' text on top
        cells = [(i, j) for i in np.flatnonzero(few) for j in range(len(labels))]
        fig.add_scatter(
            x=[labels[j] for _, j in cells],
            y=[rows[i] for i, _ in cells],
            mode="text",
            text=[text[i][j] for i, j in cells],
            textfont={"size": 12, "color": "#52606D"},
            name=f"N < {min_n}: not coloured",
            showlegend=False,
            hoverinfo="skip",
        )
    fig.update_layout(
        title={
            "text": escape_text(title) if title else f"CAAR by {_axis_label(by).lower()} and window"
        },
        xaxis={
            "title": {"text": "CAR window (trading sessions)"},
            "type": "category",
            "range": [-0.5, len(labels) - 0.5],
        },
        yaxis={
            "title": {"text": _axis_label(by)},
            "type": "category",
            "range": [len(names) - 0.5, -0.5],  # first group on top, no padding (text trace)
        },
        height=max(360, 140 + 46 * len(names)),
    )
    add_caption(
        fig,
        f"Cell: CAAR, {escape_text(test)} p-value and N; * p < 0.10, ** p < 0.05, "
        f"*** p < 0.01. Groups of fewer than {min_n} events: CAAR and N only, not coloured, "
        "no stars. Red up, green down (Chinese convention).",
    )
    return fig


def _axis_label(column: str) -> str:
    return GROUP_LABELS.get(column, escape_text(column).replace("_", " ").capitalize())


#: The figure function of each :data:`~eventstudy._typing.StudyPlotKind`.
STUDY_FIGURES: Mapping[StudyPlotKind, Callable[..., go.Figure]] = MappingProxyType(
    {"caar": plot_caar, "aar": plot_aar, "car_dist": plot_car_dist, "heatmap": plot_heatmap}
)
