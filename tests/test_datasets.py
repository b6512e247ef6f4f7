"""The bundled snapshot: content, schema, and that it ships inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import datasets
from eventstudy.exceptions import UnknownSymbolError

ROOT = Path(__file__).resolve().parents[1]


def test_snapshot_reproduces_source_closes() -> None:
    px = datasets.sample_prices(["600519.SH", "000300.SH", "000001.SH"])
    day = px[px["date"] == "2022-01-10"].set_index("symbol")["close"]
    assert day["600519.SH"] == pytest.approx(1739.49, abs=1e-9)
    assert day["000300.SH"] == pytest.approx(4844.0451, abs=1e-9)
    assert day["000001.SH"] == pytest.approx(3593.52, abs=5e-3)


def test_schema_and_contents() -> None:
    px = datasets.sample_prices()
    assert list(px.columns) == [
        "date",
        "symbol",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "amount",
        "adjust",
    ]
    assert px["symbol"].nunique() == 52  # 47 stocks + 5 indices
    assert set(px.loc[px["symbol"].str.startswith("000300"), "adjust"]) == {"none"}
    assert set(px.loc[px["symbol"] == "600519.SH", "adjust"]) == {"qfq"}
    assert not px.duplicated(["symbol", "date"]).any()
    # SSE Composite and Ping An Bank are distinct series
    comp = px[px["symbol"] == "000001.SH"].set_index("date")["close"]
    bank = px[px["symbol"] == "000001.SZ"].set_index("date")["close"]
    assert comp.index.min() == pd.Timestamp("1990-12-19")
    assert bank.loc["2022-01-10"] < 100 < comp.loc["2022-01-10"]
    # suspensions are missing rows, not forward-filled: 000002 has a long 2015-16 gap
    vanke = px[px["symbol"] == "000002.SZ"]["date"].sort_values()
    assert vanke.diff().max() > pd.Timedelta(days=100)


def test_unknown_symbol_names_value() -> None:
    with pytest.raises(UnknownSymbolError, match="BK0896"):
        datasets.sample_prices(["BK0896"])
    # a stock outside the 47: the message points to the whole-market extract
    with pytest.raises(UnknownSymbolError, match=r"002456\.SZ.*load_extract"):
        datasets.sample_prices(["002456.SZ"])


def test_the_two_price_files_are_on_different_qfq_bases() -> None:
    """data/README.md's cross-check: the history and the extract differ on 600519.SH."""
    from eventstudy.reference import extract_info, load_extract

    hist = datasets.sample_prices(["600519.SH"]).set_index("date").loc["2022-01-10", "close"]
    ext = load_extract(["600519.SH"], start="2022-01-10", end="2022-01-10")["close"].iloc[0]
    assert (hist, ext) == (1739.49, 1743.06)
    assert set(datasets.sample_symbols()) - {"000001.SH", "000300.SH", "000852.SH",
                                             "000905.SH", "399001.SZ"} <= set(
        load_extract(start="2022-01-10", end="2022-01-10", fields=["close"])["symbol"]
    )  # fmt: skip
    assert extract_info()["adjust_as_of"] == "2026-07"


def test_boards_and_members() -> None:
    boards = datasets.board_table()
    assert len(boards) == 152
    assert boards.set_index("code").loc["BK0896", "board_type"] == "concept"
    liquor = datasets.board_members("BK0896")
    assert len(liquor) == 6
    assert set(liquor["as_of"]) == {"2022"}
    with pytest.raises(UnknownSymbolError, match="BK0001"):
        datasets.board_members("BK0001")


def test_news_folder() -> None:
    news = datasets.sample_news_path()
    assert (news / "_posts" / "2022-01-10-NW202201102241785025.md").is_file()
    index = pd.read_csv(news / "INDEX.tsv", sep="\t", dtype=str)
    assert len(index) == 64


@pytest.mark.slow
def test_wheel_carries_data_and_installed_copy_finds_it(tmp_path: Path) -> None:
    """Build the wheel, check its data files, and load the snapshot from an unpacked copy."""
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("eventstudy_cn-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for required in (
        "eventstudy/_data/prices.parquet",
        "eventstudy/_data/boards.csv",
        "eventstudy/_data/board_members.csv",
        "eventstudy/_data/news/_posts/2022-01-10-NW202201102241785025.md",
        "eventstudy/py.typed",
    ):
        assert required in names
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); "
        "import eventstudy, eventstudy.datasets as d; "
        "assert str(d.data_dir()).endswith('_data'), d.data_dir(); "
        "assert eventstudy.__file__.startswith(%r), eventstudy.__file__; "
        "print(len(d.sample_prices()), d.sample_news_path().is_dir())" % str(tmp_path / "site")
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    rows, has_news = res.stdout.split()
    assert int(rows) > 200_000
    assert has_news == "True"
