"""The backtest page: the files of a backtest run, CSV tables and a self-contained HTML page.

:func:`write_backtest` writes

=================== ===============================================================
file                content
=================== ===============================================================
events.csv          one row per event: trade or skipped, with reason (``to_frame()``)
trades.csv          the completed trades
skipped.csv         the events that did not trade, with reason codes
news_skipped.csv    news items that could not be read, with reason codes (news configs)
news_duplicates.csv news items repeating a kept article (news configs)
daily.csv           daily portfolio: n_open, gross, turnover, cost, net, benchmark,
                    equity, benchmark_equity
placebo.csv         each placebo run's statistic and its placebo days (one per real
                    day 0, in the order of ``PlaceboTest.real_days``)
summary.txt         ``BacktestResult.summary()``
backtest.html       the page (plotly.js inlined: opens offline), in the style of the
                    study briefing (:mod:`eventstudy.report.html`)
=================== ===============================================================

Every piece of text from the news is escaped.

Examples
--------
>>> import tempfile
>>> files = write_backtest(example_backtest(), tempfile.mkdtemp())
>>> sorted(files.files)  # doctest: +NORMALIZE_WHITESPACE
['backtest.html', 'daily.csv', 'events.csv', 'placebo.csv', 'skipped.csv',
 'summary.txt', 'trades.csv']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.backtesting.core import SKIP_REASONS
from eventstudy.plotting import escape_text
from eventstudy.report.files import output_dir, write_csv
from eventstudy.report.html import PLOTLY_JS_FILE, figure_html, page_html, table_html, write_page

if TYPE_CHECKING:
    from eventstudy._typing import PlotlyJs
    from eventstudy.backtesting import BacktestResult, PlaceboTest

__all__ = [
    "DEFAULT_TITLE",
    "NEWS_DUPLICATES_FILE",
    "NEWS_SKIPPED_FILE",
    "BacktestFiles",
    "backtest_page",
    "write_backtest",
]

#: Title of the backtest page when none is given.
DEFAULT_TITLE = "News backtest"

#: File of the news items a backtest could not read (linked from the page).
NEWS_SKIPPED_FILE = "news_skipped.csv"
#: The news items that repeat a kept article (news configs), beside the other tables.
NEWS_DUPLICATES_FILE = "news_duplicates.csv"

#: Columns of free text: allowed to wrap (within a width) in the HTML tables.
_WRAP = ("title", "message", "origin")

#: Columns of the trades table on the page, in order (those the trades have).
_TRADE_COLUMNS = (
    "event_id", "symbol", "title", "publisher", "published_at", "day0", "direction",
    "entry_date", "entry_price", "exit_date", "exit_price", "exit_delay",
    "return_gross", "return_net",
)  # fmt: skip


@dataclass(frozen=True)
class BacktestFiles:
    """Paths written by :func:`write_backtest`: the folder, and file name → path."""

    out_dir: Path
    files: dict[str, Path]


def _text(value: Any) -> str:
    """A cell's text: floats to 4 decimals, dates without a midnight time, missing as ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return ""
        return str(value.date()) if value.tz is None and value == value.normalize() else str(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _pct_cell(value: Any) -> str:
    ok = isinstance(value, float) and not math.isnan(value)
    return f"<td>{escape_text(f'{value:.2%}' if ok else _text(value))}</td>"


def _table(frame: pd.DataFrame, pct: tuple[str, ...] = ()) -> str:
    """A table in a horizontally scrolling box; cells keep one line except free text."""
    if frame.empty:
        return "<p>none</p>"
    return table_html(
        frame,
        {c: _pct_cell for c in pct if c in frame.columns},
        text=lambda v: escape_text(_text(v)),
        wrap=_WRAP,
        scroll=True,
    )


_RULES = """<h2>Rules</h2>
<p class="note">Entry at the day-0 close (15:00) or the next session's open, only after
publication; exit after the holding period at the same field. Overlapping trades form a
calendar-time portfolio: each session the capital is split over the open trades by weight
(sessions without a trade are in cash). An entry on a suspended or limit-locked session
(limit-up for a buy, limit-down for a sell; ±10 % main board, ±20 % ChiNext from 2020-08-24
and STAR, ±5 % ST) is skipped; an exit is delayed until it can be filled. Costs are charged
per side on traded notional. Each placebo run draws one random session per distinct real day 0
(within the span of the real day 0s, widened by the placebo window) and moves all the events of
that day there together, keeping their symbols, directions and weights; the p-value is
(1 + #placebo ≥ real) / (1 + runs) for the statistic named in the summary.</p>"""


def _trades_html(result: BacktestResult) -> str:
    shown = result.trades[[c for c in _TRADE_COLUMNS if c in result.trades.columns]].copy()
    shown["symbol"] = [
        f"{s} (proxy)" if p else s
        for s, p in zip(result.trades["symbol"], result.trades["proxy"], strict=True)
    ]
    return _table(shown, pct=("return_gross", "return_net"))


def _news_skipped_html(news_skipped: pd.DataFrame | None) -> str:
    if news_skipped is None or not len(news_skipped):
        return ""
    n = len(news_skipped)
    return (
        f"<h2>News items not read ({n})</h2><p class='note'>"
        f"{n} news items could not be read; they are listed with reason "
        f'codes in <a href="{NEWS_SKIPPED_FILE}">{NEWS_SKIPPED_FILE}</a>.</p>'
        + _table(news_skipped)
    )


def backtest_page(
    result: BacktestResult,
    *,
    title: str | None = None,
    notes: list[str] | None = None,
    news_skipped: pd.DataFrame | None = None,
    plotlyjs: PlotlyJs = "inline",
) -> str:
    """The HTML of the backtest page (what :func:`write_backtest` writes as ``backtest.html``).

    ``plotlyjs``: see :func:`eventstudy.report.html.page_html`.

    Examples
    --------
    >>> page = backtest_page(example_backtest(), title="<b>周报</b>")
    >>> "<h1>&lt;b&gt;周报&lt;/b&gt;</h1>" in page, 'id="chart-equity"' in page
    (True, True)
    """
    title = DEFAULT_TITLE if title is None else title
    summary = "".join(
        f"<tr><th>{escape_text(k)}</th><td>{escape_text(v)}</td></tr>"
        for k, v in result.summary_rows()
    )
    charts = [figure_html(result.plot("equity"), "chart-equity")]
    if result.placebo is not None and len(result.placebo.values):
        charts.append(figure_html(result.plot("placebo"), "chart-placebo"))
    sk = result.to_frame()
    sk = sk[sk["status"] == "skipped"]
    sk_cols = [c for c in ("event_id", "symbol", "title", "day0", "reason", "message") if c in sk]
    reasons = "".join(
        f"<li><code>{escape_text(k)}</code>: {escape_text(v)}</li>" for k, v in SKIP_REASONS.items()
    )
    notes_html = "".join(f"<li>{escape_text(n)}</li>" for n in notes or [])
    body = f"""<h1>{escape_text(title)}</h1>
<table>{summary}</table>
{"<ul class='note'>" + notes_html + "</ul>" if notes else ""}
{"".join(charts)}
<h2>Trades ({len(result.trades)})</h2>{_trades_html(result)}
<h2>Skipped events ({len(sk)})</h2>{_table(sk[sk_cols])}
{_news_skipped_html(news_skipped)}
{_RULES}
<ul class="note">{reasons}</ul>
<p class="note">Prices: {escape_text(result.provenance)}</p>"""
    return page_html(title, body, lang="en", plotlyjs=plotlyjs)


def write_backtest(
    result: BacktestResult,
    out_dir: str | Path,
    *,
    title: str | None = None,
    notes: list[str] | None = None,
    news_skipped: pd.DataFrame | None = None,
    news_duplicates: pd.DataFrame | None = None,
    plotlyjs: PlotlyJs = "inline",
) -> BacktestFiles:
    """Write the CSV tables, ``summary.txt`` and ``backtest.html`` to ``out_dir``.

    ``news_skipped`` (the news items that could not be read) is written to
    ``news_skipped.csv`` when given, and listed in the HTML; ``news_duplicates`` (the
    news items repeating a kept article) to ``news_duplicates.csv``; ``notes`` (the
    run's own remarks, e.g. events filtered out) end ``summary.txt`` and head the page.
    ``title=None``: :data:`DEFAULT_TITLE`. ``plotlyjs="shared"`` writes plotly.js once
    beside the page (``plotly.min.js``)
    instead of into it (see :func:`eventstudy.report.html.page_html`).
    """
    out = output_dir(out_dir)
    files: dict[str, Path] = {}

    def put(name: str, frame: pd.DataFrame, index: bool = False) -> None:
        path = out / name
        files[name] = write_csv(frame, path, index=index)

    put("events.csv", result.to_frame())
    put("trades.csv", result.trades)
    put("skipped.csv", result.skipped)
    if news_skipped is not None:
        put(NEWS_SKIPPED_FILE, news_skipped)
    if news_duplicates is not None:
        put(NEWS_DUPLICATES_FILE, news_duplicates)
    daily = result.daily.copy()
    if not daily.empty:
        daily["equity"] = result.equity["strategy"]
        daily["benchmark_equity"] = result.equity["benchmark"]
    put("daily.csv", daily, index=True)
    if result.placebo is not None:
        put("placebo.csv", _placebo_table(result.placebo))
    extra = "".join(f"\nNote: {n}" for n in notes or [])
    (out / "summary.txt").write_text(f"{result.summary()}{extra}\n", encoding="utf-8")
    files["summary.txt"] = out / "summary.txt"
    # result.notes are rows of the summary table already; these are the run's own notes
    page = backtest_page(
        result, title=title, notes=list(notes or []), news_skipped=news_skipped, plotlyjs=plotlyjs
    )
    files["backtest.html"] = write_page(out / "backtest.html", page)
    if plotlyjs == "shared":
        files[PLOTLY_JS_FILE] = out / PLOTLY_JS_FILE
    return BacktestFiles(out, files)


def _placebo_table(pl: PlaceboTest) -> pd.DataFrame:
    column = {"raw": "weighted_mean_net_return", "excess": "weighted_mean_excess_return"}
    return pd.DataFrame(
        {
            "run": range(pl.runs),
            column[pl.statistic_name]: pl.values,
            "placebo_days": [";".join(str(d)[:10] for d in row) for row in pl.days],
        }
    )
