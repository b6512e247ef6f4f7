"""The main job: config validation, the pipeline's bookkeeping, and the demo/run commands."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.config import demo_config, load_config, parse_config
from eventstudy.datasets import data_dir
from eventstudy.exceptions import ConfigError
from eventstudy.pipeline import PipelineResult, demo, run_pipeline
from eventstudy.study import run_event_study

EXAMPLE = data_dir() / "example_run.toml"


# ----------------------------------------------------------------------------- config


def test_example_config_parses() -> None:
    cfg = load_config(EXAMPLE)
    assert Path(cfg.news.path) == data_dir() / "news"
    assert cfg.events.kinds == ("board", "stock")
    assert cfg.study.car_windows == ((-1, 1), (0, 0), (0, 2), (-5, 5))
    assert cfg.market.benchmark == "000300.SH"
    assert cfg.output.formats == ("html", "csv", "parquet")


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({"news": {}}, "news.path", "missing"),
        ({"news": {"path": "x"}, "nesw": {}}, "nesw", "did you mean 'news'"),
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
            {"news": {"path": "x"}, "study": {"estimation_window": [-250, -3]}},
            "study.estimation_window",
            "must end before",
        ),
        (
            {"news": {"path": "x"}, "study": {"car_windows": [[0, 1], [-9, 1]]}},
            "study.car_windows[1]",
            "outside",
        ),
        (
            {"news": {"path": "x"}, "study": {"min_estimation_obs": 500}},
            "study.min_estimation_obs",
            "more than the 240 days",
        ),
        ({"news": {"path": "x"}, "study": {"tests": ["bmp", "zz"]}}, "study.tests[1]", "'zz'"),
        ({"news": {"path": "x"}, "events": {"symbols": ["000001"]}}, "events.symbols[0]", "ambig"),
        ({"news": {"path": "x"}, "events": {"kinds": ["bond"]}}, "events.kinds[0]", "not one of"),
        ({"news": {"path": "x"}, "events": {"min_score": -1}}, "events.min_score", ">= 0"),
        ({"news": {"path": "x"}, "events": {"cutoff": "3pm"}}, "events.cutoff", "HH:MM"),
        ({"news": {"path": "x"}, "market": {"offline": "yes"}}, "market.offline", "true or false"),
        ({"news": {"path": "x"}, "market": {"benchmark": "000001"}}, "market.benchmark", "ambig"),
        ({"news": {"path": "x"}, "market": {"benchmark": 300}}, "market.benchmark", "string"),
        ({"news": {"path": "x"}, "market": {"source": "bloomberg"}}, "market.source", "not one"),
        ({"news": {"path": "x"}, "output": {"formats": ["pdf"]}}, "output.formats[0]", "not one"),
        ({"news": {"path": "x"}, "output": {"top_events": 2.5}}, "output.top_events", "integer"),
        ({"news": {"path": "x"}, "output": []}, "output", "must be a table"),
    ],
)
def test_invalid_configs_name_the_key(raw, key, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    message = str(info.value)
    assert message.startswith(f"{key}: ")
    assert reason.lower() in message.lower()


def test_bad_toml_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text('[news]\npath = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text('[news]\npath = "x"\n[study]\nevent_window = [-5]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typo\.toml: study\.event_window: must be two"):
        load_config(typo)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")


# ----------------------------------------------------------------------------- pipeline


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> PipelineResult:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("demo")
    return demo(out=out, formats=("csv",))


def test_demo_accounts_for_every_event(demo_run) -> None:  # type: ignore[no-untyped-def]
    run = demo_run
    pairs = len(run.events) + len(run.events.dropped)
    assert pairs > 0
    assert run.n_events + len(run.dropped) == pairs
    assert set(run.dropped["stage"]) <= {"events", "prices", "study"}
    ids = set(run.result.car.index) | set(run.dropped["event_id"])
    assert ids == set(run.events.frame["event_id"]) | set(run.events.dropped["event_id"])
    assert run.dropped["reason"].notna().all()
    assert run.dropped["message"].astype(str).str.len().gt(0).all()


def test_demo_matches_a_direct_study(demo_run) -> None:  # type: ignore[no-untyped-def]
    run = demo_run
    kept = run.events.frame[run.events.frame["event_id"].isin(run.result.car.index)]
    direct = run_event_study(
        kept,
        prices=run.prices,
        market="000300.SH",
        model="market",
        car_windows=list(demo_config().study.car_windows),
    )
    pd.testing.assert_series_equal(run.result.caar, direct.caar)
    table = run.summary_table()
    np.testing.assert_array_equal(table["caar"], direct.caar.to_numpy())


def test_demo_labels_board_proxies(demo_run) -> None:  # type: ignore[no-untyped-def]
    prov = demo_run.result.provenance
    boards = [s for s in demo_run.result.car.index.str.split(":").str[1] if s.startswith("BK")]
    assert boards, "the bundled posts tag boards (e.g. BK0896 from the seed's chart embed)"
    assert "BK0896" in boards
    assert bool(prov.loc["BK0896", "is_proxy"])
    assert not bool(prov.loc["600519.SH", "is_proxy"])
    text = demo_run.summary()
    assert "proxies (built from constituents" in text
    assert "BK0896" in text


def test_demo_writes_tables(demo_run) -> None:  # type: ignore[no-untyped-def]
    files = demo_run.files
    assert files is not None
    assert files.html is None
    dropped = pd.read_csv(files.tables["dropped.csv"])
    assert len(dropped) == len(demo_run.dropped)
    assert "news_skipped.csv" in files.tables


def test_run_accepts_a_mapping_and_overrides(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH", "BK0896"]},
        "market": {"source": "auto"},
        "study": {"event_window": [-3, 3], "car_windows": [[0, 1]], "tests": ["t_cross"]},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, offline=True, formats=())
    assert run.files is None
    assert set(run.result.events["symbol"]) <= {"600519.SH", "BK0896"}
    assert run.result.car.columns.tolist() == ["[0,1]"]
    assert set(run.result.tests["test"]) == {"t_cross"}
    assert run.config.market.offline is True


def test_online_run_survives_a_failing_provider(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Network down: bundled symbols fall back, the others are dropped with the provider's error."""
    from eventstudy.exceptions import ProviderError
    from eventstudy.market.akshare_source import AkshareSource
    from eventstudy.market.yfinance_source import YFinanceSource

    def down(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
        raise ProviderError(f"{symbol}: connection refused", symbol=symbol, source=self.name)

    monkeypatch.setattr(AkshareSource, "fetch", down)
    monkeypatch.setattr(YFinanceSource, "fetch", down)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    raw = {"news": {"path": "bundled"}, "events": {"kinds": ["stock", "board"]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, offline=False, formats=())
    gone = run.dropped[run.dropped["stage"] == "prices"]
    assert len(gone) > 0
    assert set(gone["reason"]) == {"no_price_data"}
    # stocks: the provider's error; boards: why no proxy could stand in
    assert gone["message"].str.contains("connection refused|no members in the bundled").all()
    assert gone["message"].str.contains("connection refused").any()
    assert len(run.result.events) + len(run.dropped) == len(run.events) + len(run.events.dropped)


# ----------------------------------------------------------------------------- command line


def test_cli_demo(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["--quiet", "demo", "--out", str(tmp_path), "--formats", "html,csv"])
    out, err = capsys.readouterr()
    assert rc == 0
    assert "analysed" in out
    assert "dropped" in out
    assert "[-1,1]" in out
    assert "p (KP-BMP)" in out
    assert str(tmp_path / "briefing.html") in out
    assert (tmp_path / "briefing.html").is_file()
    assert "step" not in err  # --quiet: no progress bar


def test_cli_demo_progress_bar_on_stderr(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--out", str(tmp_path), "--formats", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "estimating" in err
    assert "estimating" not in out


def test_cli_run_example_offline(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["-q", "run", str(EXAMPLE), "--offline", "--out", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "[0,2]" in out  # the example's own window
    assert (tmp_path / "briefing.html").is_file()
    assert (tmp_path / "tables" / "events.parquet").is_file()


def test_cli_exit_codes(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text('[news]\npath = "bundled"\n[study]\nmodel = "capm"\n', encoding="utf-8")
    assert main(["run", str(bad)]) == 2
    assert "study.model" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["demo", "--formats", "pdf"]) == 2
    # a news path that does not exist: bad input, naming the key
    nonews = tmp_path / "nonews.toml"
    nonews.write_text('[news]\npath = "no-such-folder"\n', encoding="utf-8")
    assert main(["-q", "run", str(nonews), "--out", str(tmp_path / "n")]) == 2
    err = capsys.readouterr().err
    assert "news.path: " in err
    assert "no-such-folder" in err
    assert "nonews.toml" in err
    globbed = tmp_path / "glob.toml"
    globbed.write_text('[news]\npath = "posts/*.md"\n', encoding="utf-8")
    assert main(["-q", "run", str(globbed), "--out", str(tmp_path / "g")]) == 2
    assert "news.path: " in capsys.readouterr().err
    # a benchmark that is neither cached nor bundled, offline: data unavailable
    gspc = tmp_path / "gspc.toml"
    gspc.write_text(
        '[news]\npath = "bundled"\n[market]\nbenchmark = "^GSPC"\noffline = true\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))  # an empty cache
    assert main(["-q", "run", str(gspc), "--out", str(tmp_path / "o")]) == 3
    assert "data unavailable" in capsys.readouterr().err


def test_event_stage_drops_are_counted_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """rule='strict' drops publications outside a session at the events stage: once only."""
    raw = {"news": {"path": "bundled"}, "events": {"rule": "strict"}, "market": {"offline": True}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=("html", "csv"))
    assert len(run.events.dropped) > 0
    assert not run.dropped["event_id"].duplicated().any()
    pairs = len(run.events) + len(run.events.dropped)
    assert run.n_events + len(run.dropped) == pairs
    n_events_stage = int((run.dropped["stage"] == "events").sum())
    assert n_events_stage == len(run.events.dropped)
    # the briefing's card and table use the same count
    text = run.files.html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    card = re.search(r'<div class="v">(\d+)</div><div class="k">events dropped', text)
    assert card is not None
    assert int(card.group(1)) == len(run.dropped)
    assert "pipeline_dropped" not in text
    written = pd.read_csv(run.files.tables["dropped.csv"])  # type: ignore[union-attr]
    assert sorted(written["stage"].unique()) == sorted(run.dropped["stage"].unique())


def test_benchmark_is_not_its_own_event(demo_run) -> None:  # type: ignore[no-untyped-def]
    """The bundled posts tag 沪深300 itself: dropped at the events stage, not an AR ≡ 0 event."""
    run = demo_run
    tagged = run.events.frame["symbol"] == "000300.SH"
    assert tagged.any(), "the bundled posts name the CSI 300 (000300.SH)"
    assert "000300.SH" not in set(run.result.events["symbol"])
    bench = run.dropped[run.dropped["reason"] == "is_benchmark"]
    assert set(bench["event_id"]) == set(run.events.frame.loc[tagged, "event_id"])
    assert set(bench["stage"]) == {"events"}
    # every headline test uses the same N as the CAAR
    t = run.result.tests
    for label in run.result.car.columns:
        rows = t[(t["window"].astype(str) == label) & t["test"].isin(["t_cross", "bmp", "kp_bmp"])]
        assert set(rows["n"]) == {int(run.result.car[label].notna().sum())}


def test_price_chart_ohlc_survives_a_board_proxy() -> None:
    """A proxy board has no open/high/low: the stocks keep their candles, the board its close."""
    from eventstudy.pipeline import _fetch_prices, _ohlc_long
    from eventstudy.plotting import plot_event_price

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the proxy warning
        panel, missing = _fetch_prices(
            ["600519.SH", "BK0896", "000858.SZ"],
            "000300.SH",
            pd.Timestamp("2021-12-01"),
            pd.Timestamp("2022-02-28"),
            demo_config(),
        )
    assert missing == {}
    long = _ohlc_long(panel, ["600519.SH", "BK0896"], "000300.SH")
    assert long is not None
    assert set(long["symbol"]) == {"600519.SH", "BK0896", "000300.SH"}
    stock = long[long["symbol"] == "600519.SH"].set_index("date")
    assert stock[["open", "high", "low", "close"]].notna().all().all()
    board = long[long["symbol"] == "BK0896"]
    assert board["close"].notna().all()
    assert board["open"].isna().all()
    candle = plot_event_price(long, "600519.SH", "2022-01-10 11:33")
    assert candle.data[0].type == "candlestick"
    line = plot_event_price(long, "BK0896", "2022-01-10 11:33", proxy=True)
    assert line.data[0].type == "scatter"
    assert np.isfinite(np.asarray(line.data[0].y, dtype=float)).all()


def test_run_carries_rule_and_cutoff_to_the_briefing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH", "000858.SZ"], "rule": "previous", "cutoff": "11:30"},
        "market": {"offline": True},
        "study": {"model": "market_adjusted"},
        "output": {"charts": ["caar"]},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=("html",))
    foot = run.files.html.read_text(encoding="utf-8").split("<h2>Methodology</h2>")[1]  # type: ignore[union-attr]
    assert "rule <code>previous</code>" in foot
    assert "<tr><td>day0 cutoff</td><td>11:30</td></tr>" in foot
    assert "before the 15:00 close" not in foot
    assert "Mikkelson" not in foot


def test_png_export_is_its_own_progress_step(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    reporting = importlib.import_module("eventstudy.reporting")
    monkeypatch.setattr(reporting, "_write_pngs", lambda figs, folder: ([], []))  # no browser
    assert main(["demo", "--out", str(tmp_path / "a"), "--formats", "html,png"]) == 0
    out, err = capsys.readouterr()
    assert "exporting PNG charts" in err
    assert "fetching prices (" in err  # the number of series being fetched
    assert "exporting PNG" not in out
    assert main(["--quiet", "demo", "--out", str(tmp_path / "b"), "--formats", "html,png"]) == 0
    _, err = capsys.readouterr()
    assert "exporting PNG" not in err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = demo(out=tmp_path / "c", formats=("html", "png"))
    assert {"writing the briefing", "exporting PNG charts"} <= set(run.timings)


def test_config_docstring_documents_every_key() -> None:
    """The TOML in eventstudy.config's docstring parses, is valid, and shows every key."""
    import textwrap
    import tomllib

    from eventstudy import config as config_mod

    doc = config_mod.__doc__ or ""
    block = doc.split(".. code-block:: toml", 1)[1].split("Examples\n", 1)[0]
    raw = tomllib.loads(textwrap.dedent(block))
    assert set(raw) == set(config_mod._ALLOWED)
    for table, keys in config_mod._ALLOWED.items():
        assert set(raw[table]) == set(keys), table
    parse_config(raw)


def test_dropped_boards_do_not_claim_a_proxy(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Offline, a board without bundled members is dropped: its note must not say 'built'."""
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(EXAMPLE, offline=True, out=tmp_path, formats=())
    gone = set(run.dropped.loc[run.dropped["reason"] == "no_price_data", "symbol"])
    boards = sorted(s for s in gone if s.startswith("BK"))
    assert boards, "the example tags boards that have no bundled members (e.g. BK0433)"
    for sym in boards:
        mine = [n for n in run.notes if f" {sym}: " in n]
        assert mine, sym
        assert not [n for n in mine if "built as a proxy" in n], mine
        assert any("no proxy could be built" in n and "no members" in n for n in mine), mine
    kept = [s for s in run.result.events["symbol"].unique() if s.startswith("BK")]
    assert any(f" {kept[0]}: built as a proxy" in n for n in run.notes)  # true claims stay
