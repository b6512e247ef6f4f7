"""The Parquet cache: ranges, merging, only-missing fetches, corruption, read-only, atomicity."""

from __future__ import annotations

import itertools
import os
import stat
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.exceptions import CacheError, DataUnavailableError, EventStudyWarning
from eventstudy.market import PriceCache, get_prices, register_source, resolve_cache_dir
from eventstudy.market.cache import CacheCorruptError, merge_ranges, subtract_ranges

from .fakes import FakeNetworkSource

T = pd.Timestamp
BASE = T("2022-01-01")


def _days(ranges: list[tuple[pd.Timestamp, pd.Timestamp]]) -> set[pd.Timestamp]:
    out: set[pd.Timestamp] = set()
    for a, b in ranges:
        out |= set(pd.date_range(a, b))
    return out


range_st = st.tuples(st.integers(0, 60), st.integers(0, 15)).map(
    lambda t: (BASE + pd.Timedelta(days=t[0]), BASE + pd.Timedelta(days=t[0] + t[1]))
)


@settings(max_examples=80, deadline=None)
@given(st.lists(range_st, max_size=6), range_st)
def test_range_arithmetic_matches_day_sets(covered, request_range) -> None:  # type: ignore[no-untyped-def]
    merged = merge_ranges(covered)
    assert _days(merged) == _days(covered)
    assert all(b + pd.Timedelta(days=1) < a2 for (_, b), (a2, _) in itertools.pairwise(merged))
    gaps = subtract_ranges(*request_range, covered)
    assert _days(gaps) == _days([request_range]) - _days(covered)


def test_resolution_order(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "env"))
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_cache_dir() == tmp_path / "env"
    monkeypatch.delenv("EVENTSTUDY_CACHE")
    import platformdirs

    assert resolve_cache_dir() == platformdirs.user_cache_path("eventstudy", appauthor=False)


def test_fetches_only_missing_ranges_and_merges(cache_dir) -> None:  # type: ignore[no-untyped-def]
    src = FakeNetworkSource()
    register_source("akshare", src)
    a = get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    assert src.calls == [("600519.SH", T("2022-01-04"), T("2022-01-28"))]  # trimmed to sessions
    b = get_prices("600519.SH", "2022-01-04", "2022-03-15", source="akshare", cache_dir=cache_dir)
    # the new range after the holiday, overlapping the last cached session (basis check)
    assert src.calls[1] == ("600519.SH", T("2022-01-28"), T("2022-03-15"))
    c = get_prices("600519.SH", "2022-01-10", "2022-03-01", source="akshare", cache_dir=cache_dir)
    assert len(src.calls) == 2  # fully cached: no fetch
    pd.testing.assert_series_equal(
        c.data["600519.SH"], b.data["600519.SH"].loc["2022-01-10":"2022-03-01"]
    )
    # (the fake serves business days: 01-31, a Shanghai holiday, came with the overlap fetch)
    assert a.data["600519.SH"].equals(b.data["600519.SH"].loc[:"2022-01-28"])
    assert pd.notna(c.provenance.loc["600519.SH", "retrieved_at"])
    entry = PriceCache(cache_dir).read("akshare", "600519.SH", "close", "qfq")
    assert entry is not None
    assert entry.covered() == [(T("2022-01-04"), T("2022-03-15"))]
    # every field fetched was cached: volume needs no new fetch
    get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", field="volume",
               cache_dir=cache_dir)  # fmt: skip
    assert len(src.calls) == 2
    # refresh refetches the whole range (plus the next cached session: the basis check)
    get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir,
               refresh=True)  # fmt: skip
    assert src.calls[-1] == ("600519.SH", T("2022-01-04"), T("2022-01-31"))


def test_truncated_cache_file_is_detected_and_refetched(cache_dir) -> None:  # type: ignore[no-untyped-def]
    src = FakeNetworkSource()
    register_source("akshare", src)
    first = get_prices(
        "600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir
    )
    path = PriceCache(cache_dir).path("akshare", "600519.SH", "close", "qfq")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CacheCorruptError):
        PriceCache(cache_dir).read("akshare", "600519.SH", "close", "qfq")
    assert PriceCache(cache_dir).entries()["status"].tolist().count("corrupt") == 1
    with pytest.warns(EventStudyWarning, match="unreadable"):
        again = get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare",
                           cache_dir=cache_dir)  # fmt: skip
    assert len(src.calls) == 2
    pd.testing.assert_frame_equal(first.data, again.data)
    assert "corrupt cache entry discarded" in again.provenance.loc["600519.SH", "note"]
    assert path.with_suffix(".parquet.corrupt").exists()


def test_corrupt_cache_offline_is_reported(cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("akshare", FakeNetworkSource())
    get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    path = PriceCache(cache_dir).path("akshare", "600519.SH", "close", "qfq")
    path.write_bytes(b"PAR1 not really")
    with pytest.warns(EventStudyWarning), pytest.raises(DataUnavailableError, match="corrupt"):
        get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare",
                   cache_dir=cache_dir, offline=True)  # fmt: skip


def test_manifest_row_count_mismatch_is_corrupt(cache_dir) -> None:  # type: ignore[no-untyped-def]
    import json

    import pyarrow.parquet as pq

    cache = PriceCache(cache_dir)
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))
    cache.write(
        "akshare", "600519.SH", "close", "qfq", s, covered=[(T("2022-01-10"), T("2022-01-11"))]
    )
    path = cache.path("akshare", "600519.SH", "close", "qfq")
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"eventstudy"])
    meta["rows"] = 5
    pq.write_table(table.replace_schema_metadata({b"eventstudy": json.dumps(meta).encode()}), path)
    with pytest.raises(CacheCorruptError, match="manifest says 5"):
        cache.read("akshare", "600519.SH", "close", "qfq")


def test_read_only_cache_dir_still_returns_data(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root ignores permissions: make the folder refuse writes explicitly
        real_mkstemp = __import__("tempfile").mkstemp

        def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
            if str(kwargs.get("dir", "")).startswith(str(ro)):
                raise PermissionError(13, "Permission denied", str(ro))
            return real_mkstemp(*args, **kwargs)

        monkeypatch.setattr("tempfile.mkstemp", refuse)
        monkeypatch.setattr("pathlib.Path.mkdir", lambda self, *a, **k: None)
    try:
        register_source("akshare", FakeNetworkSource())
        with pytest.warns(EventStudyWarning, match="cannot write the cache entry"):
            pf = get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare",
                            cache_dir=ro)  # fmt: skip
        assert pf.data["600519.SH"].notna().sum() == 19
        assert "not cached" in pf.provenance.loc["600519.SH", "note"]
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(stat.S_IRWXU)


def test_read_only_write_raises_cache_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Independent of the user id: os.replace failing is reported as CacheError."""
    cache = PriceCache(tmp_path)

    def boom(src: str, dst: str) -> None:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(os, "replace", boom)
    s = pd.Series([1.0], index=pd.to_datetime(["2022-01-10"]))
    with pytest.raises(CacheError, match="Read-only"):
        cache.write(
            "akshare", "600519.SH", "close", "qfq", s, covered=[(T("2022-01-10"), T("2022-01-10"))]
        )
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []  # the temporary file was removed


def test_crash_mid_write_keeps_the_old_entry(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    cache = PriceCache(tmp_path)
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))
    cov = [(T("2022-01-10"), T("2022-01-11"))]
    cache.write("akshare", "600519.SH", "close", "qfq", s, covered=cov)
    real = pq.write_table

    def crash(table, where, **kw):  # type: ignore[no-untyped-def]
        where.write(b"PAR1partial")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash)
    with pytest.raises(CacheError):
        cache.write("akshare", "600519.SH", "close", "qfq", s * 10, covered=cov)
    monkeypatch.setattr(pq, "write_table", real)
    entry = cache.read("akshare", "600519.SH", "close", "qfq")
    assert entry is not None
    assert entry.values.tolist() == [1.0, 2.0]
    assert [p.name for p in entry.path.parent.iterdir()] == ["600519.SH.parquet"]  # type: ignore[union-attr]


def test_ls_and_clear(cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("akshare", FakeNetworkSource())
    get_prices(["600519.SH", "000858.SZ"], "2022-01-04", "2022-01-31", source="akshare",
               cache_dir=cache_dir)  # fmt: skip
    cache = PriceCache(cache_dir)
    table = cache.entries()
    assert set(table["symbol"]) == {"600519.SH", "000858.SZ"}
    assert len(table) == 12  # 2 symbols x 6 fields
    assert (table["status"] == "ok").all()
    assert cache.clear("000858") == 6
    assert set(cache.entries()["symbol"]) == {"600519.SH"}
    assert cache.clear() == 6
    assert cache.entries().empty


def test_nan_values_are_not_stored_as_rows(cache_dir) -> None:  # type: ignore[no-untyped-def]
    cache = PriceCache(cache_dir)
    s = pd.Series(
        [1.0, np.nan, 3.0], index=pd.to_datetime(["2022-01-10", "2022-01-11", "2022-01-12"])
    )
    cache.write("akshare", "X.US" if False else "NIO", "close", "qfq", s,
                covered=[(T("2022-01-10"), T("2022-01-12"))])  # fmt: skip
    entry = cache.read("akshare", "NIO", "close", "qfq")
    assert entry is not None
    assert entry.values.tolist() == [1.0, 3.0]
    assert entry.missing(T("2022-01-10"), T("2022-01-12")) == []


def test_warning_free_second_read(cache_dir) -> None:  # type: ignore[no-untyped-def]
    register_source("akshare", FakeNetworkSource())
    get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_prices("600519.SH", "2022-01-04", "2022-01-31", source="akshare", cache_dir=cache_dir)


def test_qfq_rebased_history_is_refetched_not_spliced(cache_dir) -> None:  # type: ignore[no-untyped-def]
    """Review finding 2: after an ex-dividend day Eastmoney rescales the whole qfq history;
    appending new values to old cached ones would create a fake return."""
    src = FakeNetworkSource()
    register_source("akshare", src)
    first = get_prices("600519.SH", "2022-01-04", "2022-01-14", source="akshare",
                       cache_dir=cache_dir)  # fmt: skip
    src.factor = 0.95  # a dividend: every forward-adjusted price is now 5% lower
    pf = get_prices("600519.SH", "2022-01-04", "2022-01-28", source="akshare",
                    cache_dir=cache_dir)  # fmt: skip
    s = pf.data["600519.SH"]
    # every value on the new basis: the old ones times 0.95, no -5% jump on 01-17
    assert s.loc[:"2022-01-14"].to_numpy() == pytest.approx(
        first.data["600519.SH"].to_numpy() * 0.95, rel=1e-12
    )
    r = s.pct_change().dropna()
    assert r.abs().max() < 0.01
    assert "adjustment basis" in pf.provenance.loc["600519.SH", "note"]
    # the whole requested + cached range was refetched after the overlap disagreed
    assert src.calls[-1] == ("600519.SH", T("2022-01-04"), T("2022-01-28"))
    # the cache now holds one basis: other fields too, and a later read is consistent
    entry = PriceCache(cache_dir).read("akshare", "600519.SH", "open", "qfq")
    assert entry is not None
    assert entry.values.loc["2022-01-04"] == pytest.approx(first.data.iloc[0, 0] * 0.95)
    again = get_prices("600519.SH", "2022-01-04", "2022-01-28", source="akshare",
                       cache_dir=cache_dir)  # fmt: skip
    pd.testing.assert_frame_equal(again.data, pf.data)


def test_unchanged_basis_is_merged_without_refetch(cache_dir) -> None:  # type: ignore[no-untyped-def]
    src = FakeNetworkSource()
    register_source("akshare", src)
    get_prices("600519.SH", "2022-01-04", "2022-01-14", source="akshare", cache_dir=cache_dir)
    pf = get_prices("600519.SH", "2022-01-04", "2022-01-28", source="akshare",
                    cache_dir=cache_dir)  # fmt: skip
    assert src.calls[1:] == [("600519.SH", T("2022-01-14"), T("2022-01-28"))]
    assert "adjustment basis" not in pf.provenance.loc["600519.SH", "note"]


@pytest.mark.parametrize("bad", ["../x", "..", "/tmp/x", "a/b", "*", "x?", ""])
def test_clear_refuses_a_source_that_is_not_a_name(tmp_path, bad) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 #1: the value went straight into a glob and deleted files outside the cache."""
    from eventstudy.exceptions import CacheError
    from eventstudy.market.cache import PriceCache

    root = tmp_path / "cache"
    victim = tmp_path / "x" / "a" / "b" / "victim.parquet"
    victim.parent.mkdir(parents=True)
    victim.write_text("v")
    (root / "akshare").mkdir(parents=True)
    with pytest.raises(CacheError, match="not a source name"):
        PriceCache(root).clear(source=bad)
    assert victim.exists()
