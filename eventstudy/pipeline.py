"""The main job: news → tags → events → prices → event study → briefing.

:func:`run_pipeline` runs it from a :class:`~eventstudy.config.RunConfig` (or
a TOML file, or a mapping) and returns every intermediate object, so a notebook
can pick up at any step; :func:`demo` runs it on the data that ships with the
package, with no network. The command line (``eventstudy demo``,
``eventstudy run CONFIG.toml``) only calls these.

Nothing is lost on the way: every (article, security) pair that does not end in
the result is in :attr:`PipelineResult.dropped` with the stage that dropped it
(``events``: no session for its timestamp, an unknown symbol, or
``is_benchmark`` - the security is the market model's own benchmark, whose
abnormal return is zero by construction; ``prices``: no price data for its
symbol; ``study``: e.g. ``insufficient_estimation``), a reason code and a
message. Articles that did not load are in
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
   constituents (``provenance.is_proxy``).
4. :func:`eventstudy.run_event_study` with the ``study`` settings.
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
import re
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from eventstudy._typing import ErrorPolicy, ModelName, PriceField, SymbolKind
from eventstudy.config import RunConfig, demo_config, load_config, parse_config
from eventstudy.events import DROPPED_COLUMNS, EventSet
from eventstudy.exceptions import ConfigError, DataUnavailableError

if TYPE_CHECKING:
    from eventstudy.market import MarketPanel, PriceFrame
    from eventstudy.news import News
    from eventstudy.reporting import BriefingFiles
    from eventstudy.study import EventStudyResult

__all__ = ["DROPPED_STAGE_COLUMNS", "PipelineResult", "demo", "run_pipeline"]

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
        ``prices``, ``study``), ``event_id``, ``symbol``, ``reason``, ``message``.
    notes
        Warnings raised on the way (offline fallbacks, proxies, PNG problems).
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

    def summary_table(self) -> pd.DataFrame:
        """CAAR per window with p-values (cross-sectional t, Kolari–Pynnönen adjusted BMP)."""
        from eventstudy.reporting import headline_table

        return headline_table(self.result)

    def summary(self) -> str:
        """A short text summary: counts, CAAR per window with p-values, where the files are."""
        lines = [
            f"news: {len(self.news.articles)} articles, {len(self.news.skipped)} skipped inputs",
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
        if self.n_events:
            table = self.summary_table()
            lines.append("")
            lines.append(f"{'window':<10}{'CAAR':>10}{'p (t)':>9}{'p (KP-BMP)':>12}{'N':>6}")
            for r in table.to_dict("records"):
                lines.append(
                    f"{r['window']:<10}{r['caar']:>+10.2%}{_p(r['p_t_cross']):>9}"
                    f"{_p(r['p_kp_bmp']):>12}{r['n']:>6}"
                )
            lines.append(
                f"model {self.result.model} vs {self.result.market}; two-sided p-values; "
                "KP-BMP = BMP adjusted for cross-correlation (Kolari–Pynnönen 2010)"
            )
            prov = self.result.provenance
            if isinstance(prov, pd.DataFrame) and "is_proxy" in prov.columns:
                proxies = [str(s) for s in prov.index[prov["is_proxy"].astype(bool)]]
                if proxies:
                    lines.append(
                        f"proxies (built from constituents, not the board index): "
                        f"{', '.join(proxies)}"
                    )
        if self.files is not None:
            lines.append("")
            lines.append(str(self.files))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


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
    return EventSet(
        frame=frame[~gone].reset_index(drop=True),
        dropped=dropped,
        rule=events.rule,
        cutoff=events.cutoff,
    )


_PROXY_CLAIM = re.compile(r"^(\w+): (\S+): built as a proxy from (\w+) members because .*$")


def _note(msg: str, missing: Mapping[str, str]) -> str:
    """A warning as a note; a board that was then dropped does not claim its proxy was built.

    The price layer warns "BK0433: built as a proxy from bundled members because offline ..."
    before it finds that the board has no bundled members; such boards are in ``missing``.
    """
    m = _PROXY_CLAIM.match(msg)
    if m and m.group(2) in missing:
        kind, sym = m.group(1), m.group(2)
        return (
            f"{kind}: {sym}: no price series and no proxy could be built from "
            f"{m.group(3)} members ({missing[sym]}); its events are dropped (no_price_data)"
        )
    return msg


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

    Loads the closes, and open/high/low when the briefing draws price charts.
    """
    from eventstudy.market import load_panel

    wanted = list(dict.fromkeys([benchmark, *symbols]))
    fields: list[PriceField] = ["close"]
    if _wants_price_charts(cfg):
        fields = ["open", "high", "low", "close"]
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
    formats: tuple[str, ...] | None = None,
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
    import eventstudy as es
    from eventstudy.reporting import briefing as write_briefing
    from eventstudy.reporting import duplicate_proxy_notes

    cfg = _as_config(config).with_overrides(out=out, offline=offline)
    if formats is not None:
        cfg = replace(cfg, output=replace(cfg.output, formats=tuple(formats)))
    png = "png" in cfg.output.formats
    steps = _Steps(total=6 if png else 5, progress=progress)
    notes: list[str] = []
    missing: dict[str, str] = {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with steps.step("loading news"):
                try:
                    news_path = cfg.news.resolved_path()
                except ConfigError as err:
                    where = f"{cfg.source}: " if cfg.source not in ("<dict>", "demo") else ""
                    raise ConfigError(f"{where}{err}") from None
                news = es.load_news(news_path, errors=cast(ErrorPolicy, cfg.news.errors))
            with steps.step("tagging and building events"):
                kw: dict[str, Any] = {"rule": cfg.events.rule, "cutoff": cfg.events.cutoff}
                if cfg.events.min_score is not None:
                    kw["min_score"] = cfg.events.min_score
                events = news.to_events(
                    symbols=cfg.events.symbols,
                    kinds=cast("tuple[SymbolKind, ...] | None", cfg.events.kinds),
                    **kw,
                )
            drops = [_dropped("events", events.dropped)]
            pf: PriceFrame | None = None
            panel: MarketPanel | None = None
            analysable = events
            is_bench = (events.frame["symbol"].astype(str) == cfg.market.benchmark).to_numpy()
            if is_bench.any():
                drops.append(_dropped("events", _benchmark_drops(events.frame[is_bench])))
                analysable = _without(analysable, is_bench, drops[-1])
            n_symbols = len(set(events.frame["symbol"]) | {cfg.market.benchmark})
            with steps.step("fetching prices", f"fetching prices ({n_symbols} series)"):
                if len(events):
                    start, end = _date_range(events, cfg)
                    panel, missing = _fetch_prices(
                        events.symbols, cfg.market.benchmark, start, end, cfg
                    )
                    pf = panel.close
                    if missing:
                        frame = analysable.frame
                        gone = frame["symbol"].isin(list(missing))
                        drops.append(
                            _dropped(
                                "prices",
                                pd.DataFrame(
                                    {
                                        "event_id": frame.loc[gone, "event_id"],
                                        "symbol": frame.loc[gone, "symbol"],
                                        "reason": "no_price_data",
                                        "message": frame.loc[gone, "symbol"].map(missing),
                                    }
                                ),
                            )
                        )
                        analysable = _without(analysable, gone.to_numpy(), drops[-1])
            with steps.step("estimating"):
                study = cfg.study
                result = es.run_event_study(
                    analysable,
                    prices=pf,
                    market=cfg.market.benchmark,
                    model=cast(ModelName, study.model),
                    estimation_window=study.estimation_window,
                    event_window=study.event_window,
                    car_windows=list(study.car_windows),
                    min_estimation_obs=study.min_estimation_obs,
                    tests=study.tests if isinstance(study.tests, str) else list(study.tests),
                )
            # result.dropped repeats what the earlier stages dropped (they travel in the
            # EventSet): the study stage is only what the study itself dropped
            earlier = set(pd.concat([d["event_id"] for d in drops]).astype(str))
            own = result.dropped[~result.dropped["event_id"].astype(str).isin(earlier)]
            drops.append(_dropped("study", own))
            dropped = pd.concat([d for d in drops if len(d)] or [drops[0]], ignore_index=True)
            files = None
            with steps.step("writing the briefing"):
                if cfg.output.formats:
                    ohlc = None
                    if _wants_price_charts(cfg) and len(result.car) and panel is not None:
                        ohlc = _ohlc_long(
                            panel,
                            sorted(set(result.events["symbol"].astype(str))),
                            cfg.market.benchmark,
                        )
                    files = write_briefing(
                        result,
                        news=news,
                        out=cfg.output.dir,
                        formats=cfg.output.formats,
                        title=cfg.output.title,
                        prices=ohlc,
                        charts=cfg.output.charts,
                        top_events=cfg.output.top_events,
                        price_charts=cfg.output.price_charts,
                        dropped=dropped,
                        rule=events.rule,
                        cutoff=events.cutoff,
                        progress=steps.switch,
                    )
        for w in caught:
            msg = _note(f"{w.category.__name__}: {w.message}", missing)
            if msg not in notes:
                notes.append(msg)
        notes.extend(f"EventStudyWarning: {n}" for n in duplicate_proxy_notes(result))
    finally:
        steps.close()
    return PipelineResult(
        config=cfg,
        news=news,
        events=events,
        prices=pf,
        result=result,
        files=files,
        dropped=dropped,
        notes=tuple(notes),
        timings=steps.timings,
    )


def demo(
    out: str | Path = "briefing",
    *,
    formats: tuple[str, ...] | None = None,
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
