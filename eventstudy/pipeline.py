"""The main job: news → tags → events → prices → event study → briefing; and the backtest job.

:func:`run_pipeline` runs it from a :class:`~eventstudy.config.RunConfig` (or
a TOML file, or a mapping) and returns every intermediate object, so a notebook
can pick up at any step; :func:`demo` runs it on the data that ships with the
package, with no network. :func:`run_backtest_config` runs a news-signal
backtest from a :class:`~eventstudy.config.BacktestConfig` and writes its
files. The command line (``eventstudy demo``, ``eventstudy run CONFIG.toml``,
``eventstudy backtest CONFIG.toml``) only calls these.

Nothing is lost on the way: every (article, security) pair that does not end in
the result is in :attr:`PipelineResult.dropped` with the stage that dropped it
(``events``: no session for its timestamp, an unknown symbol, or
``is_benchmark`` - the security is the market model's own benchmark, whose
abnormal return is zero by construction; ``prices``: ``no_price_data`` for its
symbol, or ``delisted_no_prices`` for a stock no longer listed - the bundled
universe has no delisted stocks; ``study``: e.g. ``insufficient_estimation``), a
reason code and a message. Articles that did not load are in
``PipelineResult.news.skipped``.

Steps and their conventions
---------------------------
1. :func:`eventstudy.load_news` on ``news.path``.
2. ``News.to_events`` with the symbol/kind filter, ``min_score``, day-0 ``rule``
   and ``cutoff`` (METHODS.md); events on the benchmark itself are dropped
   (``is_benchmark``).
3. :func:`eventstudy.market.load_panel` for the events' symbols and the benchmark
   (one request, one provider call per symbol), from ``estimation_window`` before
   the first day 0 to ``event_window`` after the last (exact session bounds);
   boards without their own series come as labelled proxies from their
   constituents (``provenance.is_proxy``,
   :attr:`PipelineResult.proxies`).
4. ``EventStudy.fit`` of the ``study`` spec (:class:`~eventstudy.study.EventStudy`).
5. :func:`eventstudy.briefing` into ``output.dir``.

Examples
--------
>>> import tempfile
>>> run = demo(out=tempfile.mkdtemp(), formats=("csv",))
>>> run.n_events + len(run.dropped) == len(run.events) + len(run.events.dropped)
True
>>> bool(run.result.provenance.loc["BK0896", "is_proxy"])
True
"""

from __future__ import annotations

import importlib
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import BriefingFormat, PriceField
from eventstudy.config import (
    BacktestConfig,
    EventsConfig,
    RunConfig,
    demo_config,
    load_config,
    parse_config,
)
from eventstudy.events import DROPPED_COLUMNS, EventSet
from eventstudy.exceptions import (
    PRICE_WARNINGS,
    ConfigError,
    DataUnavailableError,
    SymbolError,
)
from eventstudy.summary import Summary

if TYPE_CHECKING:
    from eventstudy.backtesting import BacktestResult
    from eventstudy.market import MarketPanel, PriceFrame
    from eventstudy.news import News
    from eventstudy.report import BacktestFiles, BriefingFiles
    from eventstudy.study import EventStudyResult

__all__ = [
    "DROPPED_STAGE_COLUMNS",
    "BacktestRun",
    "PipelineResult",
    "demo",
    "events_from_config",
    "run_backtest_config",
    "run_pipeline",
]

#: Columns of :attr:`PipelineResult.dropped`.
DROPPED_STAGE_COLUMNS = ["stage", *DROPPED_COLUMNS]


@dataclass(frozen=True)
class PipelineResult:
    """Everything the main job produced.

    Attributes
    ----------
    config
        The configuration that ran (with command-line overrides applied).
    news
        The loaded news (``articles``, ``mentions``, ``tags()``, ``skipped``).
    events
        The events built from the news (before the price step).
    prices
        The close-price panel with provenance (``None`` when there was no event).
    result
        The event study.
    files
        What the briefing wrote (``None`` when no output format was requested).
    dropped
        Every event that is not in ``result``, with ``stage`` (``events``,
        ``prices`` (``volumes`` in a volume study), ``study``), ``event_id``,
        ``symbol``, ``reason``, ``message``.
    notes
        Warnings raised on the way (``"Category: message"``: offline fallbacks,
        PNG problems, ...) and the boards the price step could not serve.
        Proxies are in :attr:`proxies` and the provenance's ``note`` column.
    timings
        Seconds per step.
    """

    config: RunConfig
    news: News
    events: EventSet
    prices: PriceFrame | None
    result: EventStudyResult
    files: BriefingFiles | None
    dropped: pd.DataFrame
    notes: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_events(self) -> int:
        """Events analysed."""
        return len(self.result.car)

    @property
    def proxies(self) -> tuple[str, ...]:
        """Symbols whose prices are proxies built from constituents (``is_proxy`` provenance)."""
        prov = self.result.provenance
        if not isinstance(prov, pd.DataFrame) or "is_proxy" not in prov.columns:
            return ()
        return tuple(str(s) for s in prov.index[prov["is_proxy"].astype(bool)])

    def summary_table(self) -> pd.DataFrame:
        """CAAR per window with p-values (cross-sectional t, Kolari–Pynnönen adjusted BMP,
        Corrado's rank test: :data:`eventstudy.report.HEADLINE_TESTS`)."""
        from eventstudy.report import headline_table

        return headline_table(self.result)

    def summary(self) -> Summary:
        """Counts, CAAR per window with p-values, the estimation window and data (bundled
        datasets, survivorship), proxies, and where the files are.

        ``print(run.summary())`` shows it as text; in Jupyter it renders as HTML.
        """
        from eventstudy.report import HEADLINE_LABELS, caar_label, format_caar, methodology_notes

        out = Summary().add_lines(self._counts())
        if self.n_events:
            t = self.summary_table()
            measure = self.result.measure
            caar = caar_label(measure)
            columns = {caar: t["caar"].to_numpy()}
            columns.update(
                {HEADLINE_LABELS[c]: t[c].to_numpy() for c in t.columns if c.startswith("p_")}
            )
            table = pd.DataFrame({**columns, "N": t["n"].to_numpy()}, index=t["window"].to_numpy())
            formats: dict[str, Any] = {c: _p for c in columns if c != caar}
            out.add_table(
                table, formats={caar: lambda v: format_caar(v, measure), **formats, "N": str}
            )
            legend = {
                "p_t_cross": "t = t_cross",
                "p_kp_bmp": "KP-BMP = kp_bmp (BMP adjusted for cross-correlation, "
                "Kolari–Pynnönen 2010)",
                "p_corrado": "Corrado = corrado (rank test, 1989)",
            }
            shown = ", ".join(legend[c] for c in t.columns if c in legend)
            lines = [
                f"measure {measure}, model {self.result.model} vs {self.result.market}; "
                "two-sided p-values" + (f"; {shown}" if shown else "")
            ]
            if self.result.headline is not None:  # which test to read (study.headline)
                lines.append(self.result.headline)
            if self.result.market_volume is not None:  # which market volume was used
                lines.append(self.result.market_volume)
            lines += self.result.event_handling()
            lines += methodology_notes(self.result, self.dropped)
            if self.proxies:
                lines.append(
                    "proxies (built from constituents, not the board index): "
                    + ", ".join(self.proxies)
                )
            out.add_lines(lines)
        if self.files is not None:
            out.add_lines(["", *str(self.files).split("\n")])
        return out

    def _counts(self) -> list[str]:
        lines = [
            f"news: {self.news.n_inputs} inputs: {len(self.news.articles)} articles, "
            f"{len(self.news.skipped)} skipped, {len(self.news.duplicates)} duplicates",
            f"events: {len(self.events) + len(self.events.dropped)} (article, security) pairs → "
            f"{self.n_events} analysed, {len(self.dropped)} dropped",
        ]
        if len(self.dropped):
            counts = self.dropped.groupby(["stage", "reason"]).size().reset_index(name="n")
            lines.append(
                "  dropped: "
                + ", ".join(
                    f"{r} ({s}) {n}"
                    for s, r, n in counts[["stage", "reason", "n"]].itertuples(index=False)
                )
            )
        return lines

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _p(p: Any) -> str:
    if pd.isna(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


# ----------------------------------------------------------------------------- steps


class _Steps:
    """A tqdm bar over the pipeline's steps (to stderr; disabled when quiet).

    A step may hand over to a sub-step (:meth:`switch`, e.g. the PNG export
    inside the briefing step): each gets its own tick and timing.
    """

    def __init__(self, total: int, progress: bool) -> None:
        self.timings: dict[str, float] = {}
        self._bar: Any = None
        self._name = ""
        self._t0 = 0.0
        if progress:
            tqdm = importlib.import_module("tqdm").tqdm  # no type stubs needed for one call

            self._bar = tqdm(total=total, file=sys.stderr, unit="step", leave=False)

    def _start(self, name: str, label: str | None = None) -> None:
        self._name = name
        self._t0 = time.perf_counter()
        if self._bar is not None:
            self._bar.set_description(label or name)

    def _finish(self) -> None:
        self.timings[self._name] = time.perf_counter() - self._t0
        if self._bar is not None:
            self._bar.update(1)

    @contextmanager
    def step(self, name: str, label: str | None = None) -> Iterator[None]:
        self._start(name, label)
        try:
            yield
        finally:
            self._finish()

    def switch(self, name: str) -> None:
        """End the current step here and go on with ``name`` (inside the same ``step``)."""
        self._finish()
        self._start(name)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _as_config(config: RunConfig | str | Path | Mapping[str, Any]) -> RunConfig:
    if isinstance(config, RunConfig):
        return config
    if isinstance(config, str | Path):
        return load_config(config)
    return parse_config(config)


def _dropped(stage: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=DROPPED_COLUMNS).copy()
    out.insert(0, "stage", stage)
    return out


def _without(events: EventSet, gone: Any, stage_drops: pd.DataFrame) -> EventSet:
    """``events`` without the rows ``gone``, whose drops join the set's ``dropped`` table.

    The study copies an EventSet's ``dropped`` into ``result.dropped``, so a result
    built by the pipeline lists every input it does not contain.
    """
    frame = events.frame
    dropped = pd.concat(
        [events.dropped, stage_drops.reindex(columns=DROPPED_COLUMNS)], ignore_index=True
    ).astype({c: object for c in DROPPED_COLUMNS})
    return replace(events, frame=frame[~gone].reset_index(drop=True), dropped=dropped)


def _benchmark_drops(frame: pd.DataFrame) -> pd.DataFrame:
    """Events on the benchmark itself: reason ``is_benchmark`` (AR is zero by construction)."""
    return pd.DataFrame(
        {
            "event_id": frame["event_id"],
            "symbol": frame["symbol"],
            "reason": "is_benchmark",
            "message": [
                f"{s} is the benchmark of the model: its abnormal return is zero by "
                "construction, so it is not studied as an event (the news is kept for its "
                "other securities)"
                for s in frame["symbol"]
            ],
        }
    )


def _date_range(events: EventSet, cfg: RunConfig) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The exact session range of the estimation and event windows of all events.

    From the session ``-t0 - 1`` before the earliest day 0 (the price before the first
    return of the estimation window) to the last session of the event window after the
    latest (:func:`eventstudy.calendar.session_bounds`), capped at today.
    """
    from eventstudy.calendar import session_bounds

    est, evw = cfg.study.estimation_window, cfg.study.event_window
    before = abs(min(est[0], evw[0], 0)) + 1
    after = max(est[1], evw[1], 0)
    start, end = session_bounds(events.frame["day0"], before=before, after=after)
    today = pd.Timestamp.now(tz="Asia/Shanghai").tz_localize(None).normalize()
    if start > today:
        first = pd.Timestamp(events.frame["day0"].min()).date()
        raise DataUnavailableError(
            f"no prices exist yet: the earliest event's estimation window starts on "
            f"{start.date()}, after today ({today.date()}); the earliest day 0 is {first}. "
            "Study events whose windows have happened"
        )
    return start, min(end, today)


def _wants_price_charts(cfg: RunConfig) -> bool:
    """Whether the briefing draws price charts (they need open/high/low too)."""
    out = cfg.output
    charts = {"html", "png"} & set(out.formats)
    return bool(charts) and "event_price" in out.charts and out.price_charts > 0


def _fetch_prices(
    symbols: list[str], benchmark: str, start: pd.Timestamp, end: pd.Timestamp, cfg: RunConfig
) -> tuple[MarketPanel, dict[str, str]]:
    """Prices of every symbol that has data (one request, one provider call per symbol);
    the others with the reason they failed.

    Loads the closes, open/high/low when the briefing draws price charts, and the
    volumes of a volume study (``[study] measure = "volume"``).
    """
    from eventstudy.market import load_panel
    from eventstudy.study.panel_market import is_panel_market

    panel_market = is_panel_market(benchmark)  # "ew": built from the panel, not fetched
    wanted = list(dict.fromkeys([*([] if panel_market else [benchmark]), *symbols]))
    fields: list[PriceField] = ["close"]
    if _wants_price_charts(cfg):
        fields = ["open", "high", "low", "close"]
    if cfg.study.measure == "volume":
        fields.append("volume")
    panel = load_panel(
        wanted,
        start,
        end,
        fields=fields,
        source=cfg.market.source,
        adjust=cfg.market.adjust,
        offline=cfg.market.offline,
        errors="collect",
    )
    closes = panel.close
    failures = closes.failures.set_index("symbol")
    if benchmark in failures.index and benchmark not in closes.data.columns:
        raise DataUnavailableError(
            f"the benchmark {benchmark} has no prices between {start.date()} and {end.date()}: "
            f"{failures.loc[benchmark, 'message']!s}"
        )
    # 'partial' symbols keep the dates they have; the others are missing
    missing = {
        str(s): str(row["message"])
        for s, row in failures.iterrows()
        if row["reason"] != "partial" and s != benchmark
    }
    # a symbol may come back empty in the range: also missing
    for s in list(closes.data.columns):
        if s != benchmark and closes.data[s].notna().sum() == 0:
            missing[s] = f"no prices for {s} between {start.date()} and {end.date()}"
    return panel, missing


def _ohlc_long(panel: MarketPanel, symbols: list[str], benchmark: str) -> pd.DataFrame | None:
    """Long OHLC prices of ``symbols`` and the benchmark for the price charts.

    Taken from the panel already loaded (no second request). A symbol without
    some field (a board proxy has close, volume and amount only) has it NaN and is
    drawn as a close line, while every other symbol keeps its candlesticks.
    """
    if "close" not in panel.fields:
        return None
    long = panel.to_long()
    wanted = list(dict.fromkeys([*symbols, benchmark]))
    long = long[long["symbol"].isin(wanted)]
    for fld in ("open", "high", "low"):
        if fld not in long.columns:
            long[fld] = float("nan")
    out = long[["date", "symbol", "open", "high", "low", "close"]].dropna(subset=["close"])
    return out.reset_index(drop=True) if len(out) else None


def run_pipeline(
    config: RunConfig | str | Path | Mapping[str, Any],
    *,
    out: str | Path | None = None,
    offline: bool | None = None,
    formats: Sequence[BriefingFormat] | None = None,
    progress: bool = False,
) -> PipelineResult:
    """Run the main job: news → tags → events → prices → study → briefing.

    Parameters
    ----------
    config
        A :class:`~eventstudy.config.RunConfig`, a TOML file path, or a mapping
        of the TOML's tables.
    out
        Output folder (overrides ``output.dir``).
    offline
        ``True``: never touch the network (overrides ``market.offline``).
    formats
        Briefing formats (overrides ``output.formats``); ``()`` writes nothing.
    progress
        Show a progress bar on stderr.

    Returns
    -------
    PipelineResult

    Raises
    ------
    ConfigError
        For an invalid configuration (the message names the key).
    DataUnavailableError
        When the benchmark's prices cannot be had (offline and not cached).
    """
    cfg = _as_config(config).with_overrides(out=out, offline=offline)
    if formats is not None:
        cfg = replace(cfg, output=replace(cfg.output, formats=tuple(formats)))
    if cfg.output.formats:  # a bad --out fails now, not after the prices and the study
        from eventstudy.report.files import output_dir

        output_dir(cfg.output.dir)
    steps = _Steps(total=6 if "png" in cfg.output.formats else 5, progress=progress)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = _run(cfg, steps)
    finally:
        steps.close()
    return replace(run, notes=_notes(caught, run), timings=steps.timings)


class _Drops:
    """The events still to analyse, and what each stage dropped (with ``stage``)."""

    def __init__(self, events: EventSet) -> None:
        self.analysable = events
        self.frames = [_dropped("events", events.dropped)]

    def drop(self, stage: str, gone: np.ndarray, table: pd.DataFrame) -> None:
        """Drop the rows ``gone`` of the analysable events, described by ``table``."""
        self.frames.append(_dropped(stage, table))
        self.analysable = _without(self.analysable, gone, self.frames[-1])

    def table(self, result: EventStudyResult) -> pd.DataFrame:
        """Every drop, the study's own included (``result.dropped`` repeats the earlier ones)."""
        earlier = set(pd.concat([d["event_id"] for d in self.frames]).astype(str))
        own = result.dropped[~result.dropped["event_id"].astype(str).isin(earlier)]
        frames = [*self.frames, _dropped("study", own)]
        return pd.concat([d for d in frames if len(d)] or frames[:1], ignore_index=True)


def _run(cfg: RunConfig, steps: _Steps) -> PipelineResult:
    """The steps of :func:`run_pipeline` (the notes and timings are added by the caller)."""
    with steps.step("loading news"):
        news = _load_news(cfg)
    with steps.step("tagging and building events"):
        events = _news_events(news, cfg.events)
    drops = _Drops(events)
    benchmark = cfg.market.benchmark
    is_bench = (events.frame["symbol"].astype(str) == benchmark).to_numpy()
    if is_bench.any():
        drops.drop("events", is_bench, _benchmark_drops(events.frame[is_bench]))
    pf: PriceFrame | None = None
    panel: MarketPanel | None = None
    missing: dict[str, str] = {}
    n_symbols = len(set(events.frame["symbol"]) | {benchmark})
    # a volume study fetches the volumes (and the closes of the charts): the console says so
    data = "volumes" if cfg.study.measure == "volume" else "prices"
    with steps.step("fetching prices", f"fetching {data} ({n_symbols} series)"):
        if len(events):
            start, end = _date_range(events, cfg)
            panel, missing = _fetch_prices(events.symbols, benchmark, start, end, cfg)
            pf = panel.close
            if missing:
                drops.drop(data, *_no_price_drops(drops.analysable.frame, missing))
    with steps.step("estimating"):
        result = _fit(cfg, drops.analysable, panel, pf)
    dropped = drops.table(result)
    _check_priced(events, result, pf, benchmark, missing)
    with steps.step("writing the briefing"):
        files = _briefing(cfg, result, news, events, panel, dropped, steps)
    return PipelineResult(
        config=cfg,
        news=news,
        events=events,
        prices=pf,
        result=result,
        files=files,
        dropped=dropped,
    )


def _fit(
    cfg: RunConfig, events: EventSet, panel: MarketPanel | None, pf: PriceFrame | None
) -> EventStudyResult:
    """The study on the loaded panel: its volumes for a volume study, else its closes
    (with ``benchmark = "ew"``, and the whole bundled extract's: :func:`_with_market`)."""
    if cfg.study.measure == "volume" and panel is not None:
        return cfg.study.fit(events, volumes=_with_market(cfg, panel.volume))
    return cfg.study.fit(events, prices=_with_market(cfg, pf))


def _with_market(cfg: RunConfig, frame: PriceFrame | None) -> PriceFrame | None:
    """``frame`` plus the whole bundled extract's stocks when the market is built from
    the panel (``[market] benchmark = "ew"``; config allows it with source bundled only).

    The events' own series are kept as fetched; the extract's other stocks join the
    data (not the provenance: they only make the market), so the equal-weighted market
    is that of the whole market, not of the event stocks.
    """
    from eventstudy.reference import load_extract
    from eventstudy.study.panel_market import is_panel_market

    if frame is None or not is_panel_market(cfg.market.benchmark) or frame.data.empty:
        return frame
    field = frame.field
    days = frame.data.index
    long = load_extract(start=days.min(), end=days.max(), fields=[field])  # type: ignore[list-item]
    wide = long.pivot(index="date", columns="symbol", values=field)
    wide = wide.drop(columns=[c for c in wide.columns if c in frame.data.columns])
    data = pd.concat([frame.data, wide], axis=1).sort_index()
    data.index.name = frame.data.index.name
    return replace(frame, data=data)


def _series_end(prices: PriceFrame | None, symbol: str) -> pd.Timestamp | None:
    """The last date with a price of ``symbol`` in ``prices`` (None: no price)."""
    if prices is None or symbol not in prices.data.columns:
        return None
    have = prices.data[symbol].dropna()
    return pd.Timestamp(have.index[-1]) if len(have) else None


def _check_priced(
    events: EventSet,
    result: EventStudyResult,
    prices: PriceFrame | None,
    benchmark: str,
    missing: Mapping[str, str],
) -> None:
    """No event analysed because the data end before every day 0: DataUnavailableError
    (``eventstudy run`` exits 3) saying where each series ends, not an empty study.

    A symbol without any price in the range counts as ending with the benchmark.
    """
    if len(events) == 0 or len(result.car):
        return
    frame = events.frame
    bench_end = _series_end(prices, benchmark)
    ends = {s: _series_end(prices, s) or bench_end for s in set(frame["symbol"].astype(str))}
    day0 = pd.DatetimeIndex(frame["day0"])
    last = pd.DatetimeIndex([ends[s] or pd.NaT for s in frame["symbol"].astype(str)])
    if last.isna().any() or not (last < day0).all():
        return
    said = [
        f"{s}: {missing[s]}" if s in missing else f"{s} ends on {end.date()}"
        for s, end in sorted(ends.items())
        if end is not None
    ]
    raise DataUnavailableError(
        f"none of the {len(events)} events has prices on its day 0 (day 0 "
        f"{day0.min().date()}..{day0.max().date()}): {'; '.join(said)}. Go online "
        "(offline=False) to extend the series, or study events within the data"
    )


def _no_price_drops(frame: pd.DataFrame, missing: Mapping[str, str]) -> tuple[Any, pd.DataFrame]:
    """Events whose symbol has no prices: reason ``no_price_data`` with the data layer's
    message, or ``delisted_no_prices`` for a stock the security master marks ``not_listed``
    (the bundled universe has no delisted stocks)."""
    from eventstudy.market.bundled import no_price_reason

    gone = frame["symbol"].isin(list(missing))
    symbols = frame.loc[gone, "symbol"].astype(str)
    why = {s: no_price_reason(s, missing[s]) for s in symbols.unique()}
    table = pd.DataFrame(
        {
            "event_id": frame.loc[gone, "event_id"],
            "symbol": symbols,
            "reason": symbols.map(lambda s: why[s][0]),
            "message": symbols.map(lambda s: why[s][1]),
        }
    )
    return gone.to_numpy(), table


def _briefing(
    cfg: RunConfig,
    result: EventStudyResult,
    news: News,
    events: EventSet,
    panel: MarketPanel | None,
    dropped: pd.DataFrame,
    steps: _Steps,
) -> BriefingFiles | None:
    """Write the briefing ``output`` asks for (None: no format)."""
    from eventstudy.report import briefing

    o = cfg.output
    if not o.formats:
        return None
    ohlc = None
    if _wants_price_charts(cfg) and len(result.car) and panel is not None:
        ohlc = _ohlc_long(
            panel, sorted(set(result.events["symbol"].astype(str))), cfg.market.benchmark
        )
    return briefing(
        result,
        news=news,
        out=o.dir,
        formats=o.formats,
        title=o.title,
        prices=ohlc,
        charts=o.charts,
        top_events=o.top_events,
        price_charts=o.price_charts,
        dropped=dropped,
        rule=events.rule,
        cutoff=events.cutoff,
        progress=steps.switch,
        plotlyjs=o.plotlyjs,
    )


#: Warnings of the price layer that the notes restate from the prices' provenance.
def _notes(caught: list[warnings.WarningMessage], run: PipelineResult) -> tuple[str, ...]:
    """The run's notes: its warnings, and what the price step served in place of the source.

    The price layer warns about fallbacks and proxies symbol by symbol as it tries
    them (a board may be announced as "built as a proxy" and then turn out to have
    no members, its events dropped with reason ``no_price_data``); the notes say
    what was served, from the provenance of the prices, instead of repeating
    those warnings. Proxies are :attr:`PipelineResult.proxies`. The briefing's
    problems (PNG charts skipped, ...) are in the summary's file list, not repeated here.
    """
    from eventstudy.report import duplicate_proxy_notes

    said = set(run.files.problems) if run.files is not None else set()  # in the summary
    notes = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if not issubclass(w.category, PRICE_WARNINGS) and str(w.message) not in said
    ]
    notes += _snapshot_note(run)
    notes += [f"EventStudyWarning: {n}" for n in duplicate_proxy_notes(run.result)]
    return tuple(dict.fromkeys(notes))


def _snapshot_note(run: PipelineResult) -> list[str]:
    """One note naming the series the bundled snapshot served because the network failed.

    None offline (the snapshot is what was asked for) or with ``source = "bundled"``;
    why, symbol by symbol, is in the provenance ``note`` (the briefing's table).
    """
    from eventstudy.market.frame import short_list
    from eventstudy.market.request import resolve_offline

    market = run.config.market
    if run.prices is None or market.source == "bundled" or resolve_offline(market.offline):
        return []
    prov = run.prices.provenance
    snapshot = [str(s) for s in prov.index[(prov["source"] == "bundled") & ~prov["is_proxy"]]]
    if not snapshot:
        return []
    return [
        f"OfflineFallbackWarning: {len(snapshot)} series served from the bundled snapshot "
        f"because the network failed: {short_list(snapshot)} (why: the provenance note)"
    ]


def demo(
    out: str | Path = "briefing",
    *,
    formats: Sequence[BriefingFormat] | None = None,
    progress: bool = False,
) -> PipelineResult:
    """The main job on the bundled data (no network): the posts that ship with the package,
    their tags and events, the bundled prices (boards as labelled proxies of their
    constituents), the market model against the CSI 300 (``000300.SH``), and the briefing.

    Parameters
    ----------
    out
        Output folder.
    formats
        Briefing formats (default ``("html", "png", "csv", "parquet")``).
    progress
        Show a progress bar on stderr.

    Examples
    --------
    >>> import tempfile
    >>> run = demo(out=tempfile.mkdtemp(), formats=())
    >>> run.files is None, run.result.market
    (True, '000300.SH')
    """
    return run_pipeline(demo_config(out), formats=formats, progress=progress)


# ----------------------------------------------------------------------------- backtest


@dataclass(frozen=True)
class BacktestRun:
    """Everything ``eventstudy backtest`` produced (:func:`run_backtest_config`).

    Attributes
    ----------
    config
        The configuration that ran (with overrides applied).
    events
        The events backtested (after the ``symbols`` and ``start``/``end`` filters).
    result
        The backtest.
    files
        What was written (CSV tables, ``summary.txt``, ``backtest.html``).
    notes
        What the run filtered out or could not read, also in ``summary.txt``.
    news_skipped
        The news items that could not be read (news configs), else None.
    news_duplicates
        The news items that repeat a kept article (news configs), else None.
    """

    config: BacktestConfig
    events: EventSet
    result: BacktestResult
    files: BacktestFiles
    notes: tuple[str, ...] = ()
    news_skipped: pd.DataFrame | None = None
    news_duplicates: pd.DataFrame | None = None

    def summary(self) -> Summary:
        """The backtest's summary and the run's notes (the text of ``summary.txt``)."""
        out = Summary().add_lines(str(self.result.summary()).split("\n"))
        if self.notes:
            out.add_lines([f"Note: {n}" for n in self.notes])
        return out

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _load_news(cfg: RunConfig | BacktestConfig) -> News:
    """The news of ``cfg.news``; a missing path is a ConfigError naming the config file."""
    from eventstudy.news import load_news

    try:
        path = cfg.news.resolved_path()
    except ConfigError as err:
        where = f"{cfg.source}: " if cfg.source not in ("<dict>", "demo") else ""
        raise ConfigError(f"{where}{err}") from None
    return load_news(path, errors=cfg.news.errors)


def _news_events(news: News, ev: EventsConfig) -> EventSet:
    """The events of ``news`` that ``[events]`` asks for."""
    return news.to_events(
        symbols=ev.symbols, kinds=ev.kinds, min_score=ev.min_score, rule=ev.rule, cutoff=ev.cutoff
    )


def _csv_events(ev: EventsConfig, notes: list[str]) -> EventSet:
    """The events of ``events.csv``, only ``symbols`` when given (the others noted)."""
    from eventstudy.symbols import normalize

    path = Path(str(ev.csv))
    if not path.is_file():
        raise FileNotFoundError(f"events.csv: {str(path)!r} not found")
    frame = pd.read_csv(path, dtype={"event_id": str, "symbol": str})
    if ev.symbols is not None:
        wanted = set(ev.symbols)

        def known(symbol: object) -> bool:
            try:
                return normalize(symbol) in wanted
            except SymbolError:
                return False

        keep = frame["symbol"].map(known).astype(bool)
        if (~keep).any():
            notes.append(f"{int((~keep).sum())} events of other symbols not backtested")
        frame = frame[keep]
    return EventSet.from_frame(frame, rule=ev.rule, cutoff=ev.cutoff)


def _in_span(events: EventSet, ev: EventsConfig, notes: list[str]) -> EventSet:
    """The events with day 0 in ``[start, end]`` (the others noted)."""
    if ev.start is None and ev.end is None:
        return events
    d0 = events.frame["day0"]
    keep = pd.Series(True, index=events.frame.index)
    if ev.start is not None:
        keep &= d0 >= ev.start
    if ev.end is not None:
        keep &= d0 <= ev.end
    if (~keep).any():
        start, end = (str(d.date()) if d is not None else "..." for d in (ev.start, ev.end))
        notes.append(
            f"{int((~keep).sum())} events with day 0 outside [{start}, {end}] not backtested"
        )
    frame = events.frame[keep].reset_index(drop=True)
    return replace(events, frame=frame)


def _backtest_events(
    cfg: BacktestConfig, *, progress: bool = False
) -> tuple[EventSet, list[str], News | None]:
    """The events of a backtest config, the notes, and the news they came from (or None)."""
    from eventstudy.report.backtest import NEWS_DUPLICATES_FILE, NEWS_SKIPPED_FILE

    notes: list[str] = []
    news: News | None = None
    if cfg.news.path is not None:
        steps = _Steps(total=1, progress=progress)
        try:
            with steps.step("loading news"):
                news = _load_news(cfg)
        finally:
            steps.close()
        events = _news_events(news, cfg.events)
        n_skipped, n_dups = len(news.skipped), len(news.duplicates)
        if n_skipped:
            notes.append(
                f"{n_skipped} news items could not be read: listed with reason codes "
                f"in {NEWS_SKIPPED_FILE}"
            )
        if n_dups:
            notes.append(
                f"{n_dups} news items were duplicates of a kept article: listed in "
                f"{NEWS_DUPLICATES_FILE}"
            )
        notes.append(
            f"news: {news.n_inputs} inputs: {len(news.articles)} articles, {n_skipped} skipped, "
            f"{n_dups} duplicates"
        )
    else:
        events = _csv_events(cfg.events, notes)
    return _in_span(events, cfg.events, notes), notes, news


def events_from_config(
    cfg: BacktestConfig, *, progress: bool = False
) -> tuple[EventSet, list[str], pd.DataFrame | None]:
    """The events a backtest config asks for, notes on what was left out, and the news not read.

    The third element is :attr:`News.skipped <eventstudy.news.News.skipped>` (items that
    could not be read, with reason codes) when the events come from news, else None.

    Examples
    --------
    >>> from eventstudy.config import parse_config
    >>> cfg = parse_config({"news": {"path": "bundled"}, "events": {"symbols": ["600519"]}},
    ...                    kind="backtest")
    >>> events, notes, skipped = events_from_config(cfg)
    >>> set(events.frame["symbol"]), len(skipped), notes[0].split(":")[0]
    ({'600519.SH'}, 1, '1 news items could not be read')
    """
    events, notes, news = _backtest_events(cfg, progress=progress)
    return events, notes, None if news is None else news.skipped


def run_backtest_config(
    config: BacktestConfig | str | Path | Mapping[str, Any],
    out: str | Path | None = None,
    *,
    offline: bool | None = None,
    progress: bool = False,
) -> BacktestRun:
    """Run the backtest a config describes and write its files (``eventstudy backtest``).

    Config → events (from news or ``events.csv``) → :func:`eventstudy.backtest` →
    :func:`eventstudy.report.write_backtest`.

    Parameters
    ----------
    config
        A :class:`~eventstudy.config.BacktestConfig`, a TOML file path, or a
        mapping of the TOML's tables.
    out
        Output folder (overrides ``output.dir``).
    offline
        ``True``: never touch the network (overrides ``market.offline``).
    progress
        Show bars on stderr while loading news, fetching prices and running the placebo.

    Returns
    -------
    BacktestRun

    Examples
    --------
    >>> import tempfile
    >>> run = run_backtest_config(
    ...     {"news": {"path": "bundled"}, "events": {"symbols": ["600519.SH"]},
    ...      "market": {"source": "bundled"}, "placebo": {"runs": 0}}, tempfile.mkdtemp())
    >>> run.result.n_trades > 0, "backtest.html" in run.files.files
    (True, True)
    """
    from eventstudy.backtesting import backtest
    from eventstudy.report import write_backtest
    from eventstudy.report.files import output_dir

    cfg = _as_backtest_config(config).with_overrides(out=out, offline=offline)
    output_dir(cfg.output.dir)  # a bad --out fails now, not after the backtest
    events, notes, news = _backtest_events(cfg, progress=progress)
    result = backtest(events, progress=progress, **cfg.backtest_kwargs())
    shared = None if news is None else news.with_relative_origins()  # no /home/... paths
    files = write_backtest(
        result,
        cfg.output.dir,
        notes=notes,
        news_skipped=None if shared is None else shared.skipped,
        news_duplicates=None if shared is None else shared.duplicates,
        title=cfg.output.title,
    )
    return BacktestRun(
        config=cfg,
        events=events,
        result=result,
        files=files,
        notes=tuple(notes),
        news_skipped=None if news is None else news.skipped,
        news_duplicates=None if news is None else news.duplicates,
    )


def _as_backtest_config(config: BacktestConfig | str | Path | Mapping[str, Any]) -> BacktestConfig:
    if isinstance(config, BacktestConfig):
        return config
    if isinstance(config, str | Path):
        return load_config(config, kind="backtest")
    return parse_config(config, kind="backtest")
