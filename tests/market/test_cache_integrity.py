"""What a cache entry must be to be served (issue 13 #3 manifests, #4 symbol, range, sanity).

Each test tampers with a valid entry the way the attack did and checks that the entry is
treated as corrupt, with a reason, never served and never an untyped error.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eventstudy.exceptions import CacheError, DataUnavailableError, EventStudyWarning
from eventstudy.market import PriceCache, get_prices, register_source
from eventstudy.market.cache import CacheCorruptError

from .fakes import FakeNetworkSource

T = pd.Timestamp
SYM = "600519.SH"
COVERED = [(T("2022-01-10"), T("2022-01-14"))]
DATES = pd.to_datetime(["2022-01-10", "2022-01-11", "2022-01-12", "2022-01-13", "2022-01-14"])


def _entry(cache: PriceCache, symbol: str = SYM, field: str = "close") -> Path:
    s = pd.Series([10.0, 11.0, 12.0, 11.5, 12.5], index=DATES)
    cache.write("akshare", symbol, field, "qfq", s, covered=COVERED)
    return cache.path("akshare", symbol, field, "qfq")


def _rewrite(
    path: Path,
    *,
    meta: Callable[[dict[str, Any]], None] | None = None,
    dates: Any = None,
    values: Any = None,
    drop_checksum: bool = False,
) -> None:
    """Rewrite an entry file with changed manifest fields / data (an attacker's edit)."""
    table = pq.read_table(path)
    manifest = json.loads(table.schema.metadata[b"eventstudy"])
    if meta is not None:
        meta(manifest)
    if drop_checksum:  # as an entry written before the checksum existed
        manifest.pop("sha256")
    d = table.column("date").to_numpy() if dates is None else pd.to_datetime(dates).to_numpy()
    v = table.column("value").to_numpy() if values is None else np.asarray(values, float)
    if dates is not None or values is not None:
        manifest["rows"] = len(d)
    new = pa.table({"date": pa.array(d.astype("datetime64[ns]")), "value": pa.array(v)})
    pq.write_table(new.replace_schema_metadata({b"eventstudy": json.dumps(manifest)}), path)


def _reason(cache: PriceCache, symbol: str = SYM, field: str = "close") -> str:
    with pytest.raises(CacheCorruptError) as info:
        cache.read("akshare", symbol, field, "qfq")
    assert info.value.reason in str(info.value)
    return info.value.reason


# -- issue 13 #3: manifests --------------------------------------------------------------


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda m: m.__setitem__(key, value)


def _set_range(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda m: m["ranges"][0].__setitem__(key, value)


BAD_MANIFESTS = {
    "rows null": (_set("rows", None), "rows=None"),
    "rows text": (_set("rows", "5"), "rows='5'"),
    "rows bool": (_set("rows", True), "rows=True"),
    "rows negative": (_set("rows", -1), "rows=-1"),
    "rows float": (_set("rows", 5.0), "rows=5.0"),
    "ranges null": (_set("ranges", None), "ranges=None"),
    "ranges text": (_set("ranges", "2022-01-10..2022-01-14"), "ranges="),
    "range not a dict": (_set("ranges", [["2022-01-10", "2022-01-14"]]), "manifest range"),
    "range without end": (lambda m: m["ranges"][0].pop("end"), "manifest range"),
    "range bad date": (_set_range("start", "2022-13-01"), "manifest range"),
    "range date number": (_set_range("end", 20220114), "manifest range"),
    "range bad time": (_set_range("retrieved_at", "yesterday"), "manifest range"),
    "range reversed": (_set_range("start", "2022-01-20"), "ends before it starts"),
    "symbol missing": (lambda m: m.pop("symbol"), "symbol=None"),
    "source number": (_set("source", 7), "source=7"),
    "version text": (_set("version", "1"), "no valid manifest"),
    "checksum not hex": (_set("sha256", "abc"), "sha256='abc'"),
}


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_a_bad_manifest_is_corrupt_with_a_reason(tmp_path: Path, case: str) -> None:
    edit, reason = BAD_MANIFESTS[case]
    cache = PriceCache(tmp_path)
    _rewrite(_entry(cache), meta=edit)
    assert reason in _reason(cache)
    row = cache.entries().iloc[0]
    assert (row["status"], row["symbol"]) == ("corrupt", SYM)
    assert reason in row["reason"]


def test_a_bad_manifest_offline_warns_moves_aside_and_other_symbols_work(cache_dir: Path) -> None:
    """Before: ``"rows": null`` broke every run, offline too, with a TypeError."""
    src = FakeNetworkSource()
    register_source("akshare", src)
    get_prices([SYM, "000858.SZ"], "2022-01-04", "2022-01-31", source="akshare",
               cache_dir=cache_dir)  # fmt: skip
    cache = PriceCache(cache_dir)
    path = cache.path("akshare", SYM, "close", "qfq")
    _rewrite(path, meta=_set("rows", None))
    ok = get_prices("000858.SZ", "2022-01-04", "2022-01-31", source="akshare",
                    cache_dir=cache_dir, offline=True)  # fmt: skip
    assert ok.data["000858.SZ"].notna().sum() == 19
    with (
        pytest.warns(EventStudyWarning, match=f"{path.name}.*rows=None"),
        pytest.raises(DataUnavailableError, match="corrupt"),
    ):
        get_prices(SYM, "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir,
                   offline=True)  # fmt: skip
    assert path.with_suffix(".parquet.corrupt").exists()
    # online again: rebuilt from the source, then offline works
    get_prices(SYM, "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    again = get_prices(SYM, "2022-01-04", "2022-01-31", source="akshare",
                       cache_dir=cache_dir, offline=True)  # fmt: skip
    assert again.data[SYM].notna().sum() == 19


# -- issue 13 #4: the entry is the requested symbol, plausible and sane ----------------------


def test_another_symbols_file_copied_in_is_corrupt(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    other = _entry(cache, "000858.SZ")
    target = cache.path("akshare", SYM, "close", "qfq")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(other, target)
    assert "names symbol '000858.SZ'" in _reason(cache)
    # another field's file, too
    shutil.copy(_entry(cache, SYM, "volume"), target)
    assert "source/adjust/field akshare/qfq/volume" in _reason(cache)


def test_doubled_values_fail_the_checksum(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    path = _entry(cache)
    _rewrite(path, values=pq.read_table(path).column("value").to_numpy() * 2)
    assert "checksum" in _reason(cache)


def test_the_checksum_is_written_and_old_entries_without_it_still_read(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    path = _entry(cache)
    meta = json.loads(pq.read_table(path).schema.metadata[b"eventstudy"])
    assert len(meta["sha256"]) == 64
    _rewrite(path, drop_checksum=True)
    entry = cache.read("akshare", SYM, "close", "qfq")
    assert entry is not None
    assert entry.values.tolist() == [10.0, 11.0, 12.0, 11.5, 12.5]


SANITY = {
    "inf": ({"values": [10.0, np.inf, 12.0, 11.5, 12.5]}, "NaN or infinite"),
    "nan": ({"values": [10.0, np.nan, 12.0, 11.5, 12.5]}, "NaN or infinite"),
    "zero price": ({"values": [10.0, 0.0, 12.0, 11.5, 12.5]}, "1 non-positive price"),
    "negative price": ({"values": [10.0, 11.0, -12.0, 11.5, 12.5]}, "1 non-positive price"),
    "duplicate dates": (
        {"dates": ["2022-01-10", "2022-01-11", "2022-01-11", "2022-01-13", "2022-01-14"]},
        "duplicate dates",
    ),
    "dates out of order": (
        {"dates": ["2022-01-10", "2022-01-12", "2022-01-11", "2022-01-13", "2022-01-14"]},
        "dates out of order",
    ),
    "dates before 1990": (
        {"dates": ["1989-01-10", "2022-01-11", "2022-01-12", "2022-01-13", "2022-01-14"]},
        "outside 1990-12-01",
    ),
    "coverage back to 1900": (
        {"meta": _set_range("start", "1900-01-01")},
        "covered range 1900-01-01..2022-01-14 outside 1990-12-01",
    ),
    "coverage into the future": ({"meta": _set_range("end", "2999-01-01")}, "covered range"),
}


@pytest.mark.parametrize("case", list(SANITY))
def test_implausible_data_is_corrupt(tmp_path: Path, case: str) -> None:
    """Checked without the checksum (an old entry), so that each rule stands on its own."""
    edit, reason = SANITY[case]
    cache = PriceCache(tmp_path)
    _rewrite(_entry(cache), drop_checksum=True, **edit)
    assert reason in _reason(cache)


def test_volume_may_be_zero_but_not_negative(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    path = _entry(cache, field="volume")
    _rewrite(path, values=[0.0, 1.0, 2.0, 3.0, 4.0], drop_checksum=True)
    assert cache.read("akshare", SYM, "volume", "qfq") is not None
    _rewrite(path, values=[-1.0, 1.0, 2.0, 3.0, 4.0])
    assert "1 negative value" in _reason(cache, field="volume")


def test_old_history_is_plausible_outside_china(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    s = pd.Series([16.66], index=pd.to_datetime(["1950-01-03"]))
    cache.write("yfinance", "^GSPC", "close", "none", s,
                covered=[(T("1950-01-01"), T("1950-01-03"))])  # fmt: skip
    entry = cache.read("yfinance", "^GSPC", "close", "none")
    assert entry is not None
    assert entry.values.tolist() == [16.66]
    with pytest.raises(CacheError, match=r"refusing to write.*outside 1990-12-01"):
        cache.write("akshare", SYM, "close", "qfq", s,
                    covered=[(T("1950-01-01"), T("1950-01-03"))])  # fmt: skip


def test_write_refuses_values_it_could_not_read_back(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    s = pd.Series([np.inf], index=pd.to_datetime(["2022-01-10"]))
    with pytest.raises(CacheError, match=r"refusing to write.*NaN or infinite"):
        cache.write("akshare", SYM, "close", "qfq", s, covered=COVERED)
    assert cache.read("akshare", SYM, "close", "qfq") is None


def test_a_tampered_entry_is_refetched_with_its_reason(cache_dir: Path) -> None:
    src = FakeNetworkSource()
    register_source("akshare", src)
    first = get_prices(SYM, "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    path = PriceCache(cache_dir).path("akshare", SYM, "close", "qfq")
    _rewrite(path, values=pq.read_table(path).column("value").to_numpy() * 2)
    with pytest.warns(EventStudyWarning, match="checksum.*refetched"):
        again = get_prices(SYM, "2022-01-04", "2022-01-31", source="akshare",
                           cache_dir=cache_dir)  # fmt: skip
    assert len(src.calls) == 2
    pd.testing.assert_frame_equal(first.data, again.data)


def test_previous_is_deprecated(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path)
    s = pd.Series([1.0], index=pd.to_datetime(["2022-01-10"]))
    with pytest.warns(DeprecationWarning, match="previous"):
        cache.write("akshare", SYM, "close", "qfq", s, covered=COVERED, previous=None)
