"""The files of a backtest run (``eventstudy backtest``): tables, summary.txt, backtest.html."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.datasets import data_dir

EXAMPLE = data_dir() / "example_backtest.toml"


def test_example_config_runs_offline_and_writes_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bt"
    assert main(["backtest", str(EXAMPLE), "--out", str(out), "--offline"]) == 0
    printed = capsys.readouterr().out
    assert "Backtest of news signals" in printed
    for name in ("events.csv", "trades.csv", "skipped.csv", "daily.csv", "placebo.csv",
                 "summary.txt", "backtest.html"):  # fmt: skip
        assert (out / name).is_file(), name
    events = pd.read_csv(out / "events.csv", dtype={"event_id": str})
    trades = pd.read_csv(out / "trades.csv", dtype={"event_id": str})
    skipped = pd.read_csv(out / "skipped.csv", dtype={"event_id": str})
    # nothing lost: every event of the news is a trade or skipped, never both
    assert set(events["event_id"]) == set(trades["event_id"]) | set(skipped["event_id"])
    assert set(trades["event_id"]).isdisjoint(skipped["event_id"])
    assert len(trades) > 0
    # the seed post: BK0896 at the 2022-01-10 close, through its labelled member proxy
    seed = trades.set_index("symbol").loc["BK0896"]
    assert seed["entry_date"] == "2022-01-10"
    assert bool(seed["proxy"]) is True
    assert len(pd.read_csv(out / "placebo.csv")) == 200
    page = (out / "backtest.html").read_text(encoding="utf-8")
    assert "BK0896 (proxy)" in page
    assert "工信部" in page  # the title of the seed post, escaped text
    # plotly.js inlined: no external script, the library itself is in the page
    assert "<script src=" not in page
    assert len(page) > 1_000_000
    assert "Plotly.newPlot" in page
    daily = pd.read_csv(out / "daily.csv", index_col=0)
    assert {"net", "benchmark", "equity", "benchmark_equity"} <= set(daily.columns)


def test_html_escapes_text_from_the_news(tmp_path: Path) -> None:
    ev = pd.DataFrame(
        {"event_id": ["x1"], "symbol": ["600519.SH"], "day0": ["2022-01-10"],
         "title": ["<script>alert('hi')</script> & co"]}
    )  # fmt: skip
    ev.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "c.toml").write_text(
        '[events]\ncsv = "events.csv"\n[market]\nsource = "bundled"\n[placebo]\nruns = 0\n',
        encoding="utf-8",
    )
    assert main(["-q", "backtest", str(tmp_path / "c.toml"), "--out", str(tmp_path / "o")]) == 0
    page = (tmp_path / "o" / "backtest.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; &amp; co" in page
    assert not (tmp_path / "o" / "placebo.csv").exists()


def test_events_csv_with_filters(tmp_path: Path) -> None:
    ev = pd.DataFrame(
        {"event_id": ["a", "b", "c"], "symbol": ["600519.SH", "000858.SZ", "600519.SH"],
         "published_at": ["2022-01-10 10:00+08:00", "2022-01-10 10:00+08:00",
                          "2022-03-01 10:00+08:00"]}
    )  # fmt: skip
    ev.to_csv(tmp_path / "ev.csv", index=False)
    (tmp_path / "c.toml").write_text(
        '[events]\ncsv = "ev.csv"\nsymbols = ["600519"]\nend = "2022-02-01"\n'
        '[market]\nsource = "bundled"\n[strategy]\nhold = 2\n[placebo]\nruns = 0\n',
        encoding="utf-8",
    )
    assert main(["-q", "backtest", str(tmp_path / "c.toml"), "--out", str(tmp_path / "o")]) == 0
    trades = pd.read_csv(tmp_path / "o" / "trades.csv")
    assert trades["event_id"].tolist() == ["a"]
    page = (tmp_path / "o" / "backtest.html").read_text(encoding="utf-8")
    assert "1 events of other symbols not backtested" in page
    assert re.search(r"1 events with day 0 outside", page)


def _small_config(tmp_path: Path, runs: int = 30) -> Path:
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["600519.SH", "000858.SZ"],
         "day0": ["2022-01-10", "2022-02-14"]}
    )  # fmt: skip
    ev.to_csv(tmp_path / "ev.csv", index=False)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[events]\ncsv = "ev.csv"\n[market]\nsource = "bundled"\n[placebo]\nruns = {runs}\n',
        encoding="utf-8",
    )
    return cfg


def test_news_items_not_read_are_listed_in_news_skipped_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bt"
    assert main(["-q", "backtest", str(EXAMPLE), "--out", str(out), "--offline"]) == 0
    assert "news_skipped.csv" in capsys.readouterr().out  # the note is printed too
    news_skipped = pd.read_csv(out / "news_skipped.csv", dtype=str)
    assert list(news_skipped.columns) == ["origin", "reason", "message", "article_id"]
    assert len(news_skipped) >= 1  # the bundled post without a publication time
    assert "missing_date" in set(news_skipped["reason"])
    page = (out / "backtest.html").read_text(encoding="utf-8")
    assert 'href="news_skipped.csv"' in page
    assert f"{len(news_skipped)} news items could not be read" in page
    assert "news_skipped.csv" in (out / "summary.txt").read_text(encoding="utf-8")


def test_html_trades_table_scrolls_and_turnover_has_a_unit(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["-q", "backtest", str(_small_config(tmp_path, runs=0)), "--out", str(out)]) == 0
    page = (out / "backtest.html").read_text(encoding="utf-8")
    # every wide table sits in a horizontally scrolling box; cells do not wrap per character
    trades = page.index("<h2>Trades")
    assert page.index('<div class="scroll">', trades) < page.index("<table>", trades)
    assert re.search(r"\.scroll\{[^}]*overflow-x:auto", page)
    assert re.search(r"\.scroll td,\.scroll th\{[^}]*white-space:nowrap", page)
    line = next(ln for ln in (out / "summary.txt").read_text("utf-8").splitlines()
                if ln.startswith("Turnover"))  # fmt: skip
    assert "× capital per year" in line
