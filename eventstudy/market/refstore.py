"""Moved: the snapshot store is :mod:`eventstudy.reference.store`.

The store is read without the network, so it lives in the base layer, beside
the master it feeds (the news tagger reads it too). This alias stays for one
release; import from :mod:`eventstudy.reference.store` instead.
"""

from __future__ import annotations

import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    from eventstudy.reference import store

    if name in store.__all__:
        warnings.warn(
            f"eventstudy.market.refstore.{name} is deprecated; import it from "
            "eventstudy.reference.store",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(store, name)
    raise AttributeError(f"module 'eventstudy.market.refstore' has no attribute {name!r}")
