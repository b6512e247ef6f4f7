"""Fetching prices: ``load_panel`` (every field), ``get_prices`` (one field), and the rest.

:func:`load_panel` is the one way prices are fetched: one request, each symbol
parsed once, **one provider call per symbol** giving every field (open, high,
low, close, volume, amount), the cache in front of network sources. A source
that reads many symbols at once (a
:class:`~eventstudy.market.loaders.BatchFetching` source: the ``local``
Parquet warehouse) is read in batches instead, one scan per
:data:`~eventstudy.market.loaders.BATCH_SYMBOLS` symbols, with the same
results. It returns
a :class:`~eventstudy.market.panel.MarketPanel`; :func:`get_prices` is one field
of the same machinery, :func:`get_returns` the returns of ``get_prices``.

Sources
-------
``source="auto"`` (the default) is the fallback policy documented in
:mod:`eventstudy.market.policy`: live sources per kind (``akshare`` for A-shares,
Chinese indices and boards; ``yfinance`` for the rest) behind the cache, then
the cache with gaps filled from the bundled snapshot, the snapshot, the cached
part, and for boards a proxy of the bundled members. Any other registered name
(``bundled``, ``local``, ``akshare``, ``yfinance``, yours) or a source object
serves alone: a network source behind the cache, a board it lacks built as a
proxy of its members from the same source.

The cache is consulted first and only the missing date ranges are fetched
(each fetch overlaps the cache by one session; if the overlap disagrees - a
forward-adjusted history rescaled after an ex-dividend day - the whole
cached + requested range is refetched and ``provenance.note`` says so).
Whatever is still missing is raised at the end in one
:class:`~eventstudy.exceptions.DataUnavailableError` naming every symbol and
date range (with ``errors="collect"``: listed in ``PriceFrame.failures``,
``partial`` when some dates were served).

``offline=None`` reads the ``EVENTSTUDY_OFFLINE`` environment variable
(``1``/``true``/``yes`` = offline), else means online.

Warnings
--------
A request warns **once**, at the caller's line, naming the symbols: an
:class:`~eventstudy.exceptions.OfflineFallbackWarning` when the network failed
and the cache, the bundled snapshot or proxies stood in (with the sources that
failed, in short), else a :class:`~eventstudy.exceptions.ProxyWarning` when
some boards are proxies. Offline, a series served from the snapshot is what was
asked for and is not warned about. Why each symbol got what it got is in
``provenance["note"]``, in ``failures`` for what could not be served, and on the
``logging`` logger ``eventstudy.market`` (INFO). Third-party warnings and
progress bars raised inside the request (akshare's) are kept out of your way
(logged at DEBUG).

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

import logging
import os
import warnings
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import (
    Adjust,
    DateLike,
    ErrorPolicy,
    FailureReason,
    PriceField,
    ProxyWeights,
    ReturnKind,
)
from eventstudy.calendar import shanghai_sessions, uses_china_calendar
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    OfflineFallbackWarning,
    ProviderError,
    ProxyWarning,
    UnknownSymbolError,
)
from eventstudy.market.cache import PriceCache, today_shanghai
from eventstudy.market.frame import FAILURE_COLUMNS, PriceFrame, empty_failures, short_list
from eventstudy.market.loaders import loader_for, missing_error
from eventstudy.market.panel import LACKING_COLUMNS, MarketPanel, empty_lacking
from eventstudy.market.policy import FallbackPolicy, short_cause
from eventstudy.market.proxy import (
    board_members_of,
    check_board,
    given_member_prices,
    proxy_frame,
    proxy_index,
    proxy_note,
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
    resolve_offline,
    user_stacklevel,
)
from eventstudy.market.returns import returns_of
from eventstudy.market.sources import PriceSource, as_source, get_source
from eventstudy.symbols import Symbol, parse_symbol

__all__ = ["board_proxy", "get_prices", "get_returns", "load_panel", "resolve_offline"]

#: Every price field, in the order :func:`load_panel` returns them.
ALL_FIELDS: tuple[PriceField, ...] = get_args(PriceField)

#: The price layer's log: what each symbol got and why (INFO), third-party noise (DEBUG).
LOG = logging.getLogger("eventstudy.market")

#: The per-symbol warnings of the loaders, replaced by the request's one warning.
_PER_SYMBOL = (OfflineFallbackWarning, ProxyWarning)


# -- one request ------------------------------------------------------------------------


def _as_symbols(symbols: str | Symbol | Iterable[str | Symbol]) -> list[Symbol]:
    """Each symbol parsed once, de-duplicated in order."""
    items = [symbols] if isinstance(symbols, str | Symbol) else list(symbols)
    out: dict[str, Symbol] = {}
    for s in items:
        sym = parse_symbol(s)
        out.setdefault(sym.canonical, sym)
    if not out:
        raise ConfigError("symbols is empty; pass at least one symbol, e.g. '600519.SH'")
    return list(out.values())


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


def _fields(fields: PriceField | Iterable[PriceField] | None) -> tuple[PriceField, ...]:
    if fields is None:
        return ALL_FIELDS
    items = [fields] if isinstance(fields, str) else list(fields)
    bad = [f for f in items if f not in ALL_FIELDS]
    if bad or not items:
        key = "field" if isinstance(fields, str) else "fields"
        raise ConfigError(f"{key}={fields!r}; choose among {list(ALL_FIELDS)}")
    return tuple(dict.fromkeys(items))


def _check(adjust: Adjust, errors: ErrorPolicy) -> None:
    if adjust not in get_args(Adjust):
        raise ConfigError(f"adjust={adjust!r}; choose one of {list(get_args(Adjust))}")
    if errors not in get_args(ErrorPolicy):
        raise ConfigError(f"errors={errors!r}; choose one of {list(get_args(ErrorPolicy))}")


def _loader(source: str | PriceSource) -> tuple[Loader, str | None]:
    """The loader of ``source`` and, for a name, the name provenance shows."""
    if isinstance(source, str):
        return loader_for(get_source(source)), source
    return loader_for(as_source(source)), None


def _failure(symbol: str, reason: FailureReason, message: str) -> dict[str, str]:
    return {"symbol": symbol, "reason": reason, "message": message}


def _serve(
    loader: Loader, syms: list[Symbol], req: PriceRequest, errors: ErrorPolicy
) -> tuple[dict[str, Loaded], list[dict[str, str]]]:
    """Load each symbol; with ``errors="collect"`` the ones that fail become failure rows."""
    loaded: dict[str, Loaded] = {}
    failed: list[dict[str, str]] = []
    if isinstance(loader, Prefetching):  # e.g. a warehouse: many symbols per scan
        loader.prefetch(syms, req)
    for sym in syms:
        canon = sym.canonical
        try:
            loaded[canon] = loader.load(sym, req)
        except OfflineMiss as off:  # a network source alone, offline
            req.state.missing[canon] = (off.ranges, off.why)
            if off.partial is not None:  # the cached part is served
                loaded[canon] = off.partial
        except (ProviderError, DataUnavailableError, UnknownSymbolError) as err:
            if errors == "raise":
                raise
            reason: FailureReason = (
                "provider_failed" if isinstance(err, ProviderError) else "unavailable"
            )
            failed.append(_failure(canon, reason, str(err)))
            loaded.pop(canon, None)
    return loaded, failed


def _settle_missing(
    loaded: dict[str, Loaded], failed: list[dict[str, str]], req: PriceRequest, errors: ErrorPolicy
) -> None:
    """Dates that could not be served: one error, or ``partial``/``unavailable`` rows."""
    missing = req.state.missing
    if not missing:
        return
    if errors == "raise":
        raise missing_error(missing)
    for sym, (ranges, why) in missing.items():
        partial = sym in loaded and loaded[sym].has_values
        if not partial:
            loaded.pop(sym, None)
        reason: FailureReason = "partial" if partial else "unavailable"
        failed.append(_failure(sym, reason, f"{fmt_ranges(ranges)} ({why})"))
    missing.clear()


def _label_registered(loaded: dict[str, Loaded], loader: Loader, registered: str | None) -> None:
    """Provenance names the source as registered (``my_folder``), not by its class name."""
    own = getattr(getattr(loader, "source", loader), "name", None)
    if registered is None or own is None or own == registered:
        return
    for ld in loaded.values():
        if ld.prov["source"] == own:
            ld.prov["source"] = registered
        elif ld.prov["source"] == f"proxy({own})":
            ld.prov["source"] = f"proxy({registered})"


def _request(
    symbols: str | Symbol | Iterable[str | Symbol],
    start: DateLike,
    end: DateLike,
    fields: tuple[PriceField, ...],
    options: dict[str, Any],
) -> tuple[list[Symbol], PriceRequest]:
    syms = _as_symbols(symbols)
    lo, hi = _day(start, "start"), _day(end, "end")
    if lo > hi:
        raise ConfigError(f"start {lo.date()} is after end {hi.date()}")
    _check(options["adjust"], options["errors"])
    req = PriceRequest(
        start=lo,
        end=hi,
        fields=fields,
        adjust=options["adjust"],
        offline=resolve_offline(options["offline"]),
        refresh=bool(options["refresh"]),
        cache=PriceCache(options["cache_dir"]),
    )
    return syms, req


def _run(
    symbols: str | Symbol | Iterable[str | Symbol],
    start: DateLike,
    end: DateLike,
    fields: tuple[PriceField, ...],
    options: dict[str, Any],
) -> tuple[list[Symbol], PriceRequest, dict[str, Loaded], list[dict[str, str]]]:
    """One request: every symbol loaded once, for every field in ``fields``."""
    syms, req = _request(symbols, start, end, fields, options)
    if req.start > today_shanghai():
        return syms, req, {}, _in_the_future(syms, req, options["errors"])
    if not req.offline and any(uses_china_calendar(s) for s in syms):
        # a live request past the last known session refreshes the stored calendar
        # (at most once per process; a failure is one warning): no cliff at the horizon
        from eventstudy.market.calendar_refresh import ensure_calendar

        ensure_calendar(req.end, cache_dir=req.cache.root, offline=False)
    loader, registered = _loader(options["source"])
    errors: ErrorPolicy = options["errors"]
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            for category in _PER_SYMBOL:  # recorded, never raised mid-request by "error"
                warnings.simplefilter("always", category)
            loaded, failed = _serve(loader, syms, req, errors)
    finally:
        _replay(caught)
    _settle_missing(loaded, failed, req, errors)
    _label_registered(loaded, loader, registered)
    _warn_once(loaded, loader, req)
    return syms, req, loaded, failed


def _in_the_future(
    syms: list[Symbol], req: PriceRequest, errors: ErrorPolicy
) -> list[dict[str, str]]:
    """A range after today has no prices yet: one error, or an ``unavailable`` row each."""
    why = f"{req.start.date()}..{req.end.date()} is after today ({today_shanghai().date()})"
    if errors == "raise":
        raise DataUnavailableError(
            f"no prices for {short_list([s.canonical for s in syms])}: {why}; no series "
            "reaches that far yet (ask for dates up to today)",
            missing={s.canonical: [(req.start, req.end)] for s in syms},
        )
    return [_failure(s.canonical, "unavailable", f"{why}: no prices yet") for s in syms]


def _package_module(filename: str) -> str | None:
    """The ``eventstudy.*`` module of a file of this package, else None."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.abspath(filename)
    if not path.startswith(root + os.sep):
        return None
    rel = os.path.splitext(os.path.relpath(path, os.path.dirname(root)))[0]
    return rel.replace(os.sep, ".").removesuffix(".__init__")


def _installed_library(filename: str) -> bool:
    """Whether ``filename`` is in an installed third-party package (akshare, pandas, ...)."""
    parts = set(os.path.abspath(filename).split(os.sep))
    return _package_module(filename) is None and bool(parts & {"site-packages", "dist-packages"})


def _replay(caught: list[warnings.WarningMessage]) -> None:
    """The warnings raised while loading: per-symbol fallbacks and third-party noise
    go to the log; the others are raised again (the package's at the caller's line)."""
    seen: set[tuple[type[Warning], str]] = set()
    for w in caught:
        text = str(w.message)
        if issubclass(w.category, _PER_SYMBOL):
            LOG.info("%s", text)
        elif _installed_library(w.filename):
            LOG.debug("%s (%s:%s): %s", w.category.__name__, w.filename, w.lineno, text)
        elif (w.category, text) in seen:
            continue
        elif issubclass(w.category, EventStudyWarning):
            seen.add((w.category, text))
            warnings.warn(w.message, stacklevel=user_stacklevel())
        else:  # e.g. a pandas FutureWarning raised in our code: its own place, its filters
            seen.add((w.category, text))
            module = _package_module(w.filename) or os.path.splitext(w.filename)[0]
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, module=module)


def _stand_ins(loaded: dict[str, Loaded], policy: FallbackPolicy) -> list[str]:
    """Symbols the policy served from something else than their live sources."""
    return [s for s, ld in loaded.items() if str(ld.prov["source"]) not in policy.route(s)]


def _warn_once(loaded: dict[str, Loaded], loader: Loader, req: PriceRequest) -> None:
    """The request's one warning (see the module docstring), at the caller's line."""
    proxies = [s for s, ld in loaded.items() if bool(ld.prov.get("is_proxy"))]
    stand_ins = [] if req.offline or not isinstance(loader, FallbackPolicy) else (
        _stand_ins(loaded, loader)
    )  # fmt: skip
    if stand_ins:
        served = [s for s in stand_ins if s not in proxies]
        what = [f"{short_list(served)} from the cache or the bundled snapshot"] if served else []
        if proxies:
            what.append(f"{short_list(proxies)} as proxies built from bundled members")
        causes = [f"{name} failed ({short_cause(err)})" for name, err in req.state.down.items()]
        why = "; ".join(causes) if causes else "the live sources failed"
        message = (
            f"{len(stand_ins)} of {len(loaded)} series are not from the network ({why}): "
            f"{'; '.join(what)}. Why, per symbol: provenance['note'] and the "
            "'eventstudy.market' log; offline=True (EVENTSTUDY_OFFLINE=1) skips the network"
        )
        warnings.warn(message, OfflineFallbackWarning, stacklevel=user_stacklevel())
    elif proxies:
        warnings.warn(
            f"{len(proxies)} series {'are proxies' if len(proxies) > 1 else 'is a proxy'} "
            f"built from members, not the real index: {short_list(proxies)} (provenance "
            "is_proxy, proxy_members, note)",
            ProxyWarning,
            stacklevel=user_stacklevel(),
        )


def _sessions(syms: list[Symbol], req: PriceRequest) -> pd.DatetimeIndex | None:
    """The Shanghai sessions of the range when a Chinese symbol is asked (NaN rows, not gaps)."""
    if any(uses_china_calendar(s) for s in syms):
        return shanghai_sessions(req.start, min(req.end, today_shanghai()))
    return None


def _field_frame(
    fld: PriceField,
    loaded: dict[str, Loaded],
    failed: list[dict[str, str]],
    req: PriceRequest,
    index: pd.DatetimeIndex | None,
) -> PriceFrame:
    series = {
        s: between(ld.series[fld], req.start, req.end)
        for s, ld in loaded.items()
        if fld in ld.series
    }
    prov = {s: loaded[s].prov_of(fld) for s in series}
    frame = PriceFrame.from_series(series, field=fld, provenance=prov, index=index)
    rows = failed + [
        _failure(s, "unavailable", ld.lacking[fld]) for s, ld in loaded.items() if fld in ld.lacking
    ]
    table = pd.DataFrame(rows, columns=FAILURE_COLUMNS) if rows else empty_failures()
    return replace(frame, failures=table)


def _panel_provenance(
    loaded: dict[str, Loaded], req: PriceRequest, index: pd.DatetimeIndex | None
) -> pd.DataFrame:
    """One row per served symbol; ``first``/``last`` from its ``close`` (else first field)."""
    series: dict[str, pd.Series] = {}
    prov: dict[str, dict[str, Any]] = {}
    for s, ld in loaded.items():
        have = [f for f in req.fields if f in ld.series]
        ref = "close" if "close" in have else (have[0] if have else None)
        values = ld.series[ref] if ref is not None else pd.Series(dtype=np.float64)
        series[s] = between(values, req.start, req.end)
        note = join_notes(str(ld.prov.get("note", "")), *ld.field_notes.values())
        prov[s] = {**ld.prov, "field": ",".join(have), "note": note}
    return PriceFrame.from_series(series, field="", provenance=prov, index=index).provenance


# -- the public functions -------------------------------------------------------------


def load_panel(
    symbols: str | Iterable[str],
    start: DateLike,
    end: DateLike,
    *,
    fields: Iterable[PriceField] | None = None,
    source: str | PriceSource = "auto",
    adjust: Adjust = "qfq",
    offline: bool | None = None,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    errors: ErrorPolicy = "raise",
) -> MarketPanel:
    """Every price field of several symbols from one request: one provider call per symbol.

    The one way the package fetches prices (the study, the pipeline and the
    backtest use it); :func:`get_prices` is one field of the same machinery.
    A Parquet warehouse (``LocalSource``) is read in batches: one scan per
    :data:`~eventstudy.market.loaders.BATCH_SYMBOLS` symbols, not one per symbol.

    Parameters
    ----------
    symbols
        One symbol or several, any spelling :func:`eventstudy.symbols.normalize`
        accepts (``600519``, ``sh600519``, ``600519.SS``, ``BK0896``, ``^GSPC``).
    start, end
        Date range, both inclusive.
    fields
        Fields to load (default all: ``open high low close volume amount``). A
        network source is called once per symbol (and missing range) whatever
        the fields: it answers every field at once, and every field is cached.
    source
        ``auto`` (default; :mod:`eventstudy.market.policy`), a registered name
        (``bundled``, ``local``, ``akshare``, ``yfinance``, or your own), or a
        :class:`~eventstudy.market.sources.PriceSource` object.
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
        ``"raise"`` (default): a symbol that cannot be served raises (below).
        ``"collect"``: serve what can be served; the others are listed in
        ``failures`` with a reason code, as :func:`get_prices` does. A served
        symbol without some field (a board proxy has no ``open``) is never an
        error here: it is in :attr:`MarketPanel.lacking` and that field's
        ``failures``.

    Returns
    -------
    MarketPanel
        ``panel.close``, ``panel.open``, ... (each a :class:`PriceFrame`, indexed
        by the union of the series' dates and, when a Chinese symbol is
        present, the Shanghai sessions of the range), ``panel.provenance``,
        ``panel.failures``, ``panel.returns()``, ``panel.to_long()``.

    Raises
    ------
    DataUnavailableError
        When offline (or a local source) cannot provide some symbols/ranges;
        the message lists every missing symbol with its date ranges.
    ProviderError
        When a network source failed after its retries and nothing could stand in.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # BK0896 is served as a labelled proxy
    ...     panel = load_panel(["600519.SH", "BK0896"], "2022-01-10", "2022-01-11",
    ...                        source="bundled")
    >>> panel.close.data.round(2)
                600519.SH  BK0896
    date
    2022-01-10    1739.49  1000.0
    2022-01-11    1716.97   986.1
    >>> panel.open.symbols, panel.lacking["field"].tolist()
    (['600519.SH'], ['open', 'high', 'low'])
    >>> row = panel.provenance.loc["BK0896"]
    >>> row["source"], bool(row["is_proxy"]), int(row["proxy_members"]), row["proxy_of"]
    ('proxy(bundled)', True, 6, 'BK0896')
    """
    options = {
        "source": source,
        "adjust": adjust,
        "offline": offline,
        "refresh": refresh,
        "cache_dir": cache_dir,
        "errors": errors,
    }
    syms, req, loaded, failed = _run(symbols, start, end, _fields(fields), options)
    index = _sessions(syms, req)
    frames: dict[str, PriceFrame] = {
        f: _field_frame(f, loaded, failed, req, index) for f in req.fields
    }
    lacking = [
        {"symbol": s, "field": f, "message": msg}
        for s, ld in loaded.items()
        for f, msg in ld.lacking.items()
    ]
    return MarketPanel(
        frames=frames,
        provenance=_panel_provenance(loaded, req, index),
        failures=pd.DataFrame(failed, columns=FAILURE_COLUMNS) if failed else empty_failures(),
        lacking=pd.DataFrame(lacking, columns=LACKING_COLUMNS) if lacking else empty_lacking(),
    )


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

    One field of :func:`load_panel` (same request, cache and fallbacks).

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
    options = {
        "source": source,
        "adjust": adjust,
        "offline": offline,
        "refresh": refresh,
        "cache_dir": cache_dir,
        "errors": errors,
    }
    syms, req, loaded, failed = _run(symbols, start, end, _fields(field), options)
    if errors == "raise":
        for ld in loaded.values():
            if field in ld.lacking:
                raise DataUnavailableError(ld.lacking[field])
    return _field_frame(req.fields[0], loaded, failed, req, _sessions(syms, req))


def get_returns(
    symbols: str | Iterable[str],
    start: DateLike,
    end: DateLike,
    *,
    kind: ReturnKind = "simple",
    trade_to_trade: bool = False,
    **get_prices_kwargs: Any,
) -> PriceFrame:
    """Daily returns of several symbols, from :func:`get_prices`.

    Parameters
    ----------
    symbols, start, end
        As for ``get_prices`` (``end`` inclusive). The first session of the range
        has no return (NaN): start a session earlier if you need it.
    kind
        ``simple`` or ``log``.
    trade_to_trade
        Attribute the return over a suspension to the day trading resumes and
        record the gap lengths in ``.gaps`` (see :mod:`eventstudy.market.returns`).
    **get_prices_kwargs
        ``source``, ``field`` (default ``close``), ``adjust``, ``offline``,
        ``refresh``, ``cache_dir``, ``errors`` (``"collect"`` carries
        :attr:`PriceFrame.failures` through).

    Returns
    -------
    PriceFrame
        ``field`` is ``simple_return`` or ``log_return``; provenance as for the
        prices, with ``field`` set accordingly.

    Examples
    --------
    >>> r = get_returns(["600519.SH"], "2022-01-07", "2022-01-11", source="bundled")
    >>> r.data["600519.SH"].round(5).tolist()
    [nan, 0.01236, -0.01295]
    """
    if kind not in get_args(ReturnKind):
        raise ConfigError(f"kind={kind!r}; choose one of {list(get_args(ReturnKind))}")
    prices = get_prices(symbols, start, end, **get_prices_kwargs)
    return returns_of(prices, kind=kind, trade_to_trade=trade_to_trade)


def board_proxy(
    code: str,
    *,
    members: Iterable[str] | None = None,
    weights: ProxyWeights = "equal",
    start: DateLike | None = None,
    end: DateLike | None = None,
    prices: pd.DataFrame | PriceFrame | None = None,
    caps: pd.DataFrame | pd.Series | None = None,
    amounts: pd.DataFrame | None = None,
    source: str | PriceSource = "auto",
    adjust: Adjust = "qfq",
    offline: bool | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    base: float = 1000.0,
) -> PriceFrame:
    """A board index built from member closes, labelled as a proxy.

    The computation is :func:`eventstudy.market.proxy.proxy_index` (see
    :mod:`eventstudy.market.proxy` for the index methodology and weights);
    this function fetches the members when ``prices`` is not given.

    Parameters
    ----------
    code
        The board, e.g. ``"BK0896"``.
    members
        Member symbols; default: the security master's membership of ``code``
        in force on ``start`` (the bundled sample today; a later snapshot is
        used and labelled look-ahead when none is older).
    weights
        ``equal``, ``value`` (needs ``caps``) or ``amount`` (liquidity weight).
    start, end
        Range (inclusive); default: the range of ``prices``. Required when
        ``prices`` is not given.
    prices
        Member closes (wide, dates × members); loaded with :func:`load_panel`
        (closes, and amounts for ``weights="amount"``, in one request) if omitted.
    caps
        Market capitalisation per member: a wide daily frame (lagged one
        session before use) or a Series (caps at the start of the range,
        buy-and-hold: the weights then drift with prices).
    amounts
        Traded amounts (wide) for ``weights="amount"``; fetched if omitted.
    source, adjust, offline, cache_dir
        Passed to :func:`load_panel` for the members.
    base
        Index level on the first session.

    Returns
    -------
    PriceFrame
        One column ``code`` with the proxy level; provenance ``is_proxy=True``,
        ``proxy_members`` (the member count), ``proxy_of`` (``code``) and a note
        naming the members, the weighting and the membership date.

    Raises
    ------
    ConfigError
        For a code that is not a board, unknown weights, value weights without
        caps, or no range.
    DataUnavailableError
        When a member cannot be had.

    Examples
    --------
    >>> pf = board_proxy("BK0896", start="2022-01-04", end="2022-12-30", source="bundled")
    >>> pf.provenance.loc["BK0896", "note"][:52]
    'proxy for BK0896: equal-weighted index of 6 members '
    >>> int(pf.provenance.loc["BK0896", "proxy_members"]), float(pf["BK0896"].iloc[0])
    (6, 1000.0)
    """
    board = check_board(code, weights, caps)
    syms, membership = board_members_of(board, members, as_of=start)
    retrieved: pd.Timestamp | None = None
    served_adjust: str = adjust
    if prices is None:
        if start is None or end is None:
            raise ConfigError("board_proxy needs start= and end= when prices= is not given")
        want: list[PriceField] = ["close"]
        if weights == "amount" and amounts is None:
            want.append("amount")
        panel = load_panel(syms, start, end, fields=want, source=source, adjust=adjust,
                           offline=offline, cache_dir=cache_dir)  # fmt: skip
        closes = _members_of_panel(panel, board, syms)
        amounts = panel.amount.data if "amount" in want else amounts
        src_name = ",".join(sorted(set(panel.provenance["source"])))
        served_adjust = ",".join(sorted(set(panel.provenance["adjust"])))
        times = panel.provenance["retrieved_at"].dropna()
        retrieved = times.min() if len(times) else None
    else:
        closes = given_member_prices(prices, board, syms, start, end)
        src_name = "prices given"
        if weights == "amount" and amounts is None and len(closes):
            amounts = get_prices(syms, closes.index[0], closes.index[-1], source=source,
                                 field="amount", adjust=adjust, offline=offline,
                                 cache_dir=cache_dir).data  # fmt: skip
    level, how = proxy_index(closes, weights=weights, caps=caps, amounts=amounts, base=base)
    first = pd.Timestamp(closes.index[0]) if len(closes) else None
    return proxy_frame(
        board,
        level,
        note=proxy_note(board, how, syms, membership, base=base, first=first),
        members=len(syms),
        source=f"proxy({src_name})",
        adjust=served_adjust,
        retrieved_at=retrieved,
    )


def _members_of_panel(panel: MarketPanel, board: str, members: list[str]) -> pd.DataFrame:
    """The members' closes; a member without closes fails the proxy."""
    closes = panel.close
    absent = [s for s in members if s not in closes.data.columns]
    if absent:
        why = "; ".join(closes.failures["message"].astype(str))
        raise DataUnavailableError(f"{board}: no closes for the members {absent} ({why})")
    return closes.data[members]
