"""The on-disk price cache: Parquet files with a manifest of covered date ranges.

One entry per ``(source, symbol, field, adjust)``, stored as
``<root>/<source>/<adjust>/<field>/<symbol file name>.parquet`` with two
columns (``date``, ``value``). The entry's manifest lives in the Parquet
file's own key-value metadata (key ``eventstudy``), so data and manifest are
always written together::

    {"version": 1, "source": "akshare", "symbol": "600519.SH", "field": "close",
     "adjust": "qfq", "rows": 243,
     "ranges": [{"start": "2022-01-01", "end": "2022-12-31",
                 "retrieved_at": "2026-11-25T17:01:02+08:00"}]}

A *covered range* is a requested date range that was fetched: a date inside it
without a row is a day the security did not trade (a holiday or a
suspension), not a gap in the cache. A request fetches only the parts of its
range that no covered range contains, and the result is merged into the entry.

* Writes are atomic: a temporary file in the same folder, then ``os.replace``.
* A file that cannot be read, lacks the manifest, or whose row count disagrees
  with it is *corrupt*: :meth:`PriceCache.read` raises :class:`CacheCorruptError`
  and ``get_prices`` reports it, moves the file aside and refetches.
* Location: the ``cache_dir`` argument, else ``$EVENTSTUDY_CACHE``, else the
  user cache folder of ``platformdirs`` (``~/.cache/eventstudy`` on Linux).

Examples
--------
>>> import pandas as pd, tempfile
>>> cache = PriceCache(tempfile.mkdtemp())
>>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))
>>> _ = cache.write("akshare", "600519.SH", "close", "qfq", s,
...             covered=[(pd.Timestamp("2022-01-08"), pd.Timestamp("2022-01-11"))])
>>> entry = cache.read("akshare", "600519.SH", "close", "qfq")
>>> entry.values.tolist(), entry.missing(pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-11"))
([1.0, 2.0], [(Timestamp('2022-01-01 00:00:00'), Timestamp('2022-01-07 00:00:00'))])
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.exceptions import CacheError
from eventstudy.paths import (  # re-exported: their home is the base layer
    resolve_cache_dir,
    write_parquet_atomic,
)
from eventstudy.symbols import from_filename, to_filename

__all__ = [
    "CacheCorruptError",
    "CacheEntry",
    "PriceCache",
    "Range",
    "merge_ranges",
    "resolve_cache_dir",
    "subtract_ranges",
    "write_parquet_atomic",
]

_META_KEY = b"eventstudy"
_VERSION = 1
_DAY = pd.Timedelta(days=1)

#: An inclusive date range.
Range = tuple[pd.Timestamp, pd.Timestamp]


class CacheCorruptError(CacheError):
    """A cache file that cannot be trusted (unreadable, truncated, inconsistent)."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


def merge_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Union of inclusive date ranges, sorted, adjacent ranges joined.

    Examples
    --------
    >>> T = pd.Timestamp
    >>> merge_ranges([(T("2022-01-05"), T("2022-01-09")), (T("2022-01-01"), T("2022-01-04"))])
    [(Timestamp('2022-01-01 00:00:00'), Timestamp('2022-01-09 00:00:00'))]
    """
    out: list[Range] = []
    for a, b in sorted((pd.Timestamp(a), pd.Timestamp(b)) for a, b in ranges):
        if a > b:
            continue
        if out and a <= out[-1][1] + _DAY:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def subtract_ranges(
    start: pd.Timestamp, end: pd.Timestamp, covered: Iterable[Range]
) -> list[Range]:
    """Parts of ``start..end`` (inclusive) that no covered range contains.

    Examples
    --------
    >>> T = pd.Timestamp
    >>> covered = [(T("2022-01-10"), T("2022-01-20"))]
    >>> gaps = subtract_ranges(T("2022-01-01"), T("2022-01-31"), covered)
    >>> [(str(a.date()), str(b.date())) for a, b in gaps]
    [('2022-01-01', '2022-01-09'), ('2022-01-21', '2022-01-31')]
    """
    gaps: list[Range] = []
    cur = pd.Timestamp(start)
    end = pd.Timestamp(end)
    for a, b in merge_ranges(covered):
        if b < cur:
            continue
        if a > end:
            break
        if a > cur:
            gaps.append((cur, min(a - _DAY, end)))
        cur = max(cur, b + _DAY)
        if cur > end:
            break
    if cur <= end:
        gaps.append((cur, end))
    return gaps


@dataclass(frozen=True)
class CacheEntry:
    """One cache entry: the values and the manifest.

    Attributes
    ----------
    values
        float64 Series indexed by date (only dates with a row).
    ranges
        Covered ranges with their retrieval times: ``[(start, end, retrieved_at)]``.
    path
        The file.
    """

    source: str
    symbol: str
    field: str
    adjust: str
    values: pd.Series
    ranges: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = dc_field(default_factory=list)
    path: Path | None = None

    def covered(self) -> list[Range]:
        """The covered ranges, merged."""
        return merge_ranges((a, b) for a, b, _ in self.ranges)

    def missing(self, start: pd.Timestamp, end: pd.Timestamp) -> list[Range]:
        """Parts of ``start..end`` not covered."""
        return subtract_ranges(start, end, self.covered())

    def retrieved_at(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp:
        """Earliest retrieval time of the ranges overlapping ``start..end`` (NaT if none)."""
        times = [t for a, b, t in self.ranges if a <= end and b >= start]
        return min(times) if times else pd.Timestamp("NaT")


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Asia/Shanghai").floor("s")


class PriceCache:
    """The Parquet price cache in one folder.

    Parameters
    ----------
    root
        The folder (see :func:`resolve_cache_dir`). Created on first write.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> cache = PriceCache(tempfile.mkdtemp())
    >>> s = pd.Series([1739.49], index=pd.to_datetime(["2022-01-10"]))
    >>> _ = cache.write("akshare", "600519.SH", "close", "qfq", s,
    ...                 covered=[(pd.Timestamp("2022-01-08"), pd.Timestamp("2022-01-10"))])
    >>> cache.entries()[["symbol", "rows", "covered", "status"]]
          symbol  rows                 covered status
    0  600519.SH     1  2022-01-08..2022-01-10     ok
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = resolve_cache_dir(root)

    def __repr__(self) -> str:
        return f"PriceCache({str(self.root)!r})"

    def path(self, source: str, symbol: str, field: str, adjust: str) -> Path:
        """The file of one entry.

        Examples
        --------
        >>> PriceCache("/tmp/c").path("akshare", "^GSPC", "close", "qfq").as_posix()
        '/tmp/c/akshare/qfq/close/%5EGSPC.parquet'
        """
        return self.root / source / adjust / field / f"{to_filename(symbol)}.parquet"

    # -- reading ---------------------------------------------------------------------

    def read(self, source: str, symbol: str, field: str, adjust: str) -> CacheEntry | None:
        """The entry, or None if there is none.

        Raises
        ------
        CacheCorruptError
            If the file exists but cannot be trusted.

        Examples
        --------
        >>> import tempfile
        >>> PriceCache(tempfile.mkdtemp()).read("akshare", "600519.SH", "close", "qfq") is None
        True
        """
        path = self.path(source, symbol, field, adjust)
        if not path.is_file():
            return None
        return self._read_path(path)

    @staticmethod
    def _read_path(path: Path) -> CacheEntry:
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as err:  # pyarrow raises ArrowInvalid/OSError for torn files
            raise CacheCorruptError(
                f"cache file {path} is unreadable ({type(err).__name__}: {err})", path=path
            ) from err
        meta_raw = (table.schema.metadata or {}).get(_META_KEY)
        try:
            meta = json.loads(meta_raw) if meta_raw is not None else None
        except ValueError:
            meta = None
        if not isinstance(meta, dict) or meta.get("version") != _VERSION:
            raise CacheCorruptError(f"cache file {path} has no valid manifest", path=path)
        if int(meta.get("rows", -1)) != table.num_rows or table.column_names != ["date", "value"]:
            raise CacheCorruptError(
                f"cache file {path}: {table.num_rows} rows but the manifest says "
                f"{meta.get('rows')} (truncated or tampered)",
                path=path,
            )
        dates = table.column("date").to_numpy().astype("datetime64[ns]")
        values = table.column("value").to_numpy(zero_copy_only=False).astype(np.float64)
        series = pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name=meta["symbol"])
        ranges = [
            (pd.Timestamp(r["start"]), pd.Timestamp(r["end"]), pd.Timestamp(r["retrieved_at"]))
            for r in meta["ranges"]
        ]
        return CacheEntry(
            source=meta["source"],
            symbol=meta["symbol"],
            field=meta["field"],
            adjust=meta["adjust"],
            values=series,
            ranges=ranges,
            path=path,
        )

    # -- writing ---------------------------------------------------------------------

    def write(
        self,
        source: str,
        symbol: str,
        field: str,
        adjust: str,
        values: pd.Series,
        *,
        covered: Sequence[Range],
        retrieved_at: pd.Timestamp | None = None,
        previous: CacheEntry | None = None,
    ) -> CacheEntry:
        """Merge ``values`` (fetched for the ``covered`` ranges) into the entry, atomically.

        New values replace old ones on the same date. Missing values (NaN) are
        not stored: a date without a row inside a covered range is a day
        without data.

        Raises
        ------
        CacheError
            If the folder cannot be written (e.g. read-only).

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> cache, T = PriceCache(tempfile.mkdtemp()), pd.Timestamp
        >>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))
        >>> e = cache.write("akshare", "NIO", "close", "qfq", s,
        ...                 covered=[(T("2022-01-10"), T("2022-01-11"))])
        >>> e = cache.write("akshare", "NIO", "close", "qfq", s[1:] * 10,
        ...                 covered=[(T("2022-01-11"), T("2022-01-12"))], previous=e)
        >>> e.values.tolist(), [(str(a.date()), str(b.date())) for a, b in e.covered()]
        ([1.0, 20.0], [('2022-01-10', '2022-01-12')])
        """
        when = _now() if retrieved_at is None else pd.Timestamp(retrieved_at)
        new = values.dropna().astype(np.float64)  # NaN = no value: not stored as a row
        new.index = pd.DatetimeIndex(new.index).astype("datetime64[ns]")
        old_ranges: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = []
        if previous is not None:
            old = previous.values
            keep = old[~old.index.isin(new.index)]
            # refetched ranges replace what the old entry said about them
            for a, b in covered:
                keep = keep[(keep.index < a) | (keep.index > b)]
            new = pd.concat([keep, new]).sort_index()
            old_ranges = list(previous.ranges)
        ranges = _merge_manifest(old_ranges, [(a, b, when) for a, b in covered])
        meta = {
            "version": _VERSION,
            "source": source,
            "symbol": symbol,
            "field": field,
            "adjust": adjust,
            "rows": len(new),
            "ranges": [
                {"start": str(a.date()), "end": str(b.date()), "retrieved_at": t.isoformat()}
                for a, b, t in ranges
            ],
        }
        path = self.path(source, symbol, field, adjust)
        self._atomic_write(path, new, meta)
        return CacheEntry(source, symbol, field, adjust, new.rename(symbol), ranges, path)

    @staticmethod
    def _atomic_write(path: Path, values: pd.Series, meta: dict[str, Any]) -> None:
        import pyarrow as pa

        table = pa.table(
            {
                "date": pa.array(values.index.to_numpy(dtype="datetime64[ns]")),
                "value": pa.array(values.to_numpy(dtype=np.float64)),
            }
        ).replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
        write_parquet_atomic(path, table, what="cache entry")

    def quarantine(self, path: Path) -> Path | None:
        """Move a corrupt file aside (``*.corrupt``); returns the new path or None."""
        target = path.with_suffix(path.suffix + ".corrupt")
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target

    # -- listing and clearing ------------------------------------------------------------

    def entries(self) -> pd.DataFrame:
        """One row per entry: source, symbol, field, adjust, rows, first, last,
        covered (text), retrieved_at (latest), bytes, status (``ok``/``corrupt``), path.

        Examples
        --------
        >>> import tempfile
        >>> PriceCache(tempfile.mkdtemp()).entries().columns.tolist()[:4]
        ['source', 'symbol', 'field', 'adjust']
        """
        cols = [
            "source",
            "symbol",
            "field",
            "adjust",
            "rows",
            "first",
            "last",
            "covered",
            "retrieved_at",
            "bytes",
            "status",
            "path",
        ]
        rows = []
        if self.root.is_dir():
            for path in sorted(self.root.glob("*/*/*/*.parquet")):
                try:
                    e = self._read_path(path)
                except CacheCorruptError:
                    source, adjust, field_ = path.parts[-4], path.parts[-3], path.parts[-2]
                    try:
                        sym = from_filename(path.name).canonical
                    except ValueError:
                        sym = path.stem
                    rows.append(
                        [
                            source,
                            sym,
                            field_,
                            adjust,
                            0,
                            pd.NaT,
                            pd.NaT,
                            "",
                            pd.NaT,
                            path.stat().st_size,
                            "corrupt",
                            str(path),
                        ]
                    )
                    continue
                covered = ", ".join(f"{a.date()}..{b.date()}" for a, b in e.covered())
                latest = max((t for _, _, t in e.ranges), default=pd.NaT)
                idx = e.values.index
                rows.append(
                    [
                        e.source,
                        e.symbol,
                        e.field,
                        e.adjust,
                        len(e.values),
                        idx[0] if len(idx) else pd.NaT,
                        idx[-1] if len(idx) else pd.NaT,
                        covered,
                        latest,
                        path.stat().st_size,
                        "ok",
                        str(path),
                    ]
                )
        return pd.DataFrame(rows, columns=cols)

    def clear(self, symbol: str | None = None, *, source: str | None = None) -> int:
        """Delete entries (all, or one symbol's, optionally of one source); returns the count.

        Raises
        ------
        CacheError
            If a file cannot be deleted, or ``source`` is not a plain source name (a
            path such as ``../x`` or ``/tmp/x`` is refused: nothing outside the cache
            folder is ever deleted).

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> cache = PriceCache(tempfile.mkdtemp())
        >>> s = pd.Series([1.0], index=pd.to_datetime(["2022-01-10"]))
        >>> for f in ("close", "volume"):
        ...     _ = cache.write("akshare", "NIO", f, "qfq", s,
        ...                     covered=[(pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-10"))])
        >>> cache.clear("NIO"), cache.clear()
        (2, 0)
        """
        if source is not None and not _is_plain_name(source):
            raise CacheError(
                f"source={source!r} is not a source name (letters, digits, '_', '-', '.'): "
                "pass a name such as 'akshare' or 'yfinance' (eventstudy cache ls lists them)"
            )
        if not self.root.is_dir():
            return 0
        pattern_source = source or "*"
        stem = f"{to_filename(symbol)}.parquet" if symbol is not None else "*.parquet"
        count = 0
        for pattern in (stem, stem + ".corrupt"):
            for path in self.root.glob(f"{pattern_source}/*/*/{pattern}"):
                try:
                    path.unlink()
                except OSError as err:
                    raise CacheError(f"cannot delete {path}: {err}") from err
                count += 1 if not path.name.endswith(".corrupt") else 0
        return count


def _is_plain_name(name: str) -> bool:
    """A single path component of safe characters (no separators, no '..', no glob)."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
    return bool(name) and name not in (".", "..") and set(name) <= allowed and ".." not in name


def _merge_manifest(
    old: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]],
    new: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]],
) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]:
    """New ranges win over the old ones they overlap; what remains of the old is kept."""
    out: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = []
    new_cov = merge_ranges((a, b) for a, b, _ in new)
    for a, b, t in old:
        for ra, rb in subtract_ranges(a, b, new_cov):
            out.append((ra, rb, t))
    out.extend((a, b, t) for a, b, t in new if a <= b)
    out.sort(key=lambda r: r[0])
    return out


def today_shanghai() -> pd.Timestamp:
    """Today's date in Asia/Shanghai, naive."""
    return (
        pd.Timestamp(dt.datetime.now(tz=dt.UTC))
        .tz_convert("Asia/Shanghai")
        .normalize()
        .tz_localize(None)
    )
