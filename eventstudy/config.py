"""The TOML configurations of ``eventstudy run`` and ``eventstudy backtest``: one loader.

:func:`load_config` reads a file and :func:`parse_config` a mapping into a
:class:`RunConfig` (``kind="run"``) or a :class:`BacktestConfig`
(``kind="backtest"``). Both kinds share the ``[news]``, ``[events]``,
``[market]`` and ``[output]`` tables; every key is optional except where said.
Unknown keys, wrong types and impossible values raise
:class:`~eventstudy.exceptions.ConfigError` whose message starts with the
dotted key (``study.event_window: ...``; :func:`load_config` puts the file's
path in front) and says what is wrong and what to write instead.

Each default is the default of the function the key feeds: the ``[study]``
settings are :class:`~eventstudy.study.EventStudy`'s (which also validates
them: a TOML run and ``run_event_study`` get the same CAR windows), the
``[strategy]`` and ``[placebo]`` settings :func:`~eventstudy.backtest`'s, the
allowed values ``typing.get_args`` of the option types of
:mod:`eventstudy._typing`.

``eventstudy run`` (``news.path`` is required):

.. code-block:: toml

    [news]
    path = "news"              # folder/file/glob of posts, or a CSV/Parquet/JSON-lines table;
                               # relative paths are relative to the config file; "bundled" =
                               # the posts that ship with the package
    errors = "collect"         # or "raise": stop at the first unreadable item

    [events]
    symbols = ["BK0896"]       # keep only these securities/boards/indices (default: all tagged)
    kinds = ["board", "stock"] # keep only these kinds: board, stock, index, foreign
    min_score = 0.6            # minimum tag score (default: the tagger's default)
    rule = "next"              # day-0 rule: next, previous, strict
    cutoff = "15:00"           # publications at/after the cutoff → next session

    [market]
    benchmark = "000300.SH"    # the market index of the model, or "ew": the equal-weighted
                               # market of the whole bundled extract (needs source = "bundled")
    source = "auto"            # auto, bundled, local, akshare, yfinance, tencent
    adjust = "qfq"             # qfq, hfq, none
    offline = false            # true: never touch the network (cache + bundled data only)

    [study]
    model = "market"           # raw, constant_mean, market_adjusted, market, scholes_williams,
                               # dimson, garch, gjr, egarch; ff3, carhart, factors (need factors)
    factors = "factors.csv"    # factor returns for ff3/carhart/factors: a CSV or Parquet file
                               # with a date column and one column per factor (+ optional rf),
                               # simple daily returns; relative to the config file
    estimation_window = [-250, -11]
    event_window = [-5, 5]
    car_windows = [[-1, 1], [0, 0], [0, 1], [0, 5], [-5, 5]]
                               # default: those of eventstudy.study.DEFAULT_CAR_WINDOWS inside
                               # the event window, plus the event window itself
    min_estimation_obs = 100
    tests = ["all", "wild_bootstrap"]
                               # "all" (the standard battery) or test names; the resampling
                               # tests "wild_bootstrap", "lbt_skew_t" only when named
    bootstrap = 999            # their replications (default 999 / 1,000; a warning when no
                               # resampling test is selected)
    seed = 7                   # seed of the resampling tests (default: a fresh one, recorded)
    duplicates = "keep"        # keep, collapse, first: same security and day 0, several articles
    overlap = "keep"           # keep (flag) or drop events with another one in their windows
    measure = "return"         # return, volume (abnormal log volume; the run loads volumes)
                               # or volatility (abnormal variance)

    [output]
    dir = "briefing"           # relative to the working directory; --out overrides
    formats = ["html", "png", "csv", "parquet"]
    title = "白酒 news and prices"
    top_events = 10            # events listed in the briefing
    price_charts = 3           # price-around-event charts (the first top events)
    charts = ["caar", "aar", "car_dist", "heatmap", "event_price"]
                               # which charts to draw (default: all five): CAAR path with
                               # its band (+ by kind), AAR bars, per-event CAR distribution,
                               # CAAR heatmap by board/security x window, price around events
    plotlyjs = "inline"        # or "shared": a lighter page loading plotly.min.js beside it

``eventstudy backtest``: events come from news (``[news] path``) or from an
events table (``[events] csv``), exactly one of the two:

.. code-block:: toml

    [news]
    path = "news"               # as for run
    errors = "collect"

    [events]
    csv = "events.csv"          # instead of [news]: event_id, symbol, published_at or day0
                                # (+ score, title, ...); relative to this file
    symbols = ["600519.SH"]     # keep only these securities
    kinds = ["stock", "board"]  # keep only these kinds (news only)
    min_score = 1.0             # minimum tag score (news only)
    rule = "next"               # day-0 rule: next, previous, strict
    cutoff = "15:00"
    start = "2022-01-01"        # keep events with day 0 in [start, end]
    end = "2022-12-31"

    [market]
    benchmark = "000300.SH"
    source = "auto"             # auto, bundled, local, akshare, yfinance, tencent
    offline = false

    [strategy]
    entry = "day0_close"        # or "next_open"
    hold = 5                    # sessions
    direction = "long"          # long, short, sign_of_score
    weights = "equal"           # equal, abs_score, or a column of the events
    costs_bps = 10.0            # per side
    max_exit_delay = 10
    limit_tolerance = 0.002
    st_symbols = []
    duplicates = "keep"         # keep, collapse, first: same security and day 0, several articles

    [placebo]
    runs = 200                  # 0: no placebo test
    seed = 42
    window = 0                  # sessions added each side of the real day-0 span (0: draw
                                # placebo dates within the span, the news' market period)
    statistic = "raw"           # or "excess": net trade return minus the benchmark's

    [output]
    dir = "backtest"            # relative to the working directory; --out overrides
    title = "News backtest"

Examples
--------
>>> cfg = parse_config({"news": {"path": "bundled"}, "study": {"event_window": [-3, 3]}})
>>> cfg.study.event_window, cfg.study.car_windows, cfg.market.benchmark
((-3, 3), ((-1, 1), (0, 0), (0, 1), (-3, 3)), '000300.SH')
>>> parse_config({"news": {"path": "bundled"}, "study": {"modle": "market"}})
Traceback (most recent call last):
...
eventstudy.exceptions.ConfigError: study.modle: unknown key; did you mean 'model'? (allowed: ...)
>>> bt = parse_config({"events": {"csv": "ev.csv"}, "strategy": {"hold": 3}}, kind="backtest")
>>> bt.strategy.hold, bt.placebo.runs, bt.market.benchmark
(3, 200, '000300.SH')
"""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
import math
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar, get_args, overload

import pandas as pd

from eventstudy._typing import (
    Adjust,
    BriefingChart,
    BriefingFormat,
    ConfigKind,
    DuplicatePolicy,
    ErrorPolicy,
    PanelMarket,
    PlotlyJs,
    SessionRule,
    SourceName,
    SymbolKind,
)
from eventstudy.backtesting import Direction, Entry, backtest
from eventstudy.backtesting.placebo import PlaceboStatistic
from eventstudy.exceptions import ConfigError, SymbolError
from eventstudy.market import get_prices
from eventstudy.news import News, load_news
from eventstudy.report import briefing
from eventstudy.study import EventStudy
from eventstudy.study.models import FACTOR_COLUMNS, MODELS, get_model, user_factor_columns
from eventstudy.study.windows import MAX_RELATIVE_DAY
from eventstudy.symbols import normalize

__all__ = [
    "DEMO_ESTIMATION_WINDOW",
    "DEMO_MIN_ESTIMATION_OBS",
    "BacktestConfig",
    "BacktestOutputConfig",
    "EventsConfig",
    "MarketConfig",
    "NewsConfig",
    "OutputConfig",
    "PlaceboConfig",
    "RunConfig",
    "StrategyConfig",
    "demo_config",
    "load_config",
    "parse_config",
]

#: A key's parser: ``(dotted key, TOML value) -> Python value``, raising ConfigError.
Parse: TypeAlias = Callable[[str, Any], Any]


def _fail(key: str, reason: str) -> ConfigError:
    """The error of one key: ``"<dotted key>: <reason>"``."""
    return ConfigError(f"{key}: {reason}")


def _default(func: Callable[..., Any], name: str) -> Any:
    """The default of ``func``'s parameter ``name``: each default is defined once, there."""
    return inspect.signature(func).parameters[name].default


# ----------------------------------------------------------------------------- value parsers


def _string(choices: tuple[str, ...] = ()) -> Parse:
    def parse(key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _fail(key, f"must be a non-empty string, not {value!r}")
        if choices and value not in choices:
            raise _fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    return parse


def _integer(minimum: int | None = None, maximum: int | None = None) -> Parse:
    def parse(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(key, f"must be an integer, not {value!r}")
        if minimum is not None and value < minimum:
            raise _fail(key, f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            raise _fail(key, f"must be at most {maximum}, not {value}")
        return value

    return parse


def _number(key: str, value: Any) -> float:
    """A finite number >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise _fail(key, f"must be a number >= 0, not {value!r}")
    return float(value)


def _share(key: str, value: Any) -> float:
    """A finite number in [0, 1] (a score, a share)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise _fail(key, f"must be a number between 0 and 1, not {value!r}")
    return float(value)


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(key, f"must be true or false, not {value!r}")
    return value


def _strings(choices: tuple[str, ...] = (), *, empty: bool = False) -> Parse:
    """A list of distinct strings (a single string is a list of one)."""
    item = _string(choices)

    def parse(key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (not value and not empty):
            what = "a list" if empty else "a non-empty list"
            raise _fail(key, f"must be {what} of strings, not {value!r}")
        out = tuple(item(f"{key}[{i}]", v) for i, v in enumerate(value))
        if len(set(out)) != len(out):
            raise _fail(key, f"has duplicates: {list(out)}")
        return out

    return parse


def _symbol(key: str, value: Any) -> str:
    text = _string()(key, value)
    try:
        return normalize(text)
    except SymbolError as err:
        raise _fail(key, f"{text!r}: {err}") from None


def _benchmark(key: str, value: Any) -> str:
    """A benchmark: a market built from the panel (``ew``) or a security's symbol."""
    text = _string()(key, value)
    word = text.strip().lower()
    if word in get_args(PanelMarket):
        return word
    allowed = (
        f"a security code such as '000300.SH', or one of {get_args(PanelMarket)} (the "
        "equal-weighted market of the whole bundled extract; a value-weighted market is not built)"
    )
    if word in ("vw", "value-weighted", "value_weighted"):
        raise _fail(key, f"{text!r} is not built; use {allowed}")
    try:
        return normalize(text)
    except SymbolError as err:
        raise _fail(key, f"{text!r} is not {allowed}: {err}") from None


def _symbols(*, empty: bool = False) -> Parse:
    names = _strings(empty=empty)

    def parse(key: str, value: Any) -> tuple[str, ...]:
        return tuple(_symbol(f"{key}[{i}]", s) for i, s in enumerate(names(key, value)))

    return parse


def _cutoff(key: str, value: Any) -> str:
    text = _string()(key, value)
    try:
        dt.time.fromisoformat(text)
    except ValueError:
        raise _fail(key, f"{text!r} is not a time of day; write 'HH:MM' such as '15:00'") from None
    return text


def _date(key: str, value: Any) -> pd.Timestamp:
    """A date: a TOML date or a string such as ``"2022-01-31"``."""
    if not isinstance(value, str | dt.date):
        raise _fail(key, f"must be a date such as '2022-01-31', not {value!r}")
    try:
        return pd.Timestamp(value)
    except ValueError:
        raise _fail(key, f"{value!r} is not a date; write 'YYYY-MM-DD'") from None


def _directory(key: str, value: Any) -> Path:
    return Path(_string()(key, value)).expanduser()


def _window(key: str, value: Any) -> tuple[int, int]:
    """Two integers (their order and range are the study's to check)."""
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        raise _fail(key, f"must be two integers [start, end] in trading sessions, not {value!r}")
    return int(value[0]), int(value[1])


def _windows(key: str, value: Any) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list) or not value:
        raise _fail(key, f"must be a non-empty list of [start, end], not {value!r}")
    return tuple(_window(f"{key}[{i}]", w) for i, w in enumerate(value))


def _tests(key: str, value: Any) -> str | tuple[str, ...]:
    return "all" if value == "all" else _strings()(key, value)


# ----------------------------------------------------------------------------- tables


def _meta(parse: Parse, *, param: str | None = None) -> dict[str, Any]:
    """A TOML key's field metadata: its parser and the keyword it feeds (default: its name)."""
    return {"parse": parse, "param": param}


class _Table:
    """A table of a configuration; ``table["key"]`` is a deprecated spelling of ``table.key``."""

    def __getitem__(self, key: str) -> Any:
        if key not in {f.name for f in fields(self)}:  # type: ignore[arg-type]
            raise KeyError(key)
        warnings.warn(
            f"config tables are dataclasses now: use .{key} instead of [{key!r}] "
            "(the dict access goes in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, key)


@dataclass(frozen=True)
class NewsConfig(_Table):
    """Where the news comes from.

    Attributes
    ----------
    path
        Folder, file or glob of posts, or a table file; ``"bundled"`` for the
        package's own posts; ``None`` in a backtest whose events come from
        ``events.csv``.
    errors
        ``"collect"`` (unreadable items go to ``News.skipped``) or ``"raise"``.
    """

    path: str | None = field(default="bundled", metadata=_meta(_string()))
    errors: ErrorPolicy = field(
        default=_default(load_news, "errors"), metadata=_meta(_string(get_args(ErrorPolicy)))
    )

    def resolved_path(self) -> Path | str:
        """The path to load (the bundled folder for ``"bundled"``).

        Raises
        ------
        ConfigError
            ``news.path: ...`` when the path (or glob) matches nothing.

        Examples
        --------
        >>> NewsConfig(path="/no/such/folder").resolved_path()
        Traceback (most recent call last):
        ...
        eventstudy.exceptions.ConfigError: news.path: '/no/such/folder' does not exist; ...
        """
        if self.path is None:
            raise _fail("news.path", "not set: the events come from events.csv")
        if self.path == "bundled":
            from eventstudy.datasets import sample_news_path

            return sample_news_path()
        if any(c in self.path for c in "*?["):
            import glob

            if not glob.glob(self.path, recursive=True):
                raise _fail(
                    "news.path",
                    f"{self.path!r} matches no file; give a folder, file or glob of news "
                    "posts or a table, or 'bundled'",
                )
        elif not Path(self.path).exists():
            raise _fail(
                "news.path",
                f"{self.path!r} does not exist; give a folder, file or glob of news posts "
                "or a table (relative paths are relative to the config file), or 'bundled'",
            )
        return self.path


@dataclass(frozen=True)
class EventsConfig(_Table):
    """Which (article, security) pairs become events, and how day 0 is set.

    ``csv``, ``start`` and ``end`` are keys of a backtest configuration only.
    """

    symbols: tuple[str, ...] | None = field(default=None, metadata=_meta(_symbols()))
    kinds: tuple[SymbolKind, ...] | None = field(
        default=None, metadata=_meta(_strings(get_args(SymbolKind)))
    )
    min_score: float = field(default=_default(News.to_events, "min_score"), metadata=_meta(_share))
    rule: SessionRule = field(
        default=_default(News.to_events, "rule"), metadata=_meta(_string(get_args(SessionRule)))
    )
    cutoff: str = field(default=_default(News.to_events, "cutoff"), metadata=_meta(_cutoff))
    csv: str | None = field(default=None, metadata=_meta(_string()))
    start: pd.Timestamp | None = field(default=None, metadata=_meta(_date))
    end: pd.Timestamp | None = field(default=None, metadata=_meta(_date))


@dataclass(frozen=True)
class MarketConfig(_Table):
    """Prices: benchmark, source, adjustment, network policy (``adjust``: run only)."""

    benchmark: str = field(default=_default(EventStudy, "market"), metadata=_meta(_benchmark))
    source: SourceName = field(
        default=_default(get_prices, "source"), metadata=_meta(_string(get_args(SourceName)))
    )
    adjust: Adjust = field(
        default=_default(get_prices, "adjust"), metadata=_meta(_string(get_args(Adjust)))
    )
    offline: bool | None = field(default=None, metadata=_meta(_boolean))


@dataclass(frozen=True)
class OutputConfig(_Table):
    """What the briefing of ``eventstudy run`` contains and where it goes."""

    dir: Path = field(default=Path("briefing"), metadata=_meta(_directory))
    formats: tuple[BriefingFormat, ...] = field(
        default=get_args(BriefingFormat), metadata=_meta(_strings(get_args(BriefingFormat)))
    )
    title: str | None = field(default=None, metadata=_meta(_string()))
    top_events: int = field(
        default=_default(briefing, "top_events"), metadata=_meta(_integer(minimum=0))
    )
    price_charts: int = field(
        default=_default(briefing, "price_charts"), metadata=_meta(_integer(minimum=0))
    )
    charts: tuple[BriefingChart, ...] = field(
        default=get_args(BriefingChart), metadata=_meta(_strings(get_args(BriefingChart)))
    )
    plotlyjs: PlotlyJs = field(
        default=_default(briefing, "plotlyjs"), metadata=_meta(_string(get_args(PlotlyJs)))
    )


def _bt(name: str) -> Any:
    return _default(backtest, name)


@dataclass(frozen=True)
class StrategyConfig(_Table):
    """The trading rules of a backtest (the keywords of :func:`eventstudy.backtest`)."""

    entry: Entry = field(default=_bt("entry"), metadata=_meta(_string(get_args(Entry))))
    hold: int = field(
        default=_bt("hold"), metadata=_meta(_integer(minimum=1, maximum=MAX_RELATIVE_DAY))
    )
    direction: Direction = field(
        default=_bt("direction"), metadata=_meta(_string(get_args(Direction)))
    )
    weights: str = field(default=_bt("weights"), metadata=_meta(_string()))
    costs_bps: float = field(default=_bt("costs_bps"), metadata=_meta(_number))
    max_exit_delay: int = field(
        default=_bt("max_exit_delay"), metadata=_meta(_integer(minimum=0, maximum=MAX_RELATIVE_DAY))
    )
    limit_tolerance: float = field(default=_bt("limit_tolerance"), metadata=_meta(_number))
    st_symbols: tuple[str, ...] = field(
        default=tuple(_bt("st_symbols")), metadata=_meta(_symbols(empty=True))
    )
    duplicates: DuplicatePolicy = field(
        default=_bt("duplicates"), metadata=_meta(_string(get_args(DuplicatePolicy)))
    )


@dataclass(frozen=True)
class PlaceboConfig(_Table):
    """The placebo (random dates) test of a backtest."""

    runs: int = field(default=_bt("placebo"), metadata=_meta(_integer(minimum=0), param="placebo"))
    seed: int = field(default=_bt("seed"), metadata=_meta(_integer(minimum=0), param="seed"))
    window: int = field(
        default=_bt("placebo_window"),
        metadata=_meta(_integer(minimum=0, maximum=MAX_RELATIVE_DAY), param="placebo_window"),
    )
    statistic: PlaceboStatistic = field(
        default=_bt("placebo_statistic"),
        metadata=_meta(_string(get_args(PlaceboStatistic)), param="placebo_statistic"),
    )


@dataclass(frozen=True)
class BacktestOutputConfig(_Table):
    """Where the files of ``eventstudy backtest`` go (``title=None``: the writer's default)."""

    dir: Path = field(default=Path("backtest"), metadata=_meta(_directory))
    title: str | None = field(default=None, metadata=_meta(_string()))


# ----------------------------------------------------------------------------- configurations


@dataclass(frozen=True)
class RunConfig:
    """A validated ``eventstudy run`` configuration (see the module docstring for the TOML).

    Attributes
    ----------
    news, events, market, output
        The tables of the same names.
    study
        The :class:`~eventstudy.study.EventStudy` the ``[study]`` table describes;
        its ``market`` is always ``market.benchmark``.
    source
        Where the configuration came from (a file path, ``"<dict>"`` or ``"demo"``).
    """

    news: NewsConfig = field(default_factory=NewsConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    study: EventStudy = field(default_factory=EventStudy)
    output: OutputConfig = field(default_factory=OutputConfig)
    source: str = "<dict>"

    def __post_init__(self) -> None:
        if self.market.benchmark in get_args(PanelMarket) and self.market.source != "bundled":
            raise _fail(
                "market.benchmark",
                f"{self.market.benchmark!r} (the equal-weighted market) is built from the whole "
                "market's prices, which only the bundled whole-market extract provides here: set "
                f"[market] source = 'bundled' (not {self.market.source!r}), or use an index such "
                "as '000300.SH'",
            )
        if self.study.market != self.market.benchmark:
            object.__setattr__(self, "study", replace(self.study, market=self.market.benchmark))

    def with_overrides(
        self, *, out: str | Path | None = None, offline: bool | None = None
    ) -> RunConfig:
        """A copy with the command-line overrides (``--out``, ``--offline``) applied.

        Examples
        --------
        >>> demo_config().with_overrides(offline=False).market.offline
        False
        """
        return _overridden(self, out, offline)


@dataclass(frozen=True)
class BacktestConfig:
    """A validated ``eventstudy backtest`` configuration (see the module docstring).

    Attributes
    ----------
    news, events, market, strategy, placebo, output
        The tables of the same names (``news.path`` is None when the events come
        from ``events.csv``).
    source
        Where the configuration came from (a file path or ``"<dict>"``).
    base_dir
        The folder relative paths were resolved against.
    """

    news: NewsConfig = field(default_factory=lambda: NewsConfig(path=None))
    events: EventsConfig = field(default_factory=EventsConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    placebo: PlaceboConfig = field(default_factory=PlaceboConfig)
    output: BacktestOutputConfig = field(default_factory=BacktestOutputConfig)
    source: str = "<dict>"
    base_dir: Path = Path()

    def __post_init__(self) -> None:
        if self.market.benchmark in get_args(PanelMarket):
            raise _fail(
                "market.benchmark",
                f"{self.market.benchmark!r} (a market built from a study's panel) is for "
                "eventstudy run; a backtest's excess return needs an index such as '000300.SH'",
            )

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def with_overrides(
        self, *, out: str | Path | None = None, offline: bool | None = None
    ) -> BacktestConfig:
        """A copy with the command-line overrides (``--out``, ``--offline``) applied."""
        return _overridden(self, out, offline)

    def backtest_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`eventstudy.backtest` this configuration sets.

        Examples
        --------
        >>> cfg = parse_config({"events": {"csv": "e.csv"}, "placebo": {"runs": 0}},
        ...                    kind="backtest")
        >>> kw = cfg.backtest_kwargs()
        >>> kw["placebo"], kw["hold"], kw["benchmark"]
        (0, 5, '000300.SH')
        """
        kw: dict[str, Any] = {
            f.metadata["param"] or f.name: getattr(table, f.name)
            for table in (self.strategy, self.placebo)
            for f in fields(table)
        }
        m = self.market
        return {**kw, "benchmark": m.benchmark, "source": m.source, "offline": m.offline}


_C = TypeVar("_C", RunConfig, BacktestConfig)


def _overridden(cfg: _C, out: str | Path | None, offline: bool | None) -> _C:
    if out is not None:
        cfg = replace(cfg, output=replace(cfg.output, dir=Path(out)))
    if offline is not None:
        cfg = replace(cfg, market=replace(cfg.market, offline=offline))
    return cfg


# ----------------------------------------------------------------------------- the schema

#: The keys of ``[study]`` and their parsers, in the order ``EventStudy`` takes them.
_STUDY_KEYS: dict[str, Parse] = {
    "model": _string(),
    "estimation_window": _window,
    "event_window": _window,
    "car_windows": _windows,
    "min_estimation_obs": _integer(),
    "factors": _string(),
    "tests": _tests,
    # engine II: resampling tests, duplicate and overlap policies (EventStudy validates them)
    "bootstrap": _integer(),
    "seed": _integer(),
    "duplicates": _string(),
    "overlap": _string(),
    # issue 14 item 2 in TOML runs: what is measured (EventStudy validates it)
    "measure": _string(),
}

#: The tables of each kind of configuration: the table's dataclass and the keys it
#: accepts (None: all its fields). ``[study]`` is built by :func:`_study`.
_SCHEMA: dict[str, dict[str, tuple[type[Any], tuple[str, ...] | None]]] = {
    "run": {
        "news": (NewsConfig, None),
        "events": (EventsConfig, ("symbols", "kinds", "min_score", "rule", "cutoff")),
        "market": (MarketConfig, None),
        "study": (EventStudy, tuple(_STUDY_KEYS)),
        "output": (OutputConfig, None),
    },
    "backtest": {
        "news": (NewsConfig, None),
        "events": (EventsConfig, None),
        "market": (MarketConfig, ("benchmark", "source", "offline")),
        "strategy": (StrategyConfig, None),
        "placebo": (PlaceboConfig, None),
        "output": (BacktestOutputConfig, None),
    },
}


def _keys(kind: ConfigKind) -> dict[str, tuple[str, ...]]:
    """The tables of a kind of configuration and the keys of each."""
    return {
        name: keys if keys is not None else tuple(f.name for f in fields(cls))
        for name, (cls, keys) in _SCHEMA[kind].items()
    }


#: Keys users put in the wrong table, and where they belong (the unknown-key message says).
_ELSEWHERE = {
    "study.market": "the benchmark is [market] benchmark (an index such as '000300.SH', or 'ew')"
}


def _check_keys(table: Mapping[str, Any], prefix: str, allowed: tuple[str, ...]) -> None:
    what = "key" if prefix else "table"
    for k in table:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), allowed, n=1)
            where = f"{prefix}.{k}" if prefix else str(k)
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint = f"{_ELSEWHERE[where]}; " if where in _ELSEWHERE else hint
            raise _fail(where, f"unknown {what}; {hint}(allowed: {', '.join(allowed)})")


def _table(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise _fail(name, f"must be a table ([{name}]), not {type(value).__name__}")
    return value


def _parse_table(raw: Mapping[str, Any], kind: ConfigKind, name: str) -> Any:
    """The dataclass of table ``name``, each given key parsed by its field's parser."""
    cls, keys = _SCHEMA[kind][name]
    parsers = {f.name: f.metadata["parse"] for f in fields(cls) if keys is None or f.name in keys}
    table = _table(raw, name)
    _check_keys(table, name, tuple(parsers))
    return cls(**{k: parsers[k](f"{name}.{k}", v) for k, v in table.items()})


def _resolve(path: str | None, base: Path | None) -> str | None:
    """A path of the config relative to the config file's folder (``"bundled"`` kept)."""
    if path is None or path == "bundled":
        return path
    p = Path(path).expanduser()
    return str(p if p.is_absolute() or base is None else base / p)


# ----------------------------------------------------------------------------- [study]


def _spec(given: Mapping[str, Any], benchmark: str) -> EventStudy | ConfigError:
    """The EventStudy of the given settings, or the error it raises."""
    try:
        return EventStudy(market=benchmark, **given)
    except ConfigError as err:
        return err


def _blame(given: Mapping[str, Any], benchmark: str) -> str:
    """The dotted key of the ``[study]`` setting that makes EventStudy reject ``given``.

    EventStudy validates the settings (once, for the Python API and the TOML
    alike) and names the argument in its message. To name the TOML key without
    reading that message back: the key to fix is one whose removal (back to its
    default) makes EventStudy accept the rest, the last such in EventStudy's
    order (a CAR window outside the event window names ``car_windows``); when
    no single removal helps (several settings are wrong), the first key that
    EventStudy rejects on its own. In a list (``car_windows``, ``tests``), the
    first item rejected alone is named.
    """

    def accepted(settings: Mapping[str, Any]) -> bool:
        return not isinstance(_spec(settings, benchmark), ConfigError)

    order = [k for k in _STUDY_KEYS if k in given]
    fixes = [k for k in order if accepted(_without(given, k))]
    if fixes:
        key, context = fixes[-1], _without(given, fixes[-1])
    else:
        key = next((k for k in order if not accepted({k: given[k]})), order[0])
        context = {}
    items = given[key]
    if key in ("car_windows", "tests") and isinstance(items, tuple):
        for i, item in enumerate(items):
            if not accepted({**context, key: (item,)}):
                return f"study.{key}[{i}]"
    return f"study.{key}"


def _without(settings: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in settings.items() if k != key}


#: File types a factor file may have.
_FACTOR_SUFFIXES = (".csv", ".parquet", ".pq")


def _factor_table(path: Path) -> pd.DataFrame:
    """The raw table of a factor file (CSV or Parquet), the date as a ``date`` column."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    frame = pd.read_parquet(path)
    if "date" not in frame.columns and isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.rename_axis("date").reset_index()
    return frame


def _read_factors(key: str, path: str) -> pd.DataFrame:
    """The factor file ``path`` as a numeric frame indexed by date (``[study] factors``).

    Raises
    ------
    ConfigError
        Naming ``key``: an unknown file type, a missing file, an unreadable table, no
        ``date`` column, bad dates, repeated dates or a non-numeric column.
    """
    p = Path(path)
    if p.suffix.lower() not in _FACTOR_SUFFIXES:
        raise _fail(key, f"{path!r} must be a .csv or .parquet file")
    if not p.is_file():
        raise _fail(key, f"file {path!r} does not exist")
    try:
        frame = _factor_table(p)
    except (OSError, ValueError, ImportError) as err:
        raise _fail(key, f"cannot read {path!r}: {err}") from None
    if "date" not in frame.columns:
        raise _fail(key, f"{path!r} has no 'date' column (columns: {list(frame.columns)})")
    try:
        dates = pd.to_datetime(frame.pop("date"))
    except (TypeError, ValueError) as err:
        raise _fail(key, f"{path!r}: bad dates in the 'date' column ({err})") from None
    if dates.duplicated().any():
        raise _fail(key, f"{path!r} repeats dates, e.g. {dates[dates.duplicated()].iloc[0]}")
    for col in frame.columns:
        try:
            frame[col] = pd.to_numeric(frame[col])
        except (TypeError, ValueError):
            raise _fail(key, f"{path!r}: column {col!r} is not numeric") from None
    frame.index = pd.DatetimeIndex(dates, name="date")
    return frame


def _with_factors(given: dict[str, Any], base: Path | None) -> dict[str, Any]:
    """``given`` with ``factors`` read from its file; a factor model needs the file."""
    model = given.get("model", _default(EventStudy, "model"))
    needs = model in MODELS and get_model(model).regressors == "factors"
    if "factors" not in given:
        if needs:
            raise _fail(
                "study.model",
                f"{model!r} needs factor returns: set [study] factors = "
                '"factors.csv" (a CSV or Parquet file with a date column and one column per '
                "factor, plus an optional rf)",
            )
        return given
    path = _resolve(given["factors"], base)
    assert path is not None
    frame = _read_factors("study.factors", path)
    if model == "factors":
        try:
            user_factor_columns(frame.columns)
        except ConfigError as err:
            raise _fail("study.factors", f"{path!r}: {err}") from None
    lacking = [c for c in FACTOR_COLUMNS.get(model, ()) if c not in frame.columns]
    if lacking:
        raise _fail(
            "study.factors",
            f"{path!r} lacks column(s) {lacking} needed by model = {model!r} "
            f"(has {list(frame.columns)})",
        )
    return {**given, "factors": frame}


def _study(raw: Mapping[str, Any], benchmark: str, base: Path | None = None) -> EventStudy:
    table = _table(raw, "study")
    _check_keys(table, "study", tuple(_STUDY_KEYS))
    given = {k: _STUDY_KEYS[k](f"study.{k}", v) for k, v in table.items()}
    given = _with_factors(given, base)
    spec = _spec(given, benchmark)
    if isinstance(spec, ConfigError):
        raise _fail(_blame(given, benchmark), str(spec))
    return spec


# ----------------------------------------------------------------------------- parsing


def _run_config(raw: Mapping[str, Any], base: Path | None, source: str) -> RunConfig:
    if "path" not in _table(raw, "news"):
        raise _fail("news.path", "missing; give a folder, file or glob of news, or 'bundled'")
    news: NewsConfig = _parse_table(raw, "run", "news")
    events = _parse_table(raw, "run", "events")
    market: MarketConfig = _parse_table(raw, "run", "market")
    return RunConfig(
        news=replace(news, path=_resolve(news.path, base)),
        events=events,
        market=market,
        study=_study(raw, market.benchmark, base),
        output=_parse_table(raw, "run", "output"),
        source=source,
    )


def _backtest_config(raw: Mapping[str, Any], base: Path | None, source: str) -> BacktestConfig:
    news: NewsConfig = _parse_table(raw, "backtest", "news")
    events: EventsConfig = _parse_table(raw, "backtest", "events")
    has_news = "path" in _table(raw, "news")
    if has_news == (events.csv is not None):
        raise _fail(
            "news.path",
            "give exactly one event source: [news] path = ... (posts or a news table) "
            "or [events] csv = ... (an events table)",
        )
    return BacktestConfig(
        news=replace(news, path=_resolve(news.path, base) if has_news else None),
        events=replace(events, csv=_resolve(events.csv, base)),
        market=_parse_table(raw, "backtest", "market"),
        strategy=_parse_table(raw, "backtest", "strategy"),
        placebo=_parse_table(raw, "backtest", "placebo"),
        output=_parse_table(raw, "backtest", "output"),
        source=source,
        base_dir=base if base is not None else Path(),
    )


@overload
def parse_config(
    raw: Mapping[str, Any],
    *,
    kind: Literal["run"] = ...,
    base_dir: str | Path | None = ...,
    source: str = ...,
) -> RunConfig: ...
@overload
def parse_config(
    raw: Mapping[str, Any],
    *,
    kind: Literal["backtest"],
    base_dir: str | Path | None = ...,
    source: str = ...,
) -> BacktestConfig: ...
def parse_config(
    raw: Mapping[str, Any],
    *,
    kind: ConfigKind = "run",
    base_dir: str | Path | None = None,
    source: str = "<dict>",
) -> RunConfig | BacktestConfig:
    """Validate a configuration mapping (the parsed TOML).

    Parameters
    ----------
    raw
        The mapping, e.g. ``tomllib.load(f)``.
    kind
        ``"run"`` (a :class:`RunConfig`) or ``"backtest"`` (a :class:`BacktestConfig`).
    base_dir
        Folder against which relative ``news.path`` and ``events.csv`` are
        resolved (the config file's folder); ``None`` leaves them as given.
    source
        Where the mapping came from, for messages.

    Raises
    ------
    ConfigError
        Naming the dotted key and the reason.

    Examples
    --------
    >>> parse_config({"news": {"path": "posts"}}, base_dir="/data").news.path
    '/data/posts'
    >>> parse_config({"news": {"path": "x"}, "study": {"car_windows": [[0, 1], [-1, 9]]}})
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: study.car_windows[1]: car window (-1, 9) is not inside ...
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the configuration must be a table of tables, not {type(raw).__name__}")
    if kind not in get_args(ConfigKind):
        raise ConfigError(f"kind={kind!r} is not one of {get_args(ConfigKind)}")
    _check_keys(raw, "", tuple(_SCHEMA[kind]))
    base = None if base_dir is None else Path(base_dir)
    if kind == "run":
        return _run_config(raw, base, source)
    return _backtest_config(raw, base, source)


def _read_toml(p: Path) -> dict[str, Any]:
    if not p.is_file():
        raise FileNotFoundError(f"config file {str(p)!r} does not exist")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{p}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{p}: not UTF-8 text: {err}") from None


@overload
def load_config(path: str | Path, *, kind: Literal["run"] = ...) -> RunConfig: ...
@overload
def load_config(path: str | Path, *, kind: Literal["backtest"]) -> BacktestConfig: ...
def load_config(path: str | Path, *, kind: ConfigKind = "run") -> RunConfig | BacktestConfig:
    """Read and validate a TOML configuration of ``eventstudy run`` or ``eventstudy backtest``.

    Relative ``news.path`` and ``events.csv`` are resolved against the file's folder.

    Raises
    ------
    ConfigError
        If the file is not valid TOML or a key is invalid (the message names the
        file, then the dotted key).
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> from eventstudy.datasets import data_dir
    >>> cfg = load_config(data_dir() / "example_run.toml")
    >>> cfg.study.model, cfg.market.benchmark
    ('market', '000300.SH')
    >>> load_config(data_dir() / "example_backtest.toml", kind="backtest").strategy.costs_bps
    10.0
    """
    p = Path(path).expanduser()
    raw = _read_toml(p)
    try:
        return parse_config(raw, kind=kind, base_dir=p.resolve().parent, source=str(p))
    except ConfigError as err:
        raise ConfigError(f"{p}: {err}") from None


#: The estimation window of ``eventstudy demo`` and the returns it needs in it. The bundled
#: whole-market extract starts on 2021-07-27, about 90 sessions before most bundled posts
#: (2021-12-08): (-80, -11) with at least 60 returns is the window it supports (WRDS's
#: event-study default is 100 returns with a minimum of 70; the package default is
#: (-250, -11) with 100).
DEMO_ESTIMATION_WINDOW: tuple[int, int] = (-80, -11)
#: Minimum returns in the demo's estimation window.
DEMO_MIN_ESTIMATION_OBS = 60


def demo_config(out: str | Path = "briefing") -> RunConfig:
    """The configuration of ``eventstudy demo``: bundled posts and prices, market model, offline.

    Every A-share the posts name is priced from the bundled snapshot (the 47-stock
    history, else the whole-market extract of 2021-07-27..2022-12-31), so the
    estimation window is the one the extract supports: :data:`DEMO_ESTIMATION_WINDOW`
    with at least :data:`DEMO_MIN_ESTIMATION_OBS` returns.

    Examples
    --------
    >>> cfg = demo_config()
    >>> cfg.news.path, cfg.market.source, cfg.market.offline, cfg.study.model
    ('bundled', 'bundled', True, 'market')
    >>> cfg.study.estimation_window, cfg.study.min_estimation_obs
    ((-80, -11), 60)
    """
    return RunConfig(
        news=NewsConfig(path="bundled"),
        market=MarketConfig(source="bundled", offline=True),
        study=EventStudy(
            estimation_window=DEMO_ESTIMATION_WINDOW,
            min_estimation_obs=DEMO_MIN_ESTIMATION_OBS,
        ),
        output=OutputConfig(dir=Path(out), title="News and prices: the bundled demo"),
        source="demo",
    )


def __getattr__(name: str) -> Any:
    if name == "StudyConfig":
        warnings.warn(
            "eventstudy.config.StudyConfig is deprecated: RunConfig.study is an "
            "eventstudy.study.EventStudy (same keyword arguments); use that",
            DeprecationWarning,
            stacklevel=2,
        )
        return EventStudy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
