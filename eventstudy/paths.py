"""Where the package keeps files on disk: the cache folder.

A base module (standard library only), so that base modules such as
:mod:`eventstudy.calendar` can find the cache without importing
:mod:`eventstudy.market`. The price cache (:mod:`eventstudy.market.cache`) and
the stored trading calendar both live under :func:`resolve_cache_dir`.

Examples
--------
>>> str(resolve_cache_dir("/tmp/x"))
'/tmp/x'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_cache_dir"]


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
