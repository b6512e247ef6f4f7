"""The TOML configuration of ``eventstudy backtest``: parsing and validation.

Events come from news (``[news] path``) or from an events table
(``[events] csv``), exactly one of the two. Every other key is optional.
Unknown keys, wrong types and impossible values raise
:class:`~eventstudy.exceptions.ConfigError` whose message starts with the
dotted key and says what to write instead.

.. code-block:: toml

    [news]
    path = "news"               # posts folder/file/glob or a news table; "bundled" = the
                                # posts that ship with the package; relative to this file
    errors = "collect"          # or "raise"

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
    source = "auto"             # auto, bundled, local, akshare, yfinance
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
>>> cfg = parse_backtest_config({"events": {"csv": "ev.csv"}, "strategy": {"hold": 3}})
>>> cfg.strategy["hold"], cfg.placebo["runs"], cfg.market["benchmark"]
(3, 200, '000300.SH')
>>> parse_backtest_config({"events": {"csv": "ev.csv"}, "strategy": {"hodl": 3}})
Traceback (most recent call last):
...
eventstudy.exceptions.ConfigError: strategy.hodl: unknown key; did you mean 'hold'? ...
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventstudy.exceptions import ConfigError

__all__ = ["BacktestConfig", "load_backtest_config", "parse_backtest_config"]

_SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], Any]]] = {
    "news": {"path": (str, None), "errors": (str, "collect")},
    "events": {
        "csv": (str, None),
        "symbols": (list, None),
        "kinds": (list, None),
        "min_score": ((int, float), None),
        "rule": (str, "next"),
        "cutoff": (str, "15:00"),
        "start": (str, None),
        "end": (str, None),
    },
    "market": {"benchmark": (str, "000300.SH"), "source": (str, "auto"), "offline": (bool, None)},
    "strategy": {
        "entry": (str, "day0_close"),
        "hold": (int, 5),
        "direction": (str, "long"),
        "weights": (str, "equal"),
        "costs_bps": ((int, float), 0.0),
        "max_exit_delay": (int, 10),
        "limit_tolerance": ((int, float), 0.002),
        "st_symbols": (list, []),
    },
    "placebo": {
        "runs": (int, 200),
        "seed": (int, 0),
        "window": (int, 0),
        "statistic": (str, "raw"),
    },
    "output": {"dir": (str, "backtest"), "title": (str, "News backtest")},
}
_CHOICES = {
    "news.errors": ("collect", "raise"),
    "events.rule": ("next", "previous", "strict"),
    "strategy.entry": ("day0_close", "next_open"),
    "strategy.direction": ("long", "short", "sign_of_score"),
    "placebo.statistic": ("raw", "excess"),
}


@dataclass(frozen=True)
class BacktestConfig:
    """A validated backtest configuration (one dict per TOML table, defaults filled in)."""

    news: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)
    market: dict[str, Any] = field(default_factory=dict)
    strategy: dict[str, Any] = field(default_factory=dict)
    placebo: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)
    base_dir: Path = Path()

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def _fail(key: str, reason: str) -> ConfigError:
    return ConfigError(f"{key}: {reason}")


def parse_backtest_config(raw: Mapping[str, Any], base_dir: str | Path = ".") -> BacktestConfig:
    """Validate a parsed TOML mapping (see the module docstring)."""
    unknown = [k for k in raw if k not in _SCHEMA]
    if unknown:
        k = unknown[0]
        near = difflib.get_close_matches(k, list(_SCHEMA), n=1)
        hint = f"did you mean [{near[0]}]? " if near else ""
        raise _fail(k, f"unknown table; {hint}(allowed: {', '.join(_SCHEMA)})")
    tables: dict[str, dict[str, Any]] = {}
    for name, schema in _SCHEMA.items():
        given = raw.get(name, {})
        if not isinstance(given, Mapping):
            raise _fail(name, f"must be a table ([{name}]), got {type(given).__name__}")
        out: dict[str, Any] = {}
        for key, value in given.items():
            dotted = f"{name}.{key}"
            if key not in schema:
                near = difflib.get_close_matches(key, list(schema), n=1)
                hint = f"did you mean {near[0]!r}? " if near else ""
                raise _fail(dotted, f"unknown key; {hint}(allowed: {', '.join(schema)})")
            typ = schema[key][0]
            if isinstance(value, bool) and typ is not bool:
                raise _fail(dotted, f"expected {_tname(typ)}, got a boolean")
            if not isinstance(value, typ):
                raise _fail(dotted, f"expected {_tname(typ)}, got {value!r}")
            if dotted in _CHOICES and value not in _CHOICES[dotted]:
                raise _fail(dotted, f"{value!r} is not one of {_CHOICES[dotted]}")
            if isinstance(value, list) and not all(isinstance(v, str) for v in value):
                raise _fail(dotted, f"expected a list of strings, got {value!r}")
            out[key] = value
        for key, (_, default) in schema.items():
            out.setdefault(key, default)
        tables[name] = out
    has_news, has_csv = tables["news"]["path"] is not None, tables["events"]["csv"] is not None
    if has_news == has_csv:
        raise _fail(
            "news.path",
            "give exactly one event source: [news] path = ... (posts or a news table) "
            "or [events] csv = ... (an events table)",
        )
    s = tables["strategy"]
    if s["hold"] < 1:
        raise _fail("strategy.hold", f"must be >= 1 session, got {s['hold']}")
    if s["costs_bps"] < 0:
        raise _fail("strategy.costs_bps", f"must be >= 0, got {s['costs_bps']}")
    if tables["placebo"]["runs"] < 0:
        raise _fail("placebo.runs", f"must be >= 0, got {tables['placebo']['runs']}")
    if tables["placebo"]["window"] < 0:
        raise _fail("placebo.window", f"must be >= 0 sessions, got {tables['placebo']['window']}")
    return BacktestConfig(**tables, base_dir=Path(base_dir))


def _tname(typ: type | tuple[type, ...]) -> str:
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        bool: "true/false",
    }
    if isinstance(typ, tuple):
        return "a number"
    return names.get(typ, typ.__name__)


def load_backtest_config(path: str | Path) -> BacktestConfig:
    """Read and validate a backtest TOML file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ConfigError
        If it is not valid TOML or a value is invalid; the message starts with
        the file's path, then the dotted key (as ``eventstudy run`` errors do).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"config file {str(p)!r} not found")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{p}: not valid TOML: {err}") from None
    try:
        return parse_backtest_config(raw, base_dir=p.resolve().parent)
    except ConfigError as err:
        raise ConfigError(f"{p}: {err}") from None
