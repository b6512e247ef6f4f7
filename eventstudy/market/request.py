"""One price request: its parameters, its per-request state, and what loading a symbol gives.

:func:`eventstudy.market.load_panel` (and ``get_prices`` on top of it) builds
one :class:`PriceRequest` per call and hands it, with each parsed
:class:`~eventstudy.symbols.Symbol`, to a :class:`Loader`: a cached network
source, a local source, or the ``auto`` fallback policy. Loaders return a
:class:`Loaded` (every requested field the source has, and provenance) and
record in :class:`RequestState` what the whole request must know:

* ``down`` - a source that failed at connection level; it stays down for the
  rest of the request, for every field and symbol (one connection attempt per
  source per request);
* ``missing`` - date ranges that could not be served (offline), reported at
  the end in one :class:`~eventstudy.exceptions.DataUnavailableError` or in
  ``failures``.

Examples
--------
>>> import pandas as pd
>>> from eventstudy.symbols import parse_symbol
>>> T = pd.Timestamp
>>> fmt_ranges(trim(parse_symbol("600519.SH"), [(T("2022-01-29"), T("2022-02-09"))]))
'2022-02-07..2022-02-09'
>>> fmt_ranges(trim(parse_symbol("NIO"), [(T("2022-01-29"), T("2022-02-01"))]))
'2022-01-31..2022-02-01'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, PriceField
from eventstudy.calendar import shanghai_sessions, uses_china_calendar
from eventstudy.exceptions import ProviderError, user_stacklevel
from eventstudy.market.cache import PriceCache, Range, today_shanghai
from eventstudy.symbols import Symbol

__all__ = [
    "Loaded",
    "Loader",
    "OfflineMiss",
    "Prefetching",
    "PriceRequest",
    "RequestState",
    "between",
    "fmt_ranges",
    "join_notes",
    "resolve_offline",
    "trim",
    "user_stacklevel",
]

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


@dataclass
class RequestState:
    """What one request has learnt so far (shared by its loaders and its board proxies)."""

    down: dict[str, ProviderError] = field(default_factory=dict)
    missing: dict[str, tuple[list[Range], str]] = field(default_factory=dict)

    def mark_down(self, source: str, err: ProviderError) -> None:
        """Remember a connection-level failure (an ``OSError`` cause): no retry this request."""
        if isinstance(err.cause, OSError):
            self.down.setdefault(source, err)

    def check_up(self, source: str, symbol: str) -> None:
        """Raise :class:`ProviderError` if ``source`` is down for this request."""
        earlier = self.down.get(source)
        if earlier is None:
            return
        raise ProviderError(
            f"{symbol}: {source} skipped, it could not be reached earlier "
            f"({earlier.symbol} after {earlier.attempts} attempt(s): "
            f"{type(earlier.cause).__name__}: {earlier.cause}); retry later, or pass "
            'errors="collect" to keep the symbols that can be served',
            symbol=symbol,
            source=source,
            attempts=earlier.attempts,
            cause=earlier.cause,
        )


@dataclass(frozen=True)
class PriceRequest:
    """The parameters of one request (validated by the caller) and its state."""

    start: pd.Timestamp
    end: pd.Timestamp
    fields: tuple[PriceField, ...]
    adjust: Adjust
    offline: bool
    refresh: bool
    cache: PriceCache
    state: RequestState = field(default_factory=RequestState)

    def for_members(self, fields: Iterable[PriceField]) -> PriceRequest:
        """The same request for other symbols (a board's members): shared ``down``,
        its own ``missing``."""
        return PriceRequest(
            start=self.start,
            end=self.end,
            fields=tuple(dict.fromkeys(fields)),
            adjust=self.adjust,
            offline=self.offline,
            refresh=self.refresh,
            cache=self.cache,
            state=RequestState(down=self.state.down),
        )


@dataclass
class Loaded:
    """What a loader serves for one symbol.

    Attributes
    ----------
    series
        ``{field: values}`` for every requested field the source has (indexed by date).
    prov
        The provenance record (:func:`~eventstudy.market.frame.provenance_row`).
    lacking
        ``{field: why}`` for requested fields the source does not have.
    field_notes
        ``{field: note}`` that concerns one field only (a proxy's ``close`` is an
        index, its ``volume`` a sum): added to the note of that field's frame.
    """

    series: dict[str, pd.Series]
    prov: dict[str, Any]
    lacking: dict[str, str] = field(default_factory=dict)
    field_notes: dict[str, str] = field(default_factory=dict)

    def prov_of(self, fld: str) -> dict[str, Any]:
        """The provenance record of one field."""
        note = join_notes(str(self.prov.get("note", "")), self.field_notes.get(fld, ""))
        return {**self.prov, "field": fld, "note": note}

    def add_note(self, text: str, *, first: bool = False) -> None:
        """Add ``text`` to the provenance note (before the existing note if ``first``)."""
        old = str(self.prov.get("note", ""))
        self.prov["note"] = join_notes(text, old) if first else join_notes(old, text)

    @property
    def has_values(self) -> bool:
        """Whether any field has a value."""
        return any(bool(s.notna().any()) for s in self.series.values())


class OfflineMiss(Exception):
    """The network is not to be used and the cache does not cover the request."""

    def __init__(self, ranges: list[Range], why: str, partial: Loaded | None = None) -> None:
        super().__init__(why)
        self.ranges = ranges
        self.why = why
        self.partial = partial  # what the cache has of the request (None: nothing)


@runtime_checkable
class Loader(Protocol):
    """Serves one symbol of a request: a cached network source, a local source, a policy."""

    def load(self, symbol: Symbol, req: PriceRequest) -> Loaded:
        """Every requested field of ``symbol`` the loader has, with provenance."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """A loader told the symbols of a request before it loads them, to read them together.

    :func:`~eventstudy.market.load_panel` calls :meth:`prefetch` once per request
    (and per board proxy's members) when the loader has it; a
    :class:`~eventstudy.market.loaders.DirectSource` over a warehouse then reads
    many symbols per scan. What ``load`` returns does not change.
    """

    def prefetch(self, symbols: Sequence[Symbol], req: PriceRequest) -> None:
        """Note that ``symbols`` of ``req`` will be loaded (nothing needs to be read yet)."""
        ...


def trim(symbol: Symbol, ranges: Iterable[Range]) -> list[Range]:
    """Drop the parts of ``ranges`` that cannot hold data.

    The future, and days that are not sessions: Shanghai sessions for Chinese
    symbols, business days (Monday to Friday; no holiday calendar) for the others.
    """
    today = today_shanghai()
    china = uses_china_calendar(symbol)
    out: list[Range] = []
    for a, b in ranges:
        b = min(b, today)
        if a > b:
            continue
        s = shanghai_sessions(a, b) if china else pd.bdate_range(a, b)
        if len(s) == 0:
            continue
        out.append((pd.Timestamp(s[0]), pd.Timestamp(s[-1])))
    return out


def fmt_ranges(ranges: Iterable[Range]) -> str:
    """``2022-01-04..2022-01-07, 2022-02-07..2022-02-09``."""
    return ", ".join(f"{a.date()}..{b.date()}" for a, b in ranges)


def join_notes(*parts: str) -> str:
    """Non-empty notes joined with ``"; "``, each once, in order."""
    return "; ".join(dict.fromkeys(p for p in parts if p))


def between(series: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """``series`` restricted to ``lo..hi`` (inclusive) without assuming a sorted index."""
    ix = np.asarray(series.index, dtype="datetime64[ns]")
    keep = (ix >= np.datetime64(lo, "ns")) & (ix <= np.datetime64(hi, "ns"))
    return series[keep]
