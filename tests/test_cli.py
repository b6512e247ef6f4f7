"""The ``eventstudy`` command: every subcommand, its output and exit codes, -q on either side."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import EXIT_BAD_INPUT, build_parser, main
from eventstudy.datasets import data_dir, sample_news_path
from eventstudy.pipeline import PipelineResult, demo

RUN_EXAMPLE = data_dir() / "example_run.toml"
BACKTEST_EXAMPLE = data_dir() / "example_backtest.toml"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("eventstudy ")


def test_no_command_prints_help_and_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    for command in ("news", "cache", "demo", "run", "backtest"):
        assert command in out


@pytest.mark.parametrize(
    "argv",
    [["-q", "demo"], ["demo", "-q"], ["--quiet", "run", "x.toml"], ["run", "x.toml", "--quiet"]],
)
def test_quiet_before_or_after_the_subcommand(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).quiet is True


def test_not_quiet_by_default() -> None:
    assert build_parser().parse_args(["demo"]).quiet is False


def test_bad_input_exit_code(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["-q", "run", str(tmp_path / "missing.toml")]) == EXIT_BAD_INPUT
    assert "missing.toml" in capsys.readouterr().err


# ----------------------------------------------------------------------------- news


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


# ----------------------------------------------------------------------------- demo and run


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> PipelineResult:  # type: ignore[no-untyped-def]
    return demo(out=tmp_path_factory.mktemp("demo"), formats=("csv",))


def test_cli_demo(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["--quiet", "demo", "--out", str(tmp_path), "--formats", "html,csv"])
    out, err = capsys.readouterr()
    assert rc == 0
    assert "analysed" in out
    assert "dropped" in out
    assert "[-1,1]" in out
    assert "p (KP-BMP)" in out
    assert "read corrado first" in out  # the CSI 300's headline test (study.headline)
    assert "overlap='keep': " in out  # the overlap count, as the Python summary has it
    assert str(tmp_path / "briefing.html") in out
    assert (tmp_path / "briefing.html").is_file()
    assert "step" not in err  # --quiet: no progress bar


def test_cli_demo_progress_bar_on_stderr(tmp_path, capsys, demo_run) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--out", str(tmp_path), "--formats", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "estimating" in err
    assert "estimating" not in out
    # one per proxied board (from the provenance), not one per warning raised
    assert f"note: {len(demo_run.proxies)} board series are proxies" in err
    assert len(demo_run.proxies) == 12  # boards the demo's posts are about (tagger v2, round 2)
    assert str(demo_run.summary()).split("briefing in")[0] in out


def test_cli_run_example_offline(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["-q", "run", str(RUN_EXAMPLE), "--offline", "--out", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "[0,2]" in out  # the example's own window
    assert (tmp_path / "briefing.html").is_file()
    assert (tmp_path / "tables" / "events.parquet").is_file()


def _run_toml(tmp_path, study: str, market: str = "000300.SH") -> None:  # type: ignore[no-untyped-def]
    """``eventstudy run`` offline on the bundled news with ``study`` lines under [study]."""
    tmp_path.mkdir(exist_ok=True)
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        f'[news]\npath = "bundled"\n[market]\nbenchmark = "{market}"\nsource = "bundled"\n'
        f"[study]\nestimation_window = [-80, -11]\nmin_estimation_obs = 60\n{study}\n",
        encoding="utf-8",
    )
    argv = ["-q", "run", str(cfg), "--offline", "--out", str(tmp_path / "o"), "--formats", "csv"]
    assert main(argv) == 0


@pytest.mark.parametrize(
    ("measure", "unit"),
    [("volume", "abnormal log volume"), ("volatility", "abnormal variance U - 1")],
)
def test_cli_run_other_measures_no_headline_and_own_units(tmp_path, capsys, measure, unit) -> None:  # type: ignore[no-untyped-def]
    """Volume and volatility: no "read ... first" (METHODS), CAAR not in percent, measure named."""
    _run_toml(tmp_path, f'measure = "{measure}"')
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert not [ln for ln in lines if ln.startswith("read ")]
    header = next(ln for ln in lines if "p (t)" in ln)
    assert f"CAAR ({unit})" in header
    rows = [ln for ln in lines if ln.startswith("[") and "]" in ln]
    assert rows
    assert not [ln for ln in rows if "%" in ln]
    assert f"measure {measure}, " in out
    assert "overlap='keep': " in out
    if measure == "volume":  # the generic data lines say volume, not prices
        assert "Volumes from the bundled snapshot" in out
        assert "Prices from the bundled snapshot" not in out
        assert "(prices)" not in out
        assert "market volume '000300.SH': " in out


def test_cli_run_headline_only_for_a_selected_sized_test(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _run_toml(tmp_path / "a", 'tests = ["t_cross", "patell"]')
    out = capsys.readouterr().out
    assert not [ln for ln in out.splitlines() if ln.startswith("read ")]
    _run_toml(tmp_path / "b", 'tests = ["t_cross", "corrado"]')
    out = capsys.readouterr().out
    assert next(ln for ln in out.splitlines() if ln.startswith("read ")).startswith(
        "read corrado first: against an index"
    )


def test_cli_run_prints_no_column_for_a_test_not_selected(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """No "p (KP-BMP)" column of n/a when kp_bmp was not selected (the headline rule's tests)."""
    _run_toml(tmp_path, 'tests = ["t_cross", "corrado"]')
    out = capsys.readouterr().out
    header = next(ln for ln in out.splitlines() if "p (t)" in ln)
    assert "p (Corrado)" in header
    assert "KP-BMP" not in out
    rows = [ln for ln in out.splitlines() if ln.startswith("[") and "]" in ln]
    assert rows
    assert not [ln for ln in rows if "n/a" in ln]


def test_cli_run_without_car_windows_has_run_event_studys_windows(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """No car_windows in the TOML: the CAR windows of run_event_study's default."""
    from eventstudy.datasets import sample_prices
    from eventstudy.study import run_event_study

    cfg = tmp_path / "run.toml"
    cfg.write_text('[news]\npath = "bundled"\n[market]\nsource = "bundled"\n', encoding="utf-8")
    argv = ["-q", "run", str(cfg), "--offline", "--out", str(tmp_path / "o"), "--formats", "csv"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(tmp_path / "o" / "tables" / "caar.csv")["window"].tolist()
    px = sample_prices(["600519.SH", "000300.SH"]).pivot(
        index="date", columns="symbol", values="close"
    )
    seed = pd.DataFrame({"event_id": ["seed"], "symbol": ["600519.SH"], "day0": ["2022-01-10"]})
    direct = run_event_study(seed, prices=px).car.columns.tolist()
    assert written == direct
    assert "[0,1]" in direct  # the window the TOML defaults used to lack
    for label in direct:
        assert f"\n{label} " in printed


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


def test_volume_run_says_it_fetches_volumes(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The progress line of a volume study names volumes, not prices."""
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        '[news]\npath = "bundled"\n[market]\nbenchmark = "000300.SH"\nsource = "bundled"\n'
        '[study]\nmeasure = "volume"\nestimation_window = [-80, -11]\nmin_estimation_obs = 60\n',
        encoding="utf-8",
    )
    argv = ["run", str(cfg), "--offline", "--out", str(tmp_path / "o"), "--formats", "csv"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "fetching volumes (" in err
    assert "fetching prices (" not in err


def test_png_export_is_its_own_progress_step(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    png = importlib.import_module("eventstudy.report.png")
    monkeypatch.setattr(png, "write_pngs", lambda figs, folder: ([], []))  # no browser
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


# ----------------------------------------------------------------------------- backtest


def test_backtest_bad_config_exit_codes(tmp_path: Path) -> None:
    assert main(["backtest", str(tmp_path / "missing.toml")]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[strategy\nhold = 1", encoding="utf-8")
    assert main(["backtest", str(bad)]) == 2


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


@pytest.mark.parametrize("quiet", [[], ["-q"], ["--quiet"]])
def test_backtest_quiet_silences_progress_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], quiet: list[str]
) -> None:
    cfg = _small_config(tmp_path)
    for argv in (
        [*quiet, "backtest", str(cfg), "--out", str(tmp_path / "o")],
        ["backtest", str(cfg), "--out", str(tmp_path / "o"), *quiet],
    ):
        assert main(argv) == 0
        out, err = capsys.readouterr()
        assert "Backtest of news signals" in out  # the summary is always printed
        assert "wrote " in out
        if quiet:
            assert "placebo runs" not in err
            assert "fetching prices" not in err
        else:
            assert "placebo runs" in err
            assert "fetching prices" in err


def test_backtest_config_errors_name_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[events]\ncsv = "a.csv"\n[strategy]\nhodl = 3\n', encoding="utf-8")
    assert main(["backtest", str(bad)]) == 2
    assert f"{bad}: strategy.hodl: unknown key" in capsys.readouterr().err


def test_printed_summary_is_the_summary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command prints the run's Summary: the same text it wrote to summary.txt."""
    out = tmp_path / "o"
    assert main(["-q", "backtest", str(BACKTEST_EXAMPLE), "--out", str(out), "--offline"]) == 0
    printed = capsys.readouterr().out
    written = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Note: " in written
    assert printed == written + f"wrote 9 files to {out}\n"  # news_duplicates.csv too


# ----------------------------------------------------------------------------- feed


def _cls_answer(ctimes: list[int]) -> dict[str, object]:
    """The CLS telegraph answer (``/v1/roll/get_roll_list``) in its real shape."""
    items = [
        {
            "id": c - 1715678265,
            "ctime": c,
            "title": f"快讯{c}",
            "brief": "b",
            "content": f"财联社电，快讯{c}。",
            "level": "C",
            "reading_num": 100,
            "shareurl": f"https://api3.cls.cn/share/article/{c - 1715678265}",
        }
        for c in ctimes
    ]
    return {"errno": 0, "msg": "", "data": {"roll_data": items, "update_num": 0}}


def test_feed_fetch_archives_dedupes_and_reports_gaps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    responses = pytest.importorskip("responses")
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    url = "https://www.cls.cn/v1/roll/get_roll_list"
    cache = ["--cache-dir", str(tmp_path)]
    t0 = 1717378265  # 2024-06-03 09:31:05 in Beijing
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, url, json=_cls_answer([t0, t0 + 300]))
        assert main(["feed", "fetch", "cls", *cache]) == 0
        assert "cls: 2 items, 2 new, 2 archived (fetched 2024-06-03 09:31..09:36)" in (
            capsys.readouterr().out
        )
    with responses.RequestsMock() as rsps:  # overlaps the first fetch
        rsps.add(responses.GET, url, json=_cls_answer([t0 + 300, t0 + 600]))
        assert main(["feed", "fetch", "cls", *cache]) == 0
        assert "cls: 2 items, 1 new, 3 archived" in capsys.readouterr().out
    with responses.RequestsMock() as rsps:  # starts an hour after the archive's newest item
        rsps.add(responses.GET, url, json=_cls_answer([t0 + 4200, t0 + 4500]))
        assert main(["feed", "fetch", "cls", *cache]) == 0
        assert "GAP 2024-06-03 09:41..10:41 not covered" in capsys.readouterr().out
    assert main(["feed", "ls", *cache]) == 0
    out = capsys.readouterr().out
    assert "news archive" in out
    assert ": 5 items" in out
    assert "gaps of cls: 2024-06-03 09:41..10:41" in out


def test_feed_fetch_goes_on_after_a_failing_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    responses = pytest.importorskip("responses")
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    from eventstudy.market._net import EASTMONEY_LIMITER

    monkeypatch.setattr(EASTMONEY_LIMITER, "min_interval", 0.0)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            "https://np-weblist.eastmoney.com/comm/web/getFastNewsList",
            status=403,
            body="Forbidden",
        )
        rsps.add(
            responses.GET,
            "https://www.cls.cn/v1/roll/get_roll_list",
            json=_cls_answer([1717378265]),
        )
        code = main(["feed", "fetch", "em_724", "cls", "--cache-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 4  # a provider failed
    assert "eventstudy: em_724: em_724 (akshare.stock_info_global_em) failed" in captured.err
    assert "HTTP 403" in captured.err
    assert "cls: 1 items, 1 new, 1 archived" in captured.out
    assert (tmp_path / "news" / "cls.parquet").is_file()
    assert not (tmp_path / "news" / "em_724.parquet").exists()


def test_feed_fetch_offline_and_bad_input_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    assert main(["feed", "fetch", "sina_724", "--cache-dir", str(tmp_path)]) == 3
    assert "cannot fetch the sina_724 news feed offline" in capsys.readouterr().err
    assert main(["feed", "fetch", "cls", "--symbol", "600519"]) == EXIT_BAD_INPUT
    assert "--symbol applies to em_stock only" in capsys.readouterr().err
    assert main(["feed", "fetch", "em_stock"]) == EXIT_BAD_INPUT
    with pytest.raises(SystemExit):
        main(["feed", "fetch", "reuters"])
    assert main(["feed", "ls", "--cache-dir", str(tmp_path)]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["feed"]) == EXIT_BAD_INPUT


def test_feed_fetch_em_stock_per_symbol_without_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    curl_requests = pytest.importorskip("curl_cffi.requests")
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    from eventstudy.market._net import EASTMONEY_LIMITER

    monkeypatch.setattr(EASTMONEY_LIMITER, "min_interval", 0.0)
    keywords: list[str] = []

    def answer(session: object, method: str, url: str, **kwargs: object) -> object:
        import json

        keyword = json.loads(kwargs["params"]["param"])["keyword"]  # type: ignore[index]
        keywords.append(keyword)
        item = {
            "date": "2024-06-03 10:20:00",
            "mediaName": "证券时报网",
            "code": "20240603309579999" + keyword[-1],
            "title": f"<em>{keyword}</em>公告",
            "content": "正文",
            "image": "",
            "url": "",
        }
        body = {"code": 0, "msg": "成功", "result": {"cmsArticleWebOld": [item]}}
        response = curl_requests.Response()
        response.status_code = 200
        response.content = f"jQuery3510_1({json.dumps(body, ensure_ascii=False)})".encode()
        return response

    monkeypatch.setattr(curl_requests.Session, "request", answer)
    argv = [
        "feed",
        "fetch",
        "em_stock",
        "--symbol",
        "600519",
        "--symbol",
        "000858.SZ",
        "--no-archive",
        "--cache-dir",
        str(tmp_path),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert keywords == ["600519", "000858"]
    assert "em_stock 600519: 1 items (not archived)" in out
    assert "em_stock 000858.SZ: 1 items (not archived)" in out
    assert "06-03 10:20  600519公告" in out
    assert not (tmp_path / "news").exists()


def test_backtest_says_warnings_as_notes_not_raw_python_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Audit: the backtest printed `...eventstudy:6: ProxyWarning: ...` and `sys.exit(_entry())`."""
    from eventstudy.datasets import data_dir

    cfg = data_dir() / "example_backtest.toml"
    assert main(["backtest", str(cfg), "--out", str(tmp_path / "o"), "--offline"]) == 0
    err = capsys.readouterr().err
    assert "note: " in err  # the proxies, said once
    assert "Warning:" not in err
    assert "sys.exit" not in err
