"""Files left by killed writers (issue 13 #13): never entries, removed once stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.exceptions import CacheError
from eventstudy.market import PriceCache
from eventstudy.paths import STALE_AFTER_SECONDS, file_lock, remove_stale_files

T = pd.Timestamp
SYM = "600519.SH"
LONG_AGO = time.time() - 10 * STALE_AFTER_SECONDS

STUCK_WRITER = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    import pyarrow.parquet as pq
    from eventstudy.market.cache import PriceCache

    def stuck(table, where, **kw):  # half a file written, then the process is killed
        where.write(b"PAR1" + bytes(4096))
        where.flush()
        print("writing", flush=True)
        time.sleep(120)

    pq.write_table = stuck
    s = pd.Series([20.0], index=pd.to_datetime(["2022-01-11"]))
    day = pd.Timestamp("2022-01-11")
    PriceCache(sys.argv[1]).write("akshare", "600519.SH", "close", "qfq", s, covered=[(day, day)])
    """
)


def _entry(cache: PriceCache) -> Path:
    s = pd.Series([10.0], index=pd.to_datetime(["2022-01-10"]))
    cache.write("akshare", SYM, "close", "qfq", s, covered=[(T("2022-01-10"), T("2022-01-10"))])
    return cache.path("akshare", SYM, "close", "qfq")


def _ls_in_a_new_process(root: Path) -> str:
    code = f"from eventstudy.cli import main; main(['cache', 'ls', '--cache-dir', {str(root)!r}])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_kill_9_mid_write_leaves_files_that_are_never_entries_and_are_cleaned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    cache = PriceCache(root)
    path = _entry(cache)
    child = subprocess.Popen(
        [sys.executable, "-c", STUCK_WRITER, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        (tmp,) = path.parent.glob(".tmp-*")
        lock = path.with_name(path.name + ".lock")
        assert lock.exists()
        # a live writer's files are left alone, however old
        os.utime(tmp, (LONG_AGO, LONG_AGO))
        assert cache.remove_stale_files() == 0
        assert tmp.exists()
        # ... and never listed; the old entry is served meanwhile
        table = cache.entries()
        assert table["path"].tolist() == [str(path)]
        assert table["status"].tolist() == ["ok"]
        assert main(["cache", "ls", "--cache-dir", str(root)]) == 0
        out = capsys.readouterr().out
        assert "1 entries" in out
        assert ".tmp-" not in out
        entry = cache.read("akshare", SYM, "close", "qfq")
        assert entry is not None
        assert entry.values.tolist() == [10.0]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert tmp.exists()  # what kill -9 leaves
    assert lock.exists()
    # a young temporary file may be a write that has just started: kept; free locks go
    os.utime(tmp, None)
    assert cache.remove_stale_files() == 1
    assert tmp.exists()
    assert not lock.exists()
    # opening the cache in another process removes the stale file and does not list it
    os.utime(tmp, (LONG_AGO, LONG_AGO))
    out = _ls_in_a_new_process(root)
    assert "1 entries" in out
    assert ".tmp-" not in out
    assert not tmp.exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    # the entry is intact and writable (no lock left behind)
    entry = cache.read("akshare", SYM, "close", "qfq")
    assert entry is not None
    assert entry.values.tolist() == [10.0]
    s = pd.Series([20.0], index=pd.to_datetime(["2022-01-11"]))
    e = cache.write("akshare", SYM, "close", "qfq", s, covered=[(T("2022-01-11"),) * 2])
    assert e.values.tolist() == [10.0, 20.0]


def _plant(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / ".tmp-k1ll3d.parquet"
    stale.write_bytes(b"PAR1" + bytes(1000))
    os.utime(stale, (LONG_AGO, LONG_AGO))
    lock = folder / "000858.SZ.parquet.lock"
    lock.write_bytes(b"")
    return [stale, lock]


def test_planted_stale_files_are_removed_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "akshare" / "qfq" / "close"
    planted = _plant(folder)
    fresh = folder / ".tmp-writing.parquet"  # too young to be judged stale
    fresh.write_bytes(b"PAR1")
    cache = PriceCache(tmp_path)  # first open of this folder in this process
    assert [p.exists() for p in planted] == [False, False]
    assert fresh.exists()
    assert cache.entries().empty


def test_clear_counts_entries_only_and_removes_stale_files(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    path = _entry(cache)
    planted = _plant(path.parent)
    corrupt = path.with_name("000001.SZ.parquet.corrupt")
    corrupt.write_bytes(b"x")
    assert len(cache.entries()) == 1
    assert cache.clear() == 1
    assert [p.exists() for p in [*planted, corrupt, path]] == [False] * 4


def test_file_lock_excludes_a_second_holder_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    with file_lock(path):
        with (
            pytest.raises(CacheError, match=r"another process has held x\.parquet\.lock"),
            file_lock(path, timeout=0.05),
        ):
            pass
        assert remove_stale_files(tmp_path) == 0  # held: not stale
    assert list(tmp_path.iterdir()) == []
    with file_lock(path):  # free again
        pass
