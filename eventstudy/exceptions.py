"""The package's error and warning classes.

A small tree in the spirit of ``exchange_calendars``: every error derives from
:class:`EventStudyError` and also from the builtin a generic handler would
catch (``ValueError``, ``LookupError``, ``RuntimeError``, ``OSError``), so
``except ValueError`` keeps working for callers who do not know this package.

Examples
--------
>>> from eventstudy.exceptions import UnknownSymbolError, EventStudyError
>>> try:
...     raise UnknownSymbolError("'BK9999' is not in the board table")
... except ValueError as err:
...     print(type(err).__name__, isinstance(err, EventStudyError))
UnknownSymbolError True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "PRICE_WARNINGS",
    "AmbiguousSymbolError",
    "CacheError",
    "CalendarHorizonWarning",
    "ConfigError",
    "DataUnavailableError",
    "EventStudyError",
    "EventStudyWarning",
    "InputDataError",
    "NewsParseError",
    "OfflineFallbackWarning",
    "OutputPathError",
    "ProviderError",
    "ProxyWarning",
    "SymbolError",
    "UnknownSymbolError",
    "user_stacklevel",
]


class EventStudyError(Exception):
    """Base class of every error raised by ``eventstudy``."""


class SymbolError(EventStudyError, ValueError):
    """A security identifier is malformed or cannot be converted."""


class UnknownSymbolError(SymbolError):
    """A well-formed identifier that names no known security, board or index."""


class AmbiguousSymbolError(SymbolError):
    """An identifier that could name several securities (e.g. bare ``000001``)."""


class InputDataError(EventStudyError, ValueError):
    """Input data that cannot be used as given (Inf prices, duplicated ids, ...)."""


class NewsParseError(EventStudyError, ValueError):
    """A news item that cannot be parsed (raised only with ``errors="raise"``)."""


class ConfigError(EventStudyError, ValueError):
    """An invalid configuration value; the message names the key and the reason."""


class DataUnavailableError(EventStudyError, LookupError):
    """Requested data is neither in the cache nor reachable (e.g. offline).

    Parameters
    ----------
    message
        What is missing and what to do.
    missing
        ``{symbol: [(start, end), ...]}``: the missing date ranges, when known.
    """

    def __init__(self, message: str, *, missing: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.missing: dict[str, Any] = dict(missing or {})


class ProviderError(EventStudyError, RuntimeError):
    """A data provider failed after its retries.

    Parameters
    ----------
    message
        What went wrong.
    symbol, source
        The request that failed.
    attempts
        How many attempts were made.
    cause
        The last underlying exception, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        symbol: str | None = None,
        source: str | None = None,
        attempts: int = 0,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.symbol = symbol
        self.source = source
        self.attempts = attempts
        self.cause = cause


class CacheError(EventStudyError, OSError):
    """The on-disk cache cannot be read or written."""


class OutputPathError(EventStudyError, OSError):
    """An output path cannot be written (a file where a folder is needed, no permission, ...).

    Bad input, not a bug: the message names the path and what to do (the CLI exits 2).
    """


class EventStudyWarning(UserWarning):
    """Base class of the package's warnings."""


class ProxyWarning(EventStudyWarning):
    """A series was replaced by a proxy (e.g. a board index built from members)."""


class OfflineFallbackWarning(EventStudyWarning):
    """Data came from the cache or bundled snapshot because the network failed."""


class CalendarHorizonWarning(EventStudyWarning):
    """Dates past the last known trading session: every weekday there is taken as a session.

    The exchange's holidays are known up to the calendar's last session
    (``exchange_calendars``' XSHG table, or the calendar refreshed from Sina with
    ``eventstudy.market.refresh_calendar()``). Beyond it a holiday would be counted
    as a session, shifting day 0 and relative days; refresh the calendar when online.
    """


#: The price layer's warnings about where series came from (their provenance): a
#: Dask study forwards those its workers emit to the client.
PRICE_WARNINGS: tuple[type[EventStudyWarning], ...] = (ProxyWarning, OfflineFallbackWarning)


def user_stacklevel() -> int:
    """``stacklevel`` for ``warnings.warn`` naming the first caller outside this package.

    Called in the function that warns; the package's own frames are skipped so
    that the warning points at the user's line (``get_prices``, ``load_panel``,
    ``run_event_study``, ``backtest``, ``EventSet.from_frame`` ... whatever they called).

    Examples
    --------
    >>> import warnings
    >>> def warn_here() -> None:  # called from outside the package: points at the caller
    ...     warnings.warn("x", EventStudyWarning, stacklevel=user_stacklevel())
    >>> user_stacklevel() >= 1
    True
    """
    import sys

    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and _in_package(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return level


def _in_package(module: object) -> bool:
    name = str(module)
    return name == "eventstudy" or name.startswith("eventstudy.")
