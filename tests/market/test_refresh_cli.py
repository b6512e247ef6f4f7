"""``eventstudy reference refresh|ls|lookup|members``: output and exit codes."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import EXIT_BAD_INPUT, EXIT_DATA_UNAVAILABLE, EXIT_OK, EXIT_PROVIDER, main
from eventstudy.market._net import RetryPolicy
from eventstudy.market.akshare_source import AkshareReference
from eventstudy.reference.store import ReferenceStore

responses = pytest.importorskip("responses")

from .test_refresh_http import CONS, add_board_lists, add_members  # noqa: E402


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """No waiting: akshare's and our backoff sleeps, and no shared rate limit."""
    import eventstudy.market.refresh as refresh

    monkeypatch.setattr(time, "sleep", lambda seconds: None)

    def quick(**kw: object) -> AkshareReference:
        return AkshareReference(
            policy=RetryPolicy(attempts=2, timeout=5.0), limiter=None, rng=random.Random(0),
            sleep=lambda s: None, **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    monkeypatch.setattr(refresh, "AkshareReference", quick)


def test_ls_empty_then_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "ls", "--cache-dir", str(tmp_path)]) == EXIT_OK
    assert "empty (the bundled master is used)" in capsys.readouterr().out
    rows = pd.DataFrame({"as_of": "2026-08-03", "board": "BK0896", "symbol": ["600519.SH"],
                         "source": "akshare_em_members"})  # fmt: skip
    when = pd.Timestamp("2026-08-03 16:00", tz="Asia/Shanghai")
    ReferenceStore(tmp_path).write(
        "members", rows, what="members", note="BK0896", retrieved_at=when
    )
    assert main(["reference", "ls", "--cache-dir", str(tmp_path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "1 snapshots" in out
    assert out.split("\n")[2].split() == ["members", "2026-08-03", "members", "1", "ok", "BK0896"]
    assert "membership snapshots: 1 day(s), 2026-08-03 .. 2026-08-03" in out


def test_lookup_and_members(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--cache-dir", str(tmp_path)]
    assert main(["reference", "lookup", "茅台", *d]) == EXIT_OK
    assert "600519.SH" in capsys.readouterr().out
    assert main(["reference", "lookup", "白酒", "--kind", "board", *d]) == EXIT_OK
    assert capsys.readouterr().out.split("\n")[1].split()[0] == "BK0896"
    assert main(["reference", "lookup", "没有这个名字", *d]) == EXIT_DATA_UNAVAILABLE
    assert main(["reference", "lookup", "茅台", "--kind", "fund", *d]) == EXIT_BAD_INPUT
    capsys.readouterr()
    assert main(["reference", "members", "BK0896", "--as-of", "2022-01-10", *d]) == EXIT_OK
    got = capsys.readouterr()
    assert "6 members, snapshot 2022-12-31" in got.out
    assert "look-ahead" in got.err
    assert main(["reference", "members", "BK9999", *d]) == EXIT_BAD_INPUT  # not in the master
    assert main(["reference", "members", "BK0145", *d]) == EXIT_DATA_UNAVAILABLE  # live-only


def test_refresh_bad_input_and_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str]
) -> None:
    d = ["--cache-dir", str(tmp_path)]
    assert main(["reference", "refresh", "--what", "prices", *d]) == EXIT_BAD_INPUT
    assert main(["reference", "refresh", "--boards", "不是板块", *d]) == EXIT_BAD_INPUT
    assert main(["reference"]) == EXIT_BAD_INPUT
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    assert main(["reference", "refresh", *d]) == EXIT_DATA_UNAVAILABLE
    assert no_network == []


@responses.activate
def test_refresh_writes_and_partial_failure_is_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--cache-dir", str(tmp_path)]
    add_board_lists([("BK0896", "白酒")], [("BK0477", "酿酒行业")])
    assert main(["reference", "refresh", "--what", "boards", "-q", *d]) == EXIT_OK
    got = capsys.readouterr()
    assert "2 boards rows" in got.out
    assert got.err == ""  # -q: no progress lines
    add_members("BK0896", [("600519", 1, "贵州茅台")])
    for _ in range(6):
        responses.add(responses.GET, CONS, status=500, body="down")  # BK0477: always down
    code = main(["reference", "refresh", "--boards", "BK0896,BK0477", *d])
    got = capsys.readouterr()
    assert code == EXIT_PROVIDER
    assert "FAILED members BK0477 (provider_failed)" in got.out
    assert "members BK0896 (1/2) ..." in got.err  # progress lines on stderr
    assert "1 members rows" in got.out
    assert len(ReferenceStore(tmp_path).listing()) == 2


@responses.activate
def test_refresh_that_wrote_nothing_does_not_say_something_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--cache-dir", str(tmp_path)]
    for _ in range(6):
        responses.add(responses.GET, CONS, status=500, body="down")  # BK0896: always down
    code = main(["reference", "refresh", "--boards", "BK0896", "-q", *d])
    got = capsys.readouterr()
    assert code == EXIT_PROVIDER
    assert "nothing written" in got.out
    assert "what was fetched is stored" not in got.err
    assert "nothing was stored" in got.err
    assert ReferenceStore(tmp_path).listing().empty
