"""The on-disk price cache: Parquet files with a manifest of covered date ranges.

One entry per ``(source, symbol, field, adjust)``, stored as
``<root>/<source>/<adjust>/<field>/<symbol file name>.parquet`` with two
columns (``date``, ``value``). The entry's manifest lives in the Parquet
file's own key-value metadata (key ``eventstudy``), so data and manifest are
always written together::

    {"version": 1, "source": "akshare", "symbol": "600519.SH", "field": "close",
     "adjust": "qfq", "rows": 243,
     "ranges": [{"start": "2022-01-01", "end": "2022-12-31",
                 "retrieved_at": "2026-11-25T17:01:02+08:00"}],
     "sha256": "<hex digest of the dates and values>"}

A *covered range* is a requested date range that was fetched: a date inside it
without a row is a day the security did not trade (a holiday or a
suspension), not a gap in the cache. A request fetches only the parts of its
range that no covered range contains, and the result is merged into the entry.

* Writes are atomic: a temporary file in the same folder, then ``os.replace``.
* Concurrent processes: a reader opens an entry once and reads it whole from that
  handle, so a writer replacing the file meanwhile cannot make it look corrupt;
  writers of one entry take its lock (:func:`~eventstudy.paths.file_lock`), re-read
  the entry on disk and merge into it, so none loses another's coverage. Temporary
  and lock files left by a killed writer are removed when a cache folder is first
  opened in a process and by :meth:`PriceCache.clear`; listings never show them.
* An entry that cannot be trusted is *corrupt*: :meth:`PriceCache.read` raises
  :class:`CacheCorruptError` with a ``reason``, and ``get_prices`` reports it (a warning
  naming the file), moves the file aside and refetches (offline: the range is reported
  unavailable). Checked on every read: the file parses; the manifest has the fields
  above with their types (``rows`` an integer, each range two ISO dates in order and a
  timestamp); it names the entry's own source, symbol, field and adjustment (a file
  copied from another symbol fails); ``rows`` and the checksum (written since the
  checksum was added; older entries have none) match the data; dates are unique, in
  order, and like the covered ranges lie between :func:`earliest_date` of the symbol
  and tomorrow; values are finite, prices (open, high, low, close) positive, volume and
  amount not negative.
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
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.exceptions import CacheError
from eventstudy.market._clean import PRICE_FIELDS
from eventstudy.paths import (  # re-exported: their home is the base layer
    file_lock,
    remove_stale_files,
    resolve_cache_dir,
    write_parquet_atomic,
)
from eventstudy.symbols import from_filename, parse_symbol, to_filename

__all__ = [
    "CHINA_EARLIEST_DATE",
    "EARLIEST_DATE",
    "CacheCorruptError",
    "CacheEntry",
    "PriceCache",
    "Range",
    "earliest_date",
    "merge_ranges",
    "resolve_cache_dir",
    "subtract_ranges",
    "write_parquet_atomic",
]

_META_KEY = b"eventstudy"
_VERSION = 1
_DAY = pd.Timedelta(days=1)
_SHA256 = re.compile(r"[0-9a-f]{64}")

#: Markets of mainland China (exchanges, CSI indices, Eastmoney boards): no series
#: before the Shenzhen exchange opened on 1990-12-01.
CHINA_EARLIEST_DATE = "1990-12-01"
#: Earliest plausible date of any other series (Yahoo has US indices from the 1920s).
EARLIEST_DATE = "1900-01-01"
_CHINA_MARKETS = frozenset({"SH", "SZ", "BJ", "CSI", "BOARD"})
#: Cache folders swept for stale temporary files in this process (once per folder).
_SWEPT: set[Path] = set()

#: An inclusive date range.
Range = tuple[pd.Timestamp, pd.Timestamp]


class CacheCorruptError(CacheError):
    """A cache file that cannot be trusted (unreadable, truncated, inconsistent).

    Attributes
    ----------
    path
        The file.
    reason
        Why it cannot be trusted (e.g. ``"duplicate dates"``).
    """

    def __init__(self, message: str, *, path: Path, reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason or message


def _corrupt(path: Path, reason: str) -> CacheCorruptError:
    return CacheCorruptError(f"cache file {path} is corrupt: {reason}", path=path, reason=reason)


def earliest_date(symbol: str) -> pd.Timestamp:
    """The earliest date a cache entry of ``symbol`` may hold or claim to cover.

    Examples
    --------
    >>> str(earliest_date("600519.SH").date()), str(earliest_date("^GSPC").date())
    ('1990-12-01', '1900-01-01')
    """
    market = parse_symbol(symbol).market
    return pd.Timestamp(CHINA_EARLIEST_DATE if market in _CHINA_MARKETS else EARLIEST_DATE)


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


#: Marker of an argument not given.
_UNSET: Any = object()


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Asia/Shanghai").floor("s")


class PriceCache:
    """The Parquet price cache in one folder.

    Parameters
    ----------
    root
        The folder (see :func:`resolve_cache_dir`). Created on first write. The first
        time a process opens a folder, files left by killed writers are removed
        (:meth:`remove_stale_files`).

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
        if self.root not in _SWEPT and self.root.is_dir():
            _SWEPT.add(self.root)
            self.remove_stale_files()

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
            If the file exists but cannot be trusted (see the module docstring for
            what is checked); its ``reason`` says why.

        Examples
        --------
        >>> import tempfile
        >>> PriceCache(tempfile.mkdtemp()).read("akshare", "600519.SH", "close", "qfq") is None
        True
        """
        try:
            return self._read_path(self.path(source, symbol, field, adjust))
        except FileNotFoundError:
            return None

    @staticmethod
    def _read_path(path: Path) -> CacheEntry:
        """Read and check one entry file (raises FileNotFoundError if there is none)."""
        table = _read_table(path)
        meta = _parse_manifest(table.schema.metadata or {}, path)
        if table.column_names != ["date", "value"]:
            raise _corrupt(path, f"columns {table.column_names}, expected ['date', 'value']")
        if meta.rows != table.num_rows:
            raise _corrupt(
                path,
                f"{table.num_rows} rows but the manifest says {meta.rows} (truncated or tampered)",
            )
        try:
            dates = table.column("date").to_numpy().astype("datetime64[ns]")
            values = table.column("value").to_numpy(zero_copy_only=False).astype(np.float64)
        except (TypeError, ValueError) as err:
            raise _corrupt(path, f"columns of the wrong type ({err})") from err
        reason = _data_problem(meta, dates, values)
        if reason is not None:
            raise _corrupt(path, reason)
        series = pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name=meta.symbol)
        return CacheEntry(
            source=meta.source,
            symbol=meta.symbol,
            field=meta.field,
            adjust=meta.adjust,
            values=series,
            ranges=meta.ranges,
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
        previous: object = _UNSET,
    ) -> CacheEntry:
        """Merge ``values`` (fetched for the ``covered`` ranges) into the entry, atomically.

        New values replace old ones on the same date and inside the ``covered``
        ranges. Missing values (NaN) are not stored: a date without a row inside a
        covered range is a day without data. The merge happens under the entry's
        lock (:func:`~eventstudy.paths.file_lock`) with the entry on disk, so
        concurrent writers (other processes) never lose each other's coverage.

        Parameters
        ----------
        previous
            Deprecated and ignored: the entry on disk is re-read under the lock.

        Raises
        ------
        CacheError
            If the folder cannot be written (e.g. read-only), another writer holds
            the entry's lock too long, or the values could not be read back (e.g.
            infinite, non-positive prices, dates before :func:`earliest_date`).

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> cache, T = PriceCache(tempfile.mkdtemp()), pd.Timestamp
        >>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))
        >>> e = cache.write("akshare", "NIO", "close", "qfq", s,
        ...                 covered=[(T("2022-01-10"), T("2022-01-11"))])
        >>> e = cache.write("akshare", "NIO", "close", "qfq", s[1:] * 10,
        ...                 covered=[(T("2022-01-11"), T("2022-01-12"))])
        >>> e.values.tolist(), [(str(a.date()), str(b.date())) for a, b in e.covered()]
        ([1.0, 20.0], [('2022-01-10', '2022-01-12')])
        """
        if previous is not _UNSET:
            warnings.warn(
                "PriceCache.write(previous=...) is deprecated and ignored: the entry on disk "
                "is re-read under its lock and merged; drop the argument",
                DeprecationWarning,
                stacklevel=2,
            )
        when = _now() if retrieved_at is None else pd.Timestamp(retrieved_at)
        new = values.dropna().astype(np.float64)  # NaN = no value: not stored as a row
        new.index = pd.DatetimeIndex(new.index).astype("datetime64[ns]")
        path = self.path(source, symbol, field, adjust)
        with file_lock(path, what="cache entry"):
            current = self._current(path)
            merged, ranges = _merge_entry(current, new, covered, when)
            meta = _Manifest(source, symbol, field, adjust, len(merged), ranges, None)
            dates = merged.index.to_numpy(dtype="datetime64[ns]")
            data = merged.to_numpy(dtype=np.float64)
            reason = _data_problem(meta, dates, data)
            if reason is not None:
                raise CacheError(
                    f"refusing to write the cache entry {path}: {reason}; pass finite, "
                    "plausible values (get_prices cleans them before caching)"
                )
            self._atomic_write(path, merged, meta.to_json(_checksum(dates, data)))
        return CacheEntry(source, symbol, field, adjust, merged.rename(symbol), ranges, path)

    def _current(self, path: Path) -> CacheEntry | None:
        """The entry on disk, under its lock: None if there is none (a corrupt one is moved
        aside)."""
        try:
            return self._read_path(path)
        except FileNotFoundError:
            return None
        except CacheCorruptError:
            _move_aside(path)
            return None

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
        """Move a corrupt file aside (``*.corrupt``); returns the new path or None.

        Under the entry's lock the file is checked again: a file another process has
        meanwhile replaced with a valid entry is kept (None is returned).
        """
        try:
            with file_lock(path, what="cache entry"):
                try:
                    self._read_path(path)
                except FileNotFoundError:
                    return None
                except CacheCorruptError:
                    return _move_aside(path)
                return None  # valid now: another writer replaced it
        except CacheError:  # read-only folder: leave the file where it is
            return None

    # -- listing and clearing ------------------------------------------------------------

    def entries(self) -> pd.DataFrame:
        """One row per entry: source, symbol, field, adjust, rows, first, last,
        covered (text), retrieved_at (latest), bytes, status (``ok``/``corrupt``), path,
        reason (why an entry is corrupt; empty if ok).

        Temporary files of writes in progress (or of killed writers) are not entries.

        Examples
        --------
        >>> import tempfile
        >>> PriceCache(tempfile.mkdtemp()).entries().columns.tolist()[:4]
        ['source', 'symbol', 'field', 'adjust']
        """
        rows = []
        for path in self._entry_files("*", "*.parquet"):
            try:
                size = path.stat().st_size
                e = self._read_path(path)
            except FileNotFoundError:  # cleared by another process meanwhile
                continue
            except CacheCorruptError as err:
                rows.append(_corrupt_row(path, size, err.reason))
                continue
            covered = ", ".join(f"{a.date()}..{b.date()}" for a, b in e.covered())
            latest = max((t for _, _, t in e.ranges), default=pd.NaT)
            idx = e.values.index
            first, last = (idx[0], idx[-1]) if len(idx) else (pd.NaT, pd.NaT)
            rows.append(
                [e.source, e.symbol, e.field, e.adjust, len(e.values), first, last,
                 covered, latest, size, "ok", str(path), ""]
            )  # fmt: skip
        return pd.DataFrame(rows, columns=_ENTRY_COLUMNS)

    def _entry_files(self, source: str, name: str) -> list[Path]:
        """Entry files (or ``.corrupt`` files) matching the glob parts; no temporary files."""
        if not self.root.is_dir():
            return []
        found = self.root.glob(f"{source}/*/*/{name}")
        return sorted(p for p in found if not p.name.startswith("."))

    def remove_stale_files(self) -> int:
        """Remove what killed writers left in the entry folders; returns the count.

        Temporary files (``.tmp-*``) no process is writing and older than
        :data:`~eventstudy.paths.STALE_AFTER_SECONDS`, and lock files no process
        holds (see :func:`~eventstudy.paths.remove_stale_files`).

        Examples
        --------
        >>> import tempfile
        >>> PriceCache(tempfile.mkdtemp()).remove_stale_files()
        0
        """
        if not self.root.is_dir():
            return 0
        return sum(remove_stale_files(d) for d in self.root.glob("*/*/*") if d.is_dir())

    def clear(self, symbol: str | None = None, *, source: str | None = None) -> int:
        """Delete entries (all, or one symbol's, optionally of one source); returns the count.

        Each entry is deleted under its lock (never in the middle of a write);
        ``.corrupt`` files moved aside and stale temporary files go too.

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
        stem = f"{to_filename(symbol)}.parquet" if symbol is not None else "*.parquet"
        count = 0
        for path in self._entry_files(source or "*", stem):
            with file_lock(path, what="cache entry"):
                count += _unlink(path)
        for path in self._entry_files(source or "*", stem + ".corrupt"):
            _unlink(path)
        self.remove_stale_files()
        return count


_ENTRY_COLUMNS = [
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
    "reason",
]


def _corrupt_row(path: Path, size: int, reason: str) -> list[Any]:
    """The :meth:`PriceCache.entries` row of a corrupt file (names taken from its path)."""
    source, adjust, field_ = path.parts[-4], path.parts[-3], path.parts[-2]
    try:
        sym = from_filename(path.name).canonical
    except ValueError:
        sym = path.stem
    return [source, sym, field_, adjust, 0, pd.NaT, pd.NaT, "", pd.NaT, size, "corrupt",
            str(path), reason]  # fmt: skip


def _unlink(path: Path) -> int:
    """Delete ``path``: 1 if deleted, 0 if it was already gone."""
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as err:
        raise CacheError(f"cannot delete {path}: {err}") from err
    return 1


def _move_aside(path: Path) -> Path | None:
    """Rename a corrupt file to ``*.corrupt``; None if it cannot be moved."""
    target = path.with_suffix(path.suffix + ".corrupt")
    try:
        os.replace(path, target)
    except OSError:
        return None
    return target


# -- the file, its manifest and its data -------------------------------------------------


def _read_table(path: Path) -> Any:
    """The Parquet table of ``path``, read from ONE open handle.

    ``pq.read_table(path)`` opens the file more than once: a writer replacing it in
    between made a valid entry look torn. The bytes read here all belong to one file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise
    except OSError as err:
        raise _corrupt(path, f"unreadable ({type(err).__name__}: {err})") from err
    try:  # ParquetFile.read: one file, no dataset discovery (several times faster)
        return pq.ParquetFile(pa.BufferReader(data)).read()
    except Exception as err:  # pyarrow raises ArrowInvalid/OSError for torn files
        raise CacheCorruptError(
            f"cache file {path} is unreadable ({type(err).__name__}: {err})",
            path=path,
            reason=f"unreadable ({type(err).__name__})",
        ) from err


@dataclass(frozen=True)
class _Manifest:
    """A checked manifest (see the module docstring)."""

    source: str
    symbol: str
    field: str
    adjust: str
    rows: int
    ranges: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]
    sha256: str | None

    def to_json(self, sha256: str) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "source": self.source,
            "symbol": self.symbol,
            "field": self.field,
            "adjust": self.adjust,
            "rows": self.rows,
            "ranges": [
                {"start": str(a.date()), "end": str(b.date()), "retrieved_at": t.isoformat()}
                for a, b, t in self.ranges
            ],
            "sha256": sha256,
        }


def _parse_manifest(metadata: dict[bytes, bytes], path: Path) -> _Manifest:
    """The manifest of ``path``, checked field by field; CacheCorruptError if it is bad."""
    raw = metadata.get(_META_KEY)
    try:
        meta = json.loads(raw) if raw is not None else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or meta.get("version") != _VERSION:
        raise CacheCorruptError(
            f"cache file {path} has no valid manifest", path=path, reason="no valid manifest"
        )
    text: dict[str, str] = {}
    for key in ("source", "symbol", "field", "adjust"):
        value = meta.get(key)
        if not isinstance(value, str) or not value:
            raise _corrupt(path, f"manifest {key}={value!r} is not a name")
        text[key] = value
    rows = meta.get("rows")
    if type(rows) is not int or rows < 0:
        raise _corrupt(path, f"manifest rows={rows!r} is not a row count")
    sha = meta.get("sha256")
    if sha is not None and not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        raise _corrupt(path, f"manifest sha256={sha!r} is not a SHA-256 hex digest")
    ranges = _parse_ranges(meta.get("ranges"), path)
    manifest = _Manifest(
        text["source"], text["symbol"], text["field"], text["adjust"], rows, ranges, sha
    )
    _check_identity(manifest, path)
    return manifest


def _parse_ranges(
    value: object, path: Path
) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]:
    """The manifest's ``ranges``: a list of {start, end: ISO dates, retrieved_at: timestamp}."""
    if not isinstance(value, list):
        raise _corrupt(path, f"manifest ranges={value!r} is not a list")
    out = []
    for r in value:
        try:
            start = dt.date.fromisoformat(r["start"])
            end = dt.date.fromisoformat(r["end"])
            when = dt.datetime.fromisoformat(r["retrieved_at"])
        except (TypeError, KeyError, ValueError) as err:
            raise _corrupt(
                path, f"manifest range {r!r} is not {{start, end, retrieved_at}} ({err})"
            ) from err
        if start > end:
            raise _corrupt(path, f"manifest range {r!r} ends before it starts")
        out.append((pd.Timestamp(start), pd.Timestamp(end), pd.Timestamp(when)))
    return out


def _check_identity(meta: _Manifest, path: Path) -> None:
    """The manifest must name the entry its path stands for (not a file copied in)."""
    claimed = (meta.source, meta.adjust, meta.field)
    if claimed != (path.parts[-4], path.parts[-3], path.parts[-2]):
        raise _corrupt(
            path, f"manifest names source/adjust/field {'/'.join(claimed)}, not its folder"
        )
    try:
        name = f"{to_filename(meta.symbol)}.parquet"
    except ValueError:
        name = None
    if name != path.name:
        raise _corrupt(path, f"manifest names symbol {meta.symbol!r}, not {path.stem!r}")


def _data_problem(meta: _Manifest, dates: np.ndarray, values: np.ndarray) -> str | None:
    """Why the data of an entry cannot be trusted (None if it can)."""
    lo = np.datetime64(earliest_date(meta.symbol), "ns")
    hi = np.datetime64(today_shanghai() + _DAY, "ns")
    if len(dates):
        if np.isnat(dates).any():
            return "rows without a date"
        steps = np.diff(dates.astype(np.int64))
        if (steps == 0).any():
            return "duplicate dates"
        if (steps < 0).any():
            return "dates out of order"
        if dates[0] < lo or dates[-1] > hi:
            return f"dates {_day(dates[0])}..{_day(dates[-1])} outside {_day(lo)}..{_day(hi)}"
    for a, b, _ in meta.ranges:
        if a < lo or b > hi:
            return f"covered range {a.date()}..{b.date()} outside {_day(lo)}..{_day(hi)}"
    if not np.isfinite(values).all():
        return f"{int((~np.isfinite(values)).sum())} NaN or infinite value(s)"
    floor_ok = values > 0 if meta.field in PRICE_FIELDS else values >= 0
    if not floor_ok.all():
        kind = "non-positive price(s)" if meta.field in PRICE_FIELDS else "negative value(s)"
        return f"{int((~floor_ok).sum())} {kind}"
    if meta.sha256 is not None and meta.sha256 != _checksum(dates, values):
        return "the data does not match the manifest's checksum (values altered)"
    return None


def _day(value: Any) -> str:
    return str(pd.Timestamp(value).date())


def _checksum(dates: np.ndarray, values: np.ndarray) -> str:
    """SHA-256 of the dates (int64 ns) and values (float64), little-endian."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(dates.astype("datetime64[ns]").view(np.int64), "<i8").tobytes())
    h.update(np.ascontiguousarray(values, "<f8").tobytes())
    return h.hexdigest()


def _merge_entry(
    current: CacheEntry | None,
    new: pd.Series,
    covered: Sequence[Range],
    when: pd.Timestamp,
) -> tuple[pd.Series, list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]]:
    """``new`` (fetched for ``covered`` at ``when``) merged into the entry on disk."""
    old_ranges: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = []
    if current is not None:
        keep = current.values[~current.values.index.isin(new.index)]
        # refetched ranges replace what the old entry said about them
        for a, b in covered:
            keep = keep[(keep.index < a) | (keep.index > b)]
        new = pd.concat([keep, new]).sort_index()
        old_ranges = list(current.ranges)
    ranges = _merge_manifest(old_ranges, [(a, b, when) for a, b in covered])
    return new, ranges


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
