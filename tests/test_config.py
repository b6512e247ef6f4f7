"""The one TOML loader of ``eventstudy run`` and ``eventstudy backtest``: keys, defaults, errors."""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from eventstudy import config as config_mod
from eventstudy.config import (
    BacktestConfig,
    RunConfig,
    demo_config,
    load_config,
    parse_config,
)
from eventstudy.datasets import data_dir
from eventstudy.exceptions import ConfigError
from eventstudy.study import DEFAULT_CAR_WINDOWS, EventStudy

RUN_EXAMPLE = data_dir() / "example_run.toml"
BACKTEST_EXAMPLE = data_dir() / "example_backtest.toml"


# ----------------------------------------------------------------------------- examples


def test_example_run_config_parses() -> None:
    cfg = load_config(RUN_EXAMPLE)
    assert isinstance(cfg, RunConfig)
    assert Path(str(cfg.news.path)) == data_dir() / "news"
    assert cfg.events.kinds == ("board", "stock")
    assert cfg.study.car_windows == ((-1, 1), (0, 0), (0, 2), (-5, 5))
    assert cfg.market.benchmark == "000300.SH"
    assert cfg.output.formats == ("html", "csv", "parquet")


def test_example_backtest_config_parses() -> None:
    cfg = load_config(BACKTEST_EXAMPLE, kind="backtest")
    assert isinstance(cfg, BacktestConfig)
    assert Path(str(cfg.news.path)) == BACKTEST_EXAMPLE.parent / "news"
    assert cfg.resolve("news") == BACKTEST_EXAMPLE.parent / "news"
    assert cfg.strategy.costs_bps == 10.0
    assert (cfg.placebo.runs, cfg.placebo.seed) == (200, 42)


def _toml_blocks(doc: str) -> list[dict[str, Any]]:
    """The ``.. code-block:: toml`` blocks of a docstring, parsed."""
    blocks = []
    for part in doc.split(".. code-block:: toml")[1:]:
        lines = []
        for line in part.split("\n")[1:]:
            if line.strip() and not line.startswith(" "):
                break
            lines.append(line)
        blocks.append(tomllib.loads(textwrap.dedent("\n".join(lines))))
    return blocks


def test_docstring_documents_every_key_of_both_kinds() -> None:
    """The module docstring's two TOML blocks parse, are valid, and show every key."""
    run, backtest = _toml_blocks(config_mod.__doc__ or "")
    for raw, kind in ((run, "run"), (backtest, "backtest")):
        keys = config_mod._keys(kind)  # type: ignore[arg-type]
        assert set(raw) == set(keys), kind
        for table, allowed in keys.items():
            assert set(raw[table]) == set(allowed), (kind, table)
    del run["study"][
        "factors"
    ]  # the file named there does not exist (tests/test_config_factors.py)
    assert parse_config(run).study.car_windows == ((-1, 1), (0, 0), (0, 1), (0, 5), (-5, 5))
    del backtest["news"]  # exactly one event source: here the events table
    assert parse_config(backtest, kind="backtest").events.csv == "events.csv"


# ----------------------------------------------------------------------------- defaults


def test_study_defaults_are_event_studys() -> None:
    """No [study] keys: the spec is EventStudy's own default (the CAR windows included)."""
    cfg = parse_config({"news": {"path": "bundled"}})
    assert cfg.study == EventStudy()
    assert (0, 1) in cfg.study.car_windows
    assert set(DEFAULT_CAR_WINDOWS) <= set(cfg.study.car_windows)
    narrow = parse_config({"news": {"path": "bundled"}, "study": {"event_window": [-3, 3]}})
    assert narrow.study.car_windows == EventStudy(event_window=(-3, 3)).car_windows


def test_study_market_is_the_benchmark() -> None:
    cfg = parse_config({"news": {"path": "bundled"}, "market": {"benchmark": "sh000001"}})
    assert cfg.market.benchmark == cfg.study.market == "000001.SH"
    assert RunConfig(market=config_mod.MarketConfig(benchmark="000905.SH")).study.market == (
        "000905.SH"
    )


def test_benchmark_ew_is_the_equal_weighted_market_not_a_symbol() -> None:
    raw = {"news": {"path": "bundled"}, "market": {"benchmark": "EW", "source": "bundled"}}
    cfg = parse_config(raw)
    assert cfg.market.benchmark == cfg.study.market == "ew"
    with pytest.raises(ConfigError, match=r"market.benchmark: 'ew'.*source = 'bundled'"):
        parse_config({"news": {"path": "bundled"}, "market": {"benchmark": "ew"}})
    with pytest.raises(ConfigError, match=r"market.benchmark: 'ew'.*for eventstudy run"):
        BacktestConfig(market=config_mod.MarketConfig(benchmark="ew", source="bundled"))
    with pytest.raises(
        ConfigError, match=r"study.market: unknown key; the benchmark is \[market\]"
    ):
        parse_config({"news": {"path": "bundled"}, "study": {"market": "ew"}})
    for vw in ("vw", "VW"):
        with pytest.raises(ConfigError, match=r"is not built; use a security code.*\('ew',\)"):
            parse_config({"news": {"path": "bundled"}, "market": {"benchmark": vw}})


def test_backtest_defaults_are_backtests() -> None:
    import inspect

    from eventstudy import backtest

    kw = parse_config({"events": {"csv": "e.csv"}}, kind="backtest").backtest_kwargs()
    params = inspect.signature(backtest).parameters
    for name, value in kw.items():
        expected = params[name].default
        assert value == (tuple(expected) if isinstance(expected, list) else expected), name


def test_demo_config() -> None:
    cfg = demo_config("out")
    assert (cfg.news.path, cfg.market.source, cfg.market.offline) == ("bundled", "bundled", True)
    assert cfg.output.dir == Path("out")
    assert cfg.with_overrides(out="x", offline=False).output.dir == Path("x")


# ----------------------------------------------------------------------------- run errors


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({"news": {}}, "news.path", "missing"),
        ({"news": {"path": "x"}, "nesw": {}}, "nesw", "did you mean 'news'"),
        ({"news": {"path": "x"}, "strategy": {}}, "strategy", "unknown table"),
        ({"news": {"path": "x"}, "study": {"modle": "market"}}, "study.modle", "'model'"),
        ({"news": {"path": "x"}, "study": {"model": "capm"}}, "study.model", "not one of"),
        ({"news": {"path": "x"}, "study": {"model": "ff3"}}, "study.model", "factor returns"),
        (
            {"news": {"path": "x"}, "study": {"event_window": [5, -5]}},
            "study.event_window",
            "after",
        ),
        ({"news": {"path": "x"}, "study": {"event_window": [1, 5]}}, "study.event_window", "day 0"),
        ({"news": {"path": "x"}, "study": {"event_window": "-5,5"}}, "study.event_window", "two"),
        (
            {"news": {"path": "x"}, "study": {"event_window": [-5, 5.5]}},
            "study.event_window",
            "two",
        ),
        (
            {"news": {"path": "x"}, "study": {"estimation_window": [-250, -3]}},
            "study.estimation_window",
            "must end before",
        ),
        (  # the user's own event window is the one the message names
            {
                "news": {"path": "x"},
                "study": {"estimation_window": [-250, -2], "event_window": [-3, 3]},
            },
            "study.estimation_window",
            "starts (-3)",
        ),
        (  # a wide event window runs into the default estimation window
            {"news": {"path": "x"}, "study": {"event_window": [-20, 20]}},
            "study.event_window",
            "(-250, -11)",
        ),
        (
            {"news": {"path": "x"}, "study": {"car_windows": [[0, 1], [-9, 1]]}},
            "study.car_windows[1]",
            "not inside",
        ),
        (
            {
                "news": {"path": "x"},
                "study": {"event_window": [-10, 10], "car_windows": [[-9, 1], [0, 11]]},
            },
            "study.car_windows[1]",
            "not inside",
        ),
        (
            {"news": {"path": "x"}, "study": {"car_windows": [[0, 1], [0, 1]]}},
            "study.car_windows",
            "duplicates",
        ),
        (
            {"news": {"path": "x"}, "study": {"min_estimation_obs": 500}},
            "study.min_estimation_obs",
            "length 240",
        ),
        (  # either key could be fixed: the one whose default would fit is named
            {
                "news": {"path": "x"},
                "study": {"estimation_window": [-100, -11], "min_estimation_obs": 200},
            },
            "study.estimation_window",
            "min_estimation_obs=200 exceeds the estimation window length 90",
        ),
        (  # the rule is EventStudy's (K + 3), no weaker copy of it
            {"news": {"path": "x"}, "study": {"min_estimation_obs": 4}},
            "study.min_estimation_obs",
            "K + 3",
        ),
        ({"news": {"path": "x"}, "study": {"tests": ["bmp", "zz"]}}, "study.tests[1]", "'zz'"),
        (  # two wrong settings: the first is named, then the next once it is fixed
            {"news": {"path": "x"}, "study": {"model": "capm", "tests": ["zz"]}},
            "study.model",
            "capm",
        ),
        ({"news": {"path": "x"}, "study": {"tests": ["zz"]}}, "study.tests[0]", "'zz'"),
        ({"news": {"path": "x"}, "events": {"symbols": ["000001"]}}, "events.symbols[0]", "ambig"),
        ({"news": {"path": "x"}, "events": {"kinds": ["bond"]}}, "events.kinds[0]", "not one of"),
        ({"news": {"path": "x"}, "events": {"min_score": -1}}, "events.min_score", "between 0 and"),
        ({"news": {"path": "x"}, "events": {"cutoff": "3pm"}}, "events.cutoff", "HH:MM"),
        ({"news": {"path": "x"}, "events": {"csv": "e.csv"}}, "events.csv", "unknown key"),
        ({"news": {"path": "x"}, "market": {"offline": "yes"}}, "market.offline", "true or false"),
        ({"news": {"path": "x"}, "market": {"benchmark": "000001"}}, "market.benchmark", "ambig"),
        ({"news": {"path": "x"}, "market": {"benchmark": 300}}, "market.benchmark", "string"),
        ({"news": {"path": "x"}, "market": {"source": "bloomberg"}}, "market.source", "not one"),
        ({"news": {"path": "x"}, "output": {"formats": ["pdf"]}}, "output.formats[0]", "not one"),
        ({"news": {"path": "x"}, "output": {"top_events": 2.5}}, "output.top_events", "integer"),
        ({"news": {"path": "x"}, "output": []}, "output", "must be a table"),
    ],
)
def test_invalid_run_configs_name_the_key(raw: dict, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    message = str(info.value)
    assert message.startswith(f"{key}: ")
    assert reason.lower() in message.lower()


def test_valid_study_settings_that_only_fit_together() -> None:
    """An estimation window that ends inside the *default* event window is fine with the user's."""
    cfg = parse_config(
        {"news": {"path": "x"}, "study": {"estimation_window": [-30, -3], "event_window": [-2, 2],
                                          "min_estimation_obs": 20}}
    )  # fmt: skip
    assert cfg.study.estimation_window == (-30, -3)
    assert cfg.study.event_window == (-2, 2)


def test_config_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[news]\npath = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text('[news]\npath = "x"\n[study]\nevent_window = [-5]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typo\.toml: study\.event_window: must be two"):
        load_config(typo)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[news]\npath = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(latin)


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[news]\npath = "posts"\n', encoding="utf-8")
    assert load_config(tmp_path / "c.toml").news.path == str(tmp_path.resolve() / "posts")
    (tmp_path / "b.toml").write_text('[events]\ncsv = "ev.csv"\n', encoding="utf-8")
    cfg = load_config(tmp_path / "b.toml", kind="backtest")
    assert cfg.events.csv == str(tmp_path.resolve() / "ev.csv")
    assert cfg.news.path is None
    assert parse_config({"news": {"path": "bundled"}}, base_dir=tmp_path).news.path == "bundled"


def test_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="kind='study'"):
        parse_config({}, kind="study")  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- backtest errors


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"events": {"csv": "a.csv"}, "strategy": {"entry": "open"}}, "strategy.entry"),
        ({"events": {"csv": "a.csv"}, "strategy": {"hold": 0}}, "strategy.hold"),
        ({"events": {"csv": "a.csv"}, "strategy": {"hold": "5"}}, "strategy.hold"),
        ({"events": {"csv": "a.csv"}, "strategy": {"costs_bps": -1}}, "strategy.costs_bps"),
        ({"events": {"csv": "a.csv"}, "strategy": {"direction": "up"}}, "strategy.direction"),
        ({"events": {"csv": "a.csv"}, "strategy": {"st_symbols": ["000001"]}}, "st_symbols"),
        ({"events": {"csv": "a.csv"}, "stratgy": {}}, "did you mean 'strategy'"),
        ({"events": {"csv": "a.csv"}, "study": {}}, "study: unknown table"),
        ({"events": {"csv": "a.csv"}, "market": {"adjust": "hfq"}}, "market.adjust: unknown"),
        ({"events": {"csv": "a.csv", "start": "then"}}, "events.start"),
        ({"events": {"csv": "a.csv", "end": 2022}}, "events.end"),
        ({"strategy": {}}, "exactly one event source"),
        ({"news": {"path": "x"}, "events": {"csv": "a.csv"}}, "exactly one event source"),
        ({"events": {"csv": "a.csv"}, "placebo": {"statistic": "alpha"}}, r"placebo\.statistic"),
        ({"events": {"csv": "a.csv"}, "placebo": {"window": -1}}, r"placebo\.window"),
        ({"events": {"csv": "a.csv"}, "placebo": {"runs": -1}}, r"placebo\.runs"),
    ],
)
def test_invalid_backtest_configs_name_the_key(raw: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_config(raw, kind="backtest")


def test_backtest_config_values() -> None:
    cfg = parse_config(
        {"events": {"csv": "a.csv", "symbols": ["600519"], "start": "2022-01-01"},
         "placebo": {"statistic": "excess"}, "strategy": {"st_symbols": ["sz000001"]}},
        kind="backtest",
    )  # fmt: skip
    assert cfg.placebo.window == 0
    assert cfg.placebo.statistic == "excess"
    assert cfg.events.symbols == ("600519.SH",)
    assert str(cfg.events.start.date()) == "2022-01-01"  # type: ignore[union-attr]
    assert cfg.strategy.st_symbols == ("000001.SZ",)
    assert cfg.backtest_kwargs()["placebo_statistic"] == "excess"
    assert cfg.with_overrides(offline=True).backtest_kwargs()["offline"] is True


def test_backtest_config_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[events]\ncsv = "a.csv"\n[strategy]\nhodl = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{bad}: strategy.hodl: unknown key")):
        load_config(bad, kind="backtest")


# ----------------------------------------------------------------------------- deprecated names


def test_deprecated_backtest_config_module(tmp_path: Path) -> None:
    from eventstudy.backtesting import config as old

    with pytest.warns(DeprecationWarning, match=r"load_config\(path, kind=\"backtest\"\)"):
        cfg = old.load_backtest_config(BACKTEST_EXAMPLE)
    assert cfg == load_config(BACKTEST_EXAMPLE, kind="backtest")
    with pytest.warns(DeprecationWarning, match="parse_config"):
        parsed = old.parse_backtest_config({"events": {"csv": "a.csv"}})
    assert parsed.events.csv == "a.csv"
    with pytest.warns(DeprecationWarning, match="BacktestConfig"):
        assert old.BacktestConfig is BacktestConfig
    with pytest.warns(DeprecationWarning, match=r"use \.hold"):
        assert parsed.strategy["hold"] == parsed.strategy.hold
    with pytest.raises(KeyError):
        parsed.strategy["hodl"]


def test_deprecated_study_config() -> None:
    with pytest.warns(DeprecationWarning, match="EventStudy"):
        cls = config_mod.StudyConfig
    assert cls(event_window=(-2, 2)).car_windows == EventStudy(event_window=(-2, 2)).car_windows
    with pytest.raises(AttributeError):
        config_mod.NoSuchThing  # noqa: B018


def test_engine_two_study_options_reach_the_spec() -> None:
    cfg = parse_config(
        {
            "news": {"path": "bundled"},
            "study": {"bootstrap": 199, "seed": 7, "duplicates": "collapse", "overlap": "drop",
                      "tests": ["all", "wild_bootstrap"]},
        }
    )  # fmt: skip
    spec = cfg.study
    assert (spec.bootstrap, spec.seed, spec.duplicates, spec.overlap) == (
        199,
        7,
        "collapse",
        "drop",
    )
    with pytest.raises(ConfigError, match=r"study\.duplicates"):
        parse_config({"news": {"path": "bundled"}, "study": {"duplicates": "merge"}})
    with pytest.raises(ConfigError, match=r"study\.bootstrap"):
        parse_config({"news": {"path": "bundled"}, "study": {"bootstrap": 10}})


def test_study_measure_reaches_the_spec() -> None:
    """[study] measure: the three measures are accepted, anything else names the key."""
    for measure in ("return", "volume", "volatility"):
        cfg = parse_config({"news": {"path": "bundled"}, "study": {"measure": measure}})
        assert cfg.study.measure == measure
    with pytest.raises(ConfigError, match=r"^study\.measure: .*'turnover'"):
        parse_config({"news": {"path": "bundled"}, "study": {"measure": "turnover"}})
