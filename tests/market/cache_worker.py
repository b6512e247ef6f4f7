"""One process hammering one cache entry, for ``test_cache_concurrency.py``.

Run with :func:`runpy.run_path` (``run_name="__main__"``) in a spawned process, with
``ROLE`` (``"writer"`` or ``"reader"``), ``ROOT`` (the cache folder), ``TMP`` (the
folder of the start/stop flags and results) and ``WID`` (the worker's id) as globals.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

SYMBOL, FIELD, ADJUST, SOURCE = "600519.SH", "close", "qfq", "akshare"
#: Writes per writer; writer ``w`` writes the days ``FIRST + 2*i + w`` (one day each).
WRITES = 30
FIRST = "2022-01-03"


def _wait_for_go(tmp: Path, wid: str) -> None:
    (tmp / f"ready-{wid}").touch()
    while not (tmp / "go").exists():
        time.sleep(0.002)


def day(i: int, w: int) -> str:
    """The day writer ``w`` writes at its ``i``-th write."""
    import pandas as pd

    return str((pd.Timestamp(FIRST) + pd.Timedelta(days=2 * i + w)).date())


def writer(root: Path, tmp: Path, wid: str) -> None:
    """Add one covered day per write (read the entry, then write) as the loader does."""
    import pandas as pd

    from eventstudy.market.cache import PriceCache

    w = int(wid[-1])
    cache = PriceCache(root)
    _wait_for_go(tmp, wid)
    errors: list[str] = []
    try:
        for i in range(WRITES):
            d = pd.Timestamp(day(i, w))
            values = pd.Series([100.0 + 2 * i + w], index=pd.DatetimeIndex([d]))
            try:  # the loader reads the entry first (to find the gaps), then writes
                cache.read(SOURCE, SYMBOL, FIELD, ADJUST)
            except Exception as err:
                errors.append(repr(err))
            cache.write(SOURCE, SYMBOL, FIELD, ADJUST, values, covered=[(d, d)])
    except Exception as err:  # reported to the test, which fails on it
        errors.append(repr(err))
    out = {"writes": WRITES, "errors": errors[:3], "n_errors": len(errors)}
    (tmp / f"done-{wid}.json").write_text(json.dumps(out))


def reader(root: Path, tmp: Path, wid: str) -> None:
    """Read until both writers are done; count corrupt reads and coverage that shrank."""
    from eventstudy.market.cache import CacheCorruptError, PriceCache

    cache = PriceCache(root)
    _wait_for_go(tmp, wid)
    reads = corrupt = shrunk = 0
    errors: list[str] = []
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        not all((tmp / f"done-writer{w}.json").exists() for w in (0, 1)) or reads < 300
    ):
        reads += 1
        try:
            entry = cache.read(SOURCE, SYMBOL, FIELD, ADJUST)
        except CacheCorruptError as err:
            corrupt += 1
            errors.append(str(err))
            continue
        if entry is None:
            continue
        covered = {str(d.date()) for d in entry.values.index}
        shrunk += not seen <= covered
        seen = covered
    out = {"reads": reads, "corrupt": corrupt, "shrunk": shrunk, "errors": errors[:3]}
    (tmp / f"done-{wid}.json").write_text(json.dumps(out))


if __name__ == "__main__":
    {"writer": writer, "reader": reader}[ROLE](Path(ROOT), Path(TMP), WID)  # type: ignore[name-defined]  # noqa: F821
