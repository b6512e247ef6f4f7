"""Running a backtest config: ``eventstudy backtest CONFIG.toml``.

:func:`run_backtest_config` is what ``eventstudy backtest CONFIG.toml`` does:
events from news or a CSV (:func:`events_from_config`) →
:func:`~eventstudy.backtesting.backtest` → the files of the run, written by
:func:`eventstudy.report.write_backtest` (CSV tables, ``summary.txt`` and the
``backtest.html`` page; see :mod:`eventstudy.report.backtest`).

``BacktestFiles`` and ``write_backtest`` moved to :mod:`eventstudy.report`; the
names here are deprecated aliases.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.backtesting._progress import Progress
from eventstudy.backtesting.config import BacktestConfig
from eventstudy.backtesting.core import backtest
from eventstudy.backtesting.result import BacktestResult
from eventstudy.events import EventSet
from eventstudy.report import backtest as _page
from eventstudy.report.backtest import NEWS_SKIPPED_FILE as _NEWS_SKIPPED

__all__ = ["events_from_config", "run_backtest_config"]


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
) -> tuple[BacktestResult, _page.BacktestFiles]:
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
    files = _page.write_backtest(
        result, out_dir, title=cfg.output["title"], notes=notes, news_skipped=news_skipped
    )
    return result, files


def __getattr__(name: str) -> Any:
    if name in ("BacktestFiles", "write_backtest"):
        warnings.warn(
            f"eventstudy.backtesting.report.{name} is deprecated; use eventstudy.report.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_page, name)
    raise AttributeError(f"module 'eventstudy.backtesting.report' has no attribute {name!r}")
