"""Price figures: a security, board or index around one news item.

Candlesticks follow the Chinese convention (**red up, green down**); sessions
without trading are not drawn; the publication time is a dashed line whose
hover shows the (escaped) title and publisher.

Examples
--------
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

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import SessionRule
from eventstudy.plotting.style import (
    BENCHMARK_COLOR,
    DOWN_COLOR,
    PALETTE,
    UP_COLOR,
    add_caption,
    escape_text,
    new_figure,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["DEFAULT_CUTOFF", "plot_event_price"]

#: Day-0 cutoff assumed when none is given: published at/after 15:00 (the close) → next session.
DEFAULT_CUTOFF = "15:00"


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
    cutoff: str = DEFAULT_CUTOFF,
    rule: SessionRule = "next",
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
    day0 = cal.to_session(published, rule=rule, cutoff=cutoff)
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
    fig = new_figure()
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
        title={"text": head, "subtitle": {"text": sub}},
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
            "automargin": True,
        },
        margin={"r": 80, "t": 110},
    )
    note = (
        "Price: a proxy built from the board's constituents, not the board index itself. "
        if proxy
        else ""
    )
    add_caption(
        fig,
        f"{note}Stock prices forward-adjusted (qfq) where the source adjusts; indices unadjusted. "
        "Dashed line: publication time. Red up, green down.",
        offset=110,
    )
    return fig
