"""The Dask side of ``engine="dask"``: the import, the client, the partitioning.

``distributed`` is imported here only, and only when a function of this package
runs (``import eventstudy`` imports no Dask). Install it with
``pip install "eventstudy-cn[dask]"``.

Examples
--------
>>> check_engine("local")
'local'
>>> chunks([5, 1, 1, 1, 4, 1], 2)
[[0], [1, 2], [3], [4], [5]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, Final, get_args

from eventstudy._typing import Engine
from eventstudy.exceptions import ConfigError

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "ENGINES",
    "check_engine",
    "check_engine_options",
    "check_partition_size",
    "chunks",
    "dask_mapper",
    "gather_in_order",
    "mapper_for",
    "n_workers",
    "partition_size_for",
    "require_distributed",
    "resolve_client",
]

#: The engines a load or a study runs on (``engine=``).
ENGINES: Final[tuple[Engine, ...]] = get_args(Engine)

#: The most inputs (post files or table rows) per news partition and events per study
#: partition when ``partition_size`` is not given (fewer: about four partitions per worker).
DEFAULT_PARTITION_SIZE: Final = 2000

_INSTALL: Final = 'pip install "eventstudy-cn[dask]"'


def check_engine(engine: object) -> Engine:
    """``engine`` if it is one of :data:`ENGINES`.

    Raises
    ------
    ConfigError
        For any other value.
    """
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r} must be one of {list(ENGINES)}")
    return engine


def check_engine_options(engine: object, **dask_only: object) -> Engine:
    """``engine`` (:func:`check_engine`), refusing Dask-only options with ``"local"``.

    ``dask_only``: the options that only the Dask engine reads (``client=``,
    ``partition_size=``), as given; any that is not None with ``engine="local"``
    would be ignored, so it is an error.

    Raises
    ------
    ConfigError
        An unknown engine, or a Dask-only option with ``engine="local"``.

    Examples
    --------
    >>> check_engine_options("local", client=None, partition_size=None)
    'local'
    >>> check_engine_options("local", partition_size=5)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: partition_size=5 is given with engine='local', which \
does not use it (only engine='dask' does): pass engine='dask', or drop partition_size=
    """
    checked = check_engine(engine)
    given = {name: value for name, value in dask_only.items() if value is not None}
    if checked == "local" and given:
        said = ", ".join(f"{name}={value!r}" for name, value in given.items())
        names = ", ".join(f"{name}=" for name in given)
        raise ConfigError(
            f"{said} {'is' if len(given) == 1 else 'are'} given with engine='local', which "
            f"does not use {'it' if len(given) == 1 else 'them'} (only engine='dask' does): "
            f"pass engine='dask', or drop {names}"
        )
    return checked


def require_distributed() -> ModuleType:
    """The ``distributed`` module (imported on first use).

    Raises
    ------
    ConfigError
        If Dask's ``distributed`` is not installed (the message says how to install it).
    """
    try:
        import distributed
    except ImportError as err:
        raise ConfigError(
            f"engine='dask' needs dask.distributed, which is not installed ({err}); "
            f"install it with {_INSTALL}"
        ) from None
    return distributed


def resolve_client(client: Any = None) -> Any:
    """``client`` if given, else the current Dask client of this session.

    Raises
    ------
    ConfigError
        If ``client`` is not a ``distributed.Client``, or none is given and none is
        running.
    """
    distributed = require_distributed()
    if client is not None:
        if not isinstance(client, distributed.Client):
            raise ConfigError(
                f"client must be a distributed.Client, got {type(client).__name__}; e.g. "
                "Client('tcp://scheduler:8786') or Client(LocalCluster(n_workers=2))"
            )
        return client
    try:
        return distributed.get_client()
    except ValueError:
        raise ConfigError(
            "engine='dask' found no Dask client: start one (from distributed import Client; "
            "client = Client('tcp://scheduler:8786'), or Client() for a local cluster) and "
            "pass client="
        ) from None


def partition_size_for(size: int | None, total: int, client: Any) -> int:
    """``size`` if given (checked), else about four partitions per worker of ``client``,
    at most :data:`DEFAULT_PARTITION_SIZE` each (``total``: inputs or events).

    Examples
    --------
    >>> partition_size_for(7, 100, None), partition_size_for(None, 0, None)
    (7, 1)
    """
    if size is not None:
        return check_partition_size(size)
    if total == 0:
        return 1
    per = -(-total // (4 * n_workers(client)))  # ceil
    return max(1, min(DEFAULT_PARTITION_SIZE, per))


def check_partition_size(size: object) -> int:
    """``size`` if it is a positive integer.

    Raises
    ------
    ConfigError
        For anything else.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(f"partition_size={size!r} must be a positive integer")
    return size


def chunks(weights: Sequence[int], size: int) -> list[list[int]]:
    """Consecutive groups of items whose weights add up to about ``size`` (at least one item).

    A group is closed as soon as its weight reaches ``size``; an item heavier than
    ``size`` forms its own group. Items keep their order.
    """
    out: list[list[int]] = []
    group: list[int] = []
    total = 0
    for i, w in enumerate(weights):
        if group and total + w > size:
            out.append(group)
            group, total = [], 0
        group.append(i)
        total += w
        if total >= size:
            out.append(group)
            group, total = [], 0
    if group:
        out.append(group)
    return out


def gather_in_order(futures: Sequence[Any]) -> list[Any]:
    """The results of ``futures`` in their order; the first failed one (in order) raises.

    The same exception as the local run raises: the error of the earliest partition,
    whichever partition failed first in time.
    """
    return [f.result() for f in futures]


#: ``(fn, shared, items) -> [fn(shared, item) for item in items]`` (as ``study.placebo.Mapper``).
MapFn = Callable[[Callable[[Any, Any], Any], Any, list[Any]], list[Any]]


def dask_mapper(client: Any = None) -> MapFn:
    """A mapper ``(fn, shared, items) -> [fn(shared, item) ...]`` running on Dask workers.

    ``shared`` (e.g. a study's return panel) is scattered to every worker once; each
    item is one task; the results come back in order (see :func:`gather_in_order`).
    Used by ``EventStudyResult.placebo(engine="dask")``.
    """
    dask = resolve_client(client)

    def run(fn: Callable[[Any, Any], Any], shared: Any, items: list[Any]) -> list[Any]:
        common = dask.scatter(shared, broadcast=True, hash=False)
        return gather_in_order([dask.submit(fn, common, item, pure=False) for item in items])

    return run


def n_workers(client: Any = None) -> int:
    """The number of workers of ``client`` (default: the running client), at least 1."""
    return max(1, len(resolve_client(client).scheduler_info()["workers"]))


def mapper_for(engine: object, client: Any = None) -> MapFn | None:
    """The mapper of ``engine``: None for ``"local"`` (the caller's own loop), else
    :func:`dask_mapper` of ``client``.

    Raises
    ------
    ConfigError
        For an unknown engine; for ``"dask"`` without Dask or a client.

    Examples
    --------
    >>> mapper_for("local") is None
    True
    """
    return dask_mapper(client) if check_engine(engine) == "dask" else None
