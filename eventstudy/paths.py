"""Where the package keeps files on disk: the cache folder, and writing files there safely.

A base module (standard library only), so that base modules such as
:mod:`eventstudy.calendar` can find the cache without importing
:mod:`eventstudy.market`. The price cache (:mod:`eventstudy.market.cache`) and
the stored trading calendar both live under :func:`resolve_cache_dir`; every Parquet
file the package keeps there (cache entries, reference snapshots, the news archive) is
written with :func:`write_parquet_atomic`.

Concurrent processes
--------------------
* :func:`write_parquet_atomic` writes a temporary file ``.tmp-*`` beside the target and
  renames it over the target: a reader sees the old file or the new one, never a mix.
  While it writes, the writer holds an exclusive lock on the temporary file.
* :func:`file_lock` serialises the writers of one file (read, merge, write): an exclusive
  ``fcntl.flock`` on a sidecar ``<file>.lock``, removed by its holder on release.
* :func:`remove_stale_files` deletes what a killed writer (``kill -9``, power loss)
  leaves: ``.tmp-*`` files no process holds and older than :data:`STALE_AFTER_SECONDS`,
  and ``.lock`` files no process holds.
* Where ``fcntl`` does not exist (Windows) :func:`file_lock` does not lock (concurrent
  writers of one entry may lose each other's additions, never corrupt it) and a
  temporary file is stale by age alone.

Examples
--------
>>> str(resolve_cache_dir("/tmp/x"))
'/tmp/x'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eventstudy.exceptions import CacheError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks (see the module docstring)
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK_SUFFIX",
    "LOCK_TIMEOUT_SECONDS",
    "STALE_AFTER_SECONDS",
    "TEMP_PREFIX",
    "file_lock",
    "remove_stale_files",
    "resolve_cache_dir",
    "write_parquet_atomic",
]

#: Name prefix of the temporary files of :func:`write_parquet_atomic`.
TEMP_PREFIX = ".tmp-"
#: Suffix of the sidecar lock file of :func:`file_lock` (``entry.parquet.lock``).
LOCK_SUFFIX = ".lock"
#: A temporary file no process holds is stale after this many seconds (the grace covers
#: the instant between its creation and its lock).
STALE_AFTER_SECONDS = 60.0
#: How long :func:`file_lock` waits for another process before giving up.
LOCK_TIMEOUT_SECONDS = 60.0


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
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".parquet", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            _try_lock(fd)  # "being written": remove_stale_files leaves it alone
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


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock of ``fd`` if free (True; also where locks do not exist)."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not removed or replaced)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino)


def _acquire(lock_path: Path, deadline: float | None) -> int | None:
    """The descriptor of ``lock_path`` holding its lock; None if ``deadline`` passed first.

    A holder removes the lock file before it releases the lock, so a lock won on a file
    that no longer has the name is retried on a fresh file.
    """
    pause = 0.001
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        while not _try_lock(fd):
            if deadline is not None and time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        if _same_file(fd, lock_path):
            return fd
        os.close(fd)


@contextlib.contextmanager
def file_lock(
    path: Path, *, what: str = "file", timeout: float = LOCK_TIMEOUT_SECONDS
) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (a sidecar ``<path>.lock``) across processes.

    Writers that read, merge and replace a file hold its lock, so no one loses
    another's addition. Readers need no lock (:func:`write_parquet_atomic` replaces
    files whole). The lock dies with its process (``kill -9`` included); the lock file
    is removed on release. The folder is created if needed. Where ``fcntl`` does not
    exist (Windows) this does not lock.

    Parameters
    ----------
    path
        The file to lock (it need not exist).
    what
        What the file is, for the error message.
    timeout
        Seconds to wait for another process holding the lock.

    Raises
    ------
    CacheError
        If the lock file cannot be created (read-only folder) or another process held
        the lock for longer than ``timeout``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> with file_lock(path):
    ...     sorted(p.name for p in path.parent.iterdir())
    ['t.parquet.lock']
    >>> sorted(p.name for p in path.parent.iterdir())
    []
    """
    if fcntl is None:  # pragma: no cover - Windows: no advisory locks, no lock file
        yield
        return
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _acquire(lock_path, time.monotonic() + timeout)
    except OSError as err:
        raise CacheError(
            f"cannot write the {what} {path}: cannot create its lock file ({err}); set "
            "cache_dir= or EVENTSTUDY_CACHE to a writable folder"
        ) from err
    if fd is None:
        raise CacheError(
            f"cannot write the {what} {path}: another process has held {lock_path.name} for "
            f"more than {timeout:g} s; retry when it has finished"
        )
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)  # before the release: see _acquire
        os.close(fd)


def _remove_stale_temp(path: Path, now: float, max_age: float) -> bool:
    """Remove a temporary file older than ``max_age`` that no writer holds."""
    try:
        if now - path.stat().st_mtime < max_age:
            return False
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if not _try_lock(fd):
            return False  # a live writer
        os.unlink(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _remove_free_lock(lock_path: Path) -> bool:
    """Remove a lock file that no process holds (the protocol of :func:`file_lock`)."""
    if fcntl is None:  # pragma: no cover - Windows: file_lock never creates one
        return False
    try:
        fd = _acquire(lock_path, deadline=time.monotonic())
    except OSError:
        return False
    if fd is None:
        return False
    try:
        os.unlink(lock_path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def remove_stale_files(folder: Path, *, max_age: float = STALE_AFTER_SECONDS) -> int:
    """Delete what killed writers left in ``folder``; returns how many files were removed.

    Stale are: temporary files of :func:`write_parquet_atomic` (``.tmp-*``) that no
    process is writing (no lock on them) and older than ``max_age`` seconds (by age
    alone where ``fcntl`` does not exist); lock files of :func:`file_lock` that no
    process holds. Files that cannot be inspected or removed are left in place.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / ".tmp-x1.parquet").write_bytes(b"PAR1 torn")
    9
    >>> os.utime(folder / ".tmp-x1.parquet", (0, 0))  # written long ago, by a killed process
    >>> remove_stale_files(folder), list(folder.iterdir())
    (1, [])
    """
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    removed = 0
    for name in names:
        if name.startswith(TEMP_PREFIX):
            removed += _remove_stale_temp(folder / name, now, max_age)
        elif name.endswith(LOCK_SUFFIX) and fcntl is not None:
            removed += _remove_free_lock(folder / name)
    return removed
