"""``get_prices``: a clean, aligned panel of one field from a named source.

Routing of ``source="auto"``
----------------------------
====================================  =========================================
symbol                                network source
====================================  =========================================
A-share stock, Chinese index, board   ``akshare`` (Eastmoney)
anything else (``^GSPC``, ``NIO``)    ``yfinance``
====================================  =========================================

The cache is consulted first and only the missing date ranges are fetched
(each fetch overlaps the cache by one session; if the overlap disagrees - a
forward-adjusted history rescaled after an ex-dividend day - the whole
cached + requested range is refetched and ``provenance.note`` says so).
When the network fails, or ``offline=True``, ``auto`` falls back - and says
so with :class:`~eventstudy.exceptions.OfflineFallbackWarning` and in
``provenance.note`` - to the cached values, with the gaps filled from the
bundled snapshot where it has them and is on the same adjustment basis, else
the bundled snapshot, else (boards) a proxy built from the bundled members
(:class:`~eventstudy.exceptions.ProxyWarning`, ``is_proxy=True``). Whatever
is still missing is raised at the end in one
:class:`~eventstudy.exceptions.DataUnavailableError` naming every symbol and
date range (with ``errors="collect"``: listed in ``PriceFrame.failures``,
``partial`` when some dates were served).

``offline=None`` reads the ``EVENTSTUDY_OFFLINE`` environment variable
(``1``/``true``/``yes`` = offline), else means online.

Examples
--------
>>> pf = get_prices(["600519.SH", "000300.SH"], "2022-01-10", "2022-01-11", source="bundled")
>>> pf.data
            600519.SH  000300.SH
date
2022-01-10    1739.49  4844.0451
2022-01-11    1716.97  4797.7735
>>> pf.provenance[["source", "adjust", "is_proxy"]]
             source adjust  is_proxy
symbol
600519.SH   bundled    qfq     False
000300.SH   bundled   none     False
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import Any, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, DateLike, ErrorPolicy, PriceField
from eventstudy.calendar import shanghai_sessions, uses_china_calendar
from eventstudy.exceptions import (
    CacheError,
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    OfflineFallbackWarning,
    ProviderError,
    ProxyWarning,
    UnknownSymbolError,
)
from eventstudy.market._clean import clean_bars
from eventstudy.market.cache import (
    CacheCorruptError,
    CacheEntry,
    PriceCache,
    Range,
    subtract_ranges,
    today_shanghai,
)
from eventstudy.market.frame import FAILURE_COLUMNS, PriceFrame, empty_failures, provenance_row
from eventstudy.market.sources import PriceSource, get_source
from eventstudy.symbols import normalize, parse_symbol

__all__ = ["get_prices", "resolve_offline"]

_TRUE = {"1", "true", "yes", "on"}


def resolve_offline(offline: bool | None) -> bool:
    """``offline`` if given, else ``$EVENTSTUDY_OFFLINE`` (``1``/``true``/``yes``/``on``).

    Examples
    --------
    >>> resolve_offline(True)
    True
    """
    if offline is not None:
        return bool(offline)
    return os.environ.get("EVENTSTUDY_OFFLINE", "").strip().lower() in _TRUE


def _as_list(symbols: str | Iterable[str]) -> list[str]:
    if isinstance(symbols, str):
        symbols = [symbols]
    out: list[str] = []
    for s in symbols:
        n = normalize(s)
        if n not in out:
            out.append(n)
    if not out:
        raise ConfigError("symbols is empty; pass at least one symbol, e.g. '600519.SH'")
    return out


def _day(value: DateLike, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"{name}={value!r} is not a date (use 'YYYY-MM-DD')") from err
    if ts is pd.NaT or pd.isna(ts):
        raise ConfigError(f"{name}={value!r} is not a date (use 'YYYY-MM-DD')")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Asia/Shanghai").tz_localize(None)
    return ts.normalize()


def _is_chinese(symbol: str) -> bool:
    return uses_china_calendar(symbol)


def _trim(symbol: str, ranges: list[Range]) -> list[Range]:
    """Drop parts of ranges that cannot hold data: the future, and days that are
    not sessions - Shanghai sessions for Chinese symbols, business days (Monday to
    Friday; no holiday calendar) for the others."""
    today = today_shanghai()
    out: list[Range] = []
    for a, b in ranges:
        b = min(b, today)
        if a > b:
            continue
        s = shanghai_sessions(a, b) if _is_chinese(symbol) else pd.bdate_range(a, b)
        if len(s) == 0:
            continue
        out.append((pd.Timestamp(s[0]), pd.Timestamp(s[-1])))
    return out


def _fmt(ranges: list[Range]) -> str:
    return ", ".join(f"{a.date()}..{b.date()}" for a, b in ranges)


@dataclass
class _Request:
    start: pd.Timestamp
    end: pd.Timestamp
    field: str
    adjust: Adjust
    offline: bool
    refresh: bool
    cache: PriceCache
    missing: dict[str, tuple[list[Range], str]] = dc_field(default_factory=dict)
    down: dict[str, ProviderError] = dc_field(default_factory=dict)


@dataclass
class _Loaded:
    series: pd.Series
    prov: dict[str, Any]


class _Offline(Exception):
    """Internal: the network is not to be used and the cache does not cover the request."""

    def __init__(self, ranges: list[Range], why: str, partial: _Loaded | None = None) -> None:
        super().__init__(why)
        self.ranges = ranges
        self.why = why
        self.partial = partial  # what the cache has of the request (None: nothing)


def _notes_of(bars: pd.DataFrame) -> list[str]:
    notes = bars.attrs.get("notes", [])
    return [str(n) for n in notes] if isinstance(notes, list) else []


def _field_of(bars: pd.DataFrame, symbol: str, source: str, fld: str) -> pd.Series:
    if fld not in bars.columns:
        raise DataUnavailableError(
            f"{symbol}: source {source!r} provides no {fld!r} (it has {list(bars.columns)})"
        )
    return bars[fld]


def _load_fixed(src: PriceSource, symbol: str, req: _Request) -> _Loaded:
    """A local (non-network) source: read, clean, slice."""
    try:
        raw = src.fetch(symbol, req.start, req.end, adjust=req.adjust)
    except DataUnavailableError:
        if parse_symbol(symbol).kind == "board":
            return _proxy(symbol, req, src, why=f"{symbol} is not in source {src.name!r}")
        raise
    bars, notes = clean_bars(raw.reset_index(), symbol=symbol) if len(raw) else (raw, [])
    series = _field_of(bars, symbol, src.name, req.field) if len(raw) else pd.Series(dtype=float)
    note = "; ".join([*_notes_of(raw), *notes])
    if src.name == "bundled":
        note = "; ".join(x for x in ("bundled snapshot recorded 2026-06/07", note) if x)
    prov = provenance_row(
        source=src.name, adjust=src.served_adjust(symbol, req.adjust), field=req.field, note=note
    )
    return _Loaded(series, prov)


def _read_entry(
    cache: PriceCache, source: str, symbol: str, fld: str, adjust: str, notes: list[str]
) -> CacheEntry | None:
    try:
        return cache.read(source, symbol, fld, adjust)
    except CacheCorruptError as err:
        moved = cache.quarantine(err.path)
        msg = f"{err}; moved aside to {moved}" if moved else str(err)
        warnings.warn(f"{msg}; the range will be refetched", EventStudyWarning, stacklevel=4)
        notes.append("corrupt cache entry discarded")
        return None


def _load_network(src: PriceSource, symbol: str, req: _Request) -> _Loaded:
    """A network source behind the cache."""
    adjust = src.served_adjust(symbol, req.adjust)
    notes: list[str] = []
    entry = _read_entry(req.cache, src.name, symbol, req.field, adjust, notes)
    wanted = (
        [(req.start, req.end)]
        if req.refresh or entry is None
        else entry.missing(req.start, req.end)
    )
    # fetch each gap trimmed to sessions; record the whole gap (to yesterday) as covered
    plan = [(gap, t) for gap in wanted for t in _trim(symbol, [gap])]
    wanted = [t for _, t in plan]
    if wanted and req.offline:
        why = "offline" + ("; cached entry was corrupt" if notes else "")
        partial = None
        if entry is not None:
            cached = _between(entry.values, req.start, req.end)
            if cached.notna().any():
                prov = provenance_row(
                    source=src.name,
                    adjust=adjust,
                    field=req.field,
                    retrieved_at=entry.retrieved_at(req.start, req.end),
                    note="; ".join(dict.fromkeys([*notes, f"offline: cache lacks {_fmt(wanted)}"])),
                )
                partial = _Loaded(cached, prov)
        raise _Offline(wanted, why, partial)
    if wanted and src.name in req.down:
        earlier = req.down[src.name]
        raise ProviderError(
            f"{symbol}: {src.name} skipped, it could not be reached earlier in this request "
            f"({earlier.symbol} after {earlier.attempts} attempt(s): "
            f"{type(earlier.cause).__name__}: {earlier.cause}); retry later, or pass "
            'errors="collect" to keep the symbols that can be served',
            symbol=symbol,
            source=src.name,
            attempts=earlier.attempts,
            cause=earlier.cause,
        )
    retrieved = None
    # the close entry is the reference for the adjustment-basis check of every fetch
    ref_field = "close"
    ref = (
        entry
        if req.field == ref_field
        else _read_entry(req.cache, src.name, symbol, ref_field, adjust, [])
    )
    rebased = False
    todo = list(plan)
    while todo:
        (gap_start, gap_end), (a, b) = todo.pop(0)
        fa, fb = _overlap(ref, a, b)
        try:
            raw = src.fetch(symbol, fa, fb, adjust=req.adjust)
        except ProviderError as err:
            if isinstance(err.cause, OSError):  # connection-level: do not retry other symbols
                req.down[src.name] = err
            raise
        bars, clean_notes = clean_bars(raw.reset_index(), symbol=symbol)
        notes.extend([*_notes_of(raw), *clean_notes])
        _field_of(bars, symbol, src.name, req.field)
        if not rebased and ref is not None and _basis_changed(ref, bars, ref_field):
            # e.g. an ex-dividend day since the cache was filled: Eastmoney rescaled the
            # whole forward-adjusted history. Refetch everything cached + requested.
            rebased = True
            lo = min([req.start, *(x for x, _ in ref.covered())])
            hi = max([req.end, *(y for _, y in ref.covered())])
            todo = [((lo, hi), t) for t in _trim(symbol, [(lo, hi)])]
            notes.append(
                f"cached {adjust} prices were on an older adjustment basis (the overlap with "
                f"the new fetch differed; e.g. an ex-dividend day since): refetched "
                f"{lo.date()}..{hi.date()}"
            )
            continue
        retrieved = pd.Timestamp.now(tz="Asia/Shanghai").floor("s")
        covered = [(gap_start, min(gap_end, today_shanghai() - pd.Timedelta(days=1)))]
        for fld in bars.columns:
            prev = (
                entry
                if fld == req.field
                else _read_entry(req.cache, src.name, symbol, fld, adjust, notes)
            )
            try:
                written = req.cache.write(
                    src.name,
                    symbol,
                    fld,
                    adjust,
                    bars[fld],
                    covered=covered,
                    retrieved_at=retrieved,
                    previous=prev,
                )
            except CacheError as err:
                warnings.warn(f"{err}; continuing without caching", EventStudyWarning, stacklevel=4)
                notes.append("not cached (cache not writable)")
                written = _in_memory(prev, bars[fld], symbol, fld, adjust, src.name, a, b)
            if fld == req.field:
                entry = written
            if fld == ref_field:
                ref = written
    if entry is None:  # nothing wanted and nothing cached: a range without sessions
        series = pd.Series(dtype=np.float64)
        when = None
    else:
        series = _between(entry.values, req.start, req.end)
        when = entry.retrieved_at(req.start, req.end)
        when = retrieved if pd.isna(when) else when
    prov = provenance_row(
        source=src.name,
        adjust=adjust,
        field=req.field,
        retrieved_at=when,
        note="; ".join(dict.fromkeys(notes)),
    )
    return _Loaded(series, prov)


#: Relative tolerance of the adjustment-basis check on overlapping sessions.
BASIS_RTOL = 1e-6


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


def _proxy(symbol: str, req: _Request, members_source: PriceSource | str, *, why: str) -> _Loaded:
    from eventstudy.market.proxy import board_proxy, proxy_component

    name = members_source if isinstance(members_source, str) else members_source.name
    if req.field == "close":
        pf = board_proxy(
            symbol,
            start=req.start,
            end=req.end,
            source=members_source,
            offline=req.offline,
            cache_dir=req.cache.root,
            adjust=req.adjust,
        )
    else:
        pf = proxy_component(
            symbol,
            req.field,
            start=req.start,
            end=req.end,
            source=members_source,
            offline=req.offline,
            cache_dir=req.cache.root,
            adjust=req.adjust,
        )
    row = pf.provenance.loc[symbol]
    stamps = pf.provenance["retrieved_at"].dropna()  # the proxy's own retrieval time, if any
    when = pd.Timestamp(stamps.iloc[0]) if len(stamps) else None
    note = f"{why}; {row['note']}"
    warnings.warn(f"{symbol}: {note}", ProxyWarning, stacklevel=4)
    prov = provenance_row(
        source=f"proxy({name})",
        adjust=str(row["adjust"]),
        field=req.field,
        is_proxy=True,
        note=note,
        retrieved_at=when,
    )
    return _Loaded(pf.data[symbol], prov)


def _between(series: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """``series`` restricted to ``lo..hi`` (inclusive) without assuming a sorted index."""
    ix = np.asarray(series.index, dtype="datetime64[ns]")
    keep = (ix >= np.datetime64(lo, "ns")) & (ix <= np.datetime64(hi, "ns"))
    return series[keep]


def _route(symbol: str) -> str:
    return "akshare" if _is_chinese(symbol) else "yfinance"


def _load_auto(symbol: str, req: _Request) -> _Loaded:
    route = _route(symbol)
    src = get_source(route)
    try:
        return _load_network(src, symbol, req)
    except (_Offline, ProviderError) as err:
        failure = err
    why = (
        f"offline and the {route} cache does not cover {_fmt(failure.ranges)}"
        if isinstance(failure, _Offline)
        else f"{route} failed ({failure})"
    )
    partial = failure.partial if isinstance(failure, _Offline) else None
    bundled = get_source("bundled")
    has = getattr(bundled, "has", None)
    if has is not None and has(symbol):
        served = bundled.served_adjust(symbol, req.adjust)
        if served in ("none", req.adjust):
            loaded = _load_fixed(bundled, symbol, req)
            last = bundled.last_date(symbol)  # type: ignore[attr-defined]  # BundledSource
            if partial is not None and isinstance(failure, _Offline):
                combined = _with_snapshot(symbol, req, failure, partial, loaded, served, last)
                if combined is not None:
                    return combined
            beyond = _trim(symbol, subtract_ranges(req.start, req.end, [(req.start, last)]))
            if beyond:
                if isinstance(failure, _Offline):
                    req.missing[symbol] = (
                        beyond,
                        "offline; bundled snapshot ends " + str(last.date()),
                    )
                else:
                    raise failure
            loaded.prov["note"] = "; ".join(
                x for x in (f"fallback: {why}", loaded.prov["note"]) if x
            )
            warnings.warn(
                f"{symbol}: served from the bundled snapshot because {why}",
                OfflineFallbackWarning,
                stacklevel=3,
            )
            return loaded
    if isinstance(failure, _Offline) and partial is not None:
        # the cached part of the real series (a board too: never spliced with a proxy)
        req.missing[symbol] = (failure.ranges, failure.why)
        return partial
    if parse_symbol(symbol).kind == "board":
        warnings.warn(
            f"{symbol}: built as a proxy from bundled members because {why}",
            OfflineFallbackWarning,
            stacklevel=3,
        )
        return _proxy(symbol, req, "bundled", why=f"fallback: {why}")
    if isinstance(failure, _Offline):
        req.missing[symbol] = (failure.ranges, failure.why)
        return _Loaded(
            pd.Series(dtype=np.float64),
            provenance_row(source=route, adjust=req.adjust, field=req.field),
        )
    raise failure


def _with_snapshot(
    symbol: str,
    req: _Request,
    failure: _Offline,
    partial: _Loaded,
    snapshot: _Loaded,
    served: str,
    last: pd.Timestamp,
) -> _Loaded | None:
    """Offline: the cached part of the request, its gaps filled from the bundled snapshot.

    Adjusted prices are combined only when cache and snapshot agree on the sessions
    both have (same adjustment basis); otherwise the one with more values is served
    alone (None: the snapshot, handled by the caller) and the rest reported missing.
    """
    cached = partial.series.dropna()
    snap = snapshot.series.dropna()
    common = cached.index.intersection(snap.index)
    same_basis = served == "none" or (
        len(common) > 0
        and bool(
            np.allclose(
                cached.loc[common].to_numpy(dtype=np.float64),
                snap.loc[common].to_numpy(dtype=np.float64),
                rtol=BASIS_RTOL,
                atol=0.0,
            )
        )
    )
    if same_basis:
        in_gap = np.zeros(len(snap), dtype=bool)
        ix = np.asarray(snap.index, dtype="datetime64[ns]")
        for a, b in failure.ranges:
            in_gap |= (ix >= np.datetime64(a, "ns")) & (ix <= np.datetime64(b, "ns"))
        filler = snap[in_gap]
        series = pd.concat([cached, filler]).sort_index()
        still = _trim(
            symbol, [g for a, b in failure.ranges for g in subtract_ranges(a, b, [(a, last)])]
        )
        filled = [(a, min(b, last)) for a, b in failure.ranges if a <= last]
        if still:
            req.missing[symbol] = (still, "offline; bundled snapshot ends " + str(last.date()))
        note = (
            f"offline: cached values, gaps {_fmt(filled)} from the bundled snapshot"
            if filled
            else "offline: cached values"
        )
        prov = dict(partial.prov)
        prov["note"] = "; ".join(x for x in (note, str(prov.get("note", ""))) if x)
        warnings.warn(f"{symbol}: {note}", OfflineFallbackWarning, stacklevel=4)
        return _Loaded(series, prov)
    why = (
        "the cache and the bundled snapshot are on different adjustment bases "
        f"({served}; e.g. a dividend between them), not combined"
    )
    if len(snap) >= len(cached):
        snapshot.prov["note"] = "; ".join(
            x for x in (f"offline: {why}", snapshot.prov["note"]) if x
        )
        return None
    req.missing[symbol] = (failure.ranges, f"{failure.why}; {why}")
    prov = dict(partial.prov)
    prov["note"] = "; ".join(x for x in (str(prov.get("note", "")), why) if x)
    warnings.warn(f"{symbol}: {why}", OfflineFallbackWarning, stacklevel=4)
    return _Loaded(partial.series, prov)


def _label_registered(loaded: dict[str, _Loaded], own: str, registered: str) -> None:
    """Provenance names the source as registered (``my_folder``), not by its class name."""
    if own == registered:
        return
    for ld in loaded.values():
        if ld.prov["source"] == own:
            ld.prov["source"] = registered
        elif ld.prov["source"] == f"proxy({own})":
            ld.prov["source"] = f"proxy({registered})"


def get_prices(
    symbols: str | Iterable[str],
    start: DateLike,
    end: DateLike,
    *,
    source: str | PriceSource = "auto",
    field: PriceField = "close",
    adjust: Adjust = "qfq",
    offline: bool | None = None,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    errors: ErrorPolicy = "raise",
) -> PriceFrame:
    """Daily prices of several symbols as one aligned panel with provenance.

    Parameters
    ----------
    symbols
        One symbol or several, any spelling :func:`eventstudy.symbols.normalize`
        accepts (``600519``, ``sh600519``, ``600519.SS``, ``BK0896``, ``^GSPC``).
    start, end
        Date range, both inclusive.
    source
        ``auto`` (default; see the module docstring), a registered name
        (``bundled``, ``local``, ``akshare``, ``yfinance``, or your own), or a
        :class:`~eventstudy.market.sources.PriceSource` object.
    field
        ``open``, ``high``, ``low``, ``close``, ``volume`` (shares) or ``amount``.
    adjust
        ``qfq`` (forward-adjusted, default), ``hfq`` or ``none``; indices and
        boards are unadjusted whatever is asked (``provenance.adjust`` says so).
    offline
        Never use the network (cache and bundled data only). ``None`` reads
        ``$EVENTSTUDY_OFFLINE``.
    refresh
        Refetch the whole range from the network even if cached.
    cache_dir
        Cache folder (else ``$EVENTSTUDY_CACHE``, else the user cache dir).
    errors
        ``"raise"`` (default): any symbol that cannot be served raises (below).
        ``"collect"``: serve what can be served; the others are left out of
        ``data`` (or, when only some dates are missing, kept with those dates
        NaN) and listed in :attr:`PriceFrame.failures` with a reason code. A
        batch job over many symbols then loses only the unservable ones.

    Returns
    -------
    PriceFrame
        ``data`` indexed by the union of the series' dates and, when a Chinese
        symbol is present, the Shanghai trading sessions of the range - so a
        suspended day is a NaN row, never a filled value.

    Raises
    ------
    DataUnavailableError
        When offline (or a local source) cannot provide some symbols/ranges;
        the message lists every missing symbol with its date ranges.
    ProviderError
        When a network source failed after its retries and nothing could stand in.

    Examples
    --------
    >>> import tempfile, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     pf = get_prices(["BK0896", "000300.SH"], "2022-01-04", "2022-01-10", offline=True,
    ...                     cache_dir=tempfile.mkdtemp())
    >>> pf.provenance.loc["BK0896", "source"], bool(pf.provenance.loc["BK0896", "is_proxy"])
    ('proxy(bundled)', True)
    >>> round(float(pf["000300.SH"].loc["2022-01-10"]), 2)
    4844.05
    """
    syms = _as_list(symbols)
    lo, hi = _day(start, "start"), _day(end, "end")
    if lo > hi:
        raise ConfigError(f"start {lo.date()} is after end {hi.date()}")
    if field not in get_args(PriceField):
        raise ConfigError(f"field={field!r}; choose one of {list(get_args(PriceField))}")
    if adjust not in get_args(Adjust):
        raise ConfigError(f"adjust={adjust!r}; choose one of {list(get_args(Adjust))}")
    if errors not in get_args(ErrorPolicy):
        raise ConfigError(f"errors={errors!r}; choose one of {list(get_args(ErrorPolicy))}")
    req = _Request(
        start=lo,
        end=hi,
        field=field,
        adjust=adjust,
        offline=resolve_offline(offline),
        refresh=refresh,
        cache=PriceCache(cache_dir),
    )
    loaded: dict[str, _Loaded] = {}
    failed: list[dict[str, str]] = []
    for sym in syms:
        try:
            if isinstance(source, str) and source == "auto":
                loaded[sym] = _load_auto(sym, req)
                continue
            src = get_source(source) if isinstance(source, str) else source
            if src.network:
                try:
                    loaded[sym] = _load_network(src, sym, req)
                except _Offline as off:
                    req.missing[sym] = (off.ranges, off.why)
                    if off.partial is not None:  # the cached part is served
                        loaded[sym] = off.partial
            else:
                loaded[sym] = _load_fixed(src, sym, req)
        except (ProviderError, DataUnavailableError, UnknownSymbolError) as failure:
            if errors == "raise":
                raise
            reason = "provider_failed" if isinstance(failure, ProviderError) else "unavailable"
            failed.append({"symbol": sym, "reason": reason, "message": str(failure)})
            loaded.pop(sym, None)
    if req.missing and errors == "collect":
        for sym, (ranges, why) in req.missing.items():
            ser = loaded[sym].series if sym in loaded else None
            partial = ser is not None and bool(ser.notna().any())
            if not partial:
                loaded.pop(sym, None)
            failed.append(
                {
                    "symbol": sym,
                    "reason": "partial" if partial else "unavailable",
                    "message": f"{_fmt(ranges)} ({why})",
                }
            )
        req.missing.clear()
    if req.missing:
        detail = "; ".join(f"{s}: {_fmt(r)} ({why})" for s, (r, why) in req.missing.items())
        raise DataUnavailableError(
            f"data unavailable for {len(req.missing)} symbol(s): {detail}. "
            "Go online (offline=False), or use source='bundled' / a local folder",
            missing={s: r for s, (r, _) in req.missing.items()},
        )
    extra = None
    if any(_is_chinese(s) for s in syms):
        extra = shanghai_sessions(lo, min(hi, today_shanghai()))
    if isinstance(source, str) and source != "auto":
        _label_registered(loaded, get_source(source).name, source)
    series = {s: _between(ld.series, lo, hi) for s, ld in loaded.items()}
    frame = PriceFrame.from_series(
        series, field=field, provenance={s: ld.prov for s, ld in loaded.items()}, index=extra
    )
    if failed:
        frame = replace(frame, failures=pd.DataFrame(failed, columns=FAILURE_COLUMNS))
    else:
        frame = replace(frame, failures=empty_failures())
    return frame
