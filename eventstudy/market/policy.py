"""The ``auto`` source: one fallback policy over the live sources, the cache, the snapshot.

:class:`FallbackPolicy` is registered as the source ``"auto"`` (the default of
``get_prices``, ``load_panel``, ``get_returns``). For each symbol of a request
it tries, in this order:

1. **live sources** of the symbol's kind, in order (:data:`DEFAULT_ROUTES`),
   each behind the on-disk cache: the cache is read first and only the missing
   date ranges go to the network (one call per symbol for every field);

   ====================================  ======================================
   kind (``Symbol.kind``)                live sources
   ====================================  ======================================
   ``stock`` A-share (SH, SZ, BJ)        ``akshare`` (Eastmoney), ``tencent``
   ``index`` Chinese index (incl. CSI)   ``akshare``, ``tencent`` (SH/SZ only)
   ``board`` Eastmoney board (BKxxxx)    ``akshare``
   ``foreign`` (``^GSPC``, ``NIO``, HK)  ``yfinance``
   ====================================  ======================================

   A source that fails at connection level stays down for the rest of the
   request (every field and symbol: one connection attempt per source per
   request); one that could not be reached at all (no route, refused, name not
   resolved: :func:`~eventstudy.market._net.is_unreachable`) also stays down
   for the requests of the next :data:`UNREACHABLE_FOR` seconds of the process
   (a study and its backtest do not wait twice; :func:`forget_unreachable`
   retries at once). A kind may list several live sources; the next is tried when one
   fails, and serves the symbol's *whole* range from its own cache and the
   network: vendors' forward-adjusted levels differ, so one symbol's series in
   one request comes from one vendor only (never spliced), and each vendor has
   its own cache (the namespace is the source name). Provenance ``source`` says
   which source served each symbol;
2. when they fail - or offline, when the cache lacks dates - the **cached
   values with their gaps filled from the bundled snapshot** (only when cache
   and snapshot agree on the adjustment basis), else the **bundled snapshot**
   alone (provenance ``note`` starts with ``fallback:``);
3. else the **cached part** alone (offline; the rest reported missing);
4. else, for a board, a **proxy** built from its bundled sample members
   (provenance ``is_proxy``, ``proxy_members``, ``proxy_of``);
5. else: offline, the dates are reported missing (one
   :class:`~eventstudy.exceptions.DataUnavailableError` at the end, or
   ``failures`` with ``errors="collect"``); online, the provider's
   :class:`~eventstudy.exceptions.ProviderError`.

Sources are looked up by name in the registry at request time, so
``register_source("akshare", ...)`` changes what ``auto`` uses.

What each symbol got, and why, is logged symbol by symbol on the ``logging``
logger ``eventstudy.market`` (level INFO; a source found unreachable is one
WARNING line, as it happens) and kept in the provenance ``note``; the request
(:func:`~eventstudy.market.load_panel`) then warns once, naming the symbols
(:class:`~eventstudy.exceptions.OfflineFallbackWarning` when the network
failed, :class:`~eventstudy.exceptions.ProxyWarning` for proxies). Offline, a
series served from the snapshot is what was asked for: no warning.

Examples
--------
>>> from eventstudy.market import get_source
>>> auto = get_source("auto")
>>> auto.route("600519.SH"), auto.route("^GSPC")
(('akshare', 'tencent'), ('yfinance',))
>>> auto.has("BK0896"), auto.served_adjust("000300.SH", "qfq")
(True, 'none')
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, get_args, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, PriceField, SymbolKind
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    ProviderError,
)
from eventstudy.market._net import is_unreachable
from eventstudy.market.cache import PriceCache, Range, subtract_ranges
from eventstudy.market.frame import provenance_row
from eventstudy.market.loaders import (
    BASIS_RTOL,
    CachedSource,
    DirectSource,
    coverage_gaps,
    load_board_proxy,
    missing_error,
)
from eventstudy.market.request import (
    Loaded,
    OfflineMiss,
    PriceRequest,
    fmt_ranges,
    resolve_offline,
    trim,
)
from eventstudy.symbols import Symbol, parse_symbol

if TYPE_CHECKING:
    from eventstudy.market.sources import PriceSource

__all__ = ["DEFAULT_ROUTES", "UNREACHABLE_FOR", "FallbackPolicy", "Snapshot", "forget_unreachable"]

#: Live sources per instrument kind, in the order they are tried.
DEFAULT_ROUTES: Mapping[SymbolKind, tuple[str, ...]] = MappingProxyType(
    {
        "stock": ("akshare", "tencent"),
        "index": ("akshare", "tencent"),
        "board": ("akshare",),
        "foreign": ("yfinance",),
    }
)

_Failure = OfflineMiss | ProviderError

#: Where the policy says, symbol by symbol, what it served and why.
LOG = logging.getLogger("eventstudy.market")

#: Seconds a live source that could not be reached stays down for later requests.
UNREACHABLE_FOR = 60.0

#: (source name, source object id) -> (monotonic time, the failure), of unreachable sources.
_UNREACHABLE: dict[tuple[str, int], tuple[float, ProviderError]] = {}


def forget_unreachable() -> None:
    """Try every live source again at the next request (see :data:`UNREACHABLE_FOR`).

    Examples
    --------
    >>> forget_unreachable()
    """
    _UNREACHABLE.clear()


def _recall_down(name: str, src: PriceSource, req: PriceRequest) -> None:
    """Mark ``name`` down for ``req`` if it was unreachable less than UNREACHABLE_FOR ago."""
    seen = _UNREACHABLE.get((name, id(src)))
    if seen is None or req.offline or name in req.state.down:
        return
    if time.monotonic() - seen[0] < UNREACHABLE_FOR:
        req.state.down[name] = seen[1]
    else:
        del _UNREACHABLE[(name, id(src))]


def _newly_down(name: str, src: PriceSource, err: ProviderError | OfflineMiss) -> None:
    """Say that ``name`` went down (once per request), and remember it if unreachable."""
    cause = err.cause if isinstance(err, ProviderError) else None
    unreachable = cause is not None and is_unreachable(cause)
    LOG.info("%s: %s", name, err)
    LOG.warning(
        "%s could not be reached (%s); not tried again %s; the next source, the cache or the "
        "bundled snapshot stand in",
        name,
        short_cause(err),
        f"for {UNREACHABLE_FOR:.0f} s" if unreachable else "in this request",
    )
    if unreachable and isinstance(err, ProviderError):
        _UNREACHABLE[(name, id(src))] = (time.monotonic(), err)


@runtime_checkable
class Snapshot(Protocol):
    """A fallback snapshot source: a price source that also knows where its data end."""

    name: str

    def has(self, symbol: str) -> bool:
        """Whether the snapshot holds ``symbol``."""
        ...

    def last_date(self, symbol: str) -> pd.Timestamp:
        """The last session of ``symbol`` in the snapshot."""
        ...


class FallbackPolicy:
    """The ``auto`` source: ordered live sources per kind, the cache, the snapshot, proxies.

    Parameters
    ----------
    resolve
        Source name → source (the registry's ``get_source``), called at request time.
    routes
        Live source names per symbol kind, in order; kinds left out have none.
    snapshot
        Name of the fallback snapshot source (``None``: no snapshot fallback).
    proxy_boards
        Serve a board without data as a proxy of its snapshot members.

    Examples
    --------
    >>> from eventstudy.market import get_source
    >>> policy = FallbackPolicy(get_source, routes={"stock": ("akshare", "yfinance")})
    >>> policy.route("600519.SH"), policy.route("NIO")
    (('akshare', 'yfinance'), ())
    """

    name = "auto"
    network = True

    def __init__(
        self,
        resolve: Callable[[str], PriceSource],
        *,
        routes: Mapping[SymbolKind, tuple[str, ...]] = DEFAULT_ROUTES,
        snapshot: str | None = "bundled",
        proxy_boards: bool = True,
    ) -> None:
        unknown = set(routes) - set(get_args(SymbolKind))
        if unknown:
            raise ConfigError(
                f"routes has unknown kinds {sorted(unknown)}; use {list(get_args(SymbolKind))}"
            )
        self.resolve = resolve
        self.routes: Mapping[SymbolKind, tuple[str, ...]] = MappingProxyType(
            {k: tuple(v) for k, v in routes.items()}
        )
        self.snapshot = snapshot
        self.proxy_boards = bool(proxy_boards)

    def __repr__(self) -> str:
        return (
            f"FallbackPolicy(routes={dict(self.routes)}, snapshot={self.snapshot!r}, "
            f"proxy_boards={self.proxy_boards})"
        )

    # -- the PriceSource members -----------------------------------------------------

    def route(self, symbol: str | Symbol) -> tuple[str, ...]:
        """Names of the live sources tried for ``symbol``, in order."""
        return self.routes.get(parse_symbol(symbol).kind, ())

    def _live(self, symbol: Symbol) -> list[tuple[str, PriceSource]]:
        out = []
        for name in self.route(symbol):
            src = self.resolve(name)
            if src.has(symbol.canonical):
                out.append((name, src))
        return out

    def _snapshot_source(self) -> PriceSource | None:
        return self.resolve(self.snapshot) if self.snapshot is not None else None

    def has(self, symbol: str) -> bool:
        """Whether some step of the policy may serve ``symbol``."""
        sym = parse_symbol(symbol)
        snap = self._snapshot_source()
        in_snapshot = snap is not None and snap.has(sym.canonical)
        by_proxy = snap is not None and self.proxy_boards and sym.kind == "board"
        return bool(self._live(sym)) or in_snapshot or by_proxy

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """The adjustment of the first live source (else the snapshot's) for ``symbol``."""
        sym = parse_symbol(symbol)
        live = self._live(sym)
        if live:
            return live[0][1].served_adjust(sym.canonical, adjust)
        snap = self._snapshot_source()
        return snap.served_adjust(sym.canonical, adjust) if snap is not None else adjust

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol through the whole policy (default cache, ``$EVENTSTUDY_OFFLINE``).

        Raises :class:`~eventstudy.exceptions.DataUnavailableError` for dates
        that cannot be served.
        """
        fields: tuple[PriceField, ...] = get_args(PriceField)
        req = PriceRequest(
            start=pd.Timestamp(start),
            end=pd.Timestamp(end),
            fields=fields,
            adjust=adjust,
            offline=resolve_offline(None),
            refresh=False,
            cache=PriceCache(),
        )
        got = self.load(parse_symbol(symbol), req)
        if req.state.missing:
            raise missing_error(req.state.missing)
        bars = pd.DataFrame({f: s for f, s in got.series.items()})
        bars.index.name = "date"
        return bars

    # -- the Loader member -------------------------------------------------------------

    def load(self, symbol: Symbol, req: PriceRequest) -> Loaded:
        """``symbol`` through the steps of the module docstring (see :class:`Loader`)."""
        got = self._try_live(symbol, req)
        if isinstance(got, Loaded):
            return got
        route, failure, why = got
        served = self._from_snapshot(symbol, req, failure, why)
        if served is not None:
            return served
        canon = symbol.canonical
        if isinstance(failure, OfflineMiss) and failure.partial is not None:
            # the cached part of the real series (a board too: never spliced with a proxy)
            req.state.missing[canon] = (failure.ranges, failure.why)
            return failure.partial
        snap = self._snapshot_source()
        if symbol.kind == "board" and self.proxy_boards and snap is not None:
            LOG.info("%s: built as a proxy from %s members because %s", canon, snap.name, why)
            return load_board_proxy(
                symbol, req, DirectSource(snap), members_source=snap.name, why=f"fallback: {why}"
            )
        if isinstance(failure, OfflineMiss):
            req.state.missing[canon] = (failure.ranges, _offline_why(symbol, failure, snap))
            prov = provenance_row(source=route, adjust=req.adjust, field=req.fields[0])
            return Loaded({f: pd.Series(dtype=np.float64) for f in req.fields}, prov)
        raise failure

    def _try_live(self, symbol: Symbol, req: PriceRequest) -> Loaded | tuple[str, _Failure, str]:
        """The first live source that serves ``symbol`` (its whole range: one vendor per
        symbol, never spliced), else the first failure and why every source failed."""
        failures: list[tuple[str, _Failure]] = []
        refused: DataUnavailableError | None = None
        live = self._live(symbol)
        for name, src in live:
            _recall_down(name, src, req)
            was_down = name in req.state.down
            try:
                return CachedSource(src).load(symbol, req)
            except (OfflineMiss, ProviderError) as err:
                failures.append((name, err))
                if not was_down and name in req.state.down:
                    _newly_down(name, src, err)
            except DataUnavailableError as err:
                refused = refused or err
        if failures:
            route, failure = failures[0]
            return route, failure, "; ".join(_why(name, err) for name, err in failures)
        if refused is not None:
            raise refused
        raise DataUnavailableError(
            f"{symbol}: the auto policy has no live source for {symbol.kind} symbols "
            f"(routes {dict(self.routes)}); register one or pass source="
        )

    def _from_snapshot(
        self, symbol: Symbol, req: PriceRequest, failure: _Failure, why: str
    ) -> Loaded | None:
        """The snapshot (alone, or filling the gaps of the cache), or None if it cannot stand in."""
        snap = self._snapshot_source()
        canon = symbol.canonical
        if snap is None or not snap.has(canon):
            return None
        served = snap.served_adjust(canon, req.adjust)
        if served not in ("none", req.adjust):
            return None
        loaded = DirectSource(snap, report_gaps=False).load(symbol, req)
        if isinstance(failure, OfflineMiss) and failure.partial is not None:
            combined = _with_snapshot(symbol, req, failure, loaded, served, snap)
            if combined is not None:
                return combined
        beyond, lacks = coverage_gaps(snap, symbol, req)
        if beyond:
            # the snapshot stands in for what it covers, online as offline; the rest is
            # reported missing (failures 'partial', or DataUnavailableError), never invented
            cause = "offline" if isinstance(failure, OfflineMiss) else why
            req.state.missing[canon] = (beyond, f"{cause}; {lacks}")
        loaded.add_note(f"fallback: {why}", first=True)
        LOG.info("%s: served from the bundled snapshot because %s", canon, why)
        return loaded


def short_cause(err: BaseException) -> str:
    """A one-line cause without URLs: the error's class and, for a network failure,
    "could not connect" or the first 80 characters.

    Examples
    --------
    >>> short_cause(ProviderError("x", cause=ConnectionRefusedError(111, "refused")))
    'ConnectionRefusedError: could not connect'
    >>> short_cause(ValueError("bad json"))
    'ValueError: bad json'
    """
    cause = err.cause if isinstance(err, ProviderError) and err.cause is not None else err
    if is_unreachable(cause):
        return f"{type(cause).__name__}: could not connect"
    text = str(cause).split("\n")[0]
    return f"{type(cause).__name__}: {text[:77] + '...' if len(text) > 80 else text}"


def _offline_why(symbol: Symbol, failure: OfflineMiss, snap: PriceSource | None) -> str:
    """Why an offline symbol cannot be served, and what works instead."""
    if snap is None or snap.has(symbol.canonical):
        return failure.why
    hint = "run once online (offline=False) to cache it"
    listed = getattr(snap, "symbols", None)
    if symbol.kind == "index" and callable(listed):
        indices = [s for s in listed() if s[:1].isdigit() and parse_symbol(s).kind == "index"]
        hint += f", or pass market= one of the bundled indices {', '.join(indices)}"
    return f"{failure.why}: not cached and not in the {snap.name} snapshot; {hint}"


def _why(name: str, failure: _Failure) -> str:
    """Why the live source ``name`` did not serve a symbol."""
    if isinstance(failure, OfflineMiss):
        return f"offline and the {name} cache does not cover {fmt_ranges(failure.ranges)}"
    return f"{name} failed ({short_cause(failure)})"


def _basis_field(a: Loaded, b: Loaded) -> str | None:
    """The field that judges whether two series share an adjustment basis."""
    common = [f for f in a.series if f in b.series]
    return "close" if "close" in common else (common[0] if common else None)


def _same_basis(cached: pd.Series, snap: pd.Series) -> bool:
    common = cached.index.intersection(snap.index)
    return len(common) > 0 and bool(
        np.allclose(
            cached.loc[common].to_numpy(dtype=np.float64),
            snap.loc[common].to_numpy(dtype=np.float64),
            rtol=BASIS_RTOL,
            atol=0.0,
        )
    )


def _in_ranges(ranges: list[Range], within: list[Range]) -> list[Range]:
    """The parts of ``ranges`` inside ``within``."""
    out = [(max(a, c), min(b, d)) for a, b in ranges for c, d in within]
    return [(a, b) for a, b in out if a <= b]


def _in_gaps(series: pd.Series, ranges: list[Range]) -> pd.Series:
    ix = np.asarray(series.index, dtype="datetime64[ns]")
    keep = np.zeros(len(series), dtype=bool)
    for a, b in ranges:
        keep |= (ix >= np.datetime64(a, "ns")) & (ix <= np.datetime64(b, "ns"))
    return series[keep]


def _with_snapshot(
    symbol: Symbol,
    req: PriceRequest,
    failure: OfflineMiss,
    snapshot: Loaded,
    served: str,
    source: PriceSource,
) -> Loaded | None:
    """Offline: the cached part of the request, its gaps filled from the bundled snapshot.

    Adjusted prices are combined only when cache and snapshot agree on the sessions
    both have (same adjustment basis); otherwise the one with more values is served
    alone (None: the snapshot, handled by the caller) and the rest reported missing.
    """
    partial = failure.partial
    assert partial is not None
    canon = symbol.canonical
    key = _basis_field(partial, snapshot)
    cached = partial.series[key].dropna() if key else pd.Series(dtype=np.float64)
    snap = snapshot.series[key].dropna() if key else pd.Series(dtype=np.float64)
    if served == "none" or _same_basis(cached, snap):
        series = dict(partial.series)
        for f, values in snapshot.series.items():
            filler = _in_gaps(values.dropna(), failure.ranges)
            old = series.get(f, pd.Series(dtype=np.float64)).dropna()
            series[f] = pd.concat([old, filler]).sort_index()
        lacking_all, lacks = coverage_gaps(source, symbol, req)
        still = trim(symbol, _in_ranges(lacking_all, failure.ranges))
        filled = [g for a, b in failure.ranges for g in subtract_ranges(a, b, lacking_all)]
        if still:
            req.state.missing[canon] = (still, f"offline; {lacks}")
        note = (
            f"offline: cached values, gaps {fmt_ranges(filled)} from the bundled snapshot"
            if filled
            else "offline: cached values"
        )
        lacking = {f: w for f, w in partial.lacking.items() if f not in series}
        out = Loaded(series, dict(partial.prov), lacking)
        out.add_note(note, first=True)
        LOG.info("%s: %s", canon, note)
        return out
    why = (
        "the cache and the bundled snapshot are on different adjustment bases "
        f"({served}; e.g. a dividend between them), not combined"
    )
    if len(snap) >= len(cached):
        snapshot.add_note(f"offline: {why}", first=True)
        return None
    req.state.missing[canon] = (failure.ranges, f"{failure.why}; {why}")
    partial.add_note(why)
    LOG.info("%s: %s", canon, why)
    return partial
