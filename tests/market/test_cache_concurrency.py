"""The cache under concurrent processes (issue 13 #2): writers and readers on one entry."""

from __future__ import annotations

import json
import multiprocessing
import runpy
import time
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.market import get_prices, register_source
from eventstudy.market.cache import PriceCache

from .fakes import FakeNetworkSource

T = pd.Timestamp

WORKER = Path(__file__).with_name("cache_worker.py")
SYMBOL, FIELD, ADJUST, SOURCE = "600519.SH", "close", "qfq", "akshare"
WRITES, FIRST = 30, pd.Timestamp("2022-01-03")  # as in cache_worker.py


def _run(tmp_path: Path, roles: dict[str, str]) -> dict[str, dict[str, object]]:
    """Start every worker, release them together, wait for all; their result files."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded pytest process
    root, flags = tmp_path / "cache", tmp_path / "flags"
    flags.mkdir()
    procs = [
        ctx.Process(
            target=runpy.run_path,
            args=(str(WORKER),),
            kwargs={
                "run_name": "__main__",
                "init_globals": {"ROLE": role, "ROOT": str(root), "TMP": str(flags), "WID": wid},
            },
        )
        for wid, role in roles.items()
    ]
    try:
        for p in procs:
            p.start()
        deadline = time.monotonic() + 60
        while not all((flags / f"ready-{wid}").exists() for wid in roles):
            assert time.monotonic() < deadline, "workers did not start"
            assert all(p.is_alive() for p in procs), "a worker died"
            time.sleep(0.01)
        (flags / "go").touch()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0, f"worker exit code {p.exitcode}"
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    return {wid: json.loads((flags / f"done-{wid}.json").read_text()) for wid in roles}


@pytest.mark.slow  # ~3-8 s: four spawned processes import pandas
def test_two_writers_and_a_reader_on_one_entry(tmp_path: Path) -> None:
    """The writers read before each write too (as the loader does): three readers."""
    roles = {"writer0": "writer", "writer1": "writer", "reader0": "reader"}
    results = _run(tmp_path, roles)
    readers = [results["reader0"]]
    assert [results[w]["n_errors"] for w in ("writer0", "writer1")] == [0, 0], results
    assert readers[0]["reads"] >= 300
    # zero false corruptions: every file a reader opened was a whole, valid entry
    assert readers[0]["corrupt"] == 0, readers[0]["errors"]
    # coverage only grows: no writer's merge dropped another's addition
    assert readers[0]["shrunk"] == 0
    entry = PriceCache(tmp_path / "cache").read(SOURCE, SYMBOL, FIELD, ADJUST)
    assert entry is not None
    days = pd.DatetimeIndex([FIRST + pd.Timedelta(days=k) for k in range(2 * WRITES)])
    assert entry.values.index.equals(days)  # no lost coverage
    assert entry.missing(days[0], days[-1]) == []
    assert entry.values.tolist() == [100.0 + k for k in range(2 * WRITES)]
    assert not list((tmp_path / "cache").rglob(".tmp-*"))
    assert not list((tmp_path / "cache").rglob("*.lock"))


def test_get_prices_keeps_what_another_process_cached_meanwhile(tmp_path: Path) -> None:
    """Issue 13 #2 (4 of 160 ``get_prices`` calls lost coverage): the loader reads the
    entries, fetches, then writes; what another process cached in between must survive."""
    cache_dir = tmp_path / "cache"
    other = FakeNetworkSource()
    jan, feb_ = (T("2022-01-04"), T("2022-01-28")), (T("2022-02-07"), T("2022-02-28"))

    class Racing(FakeNetworkSource):
        def fetch(self, symbol: str, start: T, end: T, *, adjust: str) -> pd.DataFrame:
            if not self.calls:  # meanwhile another process caches February
                feb = other.fetch(symbol, *feb_, adjust=adjust)
                for f in feb.columns:
                    PriceCache(cache_dir).write(SOURCE, symbol, f, ADJUST, feb[f],
                                                covered=[feb_])  # fmt: skip
            return super().fetch(symbol, start, end, adjust=adjust)

    src = Racing()
    register_source(SOURCE, src)
    get_prices(SYMBOL, *jan, source=SOURCE, cache_dir=cache_dir)
    for f in ("open", "close", "volume"):
        entry = PriceCache(cache_dir).read(SOURCE, SYMBOL, f, ADJUST)
        assert entry is not None
        assert entry.covered() == [jan, feb_]
    pf = get_prices(SYMBOL, "2022-02-07", "2022-02-28", source=SOURCE, cache_dir=cache_dir,
                    offline=True)  # fmt: skip
    assert pf.data[SYMBOL].notna().sum() == 16  # the sessions of 2022-02-07..28
    assert len(src.calls) == 1
