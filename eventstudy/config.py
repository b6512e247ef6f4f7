"""The TOML configuration of ``eventstudy run``: parsing and validation.

A config has five tables; every key is optional except ``news.path``. Unknown
keys, wrong types and impossible values raise :class:`~eventstudy.exceptions.ConfigError`
whose message starts with the dotted key (``study.event_window: ...``) and says
what is wrong and what to write instead.

.. code-block:: toml

    [news]
    path = "news"              # folder/file/glob of posts, or a CSV/Parquet/JSON-lines table;
                               # relative paths are relative to the config file; "bundled" =
                               # the posts that ship with the package
    errors = "collect"         # or "raise": stop at the first unreadable item

    [events]
    symbols = ["BK0896"]       # keep only these securities/boards/indices (default: all tagged)
    kinds = ["board", "stock"] # keep only these kinds: board, stock, index, foreign
    min_score = 1.0            # minimum tag score (default: the tagger's default)
    rule = "next"              # day-0 rule: next, previous, strict
    cutoff = "15:00"           # publications at/after the cutoff → next session

    [market]
    benchmark = "000300.SH"    # the market index of the model
    source = "auto"            # auto, bundled, local, akshare, yfinance
    adjust = "qfq"             # qfq, hfq, none
    offline = false            # true: never touch the network (cache + bundled data only)

    [study]
    model = "market"           # raw, constant_mean, market_adjusted, market, ff3, carhart
    estimation_window = [-250, -11]
    event_window = [-5, 5]
    car_windows = [[-1, 1], [0, 0], [0, 5], [-5, 5]]
    min_estimation_obs = 100
    tests = "all"              # or a list of test names

    [output]
    dir = "briefing"           # relative to the working directory; --out overrides
    formats = ["html", "png", "csv", "parquet"]
    title = "白酒 news and prices"
    top_events = 10            # events listed in the briefing
    price_charts = 3           # price-around-event charts (largest |CAR| first)
    charts = ["caar", "aar", "car_dist", "heatmap", "event_price"]
                               # which charts to draw (default: all five): CAAR path with
                               # its band (+ by kind), AAR bars, per-event CAR distribution,
                               # CAAR heatmap by board/security x window, price around events

Examples
--------
>>> cfg = parse_config({"news": {"path": "bundled"}, "study": {"event_window": [-3, 3],
...                     "car_windows": [[-1, 1]]}})
>>> cfg.study.event_window, cfg.study.car_windows, cfg.market.benchmark
((-3, 3), ((-1, 1),), '000300.SH')
>>> parse_config({"news": {"path": "bundled"}, "study": {"modle": "market"}})
Traceback (most recent call last):
...
eventstudy.exceptions.ConfigError: study.modle: unknown key; did you mean 'model'? (allowed: ...)
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast, get_args

from eventstudy._typing import Adjust, ModelName
from eventstudy.exceptions import ConfigError, SymbolError

__all__ = [
    "EventsConfig",
    "MarketConfig",
    "NewsConfig",
    "OutputConfig",
    "RunConfig",
    "StudyConfig",
    "demo_config",
    "load_config",
    "parse_config",
]

KINDS = ("board", "stock", "index", "foreign")
RULES = ("next", "previous", "strict")
SOURCES = ("auto", "bundled", "local", "akshare", "yfinance")
ADJUSTS: tuple[str, ...] = get_args(Adjust)
FORMATS = ("html", "png", "csv", "parquet")
MODELS: tuple[str, ...] = get_args(ModelName)
CHARTS = ("caar", "aar", "car_dist", "heatmap", "event_price")


@dataclass(frozen=True)
class NewsConfig:
    """Where the news comes from.

    Attributes
    ----------
    path
        Folder, file or glob of posts, or a table file; ``"bundled"`` for the
        package's own posts.
    errors
        ``"collect"`` (unreadable items go to ``News.skipped``) or ``"raise"``.
    """

    path: str = "bundled"
    errors: str = "collect"

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
class EventsConfig:
    """Which (article, security) pairs become events, and how day 0 is set."""

    symbols: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    min_score: float | None = None
    rule: str = "next"
    cutoff: str = "15:00"


@dataclass(frozen=True)
class MarketConfig:
    """Prices: benchmark, source, adjustment, network policy."""

    benchmark: str = "000300.SH"
    source: str = "auto"
    adjust: Adjust = "qfq"
    offline: bool | None = None


@dataclass(frozen=True)
class StudyConfig:
    """The event-study specification."""

    model: str = "market"
    estimation_window: tuple[int, int] = (-250, -11)
    event_window: tuple[int, int] = (-5, 5)
    car_windows: tuple[tuple[int, int], ...] = ((-1, 1), (0, 0), (0, 5), (-5, 5))
    min_estimation_obs: int = 100
    tests: str | tuple[str, ...] = "all"


@dataclass(frozen=True)
class OutputConfig:
    """What the briefing contains and where it goes."""

    dir: Path = Path("briefing")
    formats: tuple[str, ...] = ("html", "png", "csv", "parquet")
    title: str | None = None
    top_events: int = 10
    price_charts: int = 3
    charts: tuple[str, ...] = CHARTS


@dataclass(frozen=True)
class RunConfig:
    """A validated run configuration (see the module docstring for the TOML form).

    Attributes
    ----------
    news, events, market, study, output
        The five tables.
    source
        Where the configuration came from (a file path or ``"<dict>"``).
    """

    news: NewsConfig = field(default_factory=NewsConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    source: str = "<dict>"

    def with_overrides(
        self, *, out: str | Path | None = None, offline: bool | None = None
    ) -> RunConfig:
        """A copy with the command-line overrides (``--out``, ``--offline``) applied.

        Examples
        --------
        >>> demo_config().with_overrides(offline=False).market.offline
        False
        """
        cfg = self
        if out is not None:
            cfg = replace(cfg, output=replace(cfg.output, dir=Path(out)))
        if offline is not None:
            cfg = replace(cfg, market=replace(cfg.market, offline=offline))
        return cfg


# ----------------------------------------------------------------------------- validation helpers

_ALLOWED: dict[str, tuple[str, ...]] = {
    "news": ("path", "errors"),
    "events": ("symbols", "kinds", "min_score", "rule", "cutoff"),
    "market": ("benchmark", "source", "adjust", "offline"),
    "study": (
        "model",
        "estimation_window",
        "event_window",
        "car_windows",
        "min_estimation_obs",
        "tests",
    ),
    "output": ("dir", "formats", "title", "top_events", "price_charts", "charts"),
}


def _fail(key: str, reason: str) -> ConfigError:
    return ConfigError(f"{key}: {reason}")


def _check_keys(table: Mapping[str, Any], prefix: str, allowed: tuple[str, ...]) -> None:
    for k in table:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            where = f"{prefix}.{k}" if prefix else str(k)
            raise _fail(where, f"unknown key; {hint}(allowed: {', '.join(allowed)})")


def _table(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise _fail(name, f"must be a table ([{name}]), not {type(value).__name__}")
    return value


def _str(key: str, value: Any, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, f"must be a non-empty string, not {value!r}")
    if choices is not None and value not in choices:
        raise _fail(key, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _int(key: str, value: Any, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, f"must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        raise _fail(key, f"must be at least {minimum}, not {value}")
    return value


def _str_list(key: str, value: Any, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(key, f"must be a non-empty list of strings, not {value!r}")
    out = []
    for i, v in enumerate(value):
        out.append(_str(f"{key}[{i}]", v, choices))
    if len(set(out)) != len(out):
        raise _fail(key, f"has duplicates: {out}")
    return tuple(out)


def _window(key: str, value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        raise _fail(key, f"must be two integers [start, end] in trading sessions, not {value!r}")
    a, b = int(value[0]), int(value[1])
    if a > b:
        raise _fail(key, f"start {a} is after end {b}; write [{b}, {a}]")
    return a, b


def _cutoff(key: str, value: Any) -> str:
    text = _str(key, value)
    try:
        dt.time.fromisoformat(text)
    except ValueError:
        raise _fail(key, f"{text!r} is not a time of day; write 'HH:MM' such as '15:00'") from None
    return text


def _symbol(key: str, value: Any) -> str:
    from eventstudy.symbols import normalize

    text = _str(key, value)
    try:
        return normalize(text)
    except SymbolError as err:
        raise _fail(key, f"{text!r}: {err}") from None


def _symbols(key: str, value: Any) -> tuple[str, ...]:
    from eventstudy.symbols import normalize

    names = _str_list(key, value)
    out = []
    for i, s in enumerate(names):
        try:
            out.append(normalize(s))
        except SymbolError as err:
            raise _fail(f"{key}[{i}]", f"{s!r}: {err}") from None
    return tuple(out)


# ----------------------------------------------------------------------------- parsing


def parse_config(
    raw: Mapping[str, Any], *, base_dir: str | Path | None = None, source: str = "<dict>"
) -> RunConfig:
    """Validate a configuration mapping (the parsed TOML) into a :class:`RunConfig`.

    Parameters
    ----------
    raw
        The mapping, e.g. ``tomllib.load(f)``.
    base_dir
        Folder against which a relative ``news.path`` is resolved (the config
        file's folder); ``None`` leaves it as given.
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
    >>> parse_config({"news": {"path": "x"}, "study": {"car_windows": [[-1, 9]]}})
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: study.car_windows[0]: [-1, 9] is outside ... [-5, 5]
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the configuration must be a table of tables, not {type(raw).__name__}")
    _check_keys(raw, "", tuple(_ALLOWED))

    t = _table(raw, "news")
    _check_keys(t, "news", _ALLOWED["news"])
    if "path" not in t:
        raise _fail("news.path", "missing; give a folder, file or glob of news, or 'bundled'")
    path = _str("news.path", t["path"])
    if path != "bundled" and base_dir is not None and not Path(path).expanduser().is_absolute():
        path = str(Path(base_dir) / path)
    elif path != "bundled":
        path = str(Path(path).expanduser())
    news = NewsConfig(
        path=path, errors=_str("news.errors", t.get("errors", "collect"), ("collect", "raise"))
    )

    t = _table(raw, "events")
    _check_keys(t, "events", _ALLOWED["events"])
    min_score = t.get("min_score")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, int | float) or min_score < 0
    ):
        raise _fail("events.min_score", f"must be a number >= 0, not {min_score!r}")
    events = EventsConfig(
        symbols=_symbols("events.symbols", t["symbols"]) if "symbols" in t else None,
        kinds=_str_list("events.kinds", t["kinds"], KINDS) if "kinds" in t else None,
        min_score=None if min_score is None else float(min_score),
        rule=_str("events.rule", t.get("rule", "next"), RULES),
        cutoff=_cutoff("events.cutoff", t.get("cutoff", "15:00")),
    )

    t = _table(raw, "market")
    _check_keys(t, "market", _ALLOWED["market"])
    offline = t.get("offline")
    if offline is not None and not isinstance(offline, bool):
        raise _fail("market.offline", f"must be true or false, not {offline!r}")
    benchmark = _symbol("market.benchmark", t.get("benchmark", "000300.SH"))
    market = MarketConfig(
        benchmark=benchmark,
        source=_str("market.source", t.get("source", "auto"), SOURCES),
        adjust=cast(Adjust, _str("market.adjust", t.get("adjust", "qfq"), ADJUSTS)),
        offline=offline,
    )

    t = _table(raw, "study")
    _check_keys(t, "study", _ALLOWED["study"])
    defaults = StudyConfig()
    est = _window(
        "study.estimation_window", t.get("estimation_window", list(defaults.estimation_window))
    )
    evw = _window("study.event_window", t.get("event_window", list(defaults.event_window)))
    if not evw[0] <= 0 <= evw[1]:
        raise _fail("study.event_window", f"{list(evw)} must contain day 0")
    if est[1] >= evw[0]:
        raise _fail(
            "study.estimation_window",
            f"{list(est)} must end before study.event_window {list(evw)} starts",
        )
    if "car_windows" in t:
        cw = t["car_windows"]
        if not isinstance(cw, list) or not cw:
            raise _fail(
                "study.car_windows", f"must be a non-empty list of [start, end], not {cw!r}"
            )
        windows = tuple(_window(f"study.car_windows[{i}]", w) for i, w in enumerate(cw))
    else:
        windows = tuple(w for w in defaults.car_windows if evw[0] <= w[0] and w[1] <= evw[1])
        windows = windows or (evw,)
    for i, (a, b) in enumerate(windows):
        if a < evw[0] or b > evw[1]:
            raise _fail(
                f"study.car_windows[{i}]",
                f"{[a, b]} is outside study.event_window {list(evw)}",
            )
    if len(set(windows)) != len(windows):
        raise _fail("study.car_windows", "has duplicate windows")
    tests_raw = t.get("tests", "all")
    from eventstudy.study.inference import TESTS

    tests: str | tuple[str, ...] = (
        "all" if tests_raw == "all" else _str_list("study.tests", tests_raw, TESTS)
    )
    study = StudyConfig(
        model=_str("study.model", t.get("model", "market"), MODELS),
        estimation_window=est,
        event_window=evw,
        car_windows=windows,
        min_estimation_obs=_int(
            "study.min_estimation_obs", t.get("min_estimation_obs", 100), minimum=3
        ),
        tests=tests,
    )
    length = est[1] - est[0] + 1
    if study.min_estimation_obs > length:
        raise _fail(
            "study.min_estimation_obs",
            f"{study.min_estimation_obs} is more than the {length} days of study.estimation_window",
        )
    if study.model in ("ff3", "carhart"):
        raise _fail(
            "study.model",
            f"{study.model!r} needs factor returns, which a TOML run cannot supply yet; "
            "use the Python API (run_event_study(..., factors=...)) or model = 'market'",
        )

    t = _table(raw, "output")
    _check_keys(t, "output", _ALLOWED["output"])
    title = t.get("title")
    if title is not None:
        title = _str("output.title", title)
    output = OutputConfig(
        dir=Path(_str("output.dir", t.get("dir", "briefing"))).expanduser(),
        formats=_str_list("output.formats", t.get("formats", list(OutputConfig.formats)), FORMATS),
        title=title,
        top_events=_int("output.top_events", t.get("top_events", 10), minimum=0),
        price_charts=_int("output.price_charts", t.get("price_charts", 3), minimum=0),
        charts=_str_list("output.charts", t.get("charts", list(CHARTS)), CHARTS),
    )
    return RunConfig(
        news=news, events=events, market=market, study=study, output=output, source=source
    )


def load_config(path: str | Path) -> RunConfig:
    """Read and validate a TOML run configuration.

    A relative ``news.path`` is resolved against the file's folder.

    Raises
    ------
    ConfigError
        If the file is not valid TOML or a key is invalid (the message names it).
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> from eventstudy.datasets import data_dir
    >>> cfg = load_config(data_dir() / "example_run.toml")
    >>> cfg.study.model, cfg.market.benchmark
    ('market', '000300.SH')
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise FileNotFoundError(f"config file {str(p)!r} does not exist")
    try:
        with p.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{p}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{p}: not UTF-8 text: {err}") from None
    try:
        return parse_config(raw, base_dir=p.resolve().parent, source=str(p))
    except ConfigError as err:
        raise ConfigError(f"{p}: {err}") from None


def demo_config(out: str | Path = "briefing") -> RunConfig:
    """The configuration of ``eventstudy demo``: bundled posts and prices, market model, offline.

    Examples
    --------
    >>> cfg = demo_config()
    >>> cfg.news.path, cfg.market.source, cfg.market.offline, cfg.study.model
    ('bundled', 'bundled', True, 'market')
    """
    return RunConfig(
        news=NewsConfig(path="bundled"),
        market=MarketConfig(source="bundled", offline=True),
        output=OutputConfig(dir=Path(out), title="News and prices: the bundled demo"),
        source="demo",
    )
