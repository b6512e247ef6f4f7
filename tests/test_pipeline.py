"""The main job and the backtest job: the pipeline's bookkeeping, summaries and notes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.config import demo_config
from eventstudy.datasets import data_dir
from eventstudy.pipeline import PipelineResult, demo, run_pipeline
from eventstudy.study import run_event_study

EXAMPLE = data_dir() / "example_run.toml"


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
    spec = demo_config().study
    direct = run_event_study(
        kept,
        prices=run.prices,
        market="000300.SH",
        model="market",
        car_windows=list(spec.car_windows),
        estimation_window=spec.estimation_window,
        min_estimation_obs=spec.min_estimation_obs,
    )
    pd.testing.assert_series_equal(run.result.caar, direct.caar)
    table = run.summary_table()
    np.testing.assert_array_equal(table["caar"], direct.caar.to_numpy())


def test_run_without_car_windows_uses_the_studys_default_windows(demo_run) -> None:  # type: ignore[no-untyped-def]
    """No car_windows in the config: the same windows as run_event_study's default."""
    run = demo_run
    kept = run.events.frame[run.events.frame["event_id"].isin(run.result.car.index)]
    direct = run_event_study(kept, prices=run.prices, market="000300.SH")
    assert run.result.car.columns.tolist() == direct.car.columns.tolist()
    assert "[0,1]" in run.result.car.columns  # the window the old config copy lacked


def test_demo_labels_board_proxies(demo_run) -> None:  # type: ignore[no-untyped-def]
    prov = demo_run.result.provenance
    boards = [s for s in demo_run.result.car.index.str.split(":").str[1] if s.startswith("BK")]
    assert boards, "the bundled posts tag boards (e.g. BK0896 from the seed's chart embed)"
    assert "BK0896" in boards
    assert bool(prov.loc["BK0896", "is_proxy"])
    assert not bool(prov.loc["600519.SH", "is_proxy"])
    assert "BK0896" in demo_run.proxies
    assert "600519.SH" not in demo_run.proxies
    text = str(demo_run.summary())
    assert "proxies (built from constituents" in text
    assert "BK0896" in text


def test_summary_is_a_summary_object(demo_run) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.summary import Summary

    summary = demo_run.summary()
    assert isinstance(summary, Summary)
    text = summary.as_text()
    assert str(demo_run) == text
    lines = text.split("\n")
    assert lines[0] == "news: 64 inputs: 60 articles, 1 skipped, 3 duplicates"
    assert lines[1].startswith("events: ")
    assert lines[1].endswith(f"{len(demo_run.dropped)} dropped")
    # one row per CAR window, with the CAAR, both p-values and N as computed
    table = demo_run.summary_table()
    shown = summary.tables[0]
    assert shown.index.tolist() == table["window"].tolist()
    assert shown["CAAR"].tolist() == [f"{v:+.2%}" for v in table["caar"]]
    assert shown["N"].tolist() == [str(n) for n in table["n"]]
    for label, row in shown.iterrows():
        assert any(line.startswith(str(label)) and row["p (KP-BMP)"] in line for line in lines)
    assert "<table" in demo_run._repr_html_()
    assert str(demo_run.files.out) in text  # type: ignore[union-attr]


def test_demo_writes_tables(demo_run) -> None:  # type: ignore[no-untyped-def]
    files = demo_run.files
    assert files is not None
    assert files.html is None
    dropped = pd.read_csv(files.tables["dropped.csv"])
    assert len(dropped) == len(demo_run.dropped)
    assert "news_skipped.csv" in files.tables


def test_demo_drops_under_5_percent_of_stock_events_for_missing_prices(demo_run) -> None:  # type: ignore[no-untyped-def]
    """Issue 11's measure: stock events dropped for missing prices (``no_price_data``), with
    estimation-window and delisting drops counted separately."""
    from eventstudy.datasets import sample_symbols
    from eventstudy.market.bundled import datasets_served, is_delisted
    from eventstudy.symbols import symbol_kind

    run = demo_run
    every = pd.concat([run.events.frame, run.events.dropped], ignore_index=True)
    stock = every["symbol"].astype(str).map(symbol_kind) == "stock"
    stock_ids = set(every.loc[stock, "event_id"])
    assert len(stock_ids) >= 10, "the bundled posts name A-shares"
    drops = run.dropped[run.dropped["event_id"].isin(stock_ids)]
    by_reason = drops["reason"].value_counts()
    missing = int(by_reason.get("no_price_data", 0))
    assert missing / len(stock_ids) < 0.05, by_reason.to_dict()
    # the separately reported drops are what they say
    delisted = drops.loc[drops["reason"] == "delisted_no_prices", "symbol"]
    assert "002013.SZ" in set(delisted)  # 中航机电, absorbed by 600372.SH in 2023
    assert all(is_delisted(s) for s in delisted)
    analysed = stock_ids & set(run.result.car.index)
    assert len(analysed) == len(stock_ids) - len(drops)
    # stocks outside the 47-stock history are priced from the whole-market extract
    served = datasets_served(run.result.provenance)
    assert set(served["extract"]).isdisjoint(sample_symbols())
    assert set(served["extract"]) & set(run.result.events["symbol"])


def test_demo_states_its_estimation_window_and_survivorship(tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = demo(out=tmp_path, formats=("html",))
    assert run.config.study.estimation_window == (-80, -11)
    assert run.config.study.min_estimation_obs == 60
    foot = run.files.html.read_text(encoding="utf-8").split("<h2>Methodology</h2>")[1]  # type: ignore[union-attr]
    text = str(run.summary())
    for shown in (foot, text):
        assert "Estimation window (-80, -11) relative to day 0 (70 sessions)" in shown
        assert "at least 60 returns" in shown
        assert "Survivorship: the bundled whole-market prices cover the stocks listed in " in shown
        assert "delisted_no_prices" in shown
        assert "a_shares_2021_2022.parquet" in shown
        assert "never spliced" in shown
        assert "The extract starts on 2021-07-27" in shown


def test_delisted_stock_drops_with_its_own_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """002013.SZ (中航机电) is not_listed in the master and has no prices: delisted_no_prices;
    a board without members keeps no_price_data. Same in the study and in the pipeline."""
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "symbol": ["002013.SZ", "002456.SZ", "BK1036"],
            "day0": ["2022-03-01"] * 3,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_event_study(ev, market="000300.SH", source="bundled",
                              estimation_window=(-80, -11), min_estimation_obs=60)  # fmt: skip
    reasons = res.dropped.set_index("event_id")["reason"].to_dict()
    assert reasons == {"a": "delisted_no_prices", "c": "no_price_data"}
    msg = res.dropped.set_index("event_id").loc["a", "message"]
    assert "not_listed" in msg
    assert "survivorship" in msg
    assert res.n_events == 1  # 002456.SZ from the extract
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["002013.SZ", "600372.SH"]},
        "market": {"source": "bundled"},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, offline=True, formats=())
    gone = run.dropped.set_index("symbol")
    assert gone.loc["002013.SZ", "reason"] == "delisted_no_prices"
    assert gone.loc["002013.SZ", "stage"] == "prices"


def test_run_with_benchmark_ew_uses_the_whole_bundled_market(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """[market] benchmark = "ew": the market of the whole extract, not of the event stocks."""
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH"]},
        "market": {"benchmark": "ew", "source": "bundled"},
        "study": {"estimation_window": [-80, -11], "min_estimation_obs": 60},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, offline=True, formats=())
    assert run.result.market == "ew"
    assert run.n_events >= 1
    note = next(ln for ln in run.result.methodology() if ln.startswith("market 'ew'"))
    k = int(re.search(r"of the ([\d,]+) stocks", note).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert k > 4000  # the bundled extract's 4,760 stocks, not the one event stock
    assert (run.result.car.abs() > 0).any().any()  # one stock against itself would be 0
    assert "read kp_bmp first" in str(run)


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
    from eventstudy.market.tencent_source import TencentSource
    from eventstudy.market.yfinance_source import YFinanceSource

    def down(self, symbol, start, end, *, adjust):  # type: ignore[no-untyped-def]
        raise ProviderError(f"{symbol}: connection refused", symbol=symbol, source=self.name)

    monkeypatch.setattr(AkshareSource, "fetch", down)
    monkeypatch.setattr(YFinanceSource, "fetch", down)
    monkeypatch.setattr(TencentSource, "fetch", down)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    raw = {"news": {"path": "bundled"}, "events": {"kinds": ["stock", "board"]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, offline=False, formats=())
    gone = run.dropped[run.dropped["stage"] == "prices"]
    assert len(gone) > 0
    assert set(gone["reason"]) == {"no_price_data", "delisted_no_prices"}
    delisted = gone.loc[gone["reason"] == "delisted_no_prices", "symbol"]
    assert set(delisted) == {"002013.SZ"}  # 中航机电, not in the 2026-07 list
    # stocks: the provider's error; boards: why no proxy could stand in
    assert gone["message"].str.contains("connection refused|no members in the bundled").all()
    assert gone["message"].str.contains("connection refused").any()
    assert len(run.result.events) + len(run.dropped) == len(run.events) + len(run.events.dropped)


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


def test_benchmark_is_not_its_own_event(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A post about the CSI 300 itself tags 000300.SH: dropped at the events stage, not an
    AR ≡ 0 event. (Tagger v2 no longer tags 沪深300 in an ETF name, which the bundled posts
    relied on: the post is written here.)"""
    news = tmp_path / "news.csv"
    pd.DataFrame(
        {
            "title": ["沪深300指数收涨1%，贵州茅台、五粮液、泸州老窖领涨"] * 2,
            "published_at": ["2022-01-10 10:00", "2022-01-17 10:00"],
            "text": ["沪深300指数收涨1%，贵州茅台、五粮液、泸州老窖领涨。"] * 2,
            "article_id": ["A1", "A2"],
        }
    ).to_csv(news, index=False)
    raw = {"news": {"path": str(news)}, "market": {"source": "bundled", "offline": True}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=())
    tagged = run.events.frame["symbol"] == "000300.SH"
    assert tagged.sum() == 2, "the posts name the CSI 300 (000300.SH) in their headline"
    assert "000300.SH" not in set(run.result.events["symbol"])
    bench = run.dropped[run.dropped["reason"] == "is_benchmark"]
    assert set(bench["event_id"]) == set(run.events.frame.loc[tagged, "event_id"])
    assert set(bench["stage"]) == {"events"}
    assert len(run.result.events) == 6  # the three liquor makers, twice
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


def test_dropped_boards_do_not_claim_a_proxy(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Offline, a board without bundled members is dropped: no note says it was 'built'.

    The notes come from the prices' provenance, not from the price layer's warnings
    (which announce a proxy before finding that the board has no members).
    """
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(EXAMPLE, offline=True, out=tmp_path, formats=())
    gone = run.dropped[run.dropped["reason"] == "no_price_data"]
    boards = sorted(s for s in gone["symbol"] if s.startswith("BK"))
    assert boards, "the example tags boards that have no bundled members (e.g. BK0433)"
    for sym in boards:
        assert not [n for n in run.notes if f"{sym}:" in n], sym
        assert sym not in run.proxies
    assert gone["message"].str.contains("no members").any()
    kept = {s for s in run.result.events["symbol"].unique() if s.startswith("BK")}
    assert kept
    assert kept <= set(run.proxies)
    # issue 13 item 17: the CLI's "N board series are proxies" counts series, once each
    assert len(run.proxies) == len(set(run.proxies)) == len(kept)
    assert not [n for n in run.notes if n.startswith("ProxyWarning")]
    # offline, the snapshot is what was asked for: served (provenance), not a note per symbol
    prov = run.prices.provenance  # type: ignore[union-attr]
    snapshot = prov.index[(prov["source"] == "bundled") & ~prov["is_proxy"]]
    assert len(snapshot) > 0
    assert not [n for n in run.notes if n.startswith("OfflineFallbackWarning")], run.notes
    assert len(run.notes) <= 3, run.notes  # no per-symbol flood


# ----------------------------------------------------------------------------- backtest


def test_backtest_run_from_a_mapping(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.config import load_config
    from eventstudy.pipeline import BacktestRun, run_backtest_config

    raw = {
        "news": {"path": "bundled"},
        "events": {"kinds": ["stock"], "start": "2022-01-01", "end": "2022-03-31"},
        "market": {"source": "bundled"},
        "placebo": {"runs": 10},
        "output": {"dir": str(tmp_path / "ignored")},
    }
    run = run_backtest_config(raw, tmp_path / "bt", offline=True)
    assert isinstance(run, BacktestRun)
    assert run.config.market.offline is True
    assert run.files.out_dir == tmp_path / "bt"
    assert not (tmp_path / "ignored").exists()
    day0 = run.events.frame["day0"]
    assert day0.min() >= pd.Timestamp("2022-01-01")
    assert day0.max() <= pd.Timestamp("2022-03-31")
    assert any("outside [2022-01-01, 2022-03-31]" in n for n in run.notes)
    assert str(run) == run.summary().as_text()
    assert str(run).startswith(str(run.result.summary()))
    same = run_backtest_config(data_dir() / "example_backtest.toml", tmp_path / "ex")
    assert same.config == load_config(
        data_dir() / "example_backtest.toml", kind="backtest"
    ).with_overrides(out=tmp_path / "ex")


def test_deprecated_backtest_orchestration(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.backtesting import report
    from eventstudy.config import parse_config

    cfg = parse_config(
        {"news": {"path": "bundled"}, "events": {"symbols": ["600519.SH"]},
         "market": {"source": "bundled"}, "placebo": {"runs": 0}},
        kind="backtest",
    )  # fmt: skip
    with pytest.warns(DeprecationWarning, match="eventstudy.pipeline.run_backtest_config"):
        result, files = report.run_backtest_config(cfg, tmp_path)
    assert result.n_trades > 0
    assert files.out_dir == tmp_path
    with pytest.warns(DeprecationWarning, match="eventstudy.pipeline.events_from_config"):
        events, notes, skipped = report.events_from_config(cfg)
    assert notes == [
        "1 news items could not be read: listed with reason codes in news_skipped.csv",
        "3 news items were duplicates of a kept article: listed in news_duplicates.csv",
        "news: 64 inputs: 60 articles, 1 skipped, 3 duplicates",
    ]
    assert set(events.frame["symbol"]) == {"600519.SH"}
    assert skipped is not None


def test_png_skipped_message_is_said_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The briefing's problem is in the files' notes; the run's notes do not repeat it."""
    from eventstudy.report import png as png_mod

    monkeypatch.setattr(png_mod, "find_browser", lambda: None)
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH", "000858.SZ"]},
        "market": {"offline": True},
        "study": {"model": "market_adjusted"},
        "output": {"charts": ["caar"]},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=("png",))
    assert run.files is not None
    assert [p for p in run.files.problems if p.startswith("PNG charts skipped")]
    shown = [str(run.summary()), *run.notes]
    assert sum(s.count("PNG charts skipped") for s in shown) == 1


def test_backtest_job_says_same_day_duplicates_once_and_offers_the_policy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """002456.SZ is named by two bundled articles on 2021-12-08."""
    from eventstudy.pipeline import run_backtest_config

    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["002456.SZ"]},
        "market": {"source": "bundled"},
        "placebo": {"runs": 0},
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_backtest_config(raw, tmp_path / "keep")
    said = [str(w.message) for w in caught if "same day 0" in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith("2 events name the same security on the same day 0")
    assert said[0] in run.files.files["summary.txt"].read_text(encoding="utf-8")
    collapsed = run_backtest_config(
        {**raw, "strategy": {"duplicates": "collapse"}}, tmp_path / "collapse"
    )
    assert len(collapsed.result.ledger) == len(run.result.ledger)  # nothing is lost
    assert collapsed.result.skip_counts.get("collapsed") == 1
    assert "collapsed" not in run.result.skip_counts


def test_run_config_offers_the_lighter_page(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH"]},
        "market": {"offline": True},
        "output": {"charts": ["caar"], "plotlyjs": "shared"},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=("html",))
    assert run.files is not None
    assert run.files.html is not None
    assert '<script src="plotly.min.js"></script>' in run.files.html.read_text(encoding="utf-8")
    assert (tmp_path / "plotly.min.js").is_file()
    from eventstudy.config import parse_config
    from eventstudy.exceptions import ConfigError

    with pytest.raises(ConfigError, match=r"output\.plotlyjs"):
        parse_config({**raw, "output": {"plotlyjs": "cdn"}}, kind="run")


@pytest.mark.parametrize("measure", ["volume", "volatility"])
def test_run_measures_volume_and_volatility_end_to_end(tmp_path, measure) -> None:  # type: ignore[no-untyped-def]
    """[study] measure: the run loads what the measure needs and matches a direct study."""
    from eventstudy.datasets import sample_prices

    raw = {
        "news": {"path": "bundled"},
        "events": {"symbols": ["600519.SH", "000858.SZ"]},
        "market": {"offline": True, "source": "bundled"},
        "study": {"measure": measure, "tests": ["t_cross"]},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_pipeline(raw, out=tmp_path, formats=())
    res = run.result
    assert res.measure == measure
    assert res.n_events > 0
    px = sample_prices(["600519.SH", "000858.SZ", "000300.SH"])
    kept = run.events.frame[run.events.frame["event_id"].isin(res.car.index)]
    wide = {f: px.pivot(index="date", columns="symbol", values=f) for f in ("close", "volume")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if measure == "volume":
            direct = run_event_study(
                kept, volumes=wide["volume"], measure="volume", tests=["t_cross"]
            )
        else:
            direct = run_event_study(kept, prices=wide["close"], measure=measure, tests=["t_cross"])
    pd.testing.assert_frame_equal(res.car, direct.car.loc[res.car.index], rtol=1e-9)
    assert "measure " + measure in str(res.summary())


def test_run_on_events_after_today_is_data_unavailable(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """A post dated years ahead: exit 3 saying no prices exist yet (was exit 2, 'start is
    after end', naming dates the user never gave)."""
    from eventstudy import pipeline
    from eventstudy.cli import EXIT_DATA_UNAVAILABLE, main
    from eventstudy.events import EventSet

    future = EventSet.from_frame(
        pd.DataFrame(
            {"event_id": ["a"], "symbol": ["600519.SH"], "published_at": ["2030-03-04 10:00+08:00"]}
        )
    )
    monkeypatch.setattr(pipeline, "_news_events", lambda news, ev: future)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["-q", "run", str(EXAMPLE), "--offline", "--out", str(tmp_path / "o")])
    assert code == EXIT_DATA_UNAVAILABLE
    err = capsys.readouterr().err
    assert "no prices exist yet" in err
    assert "after end" not in err


def test_run_on_events_past_the_data_is_data_unavailable(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 item 16: events after the bundled stocks end (2026-06-16), offline: exit 3
    saying where the series end, not an empty study that exits 0."""
    from eventstudy import pipeline
    from eventstudy.cli import EXIT_DATA_UNAVAILABLE, main
    from eventstudy.events import EventSet
    from eventstudy.exceptions import DataUnavailableError

    late = EventSet.from_frame(
        pd.DataFrame(
            {
                "event_id": ["a", "b"],
                "symbol": ["600519.SH", "000858.SZ"],
                "published_at": ["2026-07-01 10:00+08:00", "2026-07-02 10:00+08:00"],
            }
        )
    )
    monkeypatch.setattr(pipeline, "_news_events", lambda news, ev: late)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataUnavailableError, match=r"600519\.SH ends on 2026-06-16"):
            run_pipeline(EXAMPLE, offline=True, out=tmp_path, formats=())
        code = main(["-q", "run", str(EXAMPLE), "--offline", "--out", str(tmp_path / "o")])
    assert code == EXIT_DATA_UNAVAILABLE
    assert "ends on 2026-06-16" in capsys.readouterr().err
