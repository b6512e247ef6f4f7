"""The backtest page and files: the numbers of the result, escaped text, the summary rows."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from eventstudy.backtesting import backtest
from eventstudy.datasets import sample_prices
from eventstudy.report import NEWS_SKIPPED_FILE, BacktestFiles, backtest_page, write_backtest

EVIL = "<script>alert('hi')</script> & co"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    ev = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "symbol": ["600519.SH", "000858.SZ", "600036.SH"],
            "day0": ["2022-01-10", "2022-01-10", "2031-01-06"],  # c: beyond the data
            "title": [EVIL, "五粮液公告", "未来"],
        }
    )
    prices = sample_prices(["600519.SH", "000858.SZ", "600036.SH", "000300.SH"])
    return backtest(ev, prices=prices, hold=3, placebo=15, seed=3)


def test_files_hold_the_result_tables(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = write_backtest(result, tmp_path, notes=["1 events of other symbols not backtested"])
    assert isinstance(files, BacktestFiles)
    assert files.out_dir == tmp_path
    trades = pd.read_csv(files.files["trades.csv"], dtype={"event_id": str})
    assert trades["event_id"].tolist() == result.trades["event_id"].tolist()
    pd.testing.assert_series_equal(trades["return_net"], result.trades["return_net"])
    skipped = pd.read_csv(files.files["skipped.csv"], dtype={"event_id": str})
    assert skipped["event_id"].tolist() == ["c"]
    daily = pd.read_csv(files.files["daily.csv"], index_col=0)
    assert daily["equity"].tolist() == pytest.approx(result.equity["strategy"].tolist())
    placebo = pd.read_csv(files.files["placebo.csv"])
    assert placebo["weighted_mean_net_return"].tolist() == pytest.approx(
        list(result.placebo.values), nan_ok=True
    )
    assert placebo["placebo_days"].str.count(";").eq(0).all()  # one real day 0
    summary = files.files["summary.txt"].read_text(encoding="utf-8")
    assert summary == f"{result.summary()}\nNote: 1 events of other symbols not backtested\n"
    assert NEWS_SKIPPED_FILE not in files.files


def test_page_shows_the_summary_rows_escaped_text_and_both_charts(result) -> None:  # type: ignore[no-untyped-def]
    page = backtest_page(result, title="回测 <i>", notes=["a <note>"])
    for label, value in result.summary_rows():
        assert f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>" in page
    assert "<script>alert" not in page
    assert html.escape(EVIL) in page
    assert "<h1>回测 &lt;i&gt;</h1>" in page
    assert "<li>a &lt;note&gt;</li>" in page
    assert 'id="chart-equity"' in page
    assert 'id="chart-placebo"' in page
    assert '<html lang="en">' in page
    trades = page.split("<h2>Trades (2)</h2>")[1].split("<h2>")[0]
    for r in result.trades.itertuples():
        assert f"<td>{r.return_net:.2%}</td>" in trades  # percent columns
    skipped = page.split("<h2>Skipped events (1)</h2>")[1].split("<h2>")[0]
    assert "<td>c</td>" in skipped


def test_news_not_read_are_written_and_linked(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    unread = pd.DataFrame({"origin": ["x.md"], "reason": ["missing_date"], "message": ["m"]})
    files = write_backtest(result, tmp_path, news_skipped=unread)
    assert pd.read_csv(files.files[NEWS_SKIPPED_FILE])["reason"].tolist() == ["missing_date"]
    page = files.files["backtest.html"].read_text(encoding="utf-8")
    assert f'href="{NEWS_SKIPPED_FILE}"' in page
    assert "1 news items could not be read" in page


def test_without_a_placebo_there_is_no_placebo_chart_or_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ev = pd.DataFrame({"event_id": ["a"], "symbol": ["600519.SH"], "day0": ["2022-01-10"]})
    res = backtest(ev, prices=sample_prices(["600519.SH", "000300.SH"]), hold=2, placebo=0)
    files = write_backtest(res, tmp_path)
    assert "placebo.csv" not in files.files
    assert 'id="chart-placebo"' not in files.files["backtest.html"].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["BacktestFiles", "write_backtest"])
def test_backtesting_report_names_are_deprecated_aliases(name: str) -> None:
    import eventstudy.backtesting.report as old
    import eventstudy.report as new

    with pytest.warns(DeprecationWarning, match=f"eventstudy.report.{name}"):
        assert getattr(old, name) is getattr(new, name)
