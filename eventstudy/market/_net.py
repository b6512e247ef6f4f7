"""Network discipline: timeouts, bounded retries with backoff and jitter, rate limits.

Every network source calls :func:`call_with_retry`: the call gets a timeout,
a failure is retried up to ``attempts`` times in total with exponential
backoff (``base_delay * 2**k``, capped at ``max_delay``) plus uniform jitter,
and the final failure is a :class:`~eventstudy.exceptions.ProviderError`
naming the symbol, source, attempt count and last cause. A host that cannot
be reached at all (:func:`is_unreachable`: name resolution failed, connection
refused, network unreachable) is not retried: one connection attempt, and the
request marks the source down for its other symbols. ``sleep``, ``clock``
and the random generator are injectable so tests run instantly.

Examples
--------
>>> calls = []
>>> def flaky():
...     calls.append(1)
...     if len(calls) < 3:
...         raise ConnectionError("reset")
...     return "ok"
>>> slept = []
>>> call_with_retry(flaky, policy=RetryPolicy(attempts=3, jitter=0.0), symbol="X",
...                 source="test", sleep=slept.append)
'ok'
>>> slept
[0.5, 1.0]
"""

from __future__ import annotations

import errno
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from eventstudy.exceptions import ProviderError

__all__ = [
    "EASTMONEY_LIMITER",
    "TENCENT_LIMITER",
    "EmptyResponseError",
    "HttpTimeout",
    "RateLimiter",
    "RetryPolicy",
    "call_with_retry",
    "is_unreachable",
]

T = TypeVar("T")


class EmptyResponseError(Exception):
    """The service answered but with no rows (``data: null``, empty klines, rc != 0)."""


#: A ``requests`` timeout: seconds, or ``(connect, read)`` seconds.
HttpTimeout = float | tuple[float, float]


@dataclass(frozen=True)
class RetryPolicy:
    """How a network call is retried.

    Parameters
    ----------
    attempts
        Total attempts (>= 1).
    base_delay, max_delay
        Backoff before retry k (k = 1, 2, ...) is ``min(base_delay * 2**(k-1), max_delay)``.
    jitter
        Uniform random extra delay in ``[0, jitter * backoff]``.
    timeout
        Seconds for each HTTP call to answer (the read timeout).
    connect_timeout
        Seconds to open the connection (at most ``timeout``): a host that drops packets
        is given up on after this long, once (:func:`is_unreachable`: not retried).

    Examples
    --------
    >>> RetryPolicy().http_timeout()
    (5.0, 15.0)
    >>> RetryPolicy(timeout=2.0).http_timeout()
    (2.0, 2.0)
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    timeout: float = 15.0
    connect_timeout: float = 5.0

    def http_timeout(self) -> tuple[float, float]:
        """``(connect, read)`` seconds, as ``requests`` takes them."""
        return (min(self.connect_timeout, self.timeout), self.timeout)

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        backoff = min(self.base_delay * 2 ** (retry - 1), self.max_delay)
        return backoff + (rng.uniform(0.0, self.jitter * backoff) if self.jitter else 0.0)


class RateLimiter:
    """At most one call per ``min_interval`` seconds (shared across threads).

    Examples
    --------
    >>> t = [0.0]
    >>> slept = []
    >>> lim = RateLimiter(0.5, clock=lambda: t[0], sleep=slept.append)
    >>> lim.wait(); lim.wait(); slept
    [0.5]
    """

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.min_interval = float(min_interval)
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next call is allowed."""
        with self._lock:
            now = self.clock()
            if self._last is not None:
                gap = self._last + self.min_interval - now
                if gap > 0:
                    self.sleep(gap)
                    now += gap
            self._last = now


#: Shared limiter of all Eastmoney (akshare) calls: Eastmoney blocks bursts.
EASTMONEY_LIMITER = RateLimiter(0.35)
#: Shared limiter of all Tencent calls (the second live source of A-shares and indices).
TENCENT_LIMITER = RateLimiter(0.35)


#: ``errno`` values of a connection that could not be made (no route, refused, host down).
_UNREACHABLE_ERRNO = frozenset(
    getattr(errno, name)
    for name in ("ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "ENETDOWN")
    if hasattr(errno, name)
)
#: Connection-level error classes of HTTP libraries, by name (no vendor import here).
_UNREACHABLE_NAMES = frozenset({"NewConnectionError", "NameResolutionError", "ConnectTimeoutError"})


def _linked(err: BaseException) -> list[BaseException]:
    """``err`` and what it wraps: ``__cause__``, ``__context__``, urllib3's ``reason``, args."""
    seen: list[BaseException] = []
    todo = [err]
    while todo and len(seen) < 20:
        e = todo.pop()
        if any(e is s for s in seen):
            continue
        seen.append(e)
        linked = [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
        todo.extend(x for x in linked if isinstance(x, BaseException))
    return seen


def is_unreachable(err: BaseException) -> bool:
    """Whether ``err`` means the host could not be reached at all (not worth a retry now).

    True for a failed name resolution (``socket.gaierror``), a refused or
    unroutable connection (``ECONNREFUSED``, ``ENETUNREACH``, ...) and HTTP
    libraries' connection errors wrapping them; False for timeouts while
    reading, HTTP errors and bad answers (those are retried).

    Examples
    --------
    >>> import socket
    >>> is_unreachable(socket.gaierror(-2, "Name or service not known"))
    True
    >>> is_unreachable(TimeoutError("read timed out")), is_unreachable(ValueError("bad json"))
    (False, False)
    """
    for e in _linked(err):
        if isinstance(e, socket.gaierror | ConnectionRefusedError):
            return True
        if isinstance(e, OSError) and e.errno in _UNREACHABLE_ERRNO:
            return True
        if any(k.__name__ in _UNREACHABLE_NAMES for k in type(e).__mro__):
            return True
    return False


def call_with_retry(
    func: Callable[[], T],
    *,
    policy: RetryPolicy,
    symbol: str | None,
    source: str,
    sleep: Callable[[float], object] = time.sleep,
    rng: random.Random | None = None,
    permanent: tuple[type[BaseException], ...] = (),
    limiter: RateLimiter | None = None,
) -> T:
    """Call ``func`` with retries; raise :class:`ProviderError` after the last attempt.

    Parameters
    ----------
    func
        The call (already bound to its timeout).
    permanent
        Exception types that are not retried (e.g. an invalid board code).
    limiter
        Waited on before every attempt.

    Examples
    --------
    A permanent error is not retried:

    >>> def refuse():
    ...     raise KeyError("no such code")
    >>> try:
    ...     call_with_retry(refuse, policy=RetryPolicy(), symbol="BK9999", source="akshare",
    ...                     permanent=(KeyError,), sleep=lambda s: None)
    ... except ProviderError as err:
    ...     print(err.attempts, err)
    1 akshare refused BK9999: KeyError: 'no such code'
    """
    rng = rng or random.Random()
    last: BaseException | None = None
    attempts = max(1, int(policy.attempts))
    for attempt in range(1, attempts + 1):
        if limiter is not None:
            limiter.wait()
        try:
            return func()
        except permanent as err:
            raise ProviderError(
                f"{source} refused {symbol}: {type(err).__name__}: {err}",
                symbol=symbol,
                source=source,
                attempts=attempt,
                cause=err,
            ) from err
        except Exception as err:  # every other failure is treated as transient
            last = err
            if is_unreachable(err):  # no route to the host: one attempt, the request moves on
                attempts = attempt
                break
            if attempt < attempts:
                sleep(policy.delay(attempt, rng))
    assert last is not None
    raise ProviderError(
        f"{source} failed{'' if symbol is None else f' for {symbol}'} after {attempts} "
        f"attempt(s): {type(last).__name__}: {last}",
        symbol=symbol,
        source=source,
        attempts=attempts,
        cause=last,
    ) from last
