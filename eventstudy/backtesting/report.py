"""Files of a backtest run: CSV tables and a self-contained HTML briefing.

:func:`run_backtest_config` is what ``eventstudy backtest CONFIG.toml`` does:
events from news or a CSV → :func:`~eventstudy.backtesting.backtest` →
:func:`write_backtest` writes

================ ===============================================================
file             content
================ ===============================================================
events.csv       one row per event: trade or skipped, with reason (``to_frame()``)
trades.csv       the completed trades
skipped.csv      the events that did not trade, with reason codes
news_skipped.csv news items that could not be read, with reason codes (news configs)
daily.csv        daily portfolio: n_open, gross, turnover, cost, net, benchmark,
                 equity, benchmark_equity
placebo.csv      each placebo run's statistic and its placebo days (one per real
                 day 0, in the order of ``PlaceboTest.real_days``)
summary.txt      ``BacktestResult.summary()``
backtest.html    the briefing (plotly.js inlined: opens offline)
================ ===============================================================

Every piece of text from the news is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.backtesting._progress import Progress
from eventstudy.backtesting.config import BacktestConfig
from eventstudy.backtesting.core import SKIP_REASONS, backtest
from eventstudy.backtesting.result import BacktestResult
from eventstudy.events import EventSet

__all__ = ["BacktestFiles", "events_from_config", "run_backtest_config", "write_backtest"]

_NEWS_SKIPPED = "news_skipped.csv"


@dataclass(frozen=True)
class BacktestFiles:
    """Paths written by :func:`write_backtest`."""

    out_dir: Path
    files: dict[str, Path]


def events_from_config(
    cfg: BacktestConfig, *, progress: bool = False
) -> tuple[EventSet, list[str], pd.DataFrame | None]:
    """The events a config asks for, notes on what was filtered out, and the news not read.

    The third element is :attr:`News.skipped <eventstudy.news.News.skipped>` (items that
    could not be read, with reason codes) when the events come from news, else None.
    """
    ev = cfg.events
    notes: list[str] = []
    news_skipped: pd.DataFrame | None = None
    if cfg.news["path"] is not None:
        from eventstudy.datasets import sample_news_path
        from eventstudy.news import load_news

        path = cfg.news["path"]
        source = sample_news_path() if path == "bundled" else cfg.resolve(path)
        with Progress(1, "loading news", enabled=progress, unit="step") as bar:
            news = load_news(source, errors=cfg.news["errors"])
            bar.update()
        kw: dict[str, Any] = {"rule": ev["rule"], "cutoff": ev["cutoff"]}
        if ev["min_score"] is not None:
            kw["min_score"] = float(ev["min_score"])
        if ev["kinds"] is not None:
            kw["kinds"] = ev["kinds"]
        if ev["symbols"] is not None:
            kw["symbols"] = ev["symbols"]
        events = news.to_events(**kw)
        news_skipped = news.skipped
        if len(news_skipped):
            notes.append(
                f"{len(news_skipped)} news items could not be read: listed with reason codes "
                f"in {_NEWS_SKIPPED}"
            )
    else:
        path = cfg.resolve(ev["csv"])
        if not path.is_file():
            raise FileNotFoundError(f"events.csv: {str(path)!r} not found")
        frame = pd.read_csv(path, dtype={"event_id": str, "symbol": str})
        if ev["symbols"] is not None:
            from eventstudy.symbols import normalize

            wanted = {normalize(s) for s in ev["symbols"]}
            keep = frame["symbol"].map(lambda s: _safe_norm(s) in wanted)
            if (~keep).any():
                notes.append(f"{int((~keep).sum())} events of other symbols not backtested")
            frame = frame[keep]
        events = EventSet.from_frame(frame, rule=ev["rule"], cutoff=ev["cutoff"])
    if ev["start"] is not None or ev["end"] is not None:
        d0 = events.frame["day0"]
        keep = pd.Series(True, index=events.frame.index)
        if ev["start"] is not None:
            keep &= d0 >= pd.Timestamp(ev["start"])
        if ev["end"] is not None:
            keep &= d0 <= pd.Timestamp(ev["end"])
        if (~keep).any():
            notes.append(
                f"{int((~keep).sum())} events with day 0 outside "
                f"[{ev['start'] or '...'}, {ev['end'] or '...'}] not backtested"
            )
        events = EventSet(
            events.frame[keep].reset_index(drop=True), events.dropped, events.rule, events.cutoff
        )
    return events, notes, news_skipped


def _safe_norm(s: object) -> str | None:
    from eventstudy.exceptions import SymbolError
    from eventstudy.symbols import normalize

    try:
        return normalize(s)
    except SymbolError:
        return None


def run_backtest_config(
    cfg: BacktestConfig, out: str | Path | None = None, *, progress: bool = False
) -> tuple[BacktestResult, BacktestFiles]:
    """Run the backtest a config describes and write its files.

    ``progress`` shows bars on stderr while loading news, fetching prices and
    running the placebo.
    """
    events, notes, news_skipped = events_from_config(cfg, progress=progress)
    s, m, p = cfg.strategy, cfg.market, cfg.placebo
    kw: dict[str, Any] = {}
    if m["offline"] is not None:
        kw["offline"] = m["offline"]
    result = backtest(
        events,
        entry=s["entry"],
        hold=s["hold"],
        direction=s["direction"],
        weights=s["weights"],
        costs_bps=float(s["costs_bps"]),
        benchmark=m["benchmark"],
        placebo=p["runs"],
        seed=p["seed"],
        placebo_window=p["window"],
        placebo_statistic=p["statistic"],
        max_exit_delay=s["max_exit_delay"],
        limit_tolerance=float(s["limit_tolerance"]),
        st_symbols=s["st_symbols"],
        source=m["source"],
        progress=progress,
        **kw,
    )
    out_dir = Path(out) if out is not None else Path(cfg.output["dir"])
    files = write_backtest(
        result, out_dir, title=cfg.output["title"], notes=notes, news_skipped=news_skipped
    )
    return result, files


def _fmt(value: Any) -> str:
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


#: Columns of free text: allowed to wrap (within a width) in the HTML tables.
_WRAP = ("title", "message", "origin")


def _table_html(frame: pd.DataFrame, pct: tuple[str, ...] = ()) -> str:
    """A table in a horizontally scrolling box; cells keep one line except free text."""
    if frame.empty:
        return "<p>none</p>"
    cls = {c: ' class="wrap"' if c in _WRAP else "" for c in frame.columns}
    head = "".join(f"<th{cls[c]}>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for c, v in zip(frame.columns, rec, strict=True):
            text = (
                f"{v:.2%}" if c in pct and isinstance(v, float) and not math.isnan(v) else _fmt(v)
            )
            cells.append(f"<td{cls[c]}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


_CSS = """
body{font-family:%FONT%;
max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f5f5f5}h1{font-size:24px}h2{font-size:18px;margin-top:2em}
.note{color:#555;font-size:13px}
.scroll{overflow-x:auto;max-width:100%;margin:1em 0}.scroll table{margin:0}
.scroll td,.scroll th{white-space:nowrap}
.scroll td.wrap,.scroll th.wrap{white-space:normal;min-width:16em;max-width:28em}
"""


def _css() -> str:
    from eventstudy.plotting import FONT_FAMILY  # the figures' CJK font stack

    return _CSS.replace("%FONT%", FONT_FAMILY)


def _html(
    result: BacktestResult, title: str, notes: list[str], news_skipped: pd.DataFrame | None
) -> str:
    summary = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in result._rows()
    )
    parts = [result.plot("equity").to_html(include_plotlyjs=True, full_html=False)]
    if result.placebo is not None and len(result.placebo.values):
        hist = result.plot("placebo")
        parts.append(hist.to_html(include_plotlyjs=False, full_html=False))
    wanted = (
        "event_id", "symbol", "title", "publisher", "published_at", "day0", "direction",
        "entry_date", "entry_price", "exit_date", "exit_price", "exit_delay",
        "return_gross", "return_net",
    )  # fmt: skip
    cols = [c for c in wanted if c in result.trades.columns]
    shown = result.trades[cols].copy()
    shown["symbol"] = [
        f"{s} (proxy)" if p else s
        for s, p in zip(result.trades["symbol"], result.trades["proxy"], strict=True)
    ]
    trades = _table_html(shown, pct=("return_gross", "return_net"))
    sk = result.to_frame()
    sk = sk[sk["status"] == "skipped"]
    sk_cols = [c for c in ("event_id", "symbol", "title", "day0", "reason", "message") if c in sk]
    skipped = _table_html(sk[sk_cols])
    reasons = "".join(
        f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>" for k, v in SKIP_REASONS.items()
    )
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    unread = ""
    if news_skipped is not None and len(news_skipped):
        unread = (
            f"<h2>News items not read ({len(news_skipped)})</h2><p class='note'>"
            f"{len(news_skipped)} news items could not be read; they are listed with reason "
            f'codes in <a href="{_NEWS_SKIPPED}">{_NEWS_SKIPPED}</a>.</p>'
            + _table_html(news_skipped)
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_css()}</style></head><body>
<h1>{html.escape(title)}</h1>
<table>{summary}</table>
{"<ul class='note'>" + notes_html + "</ul>" if notes else ""}
{"".join(parts)}
<h2>Trades ({len(result.trades)})</h2>{trades}
<h2>Skipped events ({len(sk)})</h2>{skipped}
{unread}
<h2>Rules</h2>
<p class="note">Entry at the day-0 close (15:00) or the next session's open, only after
publication; exit after the holding period at the same field. Overlapping trades form a
calendar-time portfolio: each session the capital is split over the open trades by weight
(sessions without a trade are in cash). An entry on a suspended or limit-locked session
(limit-up for a buy, limit-down for a sell; ±10 % main board, ±20 % ChiNext from 2020-08-24
and STAR, ±5 % ST) is skipped; an exit is delayed until it can be filled. Costs are charged
per side on traded notional. Each placebo run draws one random session per distinct real day 0
(within the span of the real day 0s, widened by the placebo window) and moves all the events of
that day there together, keeping their symbols, directions and weights; the p-value is
(1 + #placebo ≥ real) / (1 + runs) for the statistic named in the summary.</p>
<ul class="note">{reasons}</ul>
<p class="note">Prices: {html.escape(result.provenance)}</p>
</body></html>
"""


def write_backtest(
    result: BacktestResult, out_dir: str | Path, *, title: str = "News backtest",
    notes: list[str] | None = None, news_skipped: pd.DataFrame | None = None,
) -> BacktestFiles:  # fmt: skip
    """Write the CSV tables, ``summary.txt`` and ``backtest.html`` to ``out_dir``.

    ``news_skipped`` (the news items that could not be read) is written to
    ``news_skipped.csv`` when given, and listed in the HTML.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, frame: pd.DataFrame, index: bool = False) -> None:
        path = out / name
        frame.to_csv(path, index=index, encoding="utf-8")
        files[name] = path

    put("events.csv", result.to_frame())
    put("trades.csv", result.trades)
    put("skipped.csv", result.skipped)
    if news_skipped is not None:
        put(_NEWS_SKIPPED, news_skipped)
    daily = result.daily.copy()
    if not daily.empty:
        daily["equity"] = result.equity["strategy"]
        daily["benchmark_equity"] = result.equity["benchmark"]
    put("daily.csv", daily, index=True)
    if result.placebo is not None:
        pl = result.placebo
        column = {"raw": "weighted_mean_net_return", "excess": "weighted_mean_excess_return"}
        put("placebo.csv", pd.DataFrame({
            "run": range(pl.runs),
            column[pl.statistic_name]: pl.values,
            "placebo_days": [";".join(str(d)[:10] for d in row) for row in pl.days],
        }))  # fmt: skip
    extra = "".join(f"\nNote: {n}" for n in notes or [])
    (out / "summary.txt").write_text(result.summary().as_text() + extra + "\n", encoding="utf-8")
    files["summary.txt"] = out / "summary.txt"
    # result.notes are rows of the summary table already; these are the run's own notes
    (out / "backtest.html").write_text(
        _html(result, title, list(notes or []), news_skipped), encoding="utf-8"
    )
    files["backtest.html"] = out / "backtest.html"
    return BacktestFiles(out, files)
