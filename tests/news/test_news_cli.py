"""The ``eventstudy news`` subcommand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.datasets import sample_news_path


def test_news_command_prints_and_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tags.csv"
    assert main(["news", str(sample_news_path()), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "64 inputs: 60 articles, 1 skipped, 3 duplicates" in printed
    assert "missing_date" in printed
    assert "600519.SH" in printed
    table = pd.read_csv(out, dtype=str)
    assert {"article_id", "symbol", "score", "how", "title", "published_at"} <= set(table.columns)
    seed = table[(table.article_id == "NW202201102241785025") & (table.symbol == "BK0896")]
    assert seed["how"].tolist() == ["chart_embed"]


def test_news_command_parquet_and_min_score(tmp_path: Path) -> None:
    out = tmp_path / "tags.parquet"
    assert main(["news", str(sample_news_path()), "--out", str(out), "--min-score", "0.99"]) == 0
    table = pd.read_parquet(out)
    assert (table["score"] >= 0.99).all()
    assert "BK0896" in set(table["symbol"])


def test_news_command_bad_input_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", str(tmp_path / "missing")]) == 2
    assert main(["news", str(sample_news_path()), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert main(["news", str(sample_news_path()), "--errors", "raise"]) == 2
    assert "missing_date" in capsys.readouterr().err
