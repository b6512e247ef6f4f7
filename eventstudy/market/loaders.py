"""Loaders: how one symbol of a request is served by one source.

==================  ===========================================================
:class:`CachedSource` a network source behind the on-disk cache: read the cache,
                    fetch only the gaps (one provider call per gap for every
                    field), re-base a forward-adjusted history that changed,
                    write every field back
:class:`DirectSource` a source without network (bundled snapshot, local files):
                    read, clean, slice; a board it does not have is served as a
                    proxy built from its members, read from the same source; a
                    :class:`BatchFetching` source (a Parquet warehouse) is read
                    :data:`BATCH_SYMBOLS` symbols per call
:func:`load_board_proxy` a board as a proxy from its members, fetched through a
                    loader within the same request
==================  ===========================================================

The ``auto`` policy (:mod:`eventstudy.market.policy`) chains these.

Examples
--------
>>> import pandas as pd
>>> from eventstudy.market import PriceCache, get_source
>>> from eventstudy.market.request import PriceRequest
>>> from eventstudy.symbols import parse_symbol
>>> req = PriceRequest(pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-11"), ("close", "volume"),
...                    "qfq", offline=True, refresh=False, cache=PriceCache("/tmp/unused"))
>>> got = DirectSource(get_source("bundled")).load(parse_symbol("600519.SH"), req)
>>> got.series["close"].tolist(), got.prov["source"]
([1739.49, 1716.97], 'bundled')
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, PriceField
from eventstudy.calendar import shanghai_sessions
from eventstudy.exceptions import (
    CacheError,
    DataUnavailableError,
    EventStudyError,
    EventStudyWarning,
    ProviderError,
    ProxyWarning,
)
from eventstudy.market._clean import clean_bars
from eventstudy.market.cache import (
    CacheCorruptError,
    CacheEntry,
    Range,
    merge_ranges,
    subtract_ranges,
    today_shanghai,
)
from eventstudy.market.frame import PriceFrame, provenance_row
from eventstudy.market.proxy import (
    PROXY_FIELDS,
    board_members_of,
    proxy_index,
    proxy_note,
    proxy_total,
    total_note,
)
from eventstudy.market.request import (
    Loaded,
    Loader,
    OfflineMiss,
    Prefetching,
    PriceRequest,
    between,
    fmt_ranges,
    join_notes,
    trim,
    user_stacklevel,
)
from eventstudy.symbols import Symbol, parse_symbol

if TYPE_CHECKING:
    from eventstudy.market.sources import PriceSource

__all__ = [
    "BASIS_RTOL",
    "BATCH_SYMBOLS",
    "BatchFetching",
    "CachedSource",
    "CoverageReporting",
    "DirectSource",
    "coverage_gaps",
    "load_board_proxy",
    "loader_for",
    "missing_error",
]

#: Relative tolerance of the adjustment-basis check on overlapping sessions.
BASIS_RTOL = 1e-6
#: The field whose cache entry is the reference of coverage and of the basis check.
REFERENCE_FIELD: PriceField = "close"
#: Symbols a :class:`BatchFetching` source is asked for per call: one warehouse scan each;
#: bounds the rows held at once when a request covers the whole market.
BATCH_SYMBOLS = 1000


def loader_for(source: PriceSource | Loader) -> Loader:
    """The loader of a source: itself if it loads (a policy), else cached or direct.

    Examples
    --------
    >>> from eventstudy.market import get_source
    >>> type(loader_for(get_source("bundled"))).__name__
    'DirectSource'
    """
    if isinstance(source, Loader):
        return source
    return CachedSource(source) if source.network else DirectSource(source)


def _notes_of(bars: pd.DataFrame) -> list[str]:
    notes = bars.attrs.get("notes", [])
    return [str(n) for n in notes] if isinstance(notes, list) else []


def _lacking(
    symbol: Symbol, source: str, fields: tuple[PriceField, ...], has: list[str]
) -> dict[str, str]:
    return {
        f: f"{symbol}: source {source!r} provides no {f!r} (it has {has})"
        for f in fields
        if f not in has
    }


# -- sources without network ----------------------------------------------------------


@runtime_checkable
class CoverageReporting(Protocol):
    """A source that knows which dates it cannot serve (the bundled snapshot)."""

    def coverage_gaps(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> tuple[list[Range], str]:
        """Calendar ranges of ``start..end`` the source lacks for ``symbol``, and why."""
        ...


def coverage_gaps(source: object, symbol: Symbol, req: PriceRequest) -> tuple[list[Range], str]:
    """The sessions of a request a source without network lacks, and why.

    A :class:`CoverageReporting` source says so itself; one with ``last_date``
    lacks what comes after it; any other is taken to cover the request.

    Examples
    --------
    >>> from eventstudy.market import get_source
    >>> from eventstudy.market.cache import PriceCache
    >>> req = PriceRequest(pd.Timestamp("2021-07-01"), pd.Timestamp("2021-08-31"), ("close",),
    ...                    "qfq", offline=True, refresh=False, cache=PriceCache("/tmp/unused"))
    >>> gaps, why = coverage_gaps(get_source("bundled"), parse_symbol("002456.SZ"), req)
    >>> fmt_ranges(gaps)
    '2021-07-01..2021-07-26'
    """
    canon = symbol.canonical
    if isinstance(source, CoverageReporting):
        ranges, why = source.coverage_gaps(canon, req.start, req.end)
    elif callable(getattr(source, "last_date", None)):
        last = pd.Timestamp(source.last_date(canon))  # type: ignore[attr-defined]
        ranges = subtract_ranges(req.start, req.end, [(req.start, last)])
        why = f"the snapshot ends {last.date()}"
    else:
        return [], ""
    return trim(symbol, ranges), why


@runtime_checkable
class BatchFetching(Protocol):
    """A source that reads many symbols in one call (a Parquet warehouse: one scan).

    :class:`DirectSource` asks it for the symbols of a request
    :data:`BATCH_SYMBOLS` at a time instead of calling ``fetch`` once per symbol;
    the results are the same (what ``fetch`` would return for each).

    Examples
    --------
    >>> from eventstudy.market import LocalSource, get_source
    >>> isinstance(LocalSource("/tmp/lake.parquet"), BatchFetching)
    True
    >>> isinstance(get_source("bundled"), BatchFetching)
    False
    """

    def fetch_many(
        self, symbols: Sequence[str], start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> dict[str, pd.DataFrame]:
        """``{canonical symbol: bars}`` of the ``symbols`` it can serve, as ``fetch`` gives them.

        A symbol left out (not held, another adjustment, not batchable) is then
        fetched alone, so ``fetch`` says why it fails.
        """
        ...


@dataclass
class _Batches:
    """The symbols of one request still to be read from a batch-fetching source."""

    req: PriceRequest
    pending: dict[str, None]  # canonical symbols not read yet, in request order
    bars: dict[str, pd.DataFrame] = field(default_factory=dict)  # read, not yet loaded

    def take(self, canon: str, source: BatchFetching) -> pd.DataFrame | None:
        """The bars of ``canon`` (reading its batch first), or None: fetch it alone."""
        if canon not in self.bars and canon in self.pending:
            rest = (s for s in self.pending if s != canon)
            batch = [canon, *islice(rest, BATCH_SYMBOLS - 1)]
            for s in batch:
                del self.pending[s]
            req = self.req
            try:
                got = source.fetch_many(batch, req.start, req.end, adjust=req.adjust)
            except EventStudyError:  # each symbol is fetched alone: its own error, or not
                got = {}
            self.bars.update((s, got[s]) for s in batch if s in got)
        return self.bars.pop(canon, None)


class DirectSource:
    """A source without network (snapshot, files): read, clean, slice; boards by proxy.

    Dates the source says it cannot serve (:func:`coverage_gaps`) are recorded
    as missing in the request (``failures`` or one
    :class:`~eventstudy.exceptions.DataUnavailableError`), never filled.

    A :class:`BatchFetching` source is read in batches once :meth:`prefetch`
    has named the request's symbols (as ``load_panel`` does): one call per
    :data:`BATCH_SYMBOLS` symbols instead of one per symbol, same results.

    Parameters
    ----------
    source
        The source.
    report_gaps
        Record those dates as missing (``False``: the caller handles them, as
        the ``auto`` policy does for its snapshot).
    """

    def __init__(self, source: PriceSource, *, report_gaps: bool = True) -> None:
        self.source = source
        self.report_gaps = report_gaps
        self._batches: list[_Batches] = []

    def prefetch(self, symbols: Sequence[Symbol], req: PriceRequest) -> None:
        """Read ``symbols`` of ``req`` in batches when they are loaded (see :class:`Prefetching`).

        Nothing is read here; a source that is not :class:`BatchFetching` is
        still read one symbol at a time.
        """
        if isinstance(self.source, BatchFetching):
            pending = dict.fromkeys(s.canonical for s in symbols)
            self._batches = [b for b in self._batches if b.pending or b.bars]
            self._batches.append(_Batches(req, pending))

    def _fetch(self, symbol: Symbol, req: PriceRequest) -> pd.DataFrame:
        src = self.source
        for batches in self._batches:
            if batches.req is req and isinstance(src, BatchFetching):
                bars = batches.take(symbol.canonical, src)
                if bars is not None:
                    return bars
        return src.fetch(symbol.canonical, req.start, req.end, adjust=req.adjust)

    def load(self, symbol: Symbol, req: PriceRequest) -> Loaded:
        """Every requested field of ``symbol`` the source has (see :class:`Loader`)."""
        src = self.source
        try:
            raw = self._fetch(symbol, req)
        except DataUnavailableError:
            if symbol.kind == "board":
                why = f"{symbol} is not in source {src.name!r}"
                return load_board_proxy(symbol, req, self, members_source=src.name, why=why)
            raise
        if len(raw):
            bars, notes = clean_bars(raw.reset_index(), symbol=symbol.canonical)
        else:
            bars, notes = raw, []
        has = [str(c) for c in bars.columns]
        lacking = _lacking(symbol, src.name, req.fields, has) if len(raw) else {}
        series: dict[str, pd.Series] = {
            f: bars[f] if len(raw) else pd.Series(dtype=np.float64)
            for f in req.fields
            if f not in lacking
        }
        note = join_notes(*_notes_of(raw), *notes)
        if self.report_gaps and isinstance(src, CoverageReporting):
            gaps, why = coverage_gaps(src, symbol, req)
            if gaps:
                req.state.missing[symbol.canonical] = (gaps, why)
        prov = provenance_row(
            source=src.name,
            adjust=src.served_adjust(symbol.canonical, req.adjust),
            field=req.fields[0],
            note=note,
        )
        return Loaded(series, prov, lacking)


# -- network sources behind the cache -------------------------------------------------


class CachedSource:
    """A network source behind the on-disk cache.

    Owns "read the cache, fetch the gaps, re-base, write": the entries of the
    requested fields are read (plus ``close``, the reference); the parts of the
    range they do not cover are trimmed to sessions and fetched - one provider
    call per gap, giving every field - each fetch overlapping the cache by a
    session; if the overlap disagrees (a forward-adjusted history rescaled after
    an ex-dividend day) the whole cached + requested range is refetched once;
    every field fetched is written back (``close`` last).

    Coverage: a field without an entry while ``close`` has one is a field the
    source does not provide (e.g. Yahoo has no ``amount``), not a gap.

    Offline (``req.offline``), gaps raise :class:`OfflineMiss` with the cached
    part; a source that failed at connection level earlier in the request is
    not called again (``req.state``).
    """

    def __init__(self, source: PriceSource) -> None:
        self.source = source

    def _read(
        self, req: PriceRequest, symbol: str, fld: str, adjust: str, notes: list[str]
    ) -> CacheEntry | _Corrupt | None:
        try:
            return req.cache.read(self.source.name, symbol, fld, adjust)
        except CacheCorruptError as err:
            moved = req.cache.quarantine(err.path)
            msg = f"{err}; moved aside to {moved}" if moved else str(err)
            warnings.warn(
                f"{msg}; the range will be refetched",
                EventStudyWarning,
                stacklevel=user_stacklevel(),
            )
            notes.append("corrupt cache entry discarded")
            return _CORRUPT

    def _entries(
        self, symbol: str, req: PriceRequest, adjust: str, notes: list[str]
    ) -> dict[str, CacheEntry | _Corrupt | None]:
        wanted = dict.fromkeys([*req.fields, REFERENCE_FIELD])
        return {f: self._read(req, symbol, f, adjust, notes) for f in wanted}

    @staticmethod
    def _gaps(entries: dict[str, CacheEntry | _Corrupt | None], req: PriceRequest) -> list[Range]:
        ref = entries[REFERENCE_FIELD]
        whole = [(req.start, req.end)]
        if req.refresh or not isinstance(ref, CacheEntry):
            return whole
        gaps: list[Range] = []
        for f in req.fields:
            e = entries[f]
            if isinstance(e, _Corrupt):
                return whole
            if isinstance(e, CacheEntry):
                gaps.extend(e.missing(req.start, req.end))
        gaps.extend(ref.missing(req.start, req.end))
        return merge_ranges(gaps)

    def load(self, symbol: Symbol, req: PriceRequest) -> Loaded:
        """Every requested field of ``symbol`` the source has (see :class:`Loader`)."""
        src, canon = self.source, symbol.canonical
        adjust = src.served_adjust(canon, req.adjust)
        notes: list[str] = []
        raw = self._entries(canon, req, adjust, notes)
        entries = {f: (e if isinstance(e, CacheEntry) else None) for f, e in raw.items()}
        # fetch each gap trimmed to sessions; record the whole gap (to yesterday) as covered
        plan = [(gap, t) for gap in self._gaps(raw, req) for t in trim(symbol, [gap])]
        if plan and req.offline:
            raise self._offline(symbol, req, entries, adjust, notes, [t for _, t in plan])
        if plan:
            req.state.check_up(src.name, canon)
        retrieved = self._fetch_all(symbol, req, entries, adjust, notes, plan)
        return self._assemble(symbol, req, entries, adjust, notes, retrieved)

    def _offline(
        self,
        symbol: Symbol,
        req: PriceRequest,
        entries: dict[str, CacheEntry | None],
        adjust: str,
        notes: list[str],
        wanted: list[Range],
    ) -> OfflineMiss:
        why = "offline" + ("; cached entry was corrupt" if notes else "")
        partial = None
        if any(e is not None for e in entries.values()):
            got = self._assemble(symbol, req, entries, adjust, notes, None)
            if got.has_values:
                got.add_note(f"offline: cache lacks {fmt_ranges(wanted)}")
                partial = got
        return OfflineMiss(wanted, why, partial)

    def _fetch_all(
        self,
        symbol: Symbol,
        req: PriceRequest,
        entries: dict[str, CacheEntry | None],
        adjust: str,
        notes: list[str],
        plan: list[tuple[Range, Range]],
    ) -> pd.Timestamp | None:
        """Fetch the planned gaps (re-basing once if needed); update ``entries``."""
        retrieved = None
        rebased = False
        todo = list(plan)
        while todo:
            gap, (a, b) = todo.pop(0)
            bars = self._fetch(symbol, req, entries[REFERENCE_FIELD], a, b, notes)
            ref = entries[REFERENCE_FIELD]
            if not rebased and ref is not None and _basis_changed(ref, bars, REFERENCE_FIELD):
                # e.g. an ex-dividend day since the cache was filled: Eastmoney rescaled the
                # whole forward-adjusted history. Refetch everything cached + requested.
                rebased = True
                lo = min([req.start, *(x for x, _ in ref.covered())])
                hi = max([req.end, *(y for _, y in ref.covered())])
                todo = [((lo, hi), t) for t in trim(symbol, [(lo, hi)])]
                notes.append(
                    f"cached {adjust} prices were on an older adjustment basis (the overlap with "
                    f"the new fetch differed; e.g. an ex-dividend day since): refetched "
                    f"{lo.date()}..{hi.date()}"
                )
                continue
            retrieved = pd.Timestamp.now(tz="Asia/Shanghai").floor("s")
            covered = (gap[0], min(gap[1], today_shanghai() - pd.Timedelta(days=1)))
            write = _Write(bars, covered, (a, b), retrieved)
            self._write(symbol.canonical, req, entries, adjust, notes, write)
        return retrieved

    def _fetch(
        self,
        symbol: Symbol,
        req: PriceRequest,
        ref: CacheEntry | None,
        a: pd.Timestamp,
        b: pd.Timestamp,
        notes: list[str],
    ) -> pd.DataFrame:
        fa, fb = _overlap(ref, a, b)
        try:
            raw = self.source.fetch(symbol.canonical, fa, fb, adjust=req.adjust)
        except ProviderError as err:
            req.state.mark_down(self.source.name, err)  # connection-level: not for other symbols
            raise
        bars, clean_notes = clean_bars(raw.reset_index(), symbol=symbol.canonical)
        notes.extend([*_notes_of(raw), *clean_notes])
        return bars

    def _write(
        self,
        symbol: str,
        req: PriceRequest,
        entries: dict[str, CacheEntry | None],
        adjust: str,
        notes: list[str],
        write: _Write,
    ) -> None:
        """Write every fetched field (the reference last: it vouches for the others)."""
        bars = write.bars
        fields = [f for f in bars.columns if f != REFERENCE_FIELD]
        fields += [REFERENCE_FIELD] if REFERENCE_FIELD in bars.columns else []
        name = self.source.name
        for fld in fields:
            prev = entries.get(fld)  # for the in-memory fallback only
            try:
                written = req.cache.write(  # merged with the entry on disk, under its lock
                    name, symbol, fld, adjust, bars[fld], covered=[write.covered],
                    retrieved_at=write.retrieved,
                )  # fmt: skip
            except CacheError as err:
                warnings.warn(
                    f"{err}; continuing without caching",
                    EventStudyWarning,
                    stacklevel=user_stacklevel(),
                )
                notes.append("not cached (cache not writable)")
                written = _in_memory(prev, bars[fld], symbol, fld, adjust, name, *write.fetched)
            if fld in entries:
                entries[fld] = written

    def _assemble(
        self,
        symbol: Symbol,
        req: PriceRequest,
        entries: dict[str, CacheEntry | None],
        adjust: str,
        notes: list[str],
        retrieved: pd.Timestamp | None,
    ) -> Loaded:
        ref = entries[REFERENCE_FIELD]
        series: dict[str, pd.Series] = {}
        lacking: dict[str, str] = {}
        has = [f for f, e in entries.items() if e is not None]
        for f in req.fields:
            e = entries[f]
            if e is not None:
                series[f] = between(e.values, req.start, req.end)
            elif ref is None:  # nothing wanted and nothing cached: a range without sessions
                series[f] = pd.Series(dtype=np.float64)
            else:
                lacking.update(_lacking(symbol, self.source.name, (f,), has))
        first = next((e for e in entries.values() if e is not None), None)
        when = first.retrieved_at(req.start, req.end) if first is not None else None
        when = retrieved if when is None or pd.isna(when) else when
        prov = provenance_row(
            source=self.source.name,
            adjust=adjust,
            field=req.fields[0],
            retrieved_at=when,
            note=join_notes(*notes),
        )
        return Loaded(series, prov, lacking)


@dataclass(frozen=True)
class _Write:
    """One fetch to merge into the cache: the bars, the range they cover, the range fetched."""

    bars: pd.DataFrame
    covered: Range
    fetched: Range
    retrieved: pd.Timestamp


class _Corrupt:
    """Marker: the cache entry was corrupt (moved aside); its range must be refetched."""


_CORRUPT = _Corrupt()


def _overlap(
    ref: CacheEntry | None, a: pd.Timestamp, b: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``a..b`` widened to the cached sessions just before and after it (if any), so
    that each incremental fetch overlaps the cache by at least one session."""
    if ref is None or len(ref.values) == 0:
        return a, b
    ix = np.asarray(ref.values.index, dtype="datetime64[ns]")
    before = ix[ix < np.datetime64(a, "ns")]
    after = ix[ix > np.datetime64(b, "ns")]
    fa = pd.Timestamp(before.max()) if len(before) else a
    fb = pd.Timestamp(after.min()) if len(after) else b
    return fa, fb


def _basis_changed(ref: CacheEntry, bars: pd.DataFrame, fld: str) -> bool:
    """Whether fetched values disagree with cached ones on common dates."""
    if fld not in bars.columns or len(ref.values) == 0:
        return False
    new = bars[fld].dropna()
    old = ref.values[~ref.values.index.duplicated(keep="last")]
    common = new.index.intersection(old.index)
    if len(common) == 0:
        return False
    x = new.loc[common].to_numpy(dtype=np.float64)
    y = old.loc[common].to_numpy(dtype=np.float64)
    return not bool(np.allclose(x, y, rtol=BASIS_RTOL, atol=0.0))


def _in_memory(
    prev: CacheEntry | None,
    values: pd.Series,
    symbol: str,
    fld: str,
    adjust: str,
    source: str,
    a: pd.Timestamp,
    b: pd.Timestamp,
) -> CacheEntry:
    new = values.dropna()
    if prev is not None:
        old = prev.values[(prev.values.index < a) | (prev.values.index > b)]
        new = pd.concat([old, new]).sort_index()
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    ranges = [*(prev.ranges if prev is not None else []), (a, b, now)]
    return CacheEntry(source, symbol, fld, adjust, new, ranges)


# -- board proxies ------------------------------------------------------------------------


#: What to do about dates a network source (or its cache) could not serve.
_ONLINE_ADVICE = (
    "Go online (offline=False) once to cache them, or use your own files (source='local')"
)
#: What to do about dates your own warehouse (:class:`~eventstudy.market.local.LocalSource`)
#: lacks: its ``coverage_gaps`` reasons name "the warehouse".
_WAREHOUSE_ADVICE = (
    "Add the missing rows to your warehouse, or use a network source (source='auto' or "
    "'akshare') for them"
)


def missing_error(missing: dict[str, tuple[list[Range], str]]) -> DataUnavailableError:
    """The one error naming every symbol and date range a request could not serve.

    The advice depends on where the gaps are: your own warehouse (add the rows) or a
    network source and its cache (go online once).

    Examples
    --------
    >>> T = pd.Timestamp
    >>> gap = [(T("2022-04-01"), T("2022-06-30"))]
    >>> print(missing_error({"600519.SH": (gap, "the warehouse w.parquet: the series ends "
    ...                                         "on 2022-03-31")}))  # doctest: +ELLIPSIS
    data unavailable ... Add the missing rows to your warehouse, or use a network source ...
    >>> "Go online" in str(missing_error({"600519.SH": (gap, "offline; not cached")}))
    True
    """
    detail = "; ".join(f"{s}: {fmt_ranges(r)} ({why})" for s, (r, why) in missing.items())
    local = ["the warehouse " in why for _, why in missing.values()]
    advice = [_WAREHOUSE_ADVICE] if any(local) else []
    if not all(local):
        advice.append(_ONLINE_ADVICE if not advice else f"for the others: {_ONLINE_ADVICE}")
    return DataUnavailableError(
        f"data unavailable for {len(missing)} symbol(s): {detail}. " + "; ".join(advice),
        missing={s: r for s, (r, _) in missing.items()},
    )


def _member_frame(loaded: dict[str, Loaded], fld: PriceField, req: PriceRequest) -> pd.DataFrame:
    """Members' values of one field on the union of their dates and the range's sessions."""
    sessions = shanghai_sessions(req.start, min(req.end, today_shanghai()))
    series = {m: ld.series.get(fld, pd.Series(dtype=np.float64)) for m, ld in loaded.items()}
    frame = PriceFrame.from_series(series, field=fld, source="members", adjust="", index=sessions)
    return frame.data.loc[req.start : req.end]


def load_board_proxy(
    board: Symbol, req: PriceRequest, members: Loader, *, members_source: str, why: str
) -> Loaded:
    """A board served as an equal-weighted proxy of its members (the master's membership).

    The members are loaded through ``members`` within the same request (a
    source down stays down); any member that cannot be served in full fails
    the proxy. ``close`` is the proxy index, ``volume``/``amount`` the sums
    over members; ``open``/``high``/``low`` are lacking. Warns
    :class:`~eventstudy.exceptions.ProxyWarning`.
    """
    code = board.canonical
    syms, membership = board_members_of(code, as_of=req.start)
    wanted = [f for f in req.fields if f in PROXY_FIELDS]
    lacking: dict[str, str] = {
        f: f"{code}: a board proxy has close, volume and amount only, not {f!r}; "
        "fetch the real board series with source='akshare'"
        for f in req.fields
        if f not in PROXY_FIELDS
    }
    if not wanted:  # nothing a proxy can give: no member is loaded, nothing is claimed
        prov = provenance_row(
            source=f"proxy({members_source})", adjust=req.adjust, field=req.fields[0],
            proxy_members=len(syms), proxy_of=code, note=why,
        )  # fmt: skip
        return Loaded({}, prov, lacking)
    sub = req.for_members(["close", *wanted])
    parsed = [parse_symbol(m) for m in syms]
    if isinstance(members, Prefetching):
        members.prefetch(parsed, sub)
    loaded = {m: members.load(sym, sub) for m, sym in zip(syms, parsed, strict=True)}
    if sub.state.missing:
        raise missing_error(sub.state.missing)
    closes = _member_frame(loaded, "close", sub)
    series: dict[str, pd.Series] = {}
    notes: dict[str, str] = {}
    if "close" in req.fields:
        level, how = proxy_index(closes)
        series["close"] = level
        first = pd.Timestamp(closes.index[0]) if len(closes) else None
        notes["close"] = proxy_note(code, how, syms, membership, base=1000.0, first=first)
    for fld in (f for f in wanted if f != "close"):
        series[fld] = proxy_total(_member_frame(loaded, fld, sub))
        notes[fld] = total_note(code, fld, syms, membership)
    stamps = [ld.prov["retrieved_at"] for ld in loaded.values()]
    stamps = [t for t in stamps if not pd.isna(t)]
    warnings.warn(
        f"{code}: {join_notes(why, *notes.values())}", ProxyWarning, stacklevel=user_stacklevel()
    )
    prov = provenance_row(
        source=f"proxy({members_source})",
        adjust=",".join(sorted({str(ld.prov["adjust"]) for ld in loaded.values()})),
        field=req.fields[0],
        retrieved_at=min(stamps) if stamps else None,
        proxy_members=len(syms),
        proxy_of=code,
        note=why,
    )
    return Loaded(series, prov, lacking, notes)
