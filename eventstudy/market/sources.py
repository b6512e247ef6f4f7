"""The price-source protocol and the registry of named sources.

A source turns ``(symbol, start, end, adjust)`` into *bars* (see
:mod:`eventstudy.market._clean`) and says which symbols it may have
(``has``). Sources that use the network set ``network = True``;
:func:`eventstudy.market.load_panel` then puts the on-disk cache in front of
them and never calls them with ``offline=True``.

========== ==========================================================  =======
name       what                                                        network
========== ==========================================================  =======
auto       the fallback policy (:class:`~eventstudy.market.policy.      yes
           FallbackPolicy`): live sources per kind, cache, snapshot,
           board proxies; the default
bundled    the snapshot shipped in ``data/``: 47 stocks 2010-2026 and   no
           5 indices, every other A-share 2021-07-27..2022-12-31
           (:mod:`~eventstudy.market.bundled`)
local      a folder of CSV/Parquet files (:class:`LocalSource`)         no
akshare    Eastmoney through akshare (:class:`AkshareSource`)          yes
yfinance   Yahoo Finance through yfinance (:class:`YFinanceSource`)    yes
tencent    Tencent through akshare: A-shares and SH/SZ indices, the     yes
           second live source of ``auto`` (:class:`~eventstudy.market.
           tencent_source.TencentSource`)
========== ==========================================================  =======

Examples
--------
>>> from eventstudy.market import available_sources, get_source
>>> available_sources()
['akshare', 'auto', 'bundled', 'local', 'tencent', 'yfinance']
>>> all(get_source(name).name for name in available_sources() if name != "local")
True
>>> get_source("bundled").network, get_source("auto").network
(False, True)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import ConfigError

__all__ = [
    "PriceSource",
    "as_source",
    "available_sources",
    "get_source",
    "register_source",
]


@runtime_checkable
class PriceSource(Protocol):
    """What a price source provides.

    Attributes
    ----------
    name
        Short name, used as the cache namespace; provenance shows the name the
        source was registered under (``get_prices(source="my_folder")`` →
        ``my_folder``), this one when the object itself is passed.
    network
        True if :meth:`fetch` may open network connections.

    Examples
    --------
    A source is any object with these members (no subclassing needed):

    >>> import pandas as pd
    >>> class Constant:
    ...     name, network = "constant", False
    ...     def has(self, symbol):
    ...         return True
    ...     def served_adjust(self, symbol, adjust):
    ...         return "none"
    ...     def fetch(self, symbol, start, end, *, adjust):
    ...         days = pd.bdate_range(start, end, name="date")
    ...         return pd.DataFrame({"close": 1.0}, index=days)
    >>> isinstance(Constant(), PriceSource)
    True
    >>> from eventstudy.market import get_prices
    >>> get_prices("NIO", "2022-01-07", "2022-01-10", source=Constant()).data["NIO"].tolist()
    [1.0, 1.0]
    """

    name: str
    network: bool

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Daily bars of one canonical symbol for ``start..end`` (inclusive).

        Returns bars indexed by ``date`` with float columns among
        ``open high low close volume amount`` (volume in shares, amount in the
        trading currency). Raises ``DataUnavailableError`` for data the source
        does not have, ``ProviderError`` when a network call fails after retries.
        """
        ...

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """The adjustment of what :meth:`fetch` returns for ``adjust`` (``none`` for indices)."""
        ...

    def has(self, symbol: str) -> bool:
        """Whether the source may serve ``symbol`` (False: it certainly cannot).

        A local source checks its files; a network source answers for the kinds
        of symbols it covers (it learns about a code only by asking).
        """
        ...


#: Members of a source written before ``has`` joined the protocol.
_LEGACY_MEMBERS = ("name", "network", "fetch", "served_adjust")


class _WithoutHas:
    """A source object without ``has`` (deprecated): it is asked for every symbol."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.name: str = source.name
        self.network: bool = bool(source.network)

    def __repr__(self) -> str:
        return repr(self.source)

    def has(self, symbol: str) -> bool:
        return True

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        return str(self.source.served_adjust(symbol, adjust))

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        bars: pd.DataFrame = self.source.fetch(symbol, start, end, adjust=adjust)
        return bars


def as_source(obj: object) -> PriceSource:
    """``obj`` as a :class:`PriceSource`.

    An object with ``name``, ``network``, ``fetch`` and ``served_adjust`` but no
    ``has`` (the protocol before ``has``) is accepted for one release with a
    :class:`DeprecationWarning`, and asked for every symbol.

    Raises
    ------
    ConfigError
        For anything else.

    Examples
    --------
    >>> from eventstudy.market.bundled import BundledSource
    >>> src = BundledSource()
    >>> as_source(src) is src
    True
    """
    if isinstance(obj, PriceSource):
        return obj
    if all(hasattr(obj, m) for m in _LEGACY_MEMBERS):
        warnings.warn(
            f"{obj!r} has no has(symbol) method; price sources without it are deprecated "
            "and will be refused in the next release: add has(symbol) -> bool",
            DeprecationWarning,
            stacklevel=3,
        )
        return _WithoutHas(obj)
    raise ConfigError(
        f"{obj!r} is not a PriceSource: it needs name, network, fetch, served_adjust and has"
    )


_REGISTRY: dict[str, PriceSource | Callable[[], Any]] = {}


def register_source(
    name: str, source: PriceSource | Callable[[], PriceSource], *, replace: bool = True
) -> None:
    """Register a source under a name usable as ``get_prices(..., source=name)``.

    Parameters
    ----------
    name
        The name (``auto`` replaces the fallback policy of ``get_prices``).
    source
        An object following :class:`PriceSource`, or a zero-argument factory
        that builds one on first use (keeps heavy imports deferred).
    replace
        Allow replacing an existing registration (e.g. a ``local`` source with
        your own folder, or an ``akshare`` source with an injected fetcher).

    Examples
    --------
    >>> from eventstudy.market import LocalSource, register_source, get_source
    >>> register_source("my_folder", LocalSource("/tmp/prices"))
    >>> get_source("my_folder").name
    'local'
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"source name must be a non-empty string, got {name!r}")
    if name in _REGISTRY and not replace:
        raise ConfigError(f"a source named {name!r} is already registered; pass replace=True")
    if not isinstance(source, type) and all(hasattr(source, m) for m in _LEGACY_MEMBERS):
        _REGISTRY[name] = as_source(source)
    elif callable(source):
        _REGISTRY[name] = source
    else:
        raise ConfigError(
            f"{source!r} is neither a PriceSource (name, network, fetch, served_adjust, has) "
            "nor a factory returning one"
        )


def get_source(name: str) -> PriceSource:
    """The source registered under ``name`` (factories are built once, on first use).

    Raises
    ------
    ConfigError
        For unknown names; the message lists the registered ones.

    Examples
    --------
    >>> get_source("bundled").name, get_source("bundled").network
    ('bundled', False)
    >>> get_source("nope")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: unknown price source 'nope'; registered: [...] ...
    """
    if name not in _REGISTRY:
        raise ConfigError(
            f"unknown price source {name!r}; registered: {available_sources()} "
            "(register more with eventstudy.register_source)"
        )
    entry = _REGISTRY[name]
    if not isinstance(entry, PriceSource):
        built = as_source(entry())
        _REGISTRY[name] = built
        return built
    return entry


def available_sources() -> list[str]:
    """Names accepted by ``get_prices(source=...)``: exactly those :func:`get_source` knows.

    Examples
    --------
    >>> "auto" in available_sources()
    True
    """
    return sorted(_REGISTRY)


def _default_auto() -> PriceSource:
    from eventstudy.market.policy import FallbackPolicy

    return FallbackPolicy(get_source)


def _default_local() -> PriceSource:
    from eventstudy.market.local import LocalSource

    root = os.environ.get("EVENTSTUDY_LOCAL_PRICES")
    if not root:
        raise ConfigError(
            "the 'local' source needs a folder: set EVENTSTUDY_LOCAL_PRICES or call "
            "register_source('local', LocalSource('/path/to/prices'))"
        )
    return LocalSource(root)


def _default_bundled() -> PriceSource:
    from eventstudy.market.bundled import BundledSource

    return BundledSource()


def _default_akshare() -> PriceSource:
    from eventstudy.market.akshare_source import AkshareSource

    return AkshareSource()


def _default_yfinance() -> PriceSource:
    from eventstudy.market.yfinance_source import YFinanceSource

    return YFinanceSource()


def _default_tencent() -> PriceSource:
    from eventstudy.market.tencent_source import TencentSource

    return TencentSource()


def _reset_defaults() -> None:
    """Restore the built-in registrations (used by tests)."""
    _REGISTRY.clear()
    _REGISTRY["auto"] = _default_auto
    _REGISTRY["bundled"] = _default_bundled
    _REGISTRY["local"] = _default_local
    _REGISTRY["akshare"] = _default_akshare
    _REGISTRY["yfinance"] = _default_yfinance
    _REGISTRY["tencent"] = _default_tencent


_reset_defaults()
