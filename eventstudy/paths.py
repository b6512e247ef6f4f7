"""Where the package keeps files on disk: the cache folder, and writing files there safely.

A base module (standard library only), so that base modules such as
:mod:`eventstudy.calendar` can find the cache without importing
:mod:`eventstudy.market`. The price cache (:mod:`eventstudy.market.cache`) and
the stored trading calendar both live under :func:`resolve_cache_dir`; every Parquet
file the package keeps there (cache entries, reference snapshots, the news archive) is
written with :func:`write_parquet_atomic`.

Examples
--------
>>> str(resolve_cache_dir("/tmp/x"))
'/tmp/x'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from eventstudy.exceptions import CacheError

__all__ = ["resolve_cache_dir", "write_parquet_atomic"]


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: argument → ``$EVENTSTUDY_CACHE`` → platformdirs user cache dir.

    Parameters
    ----------
    cache_dir
        An explicit folder (``~`` expanded); ``None`` for the default.

    Returns
    -------
    Path
        ``~/.cache/eventstudy`` on Linux unless the argument or the environment
        says otherwise.

    Examples
    --------
    >>> str(resolve_cache_dir("/tmp/x"))
    '/tmp/x'
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("EVENTSTUDY_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("eventstudy", appauthor=False))


def write_parquet_atomic(path: Path, table: Any, *, what: str = "file") -> None:
    """Write a ``pyarrow.Table`` to ``path`` atomically: a temporary file, then ``os.replace``.

    A reader never sees a half-written file: it sees the old file or the new one.
    The folder is created if needed.

    Parameters
    ----------
    path
        The target file.
    table
        A ``pyarrow.Table`` (its schema metadata is written with it).
    what
        What the file is, for the error message.

    Raises
    ------
    CacheError
        If the folder cannot be written (e.g. read-only).

    Examples
    --------
    >>> import pyarrow as pa, pyarrow.parquet as pq, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sub" / "t.parquet"
    >>> write_parquet_atomic(path, pa.table({"x": [1, 2]}))
    >>> pq.read_table(path).num_rows, sorted(p.name for p in path.parent.iterdir())
    (2, ['t.parquet'])
    """
    import pyarrow.parquet as pq

    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as err:
        raise CacheError(
            f"cannot write the {what} {path}: {err}; set cache_dir= or "
            "EVENTSTUDY_CACHE to a writable folder"
        ) from err
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
